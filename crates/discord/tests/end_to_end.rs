//! The real serenity client against a local Discord stand-in (127.0.0.1 only), with the real
//! delivery engine on the core's recording input: handshake, slash and prefix commands,
//! refusals, autocomplete, a dropped connection and a wrong token. Every wait is bounded.

use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serde_json::{Value, json};
use sqlx::ConnectOptions;
use switchboard_core::Store;
use switchboard_core::engine::{Engine, RunMode};
use switchboard_core::input::recording::{Recorder, RecordingInput};
use switchboard_core::input::{InputError, Point};
use switchboard_core::model::{InputProfile, MessageState};
use switchboard_core::store::{
    AgentPatch, CommandOutcome, DiscordCommand, DiscordCommandFilter, NewAgent,
};
use switchboard_discord::{Bot, BotConfig, BotError, BotSettings, BotState, Timing};
use switchboard_discord_standin::fixtures::{
    self, APP_ID, CHANNEL_ID, GUILD_ID, Who, autocomplete, choice, interaction_token,
    message_create, option, slash,
};
use switchboard_discord_standin::{Recorded, StandIn};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Shaped like a bot token (three dot-separated parts); only the stand-in knows it.
const TOKEN: &str = "MTAwMQ.c3RhbmQ.stand-in-token-for-tests-only";
const OPERATOR: Who = Who(1001, "alice", &[]);
const STRANGER: Who = Who(2002, "mallory", &[]);
/// Anyone holding this role is an operator.
const OPERATOR_ROLE: u64 = 300;
const WAIT: Duration = Duration::from_secs(10);

struct Running {
    _dir: tempfile::TempDir,
    store: Store,
    standin: StandIn,
    recorder: Recorder,
    state: watch::Receiver<BotState>,
    stop: watch::Sender<bool>,
    bot: JoinHandle<Result<(), BotError>>,
    engine: JoinHandle<()>,
}

fn until(stop: &watch::Sender<bool>) -> impl Future<Output = ()> + Send + 'static {
    let mut rx = stop.subscribe();
    async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// Everything every test in this binary logged, to check that no log line ever holds a
/// token: our crates, serenity and poise at every level, the rest at debug. (tungstenite at
/// trace dumps every WebSocket frame, the IDENTIFY with its token included, on both ends: only
/// someone who asks for that crate's trace output sees it.)
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new(
            "debug,serenity=trace,poise=trace,switchboard_discord=trace,switchboard_core=trace,tungstenite=debug",
        );
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(|| LogSink)
            .init();
    });
}

fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// Run a test body with a LocalSet, for the engine (see `start`).
async fn local<F: Future>(body: F) -> F::Output {
    tokio::task::LocalSet::new().run_until(body).await
}

/// A store with Agent-1, the stand-in, the engine on a recording input, and the bot
/// connected to the stand-in (alice is an operator by user id, role 300 by role).
async fn start(prefix_commands: bool) -> Running {
    start_with(prefix_commands, |_| {}).await
}

/// `start`, with `tweak` applied to the bot's settings first.
async fn start_with(prefix_commands: bool, tweak: impl FnOnce(&mut BotSettings)) -> Running {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    for key in ["click_settle_ms", "submit_settle_ms"] {
        store.set_setting(key, "0", "test").await.unwrap();
    }
    let agent = NewAgent {
        name: "Agent-1".into(),
        team: Some("red".into()),
        role: None,
        point: Point { x: 100, y: 200 },
        input: InputProfile::default(),
        max_attempts: None,
        enabled: true,
    };
    store.add_agent(agent, "test").await.unwrap();

    let standin = StandIn::start(TOKEN).await;
    let mut settings = BotSettings::default();
    settings.set("token", TOKEN).unwrap();
    settings.set("guild_id", &GUILD_ID.to_string()).unwrap();
    settings.set("api_base", &standin.api_base).unwrap();
    settings
        .set(
            "prefix_commands",
            if prefix_commands { "on" } else { "off" },
        )
        .unwrap();
    settings
        .add("operator_users", &OPERATOR.0.to_string())
        .unwrap();
    settings
        .add("operator_roles", &OPERATOR_ROLE.to_string())
        .unwrap();
    tweak(&mut settings);
    settings.save(&store, "test", "set up").await.unwrap();

    let (stop, _) = watch::channel(false);
    let (input, recorder) = RecordingInput::new();
    let engine = Engine::start(store.clone(), Box::new(input)).await.unwrap();
    let config = BotConfig::resolve(&settings, |_| None)
        .unwrap()
        .with_timing(Timing {
            outcome_poll: Duration::from_millis(50),
            ..Timing::default()
        });
    let bot = Bot::new(store.clone(), config).engine_waker(engine.waker());
    let state = bot.watch_state();
    let engine_stop = until(&stop);
    // The engine's run future is not Send (its phase callback borrows the store), so it runs
    // on the test's own thread, as `switchboard run` joins it with the bot.
    let engine = tokio::task::spawn_local(async move {
        engine.run(RunMode::Forever, engine_stop).await.unwrap();
    });
    let bot_stop = until(&stop);
    let bot = tokio::spawn(async move { bot.run(bot_stop).await });
    let mut running = Running {
        _dir: dir,
        store,
        standin,
        recorder,
        state,
        stop,
        bot,
        engine,
    };
    wait_state(&mut running.state, "connected", |s| {
        matches!(s, BotState::Connected { .. })
    })
    .await;
    running
}

async fn wait_state(
    state: &mut watch::Receiver<BotState>,
    what: &str,
    f: impl FnMut(&BotState) -> bool,
) -> BotState {
    let seen = match tokio::time::timeout(WAIT, state.wait_for(f)).await {
        Ok(Ok(s)) => Some(s.clone()),
        _ => None,
    };
    seen.unwrap_or_else(|| panic!("the bot never became {what}; it is {:?}", *state.borrow()))
}

impl Running {
    async fn stop(self) {
        self.stop.send_replace(true);
        let bot = tokio::time::timeout(WAIT, self.bot)
            .await
            .expect("the bot stops on shutdown")
            .unwrap();
        assert!(bot.is_ok(), "a shutdown is not an error: {bot:?}");
        assert_eq!(*self.state.borrow(), BotState::Stopped);
        tokio::time::timeout(WAIT, self.engine)
            .await
            .expect("the engine stops on shutdown")
            .unwrap();
        let logs = logs();
        assert!(
            logs.contains("connected to Discord"),
            "the logs are captured, so the next check means something"
        );
        let leaks: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains(&TOKEN[TOKEN.len() - 12..]))
            .take(3)
            .collect();
        assert!(
            leaks.is_empty(),
            "no log line holds the token, even in part: {leaks:#?}"
        );
    }

    async fn log(&self) -> Vec<DiscordCommand> {
        self.store
            .discord_commands(&DiscordCommandFilter::default())
            .await
            .unwrap()
    }

    /// Wait until the log holds a row for `command` from `user`.
    async fn logged(&self, user: &str, command: &str) -> DiscordCommand {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(row) = self
                .log()
                .await
                .into_iter()
                .find(|r| r.command.user_name == user && r.command.command == command)
            {
                return row;
            }
            assert!(
                Instant::now() < deadline,
                "{command} from {user} was never logged"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn callback(&self, interaction: u64) -> Recorded {
        let path = format!(
            "/api/v10/interactions/{interaction}/{}/callback",
            interaction_token(interaction)
        );
        self.standin
            .wait_request(WAIT, "interaction callback", |r| {
                r.method == "POST" && r.path == path
            })
            .await
    }
}

fn content(r: &Recorded) -> &str {
    r.body["data"]["content"]
        .as_str()
        .or_else(|| r.body["content"].as_str())
        .unwrap_or_default()
}

fn is_ephemeral(callback: &Recorded) -> bool {
    callback.body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_send_is_answered_in_time_logged_delivered_and_edited_with_the_outcome() {
    local(async {
        let run = start(false).await;
        let identify = run.standin.identify().expect("the bot identified");
        assert_eq!(identify["token"], format!("Bot {TOKEN}"));
        assert_eq!(
            identify["intents"].as_u64().unwrap() & (1 << 15),
            0,
            "no Message Content intent while prefix commands are off"
        );
        let registered = run
            .standin
            .wait_request(WAIT, "slash command registration", |r| {
                r.method == "PUT"
                    && r.path
                        == format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
            })
            .await;
        let names: Vec<&str> = registered
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"send") && names.contains(&"stop") && names.contains(&"help"),
            "{names:?}"
        );

        let sent_at = Instant::now();
        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "run the tests, @everyone", false),
            choice("priority", 1), // urgent, high, normal, low
        ];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            slash(5001, "send", options, &OPERATOR),
        );
        let callback = run.callback(5001).await;
        assert!(
            sent_at.elapsed() < Duration::from_secs(3),
            "answered within Discord's 3-second window: {:?}",
            sent_at.elapsed()
        );
        assert_eq!(callback.body["type"], 4, "an immediate message reply");
        assert!(!is_ephemeral(&callback), "a send is shown to the channel");
        assert!(
            content(&callback).starts_with("Queued message #1 to **Agent-1** (high)"),
            "{}",
            content(&callback)
        );
        assert_eq!(
            callback.body["data"]["allowed_mentions"]["parse"],
            json!([]),
            "echoed text never pings anyone"
        );

        let edit_path = format!(
            "/api/v10/webhooks/{APP_ID}/{}/messages/@original",
            interaction_token(5001)
        );
        let edited = run
            .standin
            .wait_request(WAIT, "the reply edited with the outcome", |r| {
                r.method == "PATCH" && r.path == edit_path
            })
            .await;
        assert!(
            content(&edited).starts_with(content(&callback)),
            "the edit keeps the reply: {}",
            content(&edited)
        );
        assert!(
            content(&edited).contains("✅ Delivered to **Agent-1**"),
            "{}",
            content(&edited)
        );

        let m = run.store.message(1).await.unwrap();
        assert_eq!(m.state, MessageState::Delivered);
        assert_eq!(m.sender, "discord:alice");
        assert_eq!(m.tags, ["discord"]);
        assert_eq!(
            run.recorder.text(InputProfile::default().newline_key),
            "run the tests, @everyone",
            "the engine typed exactly what was sent"
        );

        let row = run.logged("alice", "send").await.command;
        assert_eq!(row.outcome, CommandOutcome::Succeeded);
        assert_eq!(row.kind, "slash");
        assert_eq!(row.source_id, "5001");
        assert_eq!(row.user_id, "1001");
        assert_eq!(row.guild_id, Some(GUILD_ID.to_string()));
        assert_eq!(row.channel_id, CHANNEL_ID.to_string());
        assert_eq!(
            row.arguments,
            json!({"agent": "Agent-1", "message": "run the tests, @everyone", "priority": "high"})
        );
        assert_eq!(row.message_ids, [1]);
        assert!(row.reply.starts_with("Queued message #1"), "{}", row.reply);
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_command_is_refused_privately_logged_and_queues_nothing() {
    local(async {
        let run = start(false).await;
        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "rm -rf /", false),
        ];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            slash(6001, "send", options, &STRANGER),
        );
        let callback = run.callback(6001).await;
        assert!(is_ephemeral(&callback), "a refusal is private");
        let text = content(&callback);
        assert!(
            text.contains("You may not run `/send`") && text.contains("add operator_users 2002"),
            "the refusal says why and how to get access: {text}"
        );

        let row = run.logged("mallory", "send").await.command;
        assert_eq!(row.outcome, CommandOutcome::Refused);
        assert_eq!(
            row.arguments["message"], "rm -rf /",
            "what was attempted is kept"
        );
        assert!(row.message_ids.is_empty());
        assert!(
            run.store.queue().await.unwrap().is_empty(),
            "nothing was queued"
        );
        assert!(run.recorder.actions().is_empty(), "nothing was typed");

        // The same stranger holding the operator role may send.
        let holder = Who(2002, "mallory", &[OPERATOR_ROLE]);
        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "hello", false),
        ];
        run.standin
            .dispatch("INTERACTION_CREATE", slash(6002, "send", options, &holder));
        let callback = run.callback(6002).await;
        assert!(
            content(&callback).starts_with("Queued message #"),
            "{}",
            content(&callback)
        );
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_message_is_queued_answered_in_the_channel_and_edited_when_delivered() {
    local(async {
        let run = start(true).await;
        let intents = run.standin.identify().unwrap()["intents"].as_u64().unwrap();
        assert_ne!(
            intents & (1 << 15),
            0,
            "prefix commands need the Message Content intent"
        );

        run.standin.dispatch(
            "MESSAGE_CREATE",
            message_create(
                7001,
                "!message Agent-1 second message\nwith two lines",
                &OPERATOR,
            ),
        );
        let reply_path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
        let reply = run
            .standin
            .wait_request(WAIT, "the prefix reply", |r| {
                r.method == "POST" && r.path == reply_path
            })
            .await;
        assert!(
            content(&reply).starts_with("Queued message #1 to **Agent-1** (normal)"),
            "{}",
            content(&reply)
        );
        assert_eq!(
            reply.body["message_reference"]["message_id"], "7001",
            "the reply answers the command's message"
        );
        let edited = run
            .standin
            .wait_request(WAIT, "the prefix reply edited", |r| {
                r.method == "PATCH" && r.path.starts_with(&format!("{reply_path}/"))
            })
            .await;
        assert!(
            content(&edited).contains("✅ Delivered"),
            "{}",
            content(&edited)
        );
        assert_eq!(
            run.recorder.text(InputProfile::default().newline_key),
            "second message\nwith two lines"
        );
        let row = run.logged("alice", "message").await.command;
        assert_eq!(row.kind, "prefix");
        assert_eq!(row.outcome, CommandOutcome::Succeeded);
        assert_eq!(
            row.arguments,
            json!({"text": "Agent-1 second message\nwith two lines"})
        );
        assert_eq!(row.message_ids, [1]);

        // A stranger's prefix command is refused by direct message, not in the channel.
        run.standin.dispatch(
            "MESSAGE_CREATE",
            message_create(7002, "!message Agent-1 let me in", &STRANGER),
        );
        let dm = run
            .standin
            .wait_request(WAIT, "a refusal by direct message", |r| {
                r.method == "POST"
                    && r.path == format!("/api/v10/channels/{}/messages", fixtures::DM_CHANNEL_ID)
            })
            .await;
        assert!(
            content(&dm).contains("You may not run `!message`"),
            "{}",
            content(&dm)
        );
        assert_eq!(
            run.logged("mallory", "message").await.command.outcome,
            CommandOutcome::Refused
        );
        assert_eq!(run.store.queue().await.unwrap().len(), 0);
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_names_are_suggested_while_typing_and_not_logged_as_commands() {
    local(async {
        let run = start(false).await;
        let options = vec![option("agent", "agent", true)];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            autocomplete(8001, "send", options, &OPERATOR),
        );
        let callback = run.callback(8001).await;
        assert_eq!(callback.body["type"], 8, "an autocomplete result");
        assert_eq!(
            callback.body["data"]["choices"],
            json!([{"name": "Agent-1", "value": "Agent-1"}])
        );
        // A stranger gets no suggestions (and no reply at all), and typing is not a command.
        let options = vec![option("agent", "agent", true)];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            autocomplete(8002, "send", options, &STRANGER),
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !run.standin
                .requests()
                .iter()
                .any(|r| r.path.contains("/8002/")),
            "nothing is suggested to someone who may not send"
        );
        assert!(run.log().await.is_empty(), "{:?}", run.log().await);
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_outage_shows_as_reconnecting_and_commands_work_again_after_it() {
    local(async {
        let mut run = start(false).await;
        let sessions = run.standin.sessions();
        run.standin.outage(Duration::from_secs(2));
        let state = wait_state(&mut run.state, "reconnecting", |s| {
            matches!(s, BotState::Reconnecting { .. })
        })
        .await;
        assert!(state.describe().starts_with("reconnecting"), "{state:?}");
        // serenity waits 5 s between shard starts, so the way back takes a while.
        run.standin
            .wait_sessions(sessions + 1, Duration::from_secs(20))
            .await;
        wait_state(&mut run.state, "connected again", |s| {
            matches!(s, BotState::Connected { .. })
        })
        .await;

        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "after the outage", false),
        ];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            slash(9001, "send", options, &OPERATOR),
        );
        let callback = run.callback(9001).await;
        assert!(
            content(&callback).starts_with("Queued message #1"),
            "{}",
            content(&callback)
        );
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_held_up_by_a_busy_database_is_deferred_then_answered() {
    local(async {
        let run = start(false).await;
        // Another program holds SQLite's write lock for longer than the defer threshold.
        let path = run.store.path().to_path_buf();
        let mut other = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();

        let sent_at = Instant::now();
        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "patience", false),
        ];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            slash(9501, "send", options, &OPERATOR),
        );
        let callback = run.callback(9501).await;
        assert!(
            sent_at.elapsed() < Duration::from_secs(3),
            "deferred within Discord's 3-second window: {:?}",
            sent_at.elapsed()
        );
        assert_eq!(callback.body["type"], 5, "a deferred reply (\"thinking…\")");

        tokio::time::sleep(Duration::from_millis(1_500)).await;
        sqlx::query("COMMIT").execute(&mut other).await.unwrap();
        let edit_path = format!(
            "/api/v10/webhooks/{APP_ID}/{}/messages/@original",
            interaction_token(9501)
        );
        let filled = run
            .standin
            .wait_request(WAIT, "the deferred reply filled in", |r| {
                r.method == "PATCH"
                    && r.path == edit_path
                    && content(r).starts_with("Queued message #1")
            })
            .await;
        assert!(
            content(&filled).contains("**Agent-1**"),
            "{}",
            content(&filled)
        );
        let row = run.logged("alice", "send").await.command;
        assert_eq!(row.outcome, CommandOutcome::Succeeded);
        assert!(
            row.duration_ms >= 1_500,
            "the log shows the wait: {} ms",
            row.duration_ms
        );
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_posted_to_the_notification_channel_and_the_reply_says_why() {
    local(async {
        const NOTIFY: u64 = 555;
        let run = start_with(false, |s| {
            s.set("notify_channel", &NOTIFY.to_string()).unwrap();
        })
        .await;
        let one_try = AgentPatch {
            max_attempts: Some(Some(1)),
            ..Default::default()
        };
        run.store
            .edit_agent("Agent-1", one_try, "test")
            .await
            .unwrap();
        run.recorder
            .fail_next(InputError::InputFailed("the window is gone".into()));
        let options = vec![
            option("agent", "Agent-1", false),
            option("message", "doomed", false),
        ];
        run.standin.dispatch(
            "INTERACTION_CREATE",
            slash(9601, "send", options, &OPERATOR),
        );
        run.callback(9601).await;

        let notice = run
            .standin
            .wait_request(WAIT, "a notice in the notification channel", |r| {
                r.method == "POST" && r.path == format!("/api/v10/channels/{NOTIFY}/messages")
            })
            .await;
        let text = content(&notice);
        assert!(
            text.starts_with("❌ Dead letter: message `#1` to **Agent-1**")
                && text.contains("the window is gone"),
            "{text}"
        );
        let edit_path = format!(
            "/api/v10/webhooks/{APP_ID}/{}/messages/@original",
            interaction_token(9601)
        );
        let edited = run
            .standin
            .wait_request(WAIT, "the reply edited with the failure", |r| {
                r.method == "PATCH" && r.path == edit_path
            })
            .await;
        assert!(
            content(&edited).contains("❌ Not delivered to **Agent-1** after 1 attempt(s)")
                && content(&edited).contains("the window is gone"),
            "{}",
            content(&edited)
        );
        assert_eq!(
            run.store.message(1).await.unwrap().state,
            MessageState::Failed
        );
        run.stop().await;
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_stops_the_bot_with_a_clear_error_that_masks_the_token() {
    capture_logs();
    let standin = StandIn::start(TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    let wrong = "V1JPTkc.d3Jvbmc.a-token-discord-does-not-know";
    let mut settings = BotSettings::default();
    settings.set("api_base", &standin.api_base).unwrap();
    let config = BotConfig::resolve(&settings, |_| None)
        .unwrap()
        .with_token(wrong)
        .unwrap();

    let checked = switchboard_discord::check_token(&config).await;
    assert!(
        matches!(checked, Err(BotError::WrongToken { .. })),
        "{checked:?}"
    );

    let bot = Bot::new(store, config);
    let state = bot.watch_state();
    let result = tokio::time::timeout(WAIT, bot.run(std::future::pending()))
        .await
        .expect("a wrong token ends the run instead of retrying forever");
    let e = result.unwrap_err();
    assert_eq!(e.code(), "DISCORD_WRONG_TOKEN");
    let text = e.to_string();
    assert!(
        text.contains("Discord refused the bot token") && text.contains("config set token"),
        "{text}"
    );
    assert!(!text.contains(wrong), "the token is never shown: {text}");
    assert!(matches!(*state.borrow(), BotState::WrongToken { .. }));
    assert!(
        !logs().contains(wrong),
        "a wrong token is not logged either"
    );
    assert!(
        standin.identify().is_none(),
        "the gateway is not tried with a token the API refused"
    );

    let right = BotConfig::resolve(&settings, |_| None)
        .unwrap()
        .with_token(TOKEN)
        .unwrap();
    assert_eq!(
        switchboard_discord::check_token(&right).await.unwrap(),
        "switchboard-bot"
    );
}

#[test]
fn the_stand_ins_payloads_are_what_serenity_accepts() {
    let parse = |what: &str, v: Value, f: fn(Value) -> Result<(), serde_json::Error>| {
        f(v).unwrap_or_else(|e| panic!("serenity rejects the stand-in's {what}: {e}"));
    };
    parse("READY", fixtures::ready("ws://127.0.0.1:1"), |v| {
        serde_json::from_value::<serenity::Ready>(v).map(drop)
    });
    parse(
        "slash command",
        slash(1, "send", vec![option("agent", "A", false)], &OPERATOR),
        |v| serde_json::from_value::<serenity::CommandInteraction>(v).map(drop),
    );
    parse("message", message_create(1, "!help", &OPERATOR), |v| {
        serde_json::from_value::<serenity::Message>(v).map(drop)
    });
    parse(
        "DM channel",
        fixtures::dm_channel(fixtures::user(1, "a")),
        |v| serde_json::from_value::<serenity::PrivateChannel>(v).map(drop),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_serving_the_same_bot_is_refused_until_the_first_stops() {
    local(async {
        let mut run = start(false).await;
        let settings = BotSettings::load(&run.store).await.unwrap();
        let config = || BotConfig::resolve(&settings, |_| None).unwrap();
        let sessions = run.standin.sessions();

        // `switchboard bot` started while the app runs the bot: it would queue every command
        // a second time.
        let second = Bot::new(run.store.clone(), config());
        let state = second.watch_state();
        let refused = tokio::time::timeout(WAIT, second.run(std::future::pending()))
            .await
            .expect("refused at once, not retried")
            .unwrap_err();
        assert_eq!(refused.code(), "DISCORD_ALREADY_RUNNING");
        assert!(
            matches!(&*state.borrow(), BotState::RunningElsewhere { message } if message.contains("already running")),
            "{:?}",
            *state.borrow()
        );
        assert_eq!(
            run.standin.sessions(),
            sessions,
            "the refused bot never opened a gateway session"
        );
        assert!(matches!(*run.state.borrow(), BotState::Connected { .. }));

        run.stop.send_replace(true);
        tokio::time::timeout(WAIT, &mut run.bot)
            .await
            .expect("the first bot stops")
            .unwrap()
            .unwrap();
        let third = Bot::new(run.store.clone(), config());
        let mut state = third.watch_state();
        let third = tokio::spawn(async move { third.run(std::future::pending()).await });
        wait_state(&mut state, "connected once the first stopped", |s| {
            matches!(s, BotState::Connected { .. })
        })
        .await;
        third.abort();
    })
    .await
}
