//! Importing agents from the replaced system's file:
//! `{"agents": {"Agent-1": {"chat_input_coordinates": [x, y]}, ...}}`.
//! Other fields of an entry are ignored; agents that already exist are left as they are.

use serde::Serialize;
use serde_json::Value;
use switchboard_core::input::Point;
use switchboard_core::model::InputProfile;
use switchboard_core::store::NewAgent;
use switchboard_core::{Error, Store};

use crate::error::{CommandError, CommandResult};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: Vec<String>,
    /// Already registered (by name, any case): left unchanged.
    pub skipped: Vec<ImportIssue>,
    /// Entries that cannot become agents, with the reason.
    pub invalid: Vec<ImportIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    pub name: String,
    pub reason: String,
}

const SHAPE: &str = r#"{"agents": {"Agent-1": {"chat_input_coordinates": [x, y]}}}"#;

/// Each entry of the file: its name and either its point or why it has none.
pub fn parse(json: &str) -> CommandResult<Vec<(String, Result<Point, String>)>> {
    let value: Value = serde_json::from_str(json.trim_start_matches('\u{feff}')).map_err(|e| {
        CommandError::invalid(format!(
            "this is not JSON ({e}); an agents file looks like {SHAPE}"
        ))
    })?;
    let Some(agents) = value.get("agents").and_then(Value::as_object) else {
        return Err(CommandError::invalid(format!(
            "no \"agents\" object in this file; an agents file looks like {SHAPE}"
        )));
    };
    if agents.is_empty() {
        return Err(CommandError::invalid(
            "the file's \"agents\" object is empty: nothing to import",
        ));
    }
    Ok(agents
        .iter()
        .map(|(name, entry)| (name.clone(), point(entry)))
        .collect())
}

fn point(entry: &Value) -> Result<Point, String> {
    let Some(coords) = entry.get("chat_input_coordinates") else {
        return Err("no chat_input_coordinates".into());
    };
    let pair = coords
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| format!("chat_input_coordinates must be [x, y], not {coords}"))?;
    let coord = |v: &Value| -> Option<i32> {
        if let Some(i) = v.as_i64() {
            return i32::try_from(i).ok();
        }
        // Whole numbers written as 512.0 are fine; 512.5 is not a pixel.
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < f64::from(i32::MAX))
            .map(|f| f as i32)
    };
    match (coord(&pair[0]), coord(&pair[1])) {
        (Some(x), Some(y)) => Ok(Point { x, y }),
        _ => Err(format!(
            "chat_input_coordinates must be two whole numbers, not {coords}"
        )),
    }
}

/// Register every new, valid agent of the file with the default input profile.
pub async fn import(store: &Store, json: &str, actor: &str) -> CommandResult<ImportReport> {
    let entries = parse(json)?;
    let existing = store.agents().await?;
    let mut report = ImportReport::default();
    for (name, point) in entries {
        let point = match point {
            Ok(p) => p,
            Err(reason) => {
                report.invalid.push(ImportIssue { name, reason });
                continue;
            }
        };
        if let Some(a) = existing
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name.trim()))
        {
            report.skipped.push(ImportIssue {
                reason: format!("already registered as {} at {}", a.name, a.point),
                name,
            });
            continue;
        }
        let new = NewAgent {
            name: name.clone(),
            team: None,
            role: None,
            point,
            input: InputProfile::default(),
            max_attempts: None,
            enabled: true,
        };
        match store.add_agent(new, actor).await {
            Ok(agent) => report.created.push(agent.name),
            Err(Error::Invalid(reason)) => report.invalid.push(ImportIssue { name, reason }),
            Err(Error::Conflict(reason)) => report.skipped.push(ImportIssue { name, reason }),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_format_is_read_and_bad_entries_say_why() {
        let entries = parse(
            r#"{"agents": {
                "Agent-1": {"chat_input_coordinates": [100, 200], "extra": true},
                "Left": {"chat_input_coordinates": [-1500, 300.0]},
                "NoPoint": {},
                "Half": {"chat_input_coordinates": [1]},
                "Frac": {"chat_input_coordinates": [1.5, 2]}
            }}"#,
        )
        .unwrap();
        let get = |n: &str| {
            entries
                .iter()
                .find(|(name, _)| name == n)
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(get("Agent-1"), Ok(Point { x: 100, y: 200 }));
        assert_eq!(
            get("Left"),
            Ok(Point { x: -1500, y: 300 }),
            "negative and whole-float coordinates are fine"
        );
        assert_eq!(get("NoPoint").unwrap_err(), "no chat_input_coordinates");
        assert!(get("Half").unwrap_err().contains("[x, y]"));
        assert!(get("Frac").unwrap_err().contains("whole numbers"));
    }

    #[test]
    fn a_file_of_another_shape_is_refused_with_the_expected_shape() {
        for bad in ["not json", r#"{"Agent-1": {}}"#, r#"{"agents": {}}"#] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e.code, "INVALID");
            assert!(e.message.contains("agents"), "{bad:?} -> {}", e.message);
        }
    }
}
