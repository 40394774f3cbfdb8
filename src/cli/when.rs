//! Dates on the command line (`--since` and `--until` of `history` and `discord log`): a local
//! date, a local date and time, or a span of time ago. `--since` is inclusive; `--until`
//! includes the whole day, minute or second it names, as the desktop app's To field does.

use chrono::{Local, NaiveDate, NaiveDateTime, TimeZone};
use clap::Args;
use switchboard_core::Error;
use switchboard_core::model::{Millis, now_ms};

const EXAMPLES: &str =
    "use a date (2026-11-20), a date and time (\"2026-11-20 14:05\"), or a time ago (30m, 2h, 7d)";

/// A command's `--since` and `--until` (flattened into its arguments).
#[derive(Debug, Args)]
pub struct Dates {
    /// Only from this time on: 2026-11-20, "2026-11-20 14:05", or a time ago (30m, 2h, 7d)
    #[arg(long, value_name = "WHEN", value_parser = since)]
    pub since: Option<Millis>,
    /// Only before the end of this day or minute, or before this long ago
    #[arg(long, value_name = "WHEN", value_parser = until)]
    pub until: Option<Millis>,
}

impl Dates {
    /// Both bounds, checked against each other.
    pub fn checked(&self) -> Result<(Option<Millis>, Option<Millis>), Error> {
        range(self.since, self.until).map_err(Error::Invalid)?;
        Ok((self.since, self.until))
    }
}

/// The start of what `text` names, in ms since the epoch.
fn since(text: &str) -> Result<Millis, String> {
    parse(text).map(|(start, _)| start)
}

/// The end of what `text` names (exclusive), in ms since the epoch.
fn until(text: &str) -> Result<Millis, String> {
    parse(text).map(|(_, end)| end)
}

fn range(since: Option<Millis>, until: Option<Millis>) -> Result<(), String> {
    match (since, until) {
        (Some(s), Some(u)) if s >= u => Err("--since must be before --until".into()),
        _ => Ok(()),
    }
}

/// The span `text` names: a day, a minute, a second, or the instant some time ago.
fn parse(text: &str) -> Result<(Millis, Millis), String> {
    let t = text.trim();
    if let Some(ago) = ago(t) {
        let at = now_ms() - ago?;
        return Ok((at, at));
    }
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let start = local_ms(day.and_hms_opt(0, 0, 0).expect("midnight exists"), t)?;
        let next = day
            .succ_opt()
            .ok_or_else(|| format!("{t:?} is out of range"))?;
        let end = local_ms(next.and_hms_opt(0, 0, 0).expect("midnight exists"), t)?;
        return Ok((start, end));
    }
    for (format, length) in [
        ("%Y-%m-%d %H:%M:%S", 1_000),
        ("%Y-%m-%dT%H:%M:%S", 1_000),
        ("%Y-%m-%d %H:%M", 60_000),
        ("%Y-%m-%dT%H:%M", 60_000),
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
            let start = local_ms(at, t)?;
            return Ok((start, start + length));
        }
    }
    Err(format!("{t:?} is not a date or a time ago: {EXAMPLES}"))
}

/// `30m`, `2h`, `7d`, `1w`, `45s` as ms; `None` when `t` is not shaped so.
fn ago(t: &str) -> Option<Result<Millis, String>> {
    let unit = t.chars().last()?;
    let ms: Millis = match unit {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    let count = &t[..t.len() - 1];
    if count.is_empty() || !count.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(
        count
            .parse::<Millis>()
            .ok()
            .and_then(|n| n.checked_mul(ms))
            .ok_or_else(|| format!("{t:?} is too long ago: {EXAMPLES}")),
    )
}

/// A local date and time as ms since the epoch; at a clock change, the earlier of two.
fn local_ms(at: NaiveDateTime, text: &str) -> Result<Millis, String> {
    Local
        .from_local_datetime(&at)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            format!("{text:?} does not exist in local time (the clock skipped it); pick another")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(text: &str, format: &str) -> Millis {
        let at = NaiveDateTime::parse_from_str(text, format).unwrap();
        Local
            .from_local_datetime(&at)
            .earliest()
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_day_runs_from_its_midnight_to_the_next() {
        let midnight = local("2026-11-20 00:00", "%Y-%m-%d %H:%M");
        assert_eq!(since("2026-11-20"), Ok(midnight));
        assert_eq!(
            until(" 2026-11-20 "),
            Ok(local("2026-11-21 00:00", "%Y-%m-%d %H:%M"))
        );
    }

    #[test]
    fn a_time_includes_its_whole_minute_or_second() {
        let at = local("2026-11-20 14:05", "%Y-%m-%d %H:%M");
        assert_eq!(since("2026-11-20 14:05"), Ok(at));
        assert_eq!(since("2026-11-20T14:05"), Ok(at));
        assert_eq!(until("2026-11-20 14:05"), Ok(at + 60_000));
        assert_eq!(until("2026-11-20T14:05:30"), Ok(at + 31_000));
    }

    #[test]
    fn a_time_ago_counts_back_from_now() {
        let before = now_ms();
        let at = since("2h").unwrap();
        let after = now_ms();
        assert!((before - 7_200_000..=after - 7_200_000).contains(&at));
        let week = until("1w").unwrap();
        assert!(week <= now_ms() - 7 * 86_400_000);
        assert!(since("30m").unwrap() > since("1d").unwrap());
    }

    #[test]
    fn anything_else_says_what_to_write() {
        for bad in [
            "yesterday",
            "2026-13-01",
            "20-11-2026",
            "m",
            "-2h",
            "2.5h",
            "",
        ] {
            let e = since(bad).unwrap_err();
            assert!(e.contains("2026-11-20") && e.contains("30m"), "{bad}: {e}");
        }
        assert!(
            since("99999999999999999d")
                .unwrap_err()
                .contains("too long ago")
        );
        assert_eq!(
            range(Some(2), Some(2)),
            Err("--since must be before --until".into())
        );
        assert_eq!(range(Some(1), Some(2)), Ok(()));
        assert_eq!(range(None, Some(2)), Ok(()));
    }
}
