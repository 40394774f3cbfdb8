//! Switchboard's core: everything that does not need a window, Discord or a display to
//! compile and be tested.
//!
//! # Layout
//! - [`model`]: agents, messages, attempts, events and their small enums.
//! - [`store`]: the SQLite database (sqlx, `migrations/` at the repository root): agents, the
//!   queue (enqueue, claim, finish, retry, cancel), history, stats, settings, the event log,
//!   crash recovery.
//! - [`engine`]: the delivery engine. One loop claims the most urgent due message, drives the
//!   input through each phase of a delivery ([`engine::deliver`]), records the outcome, and backs off.
//!   A per-display lock file keeps two processes from ever typing at once. Before each click
//!   it waits for the operator to be idle and checks the window under the point
//!   ([`engine::window`]); a watcher halts typing mid-message on a pause or the corner
//!   fail-safe.
//! - [`input`]: the seam to the mouse, keyboard and clipboard: [`input::Input`], with the X11
//!   driver and a recording driver for tests and dry runs.
//! - [`retry`]: exponential backoff with jitter.
//! - [`settings`]: operator settings shared through the database.
//! - [`text`]: what a message may contain.
//! - [`paths`] and [`logging`]: the data folder, the default database and the log file.
//!
//! The CLI (`src/` at the repository root), the desktop app (`src-tauri/`) and the Discord bot
//! are thin adapters over this crate.

pub mod engine;
pub mod error;
pub mod input;
pub mod logging;
pub mod model;
pub mod paths;
pub mod retry;
pub mod settings;
pub mod store;
pub mod text;

pub use error::{Error, Result};
pub use store::Store;
