//! The engine's loop: recover, then deliver until shut down; sleep while idle or paused.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{Engine, EngineState, RunMode, RunReport, receipt};
use crate::error::Result;
use crate::store::ChangeWatcher;

const HEARTBEAT: Duration = Duration::from_secs(5);
/// An engine whose heartbeat is this old is taken for dead and its claims recovered. Far above
/// the heartbeat interval: a live engine is never mistaken for a dead one.
const STALE_AFTER_MS: i64 = 60_000;
/// How often a paused engine looks whether it was resumed from another process.
const PAUSED_POLL: Duration = Duration::from_millis(250);
/// How often old receipts are deleted (also once at start).
const PRUNE_EVERY: u32 = 720; // heartbeats: an hour
/// While idle the engine checks every `poll_ms` whether anything was committed to the
/// database, and makes a full look (a claim under the write lock, the pause, the settings) only
/// then, when woken, when a message falls due, and at least this often whatever happened.
const IDLE_FULL_LOOK: Duration = Duration::from_secs(5);

/// The shutdown future, which the engine polls in two places (between deliveries, and during
/// a delivery that still waits for the operator); after it resolved it stays resolved.
pub(super) struct Shutdown<F> {
    inner: Option<Pin<Box<F>>>,
    never: bool,
}

impl<F: Future<Output = ()>> Shutdown<F> {
    fn new(f: F) -> Self {
        Shutdown {
            inner: Some(Box::pin(f)),
            never: false,
        }
    }
}

impl<F: Future<Output = ()>> Shutdown<F> {
    /// Whether it has resolved, without waiting.
    fn fired(&mut self) -> bool {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        Pin::new(self).poll(&mut cx).is_ready()
    }
}

impl Shutdown<std::future::Pending<()>> {
    pub(super) fn never() -> Self {
        Shutdown {
            inner: None,
            never: true,
        }
    }
}

impl<F: Future<Output = ()>> Future for Shutdown<F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.never {
            return Poll::Pending;
        }
        match self.inner.as_mut() {
            None => Poll::Ready(()),
            Some(f) => match f.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.inner = None;
                    Poll::Ready(())
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl Engine {
    /// Recover the claims of dead engines, then deliver until `shutdown` resolves (or, with
    /// [`RunMode::UntilIdle`], until nothing is due; messages held back only by a minimum gap
    /// or the pace are waited for, retries are not).
    pub async fn run(
        &self,
        mode: RunMode,
        shutdown: impl Future<Output = ()>,
    ) -> Result<RunReport> {
        let mut report = RunReport {
            recovered: self
                .store
                .recover(STALE_AFTER_MS, Some(self.id), &self.actor)
                .await?,
            ..RunReport::default()
        };
        if !report.recovered.requeued.is_empty() || !report.recovered.needs_review.is_empty() {
            tracing::warn!(requeued = ?report.recovered.requeued, needs_review = ?report.recovered.needs_review, "recovered messages left in flight by a stopped engine");
        }
        let heartbeat = self.spawn_heartbeat();
        let mut shutdown = Shutdown::new(shutdown);
        // Without it (it could not be opened) every idle poll is a full look, as it once was.
        let mut watcher = match mode {
            RunMode::Forever => self
                .store
                .change_watcher()
                .await
                .inspect_err(|e| tracing::warn!("idle polls will each make a full look: {e}"))
                .ok(),
            RunMode::UntilIdle => None,
        };
        let result = loop {
            // Between deliveries: a shutdown asked for during the last one ends the run here,
            // even with more messages due.
            if shutdown.fired() {
                break Ok(());
            }
            let pause = match self.store.paused().await {
                Ok(p) => p,
                Err(e) => break Err(e),
            };
            if let Some(p) = pause {
                self.state.send_replace(EngineState::Paused {
                    by: p.by,
                    reason: p.reason,
                });
                if mode == RunMode::UntilIdle {
                    break Ok(());
                }
                tokio::select! {
                    () = &mut shutdown => break Ok(()),
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(PAUSED_POLL) => {}
                }
                continue;
            }
            // A delivery is never interrupted by shutdown once it touched the devices: it runs
            // to its end (or its error) so the target is not left with half a message.
            match self.deliver_next_until(&mut shutdown).await {
                Ok(Some(attempt)) => {
                    report.attempts.push(attempt);
                    continue;
                }
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            self.state.send_replace(EngineState::Idle);
            // Nothing is due: index what was queued since the last time (migration 0009), so a
            // History search later has little or nothing to catch up. Never between deliveries
            // (a busy engine leaves it to the search), and a failure only delays the indexing.
            if let Err(e) = self.store.catch_up_history_index_if_behind().await {
                tracing::warn!("bringing the History indexes up to date failed: {e}");
            }
            let wait = match self.idle_wait(mode).await {
                Ok(w) => w,
                Err(e) => break Err(e),
            };
            let Some(wait) = wait else { break Ok(()) };
            if self.nap(wait, watcher.as_mut(), &mut shutdown).await {
                break Ok(());
            }
        };
        heartbeat.abort();
        self.state.send_replace(EngineState::Stopped);
        self.store.engine_stopped(self.id).await?;
        result.map(|()| report)
    }

    /// How long to wait before the next full look. `None`: stop (run until idle, and nothing
    /// is due or merely paced).
    async fn idle_wait(&self, mode: super::RunMode) -> Result<Option<IdleWait>> {
        let now = self.clock.now();
        if mode == super::RunMode::UntilIdle {
            return Ok(self.store.held_until(now).await?.map(|at| IdleWait {
                poll: Duration::from_millis((at - now).max(1) as u64),
                due_at: Some(at),
            }));
        }
        Ok(Some(IdleWait {
            poll: Duration::from_millis(self.store.settings().await?.poll_ms),
            due_at: self.store.next_due_at().await?,
        }))
    }

    /// Sleep until the next full look: until the engine is woken (a message queued in this
    /// process), a message falls due, or, checked every poll interval so that messages queued
    /// by other processes are seen promptly, anything was committed to the database; and no
    /// longer than [`IDLE_FULL_LOOK`]. Without a watcher, until the first poll interval ends.
    /// True when `shutdown` resolved.
    async fn nap<F: Future<Output = ()>>(
        &self,
        wait: IdleWait,
        mut watcher: Option<&mut ChangeWatcher>,
        shutdown: &mut Shutdown<F>,
    ) -> bool {
        let started = tokio::time::Instant::now();
        loop {
            let until_due = wait
                .due_at
                .map(|at| Duration::from_millis((at - self.clock.now()).max(0) as u64));
            let sleep = until_due.map_or(wait.poll, |d| d.min(wait.poll));
            tokio::select! {
                () = &mut *shutdown => return true,
                () = self.wake.notified() => return false,
                () = tokio::time::sleep(sleep) => {}
            }
            let due = wait.due_at.is_some_and(|at| self.clock.now() >= at);
            let Some(watcher) = watcher.as_deref_mut() else {
                return false;
            };
            if due || started.elapsed() >= IDLE_FULL_LOOK {
                return false;
            }
            match watcher.changed().await {
                Ok(false) => {}
                Ok(true) => return false,
                Err(e) => {
                    tracing::warn!("cannot tell whether the database changed: {e}");
                    return false;
                }
            }
        }
    }

    fn spawn_heartbeat(&self) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let id = self.id;
        let clock = self.clock.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            let mut n: u32 = 0;
            loop {
                tick.tick().await;
                if let Err(e) = store.heartbeat(id).await {
                    tracing::warn!("engine heartbeat not recorded: {e}");
                }
                if n.is_multiple_of(PRUNE_EVERY)
                    && let Ok(settings) = store.settings().await
                {
                    receipt::prune(&store, settings.receipt_keep_days, clock.now()).await;
                }
                n = n.wrapping_add(1);
            }
        })
    }
}

/// What an idle engine waits for.
#[derive(Debug, Clone, Copy)]
struct IdleWait {
    /// The longest sleep before looking again: `poll_ms` (until the held message may go, when
    /// running until idle).
    poll: Duration,
    /// When the next message falls due, by the engine's clock.
    due_at: Option<crate::model::Millis>,
}
