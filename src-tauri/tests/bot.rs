//! The bot supervisor with the real bot (serenity + poise) against a local Discord stand-in:
//! connected, wrong token, stopped, restarted when its settings change, off without a token.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_core::Store;
use switchboard_desktop::Desktop;
use switchboard_desktop::args::Args;
use switchboard_desktop::bot::{BotSettingsEdit, BotStatus, BotSupervisor};
use switchboard_desktop::events::{BackendEvent, Emitter, follow_bot};
use switchboard_discord::{BotSettings, BotState};
use switchboard_discord_standin::StandIn;

/// Shaped like a bot token; only the stand-in knows it.
const TOKEN: &str = "MTAwMQ.c3RhbmQ.stand-in-token-for-tests-only";
const OTHER_TOKEN: &str = "MTAwMg.b3RoZXI.a-token-discord-does-not-know";
const WAIT: Duration = Duration::from_secs(15);

struct App {
    desktop: Desktop,
    bot: BotSupervisor,
    _dir: tempfile::TempDir,
}

async fn app(settings: Option<BotSettings>) -> App {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let store = Store::open(&db).await.unwrap();
    if let Some(s) = settings {
        s.save(&store, "test", "set up").await.unwrap();
    }
    let desktop = Desktop::new(&Args { db: Some(db) });
    desktop.set_store(store.clone());
    let bot = BotSupervisor::new(desktop.clone());
    App {
        desktop,
        bot,
        _dir: dir,
    }
}

fn settings(token: &str, standin: &StandIn) -> BotSettings {
    let mut s = BotSettings::default();
    s.set("token", token).unwrap();
    s.set("guild_id", "42").unwrap();
    s.set("api_base", &standin.api_base).unwrap();
    s
}

async fn wait_for(bot: &BotSupervisor, what: &str, f: impl Fn(&BotState) -> bool) -> BotStatus {
    let mut rx = bot.subscribe();
    match tokio::time::timeout(WAIT, rx.wait_for(|s| f(&s.connection))).await {
        Ok(Ok(s)) => s.clone(),
        _ => panic!("the bot never became {what}; it is {:?}", bot.status()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_connects_stops_and_reconnects_when_its_settings_change() {
    let standin = StandIn::start(TOKEN).await;
    let app = app(Some(settings(TOKEN, &standin))).await;
    // As at app start: the database opens, then the bot starts because a token is set.
    let launched = tokio::spawn(app.bot.clone().run_with_app());
    let connected = wait_for(&app.bot, "connected", |s| {
        matches!(s, BotState::Connected { .. })
    })
    .await;
    assert_eq!(
        connected.connection,
        BotState::Connected {
            user: "switchboard-bot".into()
        }
    );
    assert!(connected.configured);
    standin.wait_sessions(1, WAIT).await;

    let again = app.bot.start().await.unwrap();
    assert!(
        matches!(again.connection, BotState::Connected { .. }),
        "starting a running bot changes nothing: {again:?}"
    );
    assert_eq!(standin.sessions(), 1, "no second connection");

    let stopped = app.bot.stop().await;
    assert_eq!(stopped.connection, BotState::Stopped);
    assert!(stopped.configured, "stopped, but ready to connect again");

    // Saved while stopped: it stays stopped until the operator connects it.
    let edit = BotSettingsEdit {
        guild_id: Some("43".into()),
        api_base: Some(standin.api_base.clone()),
        operator_users: vec!["1001".into()],
        ..Default::default()
    };
    let saved = app.bot.save_settings(&edit).await.unwrap();
    assert_eq!(saved.status.connection, BotState::Stopped);
    assert!(saved.applied.contains("Connect"), "{}", saved.applied);
    assert_eq!(saved.settings.settings.guild_id, Some(43));
    assert!(
        saved
            .settings
            .settings
            .token
            .as_deref()
            .unwrap()
            .starts_with("****"),
        "the token is only ever shown masked"
    );

    app.bot.start().await.unwrap();
    wait_for(&app.bot, "connected again", |s| {
        matches!(s, BotState::Connected { .. })
    })
    .await;
    standin.wait_sessions(2, WAIT).await;

    // Saved while running: a new guild needs a new connection, an allow-list does not.
    let allow_only = BotSettingsEdit {
        operator_users: vec!["1001".into(), "1002".into()],
        ..edit.clone()
    };
    let saved = app.bot.save_settings(&allow_only).await.unwrap();
    assert!(saved.applied.contains("next command"), "{}", saved.applied);
    assert!(matches!(
        saved.status.connection,
        BotState::Connected { .. }
    ));
    let new_guild = BotSettingsEdit {
        guild_id: Some("44".into()),
        ..allow_only
    };
    let saved = app.bot.save_settings(&new_guild).await.unwrap();
    assert!(saved.applied.contains("restarted"), "{}", saved.applied);
    standin.wait_sessions(3, WAIT).await;
    wait_for(&app.bot, "connected after the restart", |s| {
        matches!(s, BotState::Connected { .. })
    })
    .await;

    app.desktop.shutdown().await;
    tokio::time::timeout(WAIT, launched)
        .await
        .expect("the bot stops with the app")
        .unwrap();
    assert_eq!(app.bot.status().connection, BotState::Stopped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_shows_as_wrong_token_and_a_new_token_connects() {
    let standin = StandIn::start(TOKEN).await;
    let app = app(Some(settings(OTHER_TOKEN, &standin))).await;
    app.bot.start().await.unwrap();
    let status = wait_for(&app.bot, "wrong_token", |s| {
        matches!(s, BotState::WrongToken { .. })
    })
    .await;
    let BotState::WrongToken { message } = &status.connection else {
        unreachable!()
    };
    assert!(
        message.contains("Reset Token"),
        "says what to do: {message}"
    );
    assert!(!message.contains(OTHER_TOKEN), "masks the token: {message}");

    // Pasting the right token in the form connects without another click.
    let edit = BotSettingsEdit {
        token: Some(format!(" {TOKEN}\n")),
        guild_id: Some("42".into()),
        api_base: Some(standin.api_base.clone()),
        ..Default::default()
    };
    let saved = app.bot.save_settings(&edit).await.unwrap();
    assert!(saved.applied.contains("started"), "{}", saved.applied);
    wait_for(&app.bot, "connected", |s| {
        matches!(s, BotState::Connected { .. })
    })
    .await;
    app.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_bot_stays_off_and_says_how_to_set_one() {
    let app = app(None).await;
    // The window hears of every change as a `bot` event.
    let events = Arc::new(Mutex::new(Vec::new()));
    let emit: Emitter = {
        let events = events.clone();
        Arc::new(move |e| events.lock().unwrap().push(e))
    };
    let follow = tokio::spawn(follow_bot(
        app.bot.clone(),
        app.desktop.shutdown_signal(),
        emit,
    ));
    let e = app.bot.start().await.unwrap_err();
    assert_eq!(e.code, "DISCORD_NO_TOKEN");
    assert!(e.message.contains("Token field"), "{}", e.message);
    let status = app.bot.status();
    assert!(!status.configured);
    assert!(matches!(status.connection, BotState::Disabled { .. }));
    assert_eq!(
        app.bot.stop().await.connection,
        status.connection,
        "stopping a bot that is not running changes nothing"
    );
    let bad = BotSettingsEdit {
        guild_id: Some("my server".into()),
        ..Default::default()
    };
    let e = app.bot.save_settings(&bad).await.unwrap_err();
    assert!(e.message.starts_with("Server id: "), "{}", e.message);

    app.desktop.shutdown().await;
    follow.await.unwrap();
    let sent: Vec<BackendEvent> = events.lock().unwrap().clone();
    assert_eq!(sent.first().map(BackendEvent::name), Some("bot"));
    assert!(
        sent.iter()
            .any(|e| matches!(e, BackendEvent::Bot(s) if *s == status)),
        "the no-token state reached the window: {sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_settings_say_what_is_wrong_not_that_there_is_no_token() {
    let app = app(None).await;
    let store = app.desktop.store().unwrap();
    let broken = serde_json::json!({"token": TOKEN, "guild_id": "general"});
    store
        .save_discord_settings(&broken, "test", "hand-edited")
        .await
        .unwrap();
    let e = app.bot.start().await.unwrap_err();
    assert_eq!(e.code, "INVALID");
    let status = app.bot.status();
    assert!(
        status.configured,
        "a token may be set: Connect stays available"
    );
    assert!(
        matches!(&status.connection, BotState::Disabled { reason } if reason.contains("cannot be read")),
        "{status:?}"
    );
}
