//! Arguments of the prefix commands kept from the replaced system: `!message AGENT TEXT` and
//! `!broadcast TEXT`. Slash commands need none of this: Discord sends their options typed.

pub const MESSAGE_USAGE: &str = "Usage: `!message AGENT TEXT`, for example `!message Agent-1 run the tests`. Quote a name with spaces: `!message \"Agent 1\" hello`.";
pub const BROADCAST_USAGE: &str =
    "Usage: `!broadcast TEXT`, for example `!broadcast stand up in 5 minutes`.";

/// Split `!message` arguments into the agent's name and the text. The name is the first word,
/// or a double-quoted phrase; the text is everything after it, line breaks included.
pub fn agent_and_text(args: &str) -> Result<(String, String), String> {
    let args = args.trim_start();
    let (agent, rest) = if let Some(quoted) = args.strip_prefix('"') {
        match quoted.find('"') {
            Some(end) => (&quoted[..end], &quoted[end + 1..]),
            None => {
                return Err(format!(
                    "The agent's name has no closing quote. {MESSAGE_USAGE}"
                ));
            }
        }
    } else {
        match args.find(char::is_whitespace) {
            Some(end) => (&args[..end], &args[end..]),
            None => (args, ""),
        }
    };
    let agent = agent.trim();
    if agent.is_empty() {
        return Err(format!("Which agent? {MESSAGE_USAGE}"));
    }
    // Only the separator goes: leading spaces or a line break right after the name are not
    // part of the message, but the text's own indentation on later lines is.
    let text = rest.trim_start_matches([' ', '\t']);
    let text = text.strip_prefix('\n').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(format!("The message to {agent} is empty. {MESSAGE_USAGE}"));
    }
    Ok((agent.to_string(), text.trim_end().to_string()))
}

/// The text of `!broadcast`.
pub fn broadcast_text(args: &str) -> Result<String, String> {
    let text = args.trim();
    if text.is_empty() {
        return Err(format!("The message is empty. {BROADCAST_USAGE}"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_word_is_the_agent_and_the_rest_is_the_text() {
        assert_eq!(
            agent_and_text("Agent-1 run the tests now").unwrap(),
            ("Agent-1".to_string(), "run the tests now".to_string())
        );
        assert_eq!(
            agent_and_text("  Agent-1\n  line one\nline two  ").unwrap(),
            ("Agent-1".into(), "  line one\nline two".into()),
            "line breaks and later indentation are the text's own"
        );
    }

    #[test]
    fn a_quoted_name_may_hold_spaces() {
        assert_eq!(
            agent_and_text("\"Agent 1\" hello").unwrap(),
            ("Agent 1".into(), "hello".into())
        );
        assert!(
            agent_and_text("\"Agent 1 hello")
                .unwrap_err()
                .contains("closing quote")
        );
    }

    #[test]
    fn missing_parts_get_the_usage() {
        assert!(agent_and_text("").unwrap_err().contains("Which agent"));
        let e = agent_and_text("Agent-1   ").unwrap_err();
        assert!(
            e.contains("empty") && e.contains("!message AGENT TEXT"),
            "{e}"
        );
        assert!(
            broadcast_text(" \n ")
                .unwrap_err()
                .contains("!broadcast TEXT")
        );
        assert_eq!(broadcast_text(" all hands ").unwrap(), "all hands");
    }
}
