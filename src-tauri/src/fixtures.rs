//! Sample JSON of every type that crosses to the UI, pinned in
//! `ui/src/backend/fixtures/samples.json`. This test fails when the Rust types serialize
//! differently from that file; `ui/src/backend/types.test.ts` fails when the UI's types do not
//! accept it. Together they keep both sides in step. After a deliberate change, rewrite the
//! file with `UPDATE_FIXTURES=1 cargo test -p switchboard-desktop fixtures`.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Value, json};
use switchboard_core::input::{Point, WindowInfo};
use switchboard_core::model::Clear;
use switchboard_core::model::{
    Attempt, AttemptOutcome, Event, InputProfile, Message, MessageDetail, MessageState, Phase,
    Priority, SeenWindow, WindowRule,
};
use switchboard_core::settings::Settings;
use switchboard_core::store::{
    CommandOutcome, DiscordCommand, DiscordCommandFilter, LastDelivery, NewDiscordCommand, Pause,
    StateCount, Stats, TimelineBucket,
};
use switchboard_discord::BotState;
use switchboard_discord::settings::{BotSettings, Grants};

use crate::args::DatabaseSource;
use crate::bot::{BotSettingsEdit, BotSettingsSaved, BotSettingsView, BotStatus};
use crate::commands::discord::DiscordCommandPage;
use crate::desktop::AppInfo;
use crate::error::CommandError;
use crate::events::DbChanged;
use crate::import::{ImportIssue, ImportReport};
use crate::status::{DatabaseStatus, EngineStatus, Status};
use crate::views::{
    AgentInput, AgentView, BatchFailure, BatchReport, CapturedPoint, Compose, Dashboard,
    HistoryPage, InputView, Recipients, RemoveReport,
};

const T: i64 = 1_767_225_600_000;

fn all<T: Serialize>(values: &[T]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| serde_json::to_value(v).expect("serializes"))
            .collect(),
    )
}

fn message(id: i64, state: MessageState) -> Message {
    Message {
        id,
        sender: "operator".into(),
        agent_id: Some(1),
        recipient: "Agent-1".into(),
        body: "Please rebase on main.\nThen run the tests.".into(),
        priority: Priority::High,
        tags: vec!["ci".into()],
        reply_to: (id > 1).then_some(1),
        broadcast_id: None,
        state,
        attempts: 1,
        next_attempt_at: T,
        last_error_code: (state == MessageState::Failed).then(|| "OFF_SCREEN".into()),
        last_error: (state == MessageState::Failed).then(|| "(5000, 10) is on no monitor".into()),
        created_at: T,
        updated_at: T + 150,
        delivered_at: (state == MessageState::Delivered).then_some(T + 150),
    }
}

fn input_view() -> InputView {
    InputProfile::default().into()
}

fn stats() -> Stats {
    Stats {
        by_state: MessageState::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| StateCount {
                state: *s,
                count: i as i64,
            })
            .collect(),
        delivered_last_hour: 12,
        failed_attempts_last_hour: 1,
        avg_delivery_ms: Some(143.5),
        max_delivery_ms: Some(410),
        agents: 3,
        agents_enabled: 2,
    }
}

fn samples() -> Value {
    let last = LastDelivery {
        message_id: 9,
        state: MessageState::Delivered,
        at: T,
    };
    let seen = SeenWindow {
        window: WindowInfo {
            id: 0x2a0_0007,
            class: "XTerm".into(),
            title: "claude: ~/src/app".into(),
            pid: Some(4242),
        },
        at: T,
    };
    let agent = AgentView {
        id: 1,
        name: "Agent-1".into(),
        team: Some("backend".into()),
        role: None,
        enabled: true,
        x: -1500,
        y: 300,
        input: input_view(),
        max_attempts: None,
        window: WindowRule {
            class: None,
            title: Some("*claude*".into()),
            any: false,
            seen: Some(seen.clone()),
        },
        min_gap_ms: Some(20_000),
        strip_control: true,
        created_at: T,
        updated_at: T,
        queued: 2,
        last: Some(last.clone()),
    };
    let form = AgentInput {
        name: "Agent-2".into(),
        team: None,
        role: Some("reviewer".into()),
        enabled: false,
        x: 10,
        y: 20,
        input: InputView {
            mode: switchboard_core::model::InputMode::Type,
            paste_key: "shift+insert".into(),
            submit_key: "none".into(),
            newline_key: "enter".into(),
            clear: Clear::KillLine,
        },
        max_attempts: Some(3),
        window_class: Some("re:^(XTerm|URxvt)$".into()),
        window_title: None,
        any_window: true,
        min_gap_ms: None,
        strip_control: false,
        seen: None,
    };
    let detail = MessageDetail {
        message: message(2, MessageState::Failed),
        attempts: vec![
            Attempt {
                id: 1,
                message_id: 2,
                engine_id: 1,
                started_at: T,
                finished_at: Some(T + 80),
                duration_ms: Some(80),
                phase: Phase::Locating,
                outcome: Some(AttemptOutcome::Failed),
                error_code: Some("OFF_SCREEN".into()),
                detail: Some("(5000, 10) is on no monitor".into()),
                retryable: Some(false),
            },
            Attempt {
                id: 2,
                message_id: 2,
                engine_id: 1,
                started_at: T,
                finished_at: None,
                duration_ms: None,
                phase: Phase::Entering,
                outcome: None,
                error_code: None,
                detail: None,
                retryable: None,
            },
        ],
        events: vec![Event {
            id: 1,
            at: T,
            actor: "desktop".into(),
            kind: "queued".into(),
            message_id: Some(2),
            agent_id: Some(1),
            detail: Some("to Agent-1 (high)".into()),
        }],
    };
    let pause = Pause {
        by: "cli".into(),
        at: T,
        reason: "emergency stop".into(),
    };
    let compose = |to| Compose {
        to,
        sender: "operator".into(),
        body: "hello".into(),
        priority: Priority::Urgent,
        tags: vec![],
        reply_to: None,
    };
    let engines = [
        EngineStatus::Starting,
        EngineStatus::WaitingForDisplay {
            reason: "no X display: set DISPLAY".into(),
            retry_in_ms: 3000,
        },
        EngineStatus::Idle,
        EngineStatus::Delivering { message_id: 4 },
        EngineStatus::WaitingForIdle { message_id: 5 },
        EngineStatus::Paused {
            by: "cli".into(),
            reason: "lunch".into(),
        },
        EngineStatus::Failed {
            message: "database is locked".into(),
            retry_in_ms: 3000,
        },
        EngineStatus::Stopped,
    ];
    let databases = [
        DatabaseStatus::Opening,
        DatabaseStatus::Ready,
        DatabaseStatus::Unavailable {
            message: "cannot open".into(),
            retry_in_ms: 3000,
        },
    ];
    let info = AppInfo {
        version: "0.1.0".into(),
        database: "/home/op/.local/share/switchboard/switchboard.db".into(),
        database_source: DatabaseSource::Default,
        log_file: "/home/op/.local/share/switchboard/switchboard.log".into(),
    };
    let connections = [
        BotState::Disabled {
            reason: "no bot token is set".into(),
        },
        BotState::Connecting,
        BotState::Connected {
            user: "switchboard-bot".into(),
        },
        BotState::Reconnecting {
            reason: "the connection to Discord dropped".into(),
        },
        BotState::WrongToken {
            message: "Discord refused the bot token (****ABCD (72 characters))".into(),
        },
        BotState::RunningElsewhere {
            message:
                "this Discord bot is already running in another Switchboard process (process 4242)"
                    .into(),
        },
        BotState::Stopped,
    ];
    let bots: Vec<BotStatus> = connections
        .iter()
        .map(|c| BotStatus {
            connection: c.clone(),
            configured: !matches!(c, BotState::Disabled { .. }),
        })
        .collect();
    let bot_settings = BotSettings {
        token: Some(
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB".into(),
        ),
        guild_id: Some(123_456_789_012_345_678),
        operators: Grants {
            users: vec![234_567_890_123_456_789],
            roles: vec![],
        },
        viewers: Grants {
            users: vec![],
            roles: vec![345_678_901_234_567_890],
        },
        channels: vec![77],
        prefix_commands: true,
        notify_channel: Some(88),
        api_base: Some("http://127.0.0.1:9000".into()),
    };
    let settings_views = [
        BotSettingsView {
            settings: bot_settings.view(),
            token_from_env: false,
            api_base_from_env: true,
        },
        BotSettingsView {
            settings: BotSettings::default().view(),
            token_from_env: true,
            api_base_from_env: false,
        },
    ];
    let edits = [
        BotSettingsEdit {
            token: Some("MTAwMQ.c3RhbmQ.new-token".into()),
            clear_token: false,
            guild_id: Some("42".into()),
            operator_users: vec!["<@1001>".into()],
            operator_roles: vec!["300".into()],
            viewer_users: vec![],
            viewer_roles: vec!["301".into()],
            channels: vec!["77".into()],
            prefix_commands: true,
            notify_channel: Some("88".into()),
            api_base: Some("http://127.0.0.1:9000".into()),
        },
        BotSettingsEdit {
            clear_token: true,
            ..Default::default()
        },
    ];
    let logged = |id: i64, outcome: CommandOutcome| DiscordCommand {
        id,
        command: NewDiscordCommand {
            source_id: "1300000000000000001".into(),
            kind: "slash".into(),
            user_id: "1001".into(),
            user_name: "alice".into(),
            guild_id: Some("42".into()),
            channel_id: "77".into(),
            command: "send".into(),
            arguments: json!({"agent": "Agent-1", "message": "rebase please"}),
            received_at: T,
            outcome,
            duration_ms: 35,
            reply: "queued #12 for Agent-1".into(),
            error: (outcome != CommandOutcome::Succeeded).then(|| "you may not use /send".into()),
            message_ids: if outcome == CommandOutcome::Succeeded {
                vec![12]
            } else {
                vec![]
            },
        },
    };
    let prefix = DiscordCommand {
        command: NewDiscordCommand {
            kind: "prefix".into(),
            guild_id: None,
            command: "status".into(),
            arguments: json!({}),
            ..logged(3, CommandOutcome::Succeeded).command
        },
        ..logged(3, CommandOutcome::Succeeded)
    };
    json!({
        "Point": all(&[Point { x: -5, y: 7 }]),
        "Message": all(&[message(1, MessageState::Queued), message(2, MessageState::Delivered), message(3, MessageState::Failed)]),
        "Attempt": all(&detail.attempts),
        "Event": all(&detail.events),
        "MessageDetail": all(std::slice::from_ref(&detail)),
        "Stats": all(&[stats(), Stats { avg_delivery_ms: None, max_delivery_ms: None, ..stats() }]),
        "TimelineBucket": all(&[TimelineBucket { start: T, delivered: 3, failed: 1 }]),
        "Dashboard": all(&[Dashboard { stats: stats(), timeline: vec![TimelineBucket { start: T, delivered: 0, failed: 0 }], bucket_ms: 300_000 }]),
        "SettingInfo": all(&Settings::default().describe()),
        "Pause": all(std::slice::from_ref(&pause)),
        "LastDelivery": all(&[last]),
        "InputView": all(&[input_view(), form.input.clone()]),
        "AgentView": all(&[agent.clone(), AgentView { last: None, team: None, max_attempts: Some(2), window: WindowRule::default(), min_gap_ms: None, strip_control: false, ..agent }]),
        "AgentInput": all(&[form.clone(), AgentInput { seen: Some(seen.clone()), window_class: None, any_window: false, min_gap_ms: Some(0), strip_control: true, ..form }]),
        "CapturedPoint": all(&[CapturedPoint { x: -5, y: 7, window: Some(seen.clone()) }, CapturedPoint { x: 0, y: 0, window: None }]),
        "RemoveReport": all(&[RemoveReport { name: "Agent-1".into(), cancelled: 2 }]),
        "Recipients": all(&[
            Recipients::Agents { names: vec!["Agent-1".into()] },
            Recipients::Team { team: "backend".into() },
            Recipients::All,
        ]),
        "Compose": all(&[
            compose(Recipients::All),
            Compose { reply_to: Some(3), tags: vec!["x".into()], ..compose(Recipients::Agents { names: vec!["A".into(), "B".into()] }) },
        ]),
        "HistoryFilter": all(&[
            switchboard_core::store::HistoryFilter { limit: 50, ..Default::default() },
            switchboard_core::store::HistoryFilter {
                agent: Some("Agent-1".into()),
                state: Some(MessageState::NeedsReview),
                text: Some("rebase".into()),
                since: Some(T),
                until: Some(T + 1),
                before_id: Some(100),
                limit: 50,
            },
        ]),
        "HistoryPage": all(&[
            HistoryPage { messages: vec![message(5, MessageState::Cancelled)], next_before: Some(5) },
            HistoryPage { messages: vec![], next_before: None },
        ]),
        "BatchReport": all(&[BatchReport {
            done: vec![1, 2],
            failed: vec![BatchFailure { id: 3, code: "CONFLICT".into(), message: "message 3 was already delivered".into() }],
        }]),
        "ImportReport": all(&[ImportReport {
            created: vec!["Agent-1".into()],
            skipped: vec![ImportIssue { name: "Agent-2".into(), reason: "already registered".into() }],
            invalid: vec![ImportIssue { name: "Agent-3".into(), reason: "no chat_input_coordinates".into() }],
        }]),
        "DatabaseStatus": all(&databases),
        "EngineStatus": all(&engines),
        "Status": all(&[
            Status::default(),
            Status {
                database: DatabaseStatus::Ready,
                engine: EngineStatus::Paused { by: "cli".into(), reason: "emergency stop".into() },
                display: Some("X11 display :0".into()),
                paused: Some(pause),
            },
        ]),
        "BotState": all(&connections),
        "BotStatus": all(&bots),
        "BotSettingsView": all(&settings_views),
        "BotSettingsEdit": all(&edits),
        "BotSettingsSaved": all(&[BotSettingsSaved {
            settings: settings_views[0].clone(),
            status: bots[1].clone(),
            applied: "Saved. The bot was restarted to use them.".into(),
        }]),
        "CommandOutcome": all(&CommandOutcome::ALL),
        "DiscordCommand": all(&[logged(1, CommandOutcome::Succeeded), logged(2, CommandOutcome::Refused), prefix.clone()]),
        "DiscordCommandFilter": all(&[
            DiscordCommandFilter { limit: 50, ..Default::default() },
            DiscordCommandFilter {
                user: Some("alice".into()),
                outcome: Some(CommandOutcome::Failed),
                command: Some("send".into()),
                text: Some("Agent-1".into()),
                since: Some(T),
                until: Some(T + 1),
                before_id: Some(100),
                limit: 50,
            },
        ]),
        "DiscordCommandPage": all(&[
            DiscordCommandPage { commands: vec![prefix], next_before: Some(3) },
            DiscordCommandPage { commands: vec![], next_before: None },
        ]),
        "AppInfo": all(&[
            info.clone(),
            AppInfo { database_source: DatabaseSource::Flag, ..info.clone() },
            AppInfo { database_source: DatabaseSource::Env, ..info },
        ]),
        "DbChanged": all(&[DbChanged { version: 3 }]),
        "CommandError": all(&[CommandError::new("CONFLICT", "an agent named \"A\" already exists")]),
        "Priority": all(&Priority::ALL),
        "MessageState": all(MessageState::ALL),
    })
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/fixtures/samples.json")
}

#[test]
fn samples_match_the_fixture_the_ui_checks() {
    let text = serde_json::to_string_pretty(&samples()).expect("serializes") + "\n";
    let path = fixture_path();
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &text).expect("write the fixture");
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == text,
        "{} is out of date with the Rust types: if the change is deliberate, run \
         `UPDATE_FIXTURES=1 cargo test -p switchboard-desktop fixtures`, then update \
         ui/src/backend/types.ts until `npm test` passes",
        path.display()
    );
}
