//! What the bot needs to connect, resolved from the stored [`BotSettings`] and the
//! environment. Read once when the bot starts; the allow-lists and channels are not here:
//! they are read from the database for every command, so access changes apply at once.

use std::fmt;
use std::time::Duration;

use switchboard_core::Store;

use crate::error::BotError;
use crate::settings::{BotSettings, parse_api_base};
use crate::token::{self, TOKEN_ENV};

/// Environment variable that overrides the Discord API base URL.
pub const API_BASE_ENV: &str = "SWITCHBOARD_DISCORD_API_BASE";
pub const DEFAULT_API_BASE: &str = "https://discord.com";

/// How often and for how long the bot looks at the store on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How often a `/send` reply looks at its message's state.
    pub outcome_poll: Duration,
    /// How long a reply waits for the outcome before saying it is still pending. Discord lets
    /// an interaction's reply be edited for 15 minutes.
    pub outcome_limit: Duration,
    /// How often the notification channel's reader looks for new failures.
    pub notify_poll: Duration,
    /// A command still working after this is deferred, inside Discord's 3-second window.
    pub defer_after: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            outcome_poll: Duration::from_millis(500),
            outcome_limit: Duration::from_secs(14 * 60),
            notify_poll: Duration::from_secs(2),
            defer_after: Duration::from_millis(1_500),
        }
    }
}

/// The bot's connection settings.
#[derive(Clone)]
pub struct BotConfig {
    token: Option<String>,
    pub api_base: String,
    pub guild_id: Option<u64>,
    pub prefix_commands: bool,
    pub notify_channel: Option<u64>,
    pub timing: Timing,
}

impl fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &self.masked_token())
            .field("api_base", &self.api_base)
            .field("guild_id", &self.guild_id)
            .field("prefix_commands", &self.prefix_commands)
            .field("notify_channel", &self.notify_channel)
            .field("timing", &self.timing)
            .finish()
    }
}

impl BotConfig {
    /// The stored settings with `SWITCHBOARD_DISCORD_TOKEN` and `SWITCHBOARD_DISCORD_API_BASE`
    /// over them.
    pub async fn load(store: &Store) -> Result<BotConfig, BotError> {
        let settings = BotSettings::load(store).await?;
        BotConfig::resolve(&settings, |name| std::env::var(name).ok())
    }

    /// `settings` with the environment (as `env` reads it) over them. An empty variable counts
    /// as unset.
    pub fn resolve(
        settings: &BotSettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<BotConfig, BotError> {
        let env = |name| env(name).filter(|v: &String| !v.trim().is_empty());
        let token = match env(TOKEN_ENV) {
            Some(t) => Some(token::check(&t)?),
            None => settings.token.clone(),
        };
        let api_base = match env(API_BASE_ENV) {
            Some(base) => parse_api_base(&base)
                .map_err(|e| BotError::Invalid(format!("{API_BASE_ENV}: {e}")))?,
            None => settings
                .api_base
                .clone()
                .unwrap_or_else(|| DEFAULT_API_BASE.to_string()),
        };
        Ok(BotConfig {
            token,
            api_base,
            guild_id: settings.guild_id,
            prefix_commands: settings.prefix_commands,
            notify_channel: settings.notify_channel,
            timing: Timing::default(),
        })
    }

    /// Use this token instead (the desktop app checks a token before saving it).
    pub fn with_token(mut self, token: &str) -> Result<BotConfig, BotError> {
        self.token = Some(token::check(token)?);
        Ok(self)
    }

    pub fn with_timing(mut self, timing: Timing) -> BotConfig {
        self.timing = timing;
        self
    }

    /// The token, or why there is none.
    pub fn token(&self) -> Result<&str, BotError> {
        self.token.as_deref().ok_or(BotError::NoToken)
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub fn masked_token(&self) -> Option<String> {
        self.token.as_deref().map(token::mask)
    }

    /// True when requests go somewhere other than Discord itself (a stand-in or a proxy).
    pub fn custom_api_base(&self) -> bool {
        self.api_base != DEFAULT_API_BASE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = "c3RvcmVk.AAAAAA.storedstoredstoredstored";
    const FROM_ENV: &str = "ZW52aXJvbm1lbnQ.BBBBBB.environmentenvironment";

    fn stored() -> BotSettings {
        BotSettings {
            token: Some(STORED.into()),
            guild_id: Some(42),
            ..Default::default()
        }
    }

    #[test]
    fn the_environment_wins_over_stored_settings_and_empty_variables_do_not() {
        let c = BotConfig::resolve(&stored(), |name| match name {
            TOKEN_ENV => Some(FROM_ENV.into()),
            API_BASE_ENV => Some("http://127.0.0.1:8/".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.token().unwrap(), FROM_ENV);
        assert_eq!(c.api_base, "http://127.0.0.1:8");
        assert!(c.custom_api_base());
        assert_eq!(c.guild_id, Some(42));

        let c = BotConfig::resolve(&stored(), |_| Some(" ".into())).unwrap();
        assert_eq!(c.token().unwrap(), STORED);
        assert_eq!(c.api_base, DEFAULT_API_BASE);
        assert!(!c.custom_api_base());
    }

    #[test]
    fn no_token_is_a_clear_error_and_debug_output_masks_the_token() {
        let c = BotConfig::resolve(&BotSettings::default(), |_| None).unwrap();
        assert!(matches!(c.token(), Err(BotError::NoToken)));
        assert!(c.token().unwrap_err().to_string().contains(TOKEN_ENV));
        let c = BotConfig::resolve(&stored(), |_| None).unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains(STORED), "{debug}");
    }

    #[test]
    fn a_malformed_token_or_api_base_in_the_environment_is_refused() {
        let bad_token = BotConfig::resolve(&stored(), |n| (n == TOKEN_ENV).then(|| "x".into()));
        assert!(matches!(bad_token, Err(BotError::MalformedToken { .. })));
        let bad_base =
            BotConfig::resolve(&stored(), |n| (n == API_BASE_ENV).then(|| "ftp://x".into()));
        assert!(bad_base.unwrap_err().to_string().contains(API_BASE_ENV));
    }
}
