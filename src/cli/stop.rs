//! Stopping the long-running commands (`deliver`, `bot`, `run`) by a signal: ctrl+c, and
//! SIGTERM on Unix (what `kill`, systemd and a closing login session send) or the console
//! closing on Windows. The engine looks at its shutdown future only between deliveries, so a
//! signal lets the message being typed run to its end instead of cutting it in half.

use std::sync::Arc;

use tokio::sync::watch;

/// A stop flag set by the first stop signal. The handlers are installed before this returns:
/// a signal that arrived before they existed would kill the process mid-message.
pub fn stop_on_signal() -> Arc<watch::Sender<bool>> {
    let stop = Arc::new(watch::channel(false).0);
    match signals() {
        Ok(signalled) => {
            let flag = stop.clone();
            tokio::spawn(async move {
                let name = signalled.await;
                tracing::info!("{name}: stopping after the current delivery");
                flag.send_replace(true);
            });
        }
        // No handler: run until killed rather than stop at once.
        Err(e) => tracing::warn!("stop signals cannot be caught ({e}); stop with kill -9"),
    }
    stop
}

/// Resolves once `stop` is set.
pub fn until_stopped(stop: &watch::Sender<bool>) -> impl Future<Output = ()> + Send + 'static {
    let mut rx = stop.subscribe();
    async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

/// The first stop signal's name. `signal` installs each handler when called, not when first
/// polled.
#[cfg(unix)]
fn signals() -> std::io::Result<impl Future<Output = &'static str> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "ctrl+c",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

#[cfg(windows)]
fn signals() -> std::io::Result<impl Future<Output = &'static str> + Send + 'static> {
    use tokio::signal::windows::{ctrl_c, ctrl_close};
    let mut interrupt = ctrl_c()?;
    let mut close = ctrl_close()?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "ctrl+c",
            _ = close.recv() => "console closed",
        }
    })
}
