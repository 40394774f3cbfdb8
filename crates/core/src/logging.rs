//! tracing set-up shared by every binary: stderr at the level the binary chooses (RUST_LOG
//! overrides it) and, when a folder is given, `switchboard.log` at info level.

use std::path::Path;

use tracing_appender::non_blocking::NonBlockingBuilder;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Lines waiting for the log file's writer thread before new ones are dropped. The channel
/// allocates (and touches) every slot up front, 32 bytes each: tracing-appender's default of
/// 128,000 lines held 4 MB of every process that logs to a file (measured in the desktop app,
/// idle). The writer thread only appends each line to a file: a line is lost only when more
/// than 8,192 are waiting for it.
const LOG_FILE_LINES_BUFFERED: usize = 8_192;

/// Keeps the log file's writer alive; flushes on drop. Hold it for the life of `main`.
#[must_use = "dropping the guard stops writing the log file"]
pub struct LogGuard {
    _worker: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Install the global subscriber. `stderr_default` is the level used when RUST_LOG is unset
/// (`"warn"` keeps CLI output clean; the engine uses `"info"`). Failing to open the log file
/// is reported on stderr and otherwise ignored: logs must never stop deliveries.
pub fn init(stderr_default: &str, log_file: Option<&Path>) -> LogGuard {
    let stderr_filter = filter(stderr_default);
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(stderr_filter);

    let (file_layer, guard) = match log_file.map(open_append) {
        Some(Ok(file)) => {
            let (writer, guard) = NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_FILE_LINES_BUFFERED)
                .finish(file);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer.with_max_level(tracing::Level::TRACE))
                .with_filter(filter("info,sqlx=warn"));
            (Some(layer), Some(guard))
        }
        Some(Err(e)) => {
            eprintln!("switchboard: not writing a log file: {e}");
            (None, None)
        }
        None => (None, None),
    };
    // A second init (tests calling into main's helpers) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init();
    LogGuard { _worker: guard }
}

/// RUST_LOG if set, else `default`; either way WebSocket frame dumps stay off, because the
/// Discord gateway's IDENTIFY frame carries the bot token.
fn filter(default: &str) -> EnvFilter {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    filter.add_directive("tungstenite=info".parse().expect("a valid directive"))
}

fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

use tracing_subscriber::Layer as _;
