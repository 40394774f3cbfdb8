//! Operator settings, stored in the database so the desktop app, the CLI and every engine on
//! the same database agree. Each has a default that was measured on a 2-core Debian machine
//! under Xvfb (see BENCHMARKS.md); `switchboard config` lists and changes them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Extra pause after the click once the window has the focus (the engine waits for the
    /// focus itself, see `focus_timeout_ms`; this is for targets that need longer).
    pub click_settle_ms: u64,
    /// Pause between entering the text and pressing the submit key, so the target has
    /// finished inserting it.
    pub submit_settle_ms: u64,
    /// How long a paste may wait for the target to read the clipboard.
    pub paste_timeout_ms: u64,
    /// First retry delay; doubles with every failed attempt.
    pub retry_base_ms: u64,
    /// Longest retry delay.
    pub retry_cap_ms: u64,
    /// Random spread of each retry delay, 0.0 to 1.0 (0.2 = ±20 %).
    pub retry_jitter: f64,
    /// Attempts before a message becomes a dead letter (agents may override).
    pub max_attempts: u32,
    /// Longest message accepted, in characters.
    pub max_message_chars: usize,
    /// How often an idle engine looks for messages queued by other processes.
    pub poll_ms: u64,
    /// How long after the click the keyboard focus may take to reach the agent's window
    /// before the attempt fails with FOCUS_FAILED (nothing typed).
    pub focus_timeout_ms: u64,
    /// A delivery waits until the operator has not used the mouse or keyboard for this long
    /// (0: never wait).
    pub idle_threshold_ms: u64,
    /// Least time between two deliveries to the same agent; agents may override it.
    pub min_gap_ms: u64,
    /// Least time between any two deliveries (0: as fast as they come).
    pub pace_ms: u64,
    /// After a delivery, put the pointer and keyboard focus back where the operator had them.
    pub restore_focus: bool,
    /// Keep a small screenshot around the input box, taken right after the submit key.
    pub receipts: bool,
    /// Receipts older than this are deleted.
    pub receipt_keep_days: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            // The focus wait replaced the fixed pause (it was 30 ms).
            click_settle_ms: 0,
            submit_settle_ms: 20,
            paste_timeout_ms: 2_000,
            retry_base_ms: 2_000,
            retry_cap_ms: 300_000,
            retry_jitter: 0.2,
            max_attempts: 5,
            max_message_chars: 20_000,
            poll_ms: 100,
            focus_timeout_ms: 1_000,
            idle_threshold_ms: 1_000,
            // Off by default so that tests and first runs are not slowed down; the tools
            // Switchboard replaces waited 20 s (`switchboard config min_gap_ms 20000`).
            min_gap_ms: 0,
            pace_ms: 0,
            restore_focus: true,
            receipts: false,
            receipt_keep_days: 7,
        }
    }
}

/// One setting's name, value and meaning, for `switchboard config` and the settings screen.
#[derive(Debug, Clone, Serialize)]
pub struct SettingInfo {
    pub key: &'static str,
    pub value: serde_json::Value,
    pub default: serde_json::Value,
    pub help: &'static str,
}

const HELP: &[(&str, &str)] = &[
    (
        "click_settle_ms",
        "extra pause after the click, once the agent's window has the focus (ms)",
    ),
    (
        "submit_settle_ms",
        "pause between entering text and pressing the submit key (ms)",
    ),
    (
        "paste_timeout_ms",
        "how long to wait for the target to read a paste (ms)",
    ),
    (
        "retry_base_ms",
        "first retry delay; doubles after each failed attempt (ms)",
    ),
    ("retry_cap_ms", "longest retry delay (ms)"),
    ("retry_jitter", "random spread of retry delays, 0.0 to 1.0"),
    (
        "max_attempts",
        "attempts before a message becomes a dead letter (agents may override)",
    ),
    (
        "max_message_chars",
        "longest message accepted, in characters",
    ),
    (
        "poll_ms",
        "how often an idle engine checks for messages from other processes (ms)",
    ),
    (
        "focus_timeout_ms",
        "how long after the click the agent's window may take to get the keyboard focus before FOCUS_FAILED (ms)",
    ),
    (
        "idle_threshold_ms",
        "deliveries wait until you have not used the mouse or keyboard for this long (ms; 0: never wait)",
    ),
    (
        "min_gap_ms",
        "least time between two deliveries to the same agent (ms; agents may override; 20000 suits busy agents)",
    ),
    (
        "pace_ms",
        "least time between any two deliveries (ms; 0: no pace)",
    ),
    (
        "restore_focus",
        "after a delivery, put the pointer and keyboard focus back where you had them (true/false)",
    ),
    (
        "receipts",
        "keep a small screenshot around the input box after each delivery (true/false)",
    ),
    (
        "receipt_keep_days",
        "delete receipts older than this many days",
    ),
];

impl Settings {
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(self.retry_base_ms),
            cap: Duration::from_millis(self.retry_cap_ms),
            jitter: self.retry_jitter,
            max_attempts: self.max_attempts,
        }
    }

    /// Every setting with its current value, default and help, in a stable order.
    pub fn describe(&self) -> Vec<SettingInfo> {
        let current = serde_json::to_value(self).expect("settings serialize");
        let default = serde_json::to_value(Settings::default()).expect("settings serialize");
        HELP.iter()
            .map(|(key, help)| SettingInfo {
                key,
                value: current[key].clone(),
                default: default[key].clone(),
                help,
            })
            .collect()
    }

    /// Apply stored `(key, JSON value)` pairs over the defaults; unknown keys (from a newer
    /// version) are ignored so an older binary still starts.
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Settings {
        let mut value = serde_json::to_value(Settings::default()).expect("settings serialize");
        for (k, v) in pairs {
            if value.get(&k).is_some()
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&v)
            {
                value[&k] = v;
            }
        }
        serde_json::from_value(value).unwrap_or_else(|e| {
            tracing::warn!("stored settings are unreadable ({e}); using defaults");
            Settings::default()
        })
    }

    /// Parse `text` as the new value of `key` and check it; returns the JSON to store.
    pub fn validate(&self, key: &str, text: &str) -> Result<serde_json::Value> {
        let mut value = serde_json::to_value(self).expect("settings serialize");
        let Some(old) = value.get(key) else {
            let keys: Vec<&str> = HELP.iter().map(|(k, _)| *k).collect();
            return Err(Error::Invalid(format!(
                "there is no setting {key:?}; the settings are: {}",
                keys.join(", ")
            )));
        };
        let new: serde_json::Value = if old.is_string() {
            serde_json::Value::String(text.to_string())
        } else if old.is_boolean() {
            match text.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => serde_json::Value::Bool(true),
                "false" | "off" | "no" | "0" => serde_json::Value::Bool(false),
                _ => {
                    return Err(Error::Invalid(format!(
                        "{key} is true or false (on/off), not {text:?}"
                    )));
                }
            }
        } else {
            serde_json::from_str(text.trim())
                .map_err(|_| Error::Invalid(format!("{key} takes a number, not {text:?}")))?
        };
        value[key] = new.clone();
        let parsed: Settings = serde_json::from_value(value).map_err(|_| {
            Error::Invalid(format!(
                "{key} takes a whole number of 0 or more, not {text:?}"
            ))
        })?;
        parsed.check().map_err(Error::Invalid)?;
        Ok(new)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !(0.0..=1.0).contains(&self.retry_jitter) {
            return Err("retry_jitter must be between 0.0 and 1.0".into());
        }
        if self.max_attempts == 0 {
            return Err("max_attempts must be at least 1".into());
        }
        if self.retry_cap_ms < self.retry_base_ms {
            return Err(format!(
                "retry_cap_ms ({}) must not be below retry_base_ms ({})",
                self.retry_cap_ms, self.retry_base_ms
            ));
        }
        if self.max_message_chars == 0 || self.max_message_chars > 1_000_000 {
            return Err("max_message_chars must be between 1 and 1000000".into());
        }
        if self.poll_ms == 0 {
            return Err("poll_ms must be at least 1".into());
        }
        if self.min_gap_ms > 86_400_000 || self.pace_ms > 86_400_000 {
            return Err("min_gap_ms and pace_ms must be at most 86400000 (a day)".into());
        }
        if self.receipt_keep_days == 0 {
            return Err("receipt_keep_days must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_help_and_help_names_only_real_settings() {
        let value = serde_json::to_value(Settings::default()).unwrap();
        let fields = value.as_object().unwrap();
        assert_eq!(fields.len(), HELP.len(), "each field needs one help line");
        for (k, _) in HELP {
            assert!(fields.contains_key(*k), "help names unknown setting {k}");
        }
    }

    #[test]
    fn validate_rejects_nonsense_with_a_hint() {
        let s = Settings::default();
        assert!(
            s.validate("max_attempts", "0")
                .unwrap_err()
                .to_string()
                .contains("at least 1")
        );
        assert!(s.validate("retry_jitter", "2").is_err());
        assert!(
            s.validate("poll_ms", "fast")
                .unwrap_err()
                .to_string()
                .contains("takes a number")
        );
        assert!(
            s.validate("nope", "1")
                .unwrap_err()
                .to_string()
                .contains("the settings are")
        );
        assert_eq!(s.validate("poll_ms", "50").unwrap(), serde_json::json!(50));
        assert_eq!(
            s.validate("restore_focus", "off").unwrap(),
            serde_json::json!(false)
        );
        assert!(
            s.validate("receipts", "maybe")
                .unwrap_err()
                .to_string()
                .contains("true or false")
        );
    }

    #[test]
    fn stored_pairs_override_defaults_and_unknown_keys_are_ignored() {
        let s = Settings::from_pairs([
            ("poll_ms".to_string(), "7".to_string()),
            ("from_the_future".to_string(), "1".to_string()),
        ]);
        assert_eq!(s.poll_ms, 7);
        assert_eq!(s.max_attempts, Settings::default().max_attempts);
    }
}
