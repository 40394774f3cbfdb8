//! The delivery engine: claims the most urgent due message, delivers it through the
//! [`Input`](crate::input::Input) seam phase by phase, records the outcome, schedules retries.
//!
//! One engine per process; several processes may run one each on the same database and
//! display: claims are transactions, and [`display_lock`] serialises the deliveries themselves.
//! Shutdown follows mini-redis: [`Engine::run`] takes a future that resolves when it should
//! stop, and a delivery in progress is finished first, so no half-typed message is left behind.

pub mod clock;
mod delivery;
pub mod display_lock;
mod outcome;
pub mod window;

pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use delivery::{Gate, Ungated, deliver};
pub use outcome::{DeliveryError, ErrorCode};

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, watch};

use crate::error::Result;
use crate::input::Input;
use crate::input::thread::InputThread;
use crate::model::{Message, MessageState, Millis, Phase};
use crate::store::{Claim, Finish, Recovery, Store};

/// An engine whose heartbeat is this old is taken for dead and its claims recovered. Far above
/// the heartbeat interval: a live engine is never mistaken for a dead one.
const STALE_AFTER_MS: i64 = 60_000;
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long a delivery waits for another process to finish with the display.
const DISPLAY_LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a paused engine looks whether it was resumed from another process.
const PAUSED_POLL_MS: u64 = 250;

/// What the engine is doing, for the desktop app and `switchboard stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EngineState {
    Starting,
    Idle,
    Delivering {
        message_id: i64,
    },
    /// Delivery is paused (see [`Store::pause`]); nothing is typed until it is resumed.
    Paused {
        by: String,
        reason: String,
    },
    Stopped,
}

/// When [`Engine::run`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Until the shutdown future resolves.
    Forever,
    /// As soon as no message is due (messages waiting for a retry later are left queued).
    UntilIdle,
}

/// What one attempt came to.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptReport {
    pub message_id: i64,
    pub agent: String,
    pub attempt: u32,
    pub state: MessageState,
    pub error_code: Option<&'static str>,
    pub detail: Option<String>,
    pub duration_ms: i64,
}

/// Everything a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub recovered: Recovery,
    pub attempts: Vec<AttemptReport>,
}

pub struct Engine {
    store: Store,
    input: InputThread,
    clock: Arc<dyn Clock>,
    id: i64,
    actor: String,
    wake: Arc<Notify>,
    state: watch::Sender<EngineState>,
}

impl Engine {
    /// Register a new engine on `store` that drives `input`.
    pub async fn start(store: Store, input: Box<dyn Input>) -> Result<Engine> {
        Self::with_clock(store, input, Arc::new(SystemClock)).await
    }

    pub async fn with_clock(
        store: Store,
        input: Box<dyn Input>,
        clock: Arc<dyn Clock>,
    ) -> Result<Engine> {
        let input = InputThread::spawn(input)
            .map_err(|e| crate::Error::Invalid(format!("cannot start the input thread: {e}")))?;
        let id = store.register_engine(input.display()).await?;
        Ok(Engine {
            store,
            input,
            clock,
            id,
            actor: format!("engine:{id}"),
            wake: Arc::new(Notify::new()),
            state: watch::channel(EngineState::Starting).0,
        })
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn display(&self) -> &str {
        self.input.display()
    }

    /// Notify this to make an idle engine look for work at once (after an in-process enqueue).
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub fn watch_state(&self) -> watch::Receiver<EngineState> {
        self.state.subscribe()
    }

    /// Recover the claims of dead engines, then deliver until `shutdown` resolves (or, with
    /// [`RunMode::UntilIdle`], until nothing is due).
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
        tokio::pin!(shutdown);
        let result = loop {
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
                    () = tokio::time::sleep(Duration::from_millis(PAUSED_POLL_MS)) => {}
                }
                continue;
            }
            // A delivery is never interrupted by shutdown: it runs to its end (or its error)
            // so the target is not left with half a message.
            match self.deliver_next().await {
                Ok(Some(attempt)) => {
                    report.attempts.push(attempt);
                    continue;
                }
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            self.state.send_replace(EngineState::Idle);
            let wait = match self.idle_wait().await {
                Ok(w) => w,
                Err(e) => break Err(e),
            };
            if mode == RunMode::UntilIdle {
                break Ok(());
            }
            tokio::select! {
                () = &mut shutdown => break Ok(()),
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        };
        heartbeat.abort();
        self.state.send_replace(EngineState::Stopped);
        self.store.engine_stopped(self.id).await?;
        result.map(|()| report)
    }

    /// How long to sleep before looking again: until the next retry is due, but no longer than
    /// the poll interval, so messages queued by other processes are seen promptly.
    async fn idle_wait(&self) -> Result<Duration> {
        let poll = Duration::from_millis(self.store.settings().await?.poll_ms);
        let until_due = self
            .store
            .next_due_at()
            .await?
            .map(|at| Duration::from_millis((at - self.clock.now()).max(0) as u64));
        Ok(until_due.map_or(poll, |d| d.min(poll)))
    }

    fn spawn_heartbeat(&self) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let id = self.id;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT);
            loop {
                tick.tick().await;
                if let Err(e) = store.heartbeat(id).await {
                    tracing::warn!("engine heartbeat not recorded: {e}");
                }
            }
        })
    }

    /// Claim and deliver the most urgent due message, if any.
    ///
    /// The display lock is taken before the claim and held until the outcome is recorded, so
    /// engines sharing a display deliver strictly in claim order: priority, then age, and
    /// per agent in the order sent.
    pub async fn deliver_next(&self) -> Result<Option<AttemptReport>> {
        let _display = match display_lock::acquire(self.input.display(), DISPLAY_LOCK_TIMEOUT).await
        {
            Ok(lock) => lock,
            Err(e) => {
                tracing::warn!("{e}");
                return Ok(None);
            }
        };
        let Some(claim) = self.store.claim_next(self.id, self.clock.now()).await? else {
            return Ok(None);
        };
        self.state.send_replace(EngineState::Delivering {
            message_id: claim.message.id,
        });
        let settings = self.store.settings().await?;
        let started = self.clock.now();
        let mut gate = EngineGate {
            store: &self.store,
            attempt_id: claim.attempt_id,
            reached: Phase::Claimed,
        };
        let result = deliver(
            &self.input,
            &claim.agent,
            &claim.message.body,
            &settings,
            &mut gate,
        )
        .await;
        let finish = self.finish_for(&claim, &settings, &result, gate.reached);
        let state = self.store.finish(&claim, finish.clone()).await?;
        let report = AttemptReport {
            message_id: claim.message.id,
            agent: claim.agent.name.clone(),
            attempt: claim.message.attempts,
            state,
            error_code: result.as_ref().err().map(|e| e.code.as_str()),
            detail: result.as_ref().err().map(|e| e.detail.clone()),
            duration_ms: self.clock.now() - started,
        };
        match &result {
            Ok(()) => {
                tracing::info!(id = claim.message.id, agent = %claim.agent.name, ms = report.duration_ms, "delivered")
            }
            Err(e) => {
                tracing::warn!(id = claim.message.id, agent = %claim.agent.name, attempt = claim.message.attempts, next = %state, "{e}")
            }
        }
        Ok(Some(report))
    }

    fn finish_for(
        &self,
        claim: &Claim,
        settings: &crate::settings::Settings,
        result: &Result<(), DeliveryError>,
        reached: crate::model::Phase,
    ) -> Finish {
        let Err(e) = result else {
            return Finish::Delivered;
        };
        if e.code == ErrorCode::Stopped {
            return Finish::Interrupted {
                code: e.code.as_str(),
                detail: e.detail.clone(),
                reached,
                clear: claim.agent.input.clear,
            };
        }
        let retryable = e.code.retryable();
        let max_attempts = claim.agent.max_attempts.unwrap_or(settings.max_attempts);
        let retry_at: Option<Millis> = retryable
            .then(|| {
                settings.retry_policy().next_delay(
                    claim.message.attempts,
                    max_attempts,
                    fastrand::f64(),
                )
            })
            .flatten()
            .map(|d| self.clock.now() + d.as_millis() as Millis);
        Finish::Failed {
            code: e.code.as_str(),
            detail: e.detail.clone(),
            retryable,
            retry_at,
        }
    }
}

/// The engine's gate before each step: honour the emergency stop, then record the phase
/// (before the step, so after a crash the attempt shows the furthest step that may have run).
struct EngineGate<'a> {
    store: &'a Store,
    attempt_id: i64,
    /// The last phase begun, for deciding what a stop means for the text in the box.
    reached: Phase,
}

impl Gate for EngineGate<'_> {
    async fn begin(&mut self, phase: Phase) -> Result<(), DeliveryError> {
        let paused = self.store.paused().await.map_err(|e| {
            DeliveryError::new(
                ErrorCode::InputFailed,
                format!("stopped before {phase}: cannot read the pause flag: {e}"),
            )
        })?;
        if let Some(p) = paused {
            return Err(DeliveryError::new(
                ErrorCode::Stopped,
                format!("stopped before {phase} by {}: {}", p.by, p.reason),
            ));
        }
        self.store
            .record_phase(self.attempt_id, phase)
            .await
            .map_err(|e| {
                DeliveryError::new(
                    ErrorCode::InputFailed,
                    format!("stopped before {phase}: cannot record it: {e}"),
                )
            })?;
        self.reached = phase;
        Ok(())
    }
}

/// The messages that are due now, in the order an engine would take them; nothing is claimed.
pub async fn due_messages(store: &Store, now: Millis) -> Result<Vec<Message>> {
    let mut due: Vec<Message> = store
        .queue()
        .await?
        .into_iter()
        .filter(|m| m.state == MessageState::Queued && m.next_attempt_at <= now)
        .collect();
    due.sort_by_key(|m| (m.priority, m.id));
    Ok(due)
}
