//! The `#[tauri::command]`s, grouped by the screen that uses them. Each takes the
//! [`Desktop`](crate::Desktop) state, calls the core and converts its error; the UI calls them
//! through `ui/src/backend/`.

pub mod agents;
pub mod compose;
pub mod control;
pub mod dashboard;
pub mod discord;
pub mod history;
pub mod pointer;
pub mod queue;
pub mod settings;

/// The actor recorded in the event log for changes made in the window.
pub const ACTOR: &str = "desktop";

/// Every command, for `Builder::invoke_handler`.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        dashboard::app_info,
        dashboard::status,
        dashboard::dashboard,
        dashboard::ui_ready,
        discord::bot_status,
        discord::start_bot,
        discord::stop_bot,
        discord::bot_settings,
        discord::save_bot_settings,
        discord::discord_commands,
        agents::agents,
        agents::add_agent,
        agents::edit_agent,
        agents::set_agent_enabled,
        agents::remove_agent,
        agents::test_agent,
        agents::import_agents,
        pointer::pointer_position,
        pointer::capture_position,
        pointer::show_position,
        compose::send,
        queue::queue,
        queue::retry,
        queue::cancel,
        queue::set_priority,
        history::history,
        history::message_detail,
        settings::settings,
        settings::set_setting,
        control::pause,
        control::resume,
    ]
}
