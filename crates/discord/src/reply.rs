//! Fitting text into Discord messages. Discord refuses a message over 2,000 characters, and
//! counts them as JavaScript does (UTF-16 code units: an emoji counts two), so that is what is
//! counted here. Every cut falls on a character boundary.

/// Discord's limit for a message's content.
pub const LIMIT: usize = 2_000;

fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The longest prefix of `text` within `budget` UTF-16 units.
fn prefix_within(text: &str, budget: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.len_utf16();
        if used > budget {
            return &text[..i];
        }
    }
    text
}

/// `text` cut to `limit` units if longer, ending with a note of how much was left out. The cut
/// goes back to a line break when one is near, so a table row is not cut in half.
pub fn fit_within(text: &str, limit: usize) -> String {
    let total = units(text);
    if total <= limit {
        return text.to_string();
    }
    // The note's length depends on the number it holds; reserve room for the largest.
    let note = |left: usize| format!("\n… ({left} more characters not shown)");
    let budget = limit.saturating_sub(units(&note(total)));
    let mut head = prefix_within(text, budget);
    if let Some(nl) = head.rfind('\n')
        && units(&head[nl..]) < 200
    {
        head = &head[..nl];
    }
    let left = total - units(head);
    format!("{head}{}", note(left))
}

/// `text` cut to fit one Discord message.
pub fn fit(text: &str) -> String {
    fit_within(text, LIMIT)
}

/// A message body shown inside a line: line breaks as ⏎, at most `max` characters, and
/// backticks that could close the surrounding code span replaced by a look-alike.
pub fn excerpt(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            '`' => 'ˋ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_left_alone() {
        assert_eq!(fit("hello"), "hello");
        let exact = "x".repeat(LIMIT);
        assert_eq!(fit(&exact), exact);
    }

    #[test]
    fn long_text_is_cut_within_the_limit_and_says_how_much_is_missing() {
        let text = "y".repeat(5_000);
        let out = fit(&text);
        assert!(units(&out) <= LIMIT, "{} units", units(&out));
        let shown = out.chars().take_while(|c| *c == 'y').count();
        assert!(
            out.ends_with(&format!("({} more characters not shown)", 5_000 - shown)),
            "{}",
            &out[out.len() - 60..]
        );
        assert!(shown > 1_900, "the note takes little room: {shown} shown");
    }

    #[test]
    fn cuts_never_split_a_character_and_count_emoji_as_discord_does() {
        // 🙂 is one char but two UTF-16 units: 1,500 of them are 3,000 units.
        let text = "🙂".repeat(1_500);
        let out = fit(&text);
        assert!(units(&out) <= LIMIT);
        assert!(out.starts_with('🙂'));
        let text = "é".repeat(3_000);
        assert!(units(&fit(&text)) <= LIMIT);
    }

    #[test]
    fn a_cut_goes_back_to_a_nearby_line_break() {
        let line = format!("{}\n", ["row"; 10].join(" "));
        let text = line.repeat(100);
        let out = fit(&text);
        let head = out.split("\n…").next().unwrap();
        assert!(
            head.ends_with("row"),
            "the last row shown is whole: {:?}",
            &head[head.len() - 10..]
        );
        assert!(units(&out) <= LIMIT);
    }

    #[test]
    fn excerpts_are_one_line_and_cannot_break_out_of_code_spans() {
        assert_eq!(excerpt("a\nb`c`", 20), "a⏎bˋcˋ");
        assert_eq!(excerpt("abcdef", 4), "abc…");
        assert_eq!(excerpt("a\u{1b}[31m", 10), "a [31m");
    }
}
