//! Bot tokens: checked for shape before Discord sees them, and only ever shown masked.

use crate::error::BotError;

/// Environment variable that supplies the token (it wins over the stored one).
pub const TOKEN_ENV: &str = "SWITCHBOARD_DISCORD_TOKEN";

/// Show a token without revealing it: its length and last four characters, enough to tell two
/// tokens apart and nothing an attacker could use.
pub fn mask(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() < 16 {
        return format!("**** ({} characters)", chars.len());
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("****{tail} ({} characters)", chars.len())
}

/// Trim a token as pasted and check it has a bot token's three dot-separated parts. A "Bot "
/// prefix, as some guides show it, is dropped: the HTTP client adds its own.
pub fn check(text: &str) -> Result<String, BotError> {
    let t = text.trim();
    let t = t.strip_prefix("Bot ").unwrap_or(t).trim();
    if t.contains(char::is_whitespace) || serenity::utils::token::validate(t).is_err() {
        return Err(BotError::MalformedToken { masked: mask(t) });
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_only_the_length_and_the_last_four_characters() {
        let token = "MTIzNDU2Nzg5.GabcDE.secretsecretsecretWXYZ";
        let masked = mask(token);
        assert_eq!(masked, format!("****WXYZ ({} characters)", token.len()));
        assert_eq!(
            mask("short"),
            "**** (5 characters)",
            "a short token shows nothing of itself"
        );
    }

    #[test]
    fn a_bot_prefix_and_surrounding_space_are_dropped_and_bad_shapes_refused() {
        assert_eq!(check(" Bot a.b.c \n").unwrap(), "a.b.c");
        assert!(matches!(check("abc"), Err(BotError::MalformedToken { .. })));
        assert!(check("a.b.c d").is_err(), "no spaces inside a token");
        assert!(check("a..c").is_err(), "every part is needed");
    }
}
