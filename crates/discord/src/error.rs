//! Why the bot could not start or stopped. The CLI prints these; the desktop app shows
//! [`BotError::code`] and the message.

/// What stops the bot. Everything else (a dropped connection, a slow or failing request) is
/// retried and only shows in [`crate::BotState`].
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error(
        "no Discord bot token is set: store one with `switchboard bot config set token -` (reads it \
         from standard input) or set SWITCHBOARD_DISCORD_TOKEN"
    )]
    NoToken,
    /// The token is not shaped like a Discord bot token (three dot-separated parts).
    #[error(
        "the Discord bot token ({masked}) is not a bot token: copy it again from the Developer \
         Portal (Applications > your app > Bot > Reset Token) and store it with \
         `switchboard bot config set token -`"
    )]
    MalformedToken { masked: String },
    /// Discord refused the token (HTTP 401 or gateway close 4004).
    #[error(
        "Discord refused the bot token ({masked}): it was reset or mistyped. Copy a new one from the \
         Developer Portal (Applications > your app > Bot > Reset Token) and store it with \
         `switchboard bot config set token -`"
    )]
    WrongToken { masked: String },
    /// The gateway refused the intents: prefix commands need the privileged Message Content intent.
    #[error(
        "Discord refused the bot's intents: prefix commands (!message, !status...) need the Message \
         Content intent. Turn it on in the Developer Portal (Bot > Privileged Gateway Intents), or \
         turn prefix commands off with `switchboard bot config set prefix_commands off`"
    )]
    DisallowedIntents,
    /// Another process on this machine runs this bot (see `instance`).
    #[error(
        "this Discord bot is already running in another Switchboard process{}: the desktop app, \
         `switchboard bot` or `switchboard run`. Two would both answer every command and type \
         each message twice. Stop the other one first, or leave the bot to it (lock file {})",
        holder.map(|p| format!(" (process {p})")).unwrap_or_default(),
        lock.display()
    )]
    AlreadyRunning {
        holder: Option<u32>,
        lock: std::path::PathBuf,
    },
    /// A bot setting is wrong (an id that is not a number, an API base that is not a URL).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] switchboard_core::Error),
}

impl BotError {
    /// A stable code for programs (the desktop app branches on it).
    pub fn code(&self) -> &'static str {
        match self {
            BotError::NoToken => "DISCORD_NO_TOKEN",
            BotError::MalformedToken { .. } | BotError::WrongToken { .. } => "DISCORD_WRONG_TOKEN",
            BotError::DisallowedIntents => "DISCORD_INTENTS",
            BotError::AlreadyRunning { .. } => "DISCORD_ALREADY_RUNNING",
            BotError::Invalid(_) => "INVALID",
            BotError::Store(e) => e.code(),
        }
    }
}
