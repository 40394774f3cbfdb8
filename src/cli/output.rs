//! Printing: text for people, JSON (`--json`) for scripts. Results go to stdout, errors to
//! stderr; with `--json` an error is also printed to stdout as `{"error": {code, message}}`
//! so a script reading stdout always gets JSON.

use serde::Serialize;

use super::{CliResult, Failure};
use switchboard_core::model::Millis;

pub struct Out {
    json: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Out { json }
    }

    pub fn json(&self) -> bool {
        self.json
    }

    /// Print `value` as JSON, or the text `human` makes.
    pub fn print<T: Serialize + ?Sized>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> CliResult {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|e| Failure::invalid(format!("cannot write JSON: {e}")))?;
            println!("{text}");
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end_matches('\n'));
            }
        }
        Ok(())
    }

    pub fn error(&self, f: &Failure) {
        if self.json {
            println!(
                "{}",
                serde_json::json!({ "error": { "code": f.code, "message": f.message } })
            );
        }
        eprintln!("error: {}", f.message);
    }
}

/// Left-aligned columns separated by two spaces; cells are cut at 60 characters.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    const MAX: usize = 60;
    let cut = |s: &str| -> String {
        let one_line = s.replace('\n', "⏎");
        if one_line.chars().count() > MAX {
            one_line.chars().take(MAX - 1).chain(['…']).collect()
        } else {
            one_line
        }
    };
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    push_row(headers.to_vec());
    for row in &rows {
        push_row(row.iter().map(String::as_str).collect());
    }
    out
}

/// A stored time in the local zone, to the second.
pub fn time(ms: Millis) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_millis_opt(ms) {
        chrono::LocalResult::Single(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        _ => ms.to_string(),
    }
}

pub fn or_dash(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_cut_long_cells() {
        let t = table(
            &["A", "BB"],
            vec![
                vec!["long value".into(), "x".into()],
                vec!["y".into(), "z".repeat(70)],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "A           BB");
        assert_eq!(lines[1], "long value  x");
        assert!(
            lines[2].ends_with('…') && lines[2].chars().count() == 12 + 60,
            "{}",
            lines[2]
        );
    }

    #[test]
    fn line_breaks_in_cells_stay_on_one_row() {
        assert_eq!(table(&["T"], vec![vec!["a\nb".into()]]).lines().count(), 2);
    }
}
