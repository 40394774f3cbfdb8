//! The bot's settings as stored in the database (one JSON document, see
//! [`Store::discord_settings`]), and the edits `switchboard bot config` makes to them.
//!
//! Discord ids are 64-bit numbers; they are written as strings in JSON, as Discord does,
//! because JavaScript (the desktop app's UI) cannot hold them in a number.

use serde::{Deserialize, Serialize};
use switchboard_core::Store;

use crate::error::BotError;
use crate::token;

/// Who gets a level of access: any listed user, or anyone holding a listed role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Grants {
    #[serde(with = "ids")]
    pub users: Vec<u64>,
    #[serde(with = "ids")]
    pub roles: Vec<u64>,
}

impl Grants {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.roles.is_empty()
    }
}

/// Everything the operator configures about the bot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotSettings {
    /// The bot token; `SWITCHBOARD_DISCORD_TOKEN` takes precedence. Never logged or shown.
    pub token: Option<String>,
    /// Register slash commands in this guild (instant); None: globally (Discord may take up
    /// to an hour to show them everywhere).
    #[serde(with = "opt_id")]
    pub guild_id: Option<u64>,
    /// May do everything, viewing included.
    pub operators: Grants,
    /// May run the read-only commands.
    pub viewers: Grants,
    /// Commands are taken only in these channels; empty: in any channel.
    #[serde(with = "ids")]
    pub channels: Vec<u64>,
    /// Accept `!message`, `!broadcast`, `!status`, `!agents`, `!help`. Needs the privileged
    /// Message Content intent, switched on in Discord's Developer Portal.
    pub prefix_commands: bool,
    /// Post failed attempts and dead letters here.
    #[serde(with = "opt_id")]
    pub notify_channel: Option<u64>,
    /// The Discord API base URL; `SWITCHBOARD_DISCORD_API_BASE` takes precedence. None:
    /// https://discord.com.
    pub api_base: Option<String>,
}

/// The settings as shown to people: the token masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsView {
    pub token: Option<String>,
    #[serde(with = "opt_id")]
    pub guild_id: Option<u64>,
    pub operators: Grants,
    pub viewers: Grants,
    #[serde(with = "ids")]
    pub channels: Vec<u64>,
    pub prefix_commands: bool,
    #[serde(with = "opt_id")]
    pub notify_channel: Option<u64>,
    pub api_base: Option<String>,
}

/// The keys `set` and `unset` take.
pub const SCALAR_KEYS: &[&str] = &[
    "token",
    "guild_id",
    "prefix_commands",
    "notify_channel",
    "api_base",
];
/// The lists `add` and `remove` take.
pub const LIST_KEYS: &[&str] = &[
    "operator_users",
    "operator_roles",
    "viewer_users",
    "viewer_roles",
    "channels",
];

fn key_name(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace('-', "_")
}

fn unknown_key(key: &str, valid: &[&str]) -> BotError {
    BotError::Invalid(format!(
        "{key:?} is not a bot setting here; use one of: {}",
        valid.join(", ")
    ))
}

/// A Discord id as typed: digits, or a mention (`<@123>`, `<@!123>`, `<@&123>`, `<#123>`).
pub fn parse_id(text: &str) -> Result<u64, BotError> {
    let t = text.trim();
    let digits = t
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .map(|t| t.trim_start_matches(['@', '!', '&', '#']))
        .unwrap_or(t);
    digits.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        BotError::Invalid(format!(
            "{text:?} is not a Discord id: turn on Developer Mode in Discord (Settings > Advanced), \
             then right-click the user, role or channel and choose Copy ID"
        ))
    })
}

fn parse_switch(text: &str) -> Result<bool, BotError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(BotError::Invalid(format!(
            "{text:?} is not on or off; use on or off"
        ))),
    }
}

/// Check an API base URL and drop a trailing slash.
pub fn parse_api_base(text: &str) -> Result<String, BotError> {
    let t = text.trim().trim_end_matches('/');
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(t.to_string()),
        _ => Err(BotError::Invalid(format!(
            "{text:?} is not an API base URL; give the scheme and host, for example https://discord.com"
        ))),
    }
}

impl BotSettings {
    /// The stored settings, or the defaults (nobody allowed, no token) when none were saved.
    pub async fn load(store: &Store) -> Result<BotSettings, BotError> {
        match store.discord_settings().await? {
            None => Ok(BotSettings::default()),
            Some(doc) => serde_json::from_value(doc).map_err(|e| {
                BotError::Invalid(format!(
                    "the stored Discord bot settings cannot be read ({e}); reset them with \
                     `switchboard bot config reset`"
                ))
            }),
        }
    }

    /// Store these settings; `change` goes to the event log and must hold no secret.
    pub async fn save(&self, store: &Store, actor: &str, change: &str) -> Result<(), BotError> {
        let doc = serde_json::to_value(self).expect("settings serialize");
        store.save_discord_settings(&doc, actor, change).await?;
        Ok(())
    }

    /// Set one value from text. Returns what changed, for the event log (the token masked).
    pub fn set(&mut self, key: &str, value: &str) -> Result<String, BotError> {
        let key = key_name(key);
        match key.as_str() {
            "token" => {
                let t = token::check(value)?;
                let change = format!("token = {}", token::mask(&t));
                self.token = Some(t);
                return Ok(change);
            }
            "guild_id" => self.guild_id = Some(parse_id(value)?),
            "prefix_commands" => self.prefix_commands = parse_switch(value)?,
            "notify_channel" => self.notify_channel = Some(parse_id(value)?),
            "api_base" => self.api_base = Some(parse_api_base(value)?),
            _ if LIST_KEYS.contains(&key.as_str()) => {
                return Err(BotError::Invalid(format!(
                    "{key} is a list: change it with `switchboard bot config add {key} ID` or `remove {key} ID`"
                )));
            }
            _ => return Err(unknown_key(&key, SCALAR_KEYS)),
        }
        Ok(format!("{key} = {}", value.trim()))
    }

    /// Return one value to its default.
    pub fn unset(&mut self, key: &str) -> Result<String, BotError> {
        let key = key_name(key);
        match key.as_str() {
            "token" => self.token = None,
            "guild_id" => self.guild_id = None,
            "prefix_commands" => self.prefix_commands = false,
            "notify_channel" => self.notify_channel = None,
            "api_base" => self.api_base = None,
            _ => return Err(unknown_key(&key, SCALAR_KEYS)),
        }
        Ok(format!("{key} unset"))
    }

    fn list(&mut self, key: &str) -> Result<&mut Vec<u64>, BotError> {
        Ok(match key {
            "operator_users" => &mut self.operators.users,
            "operator_roles" => &mut self.operators.roles,
            "viewer_users" => &mut self.viewers.users,
            "viewer_roles" => &mut self.viewers.roles,
            "channels" => &mut self.channels,
            _ => return Err(unknown_key(key, LIST_KEYS)),
        })
    }

    /// Add an id to a list (no duplicates).
    pub fn add(&mut self, key: &str, id: &str) -> Result<String, BotError> {
        let key = key_name(key);
        let id = parse_id(id)?;
        let list = self.list(&key)?;
        if !list.contains(&id) {
            list.push(id);
        }
        Ok(format!("{key} += {id}"))
    }

    /// Remove an id from a list; an id that is not there is an error, so a typo is noticed.
    pub fn remove(&mut self, key: &str, id: &str) -> Result<String, BotError> {
        let key = key_name(key);
        let id = parse_id(id)?;
        let list = self.list(&key)?;
        let before = list.len();
        list.retain(|x| *x != id);
        if list.len() == before {
            return Err(BotError::Invalid(format!(
                "{id} is not in {key}; `switchboard bot config` shows the lists"
            )));
        }
        Ok(format!("{key} -= {id}"))
    }

    /// True when nobody may run anything but `/help`.
    pub fn nobody_allowed(&self) -> bool {
        self.operators.is_empty() && self.viewers.is_empty()
    }

    pub fn view(&self) -> SettingsView {
        SettingsView {
            token: self.token.as_deref().map(token::mask),
            guild_id: self.guild_id,
            operators: self.operators.clone(),
            viewers: self.viewers.clone(),
            channels: self.channels.clone(),
            prefix_commands: self.prefix_commands,
            notify_channel: self.notify_channel,
            api_base: self.api_base.clone(),
        }
    }
}

/// Lists of ids as JSON strings (numbers are accepted when reading).
mod ids {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum Id {
        Text(String),
        Number(u64),
    }

    impl Id {
        pub(super) fn get<E: serde::de::Error>(self) -> Result<u64, E> {
            match self {
                Id::Number(n) => Ok(n),
                Id::Text(t) => t
                    .parse()
                    .map_err(|_| E::custom(format!("{t:?} is not a Discord id"))),
            }
        }
    }

    pub fn serialize<S: Serializer>(ids: &[u64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ids.iter().map(u64::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        Vec::<Id>::deserialize(d)?
            .into_iter()
            .map(Id::get)
            .collect()
    }
}

/// An optional id as a JSON string.
mod opt_id {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(n) => s.serialize_str(&n.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Option::<super::ids::Id>::deserialize(d)?
            .map(super::ids::Id::get)
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB";

    #[test]
    fn defaults_allow_nobody_and_turn_prefix_commands_off() {
        let s = BotSettings::default();
        assert!(s.nobody_allowed());
        assert!(!s.prefix_commands);
        assert_eq!(s.token, None);
    }

    #[test]
    fn ids_are_stored_as_strings_and_numbers_are_read_too() {
        let mut s = BotSettings::default();
        s.add("operator-users", "<@!1234567890123456789>").unwrap();
        s.set("guild_id", "42").unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["operators"]["users"][0], "1234567890123456789");
        assert_eq!(json["guild_id"], "42");
        let read: BotSettings =
            serde_json::from_value(serde_json::json!({"viewers": {"roles": [7]}, "guild_id": 9}))
                .unwrap();
        assert_eq!(read.viewers.roles, [7]);
        assert_eq!(read.guild_id, Some(9));
    }

    #[test]
    fn edits_validate_their_values_and_name_the_valid_keys() {
        let mut s = BotSettings::default();
        assert!(
            s.set("guild_id", "general")
                .unwrap_err()
                .to_string()
                .contains("Copy ID")
        );
        assert!(s.set("prefix_commands", "maybe").is_err());
        assert!(s.set("api_base", "discord.com").is_err());
        assert!(
            s.set("colour", "red")
                .unwrap_err()
                .to_string()
                .contains("guild_id")
        );
        assert!(
            s.set("channels", "1")
                .unwrap_err()
                .to_string()
                .contains("config add channels")
        );
        s.set("prefix-commands", "on").unwrap();
        assert!(s.prefix_commands);
        s.set("api_base", "http://127.0.0.1:9/").unwrap();
        assert_eq!(s.api_base.as_deref(), Some("http://127.0.0.1:9"));
        s.unset("api_base").unwrap();
        assert_eq!(s.api_base, None);
    }

    #[test]
    fn lists_take_each_id_once_and_removing_a_missing_id_is_an_error() {
        let mut s = BotSettings::default();
        s.add("channels", "<#55>").unwrap();
        s.add("channels", "55").unwrap();
        assert_eq!(s.channels, [55]);
        assert!(s.remove("channels", "56").is_err());
        s.remove("channels", "55").unwrap();
        assert!(s.channels.is_empty());
        s.add("viewer_roles", "<@&8>").unwrap();
        assert!(!s.nobody_allowed());
    }

    #[test]
    fn the_token_is_checked_and_never_appears_in_the_change_or_the_view() {
        let mut s = BotSettings::default();
        assert!(matches!(
            s.set("token", "not a token"),
            Err(BotError::MalformedToken { .. })
        ));
        let change = s.set("token", &format!("  {TOKEN}\n")).unwrap();
        assert_eq!(s.token.as_deref(), Some(TOKEN), "whitespace is trimmed");
        assert!(!change.contains(TOKEN), "{change}");
        let view = serde_json::to_string(&s.view()).unwrap();
        assert!(!view.contains(TOKEN), "{view}");
        assert!(
            view.contains("89AB"),
            "the end is shown to tell tokens apart"
        );
    }

    #[tokio::test]
    async fn settings_survive_a_round_trip_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        assert_eq!(
            BotSettings::load(&store).await.unwrap(),
            BotSettings::default()
        );
        let mut s = BotSettings::default();
        s.add("operator_users", "1").unwrap();
        s.set("token", TOKEN).unwrap();
        s.save(&store, "test", "operator_users += 1").await.unwrap();
        assert_eq!(BotSettings::load(&store).await.unwrap(), s);
    }
}
