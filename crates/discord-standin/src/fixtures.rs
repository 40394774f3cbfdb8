//! Discord payloads as the real API sends them, reduced to the fields serenity needs. The
//! stand-in's own unit test checks each one deserializes into serenity's model.

use serde_json::{Value, json};

/// The bot's application and user id.
pub const APP_ID: u64 = 900;
pub const GUILD_ID: u64 = 42;
pub const CHANNEL_ID: u64 = 77;
pub const DM_CHANNEL_ID: u64 = 88;

pub fn user(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
    })
}

pub fn bot_user() -> Value {
    let mut u = user(APP_ID, "switchboard-bot");
    u["bot"] = json!(true);
    u
}

pub fn ready(ws_url: &str) -> Value {
    json!({
        "v": 10,
        "user": bot_user(),
        "guilds": [{ "id": GUILD_ID.to_string(), "unavailable": true }],
        "session_id": "stand-in-session",
        "resume_gateway_url": ws_url,
        "shard": [0, 1],
        "application": { "id": APP_ID.to_string(), "flags": 0 },
    })
}

fn member(user_id: u64, name: &str, roles: &[u64]) -> Value {
    json!({
        "user": user(user_id, name),
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "permissions": "2147483647",
    })
}

/// A string option of a slash command; `focused` marks the one being autocompleted.
pub fn option(name: &str, value: &str, focused: bool) -> Value {
    let mut o = json!({ "name": name, "type": 3, "value": value });
    if focused {
        o["focused"] = json!(true);
    }
    o
}

/// The invoking user of an interaction or message: id, name, role ids.
pub struct Who<'a>(pub u64, pub &'a str, pub &'a [u64]);

fn interaction(kind: u8, id: u64, command: &str, options: Vec<Value>, who: &Who) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "data": {
            "id": "7001",
            "name": command,
            "type": 1,
            "options": options,
            "guild_id": GUILD_ID.to_string(),
        },
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "member": member(who.0, who.1, who.2),
        "token": interaction_token(id),
        "version": 1,
        "app_permissions": "2147483647",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": { "0": GUILD_ID.to_string() },
        "context": 0,
        "attachment_size_limit": 8388608,
    })
}

/// The token Discord gives an interaction; its replies are addressed with it.
pub fn interaction_token(id: u64) -> String {
    format!("interaction-token-{id}")
}

/// A choice option: Discord sends the chosen entry's index (poise registers choices so).
pub fn choice(name: &str, index: u64) -> Value {
    json!({ "name": name, "type": 4, "value": index })
}

/// A slash command being run (interaction type 2).
pub fn slash(id: u64, command: &str, options: Vec<Value>, who: &Who) -> Value {
    interaction(2, id, command, options, who)
}

/// A slash command option being typed (interaction type 4, autocomplete).
pub fn autocomplete(id: u64, command: &str, options: Vec<Value>, who: &Who) -> Value {
    interaction(4, id, command, options, who)
}

/// A message as the REST API returns it.
pub fn message(id: u64, channel: u64, author: Value, content: &str) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel.to_string(),
        "author": author,
        "content": content,
        "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    })
}

/// A message posted in the guild channel (gateway MESSAGE_CREATE).
pub fn message_create(id: u64, content: &str, who: &Who) -> Value {
    let mut m = message(id, CHANNEL_ID, user(who.0, who.1), content);
    m["guild_id"] = json!(GUILD_ID.to_string());
    let mut partial = member(who.0, who.1, who.2);
    partial.as_object_mut().unwrap().remove("user");
    m["member"] = partial;
    m
}

/// The direct-message channel with a user.
pub fn dm_channel(recipient: Value) -> Value {
    json!({
        "id": DM_CHANNEL_ID.to_string(),
        "type": 1,
        "recipients": [recipient],
        "last_message_id": null,
    })
}
