//! The delivery engine: claims the most urgent due message, delivers it through the
//! [`Input`](crate::input::Input) seam phase by phase, records the outcome, schedules retries.
//!
//! One engine per process; several processes may run one each on the same database and
//! display: claims are transactions, and [`display_lock`] serialises the deliveries themselves.
//! Shutdown follows mini-redis: [`Engine::run`] takes a future that resolves when it should
//! stop, and a delivery in progress is finished first, so no half-typed message is left behind
//! (one that is still waiting for the operator to be idle, with nothing touched yet, is put
//! back instead).
//!
//! Safety around each delivery: [`window`] checks the window under the point, [`operator`]
//! waits for the operator to be idle and for the focus, and gives pointer and focus back;
//! [`watch`] halts typing mid-message on a pause or the corner fail-safe.

pub mod clock;
mod delivery;
pub mod display_lock;
mod gate;
mod operator;
mod outcome;
mod receipt;
mod run;
mod watch;
pub mod window;

pub use clock::{Clock, ManualClock, SystemClock, TokioClock};
pub use delivery::{Delivered, deliver};
pub use gate::{Gate, Ungated};
pub use outcome::{DeliveryError, ErrorCode};

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{Notify, watch as channel};

use crate::error::Result;
use crate::input::thread::InputThread;
use crate::input::{Input, Stop};
use crate::model::{Message, MessageState, Millis, Phase};
use crate::store::{Claim, Finish, Recovery, Store};

use gate::EngineGate;
use run::Shutdown;
use watch::{Pausing, SharedObserver};

/// How long a delivery waits for another process to finish with the display.
const DISPLAY_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the engine is doing, for the desktop app and `switchboard stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EngineState {
    Starting,
    Idle,
    Delivering {
        message_id: i64,
    },
    /// A message is claimed, and its delivery waits for you to be idle: the mouse or keyboard
    /// was used within `idle_threshold_ms`.
    WaitingForIdle {
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
    state: channel::Sender<EngineState>,
    /// Handed to the driver: set by the watcher to halt typing mid-message.
    stop: Stop,
    /// The driver's second view of the display, for the corner fail-safe.
    observer: Option<SharedObserver>,
    /// Where the pointer was when this engine's last delivery ended: not the operator's doing,
    /// even in a corner (an agent's point may be near one).
    left_pointer: Mutex<Option<crate::input::Point>>,
}

impl Engine {
    /// Register a new engine on `store` that drives `input`.
    pub async fn start(store: Store, input: Box<dyn Input>) -> Result<Engine> {
        Self::with_clock(store, input, Arc::new(SystemClock)).await
    }

    pub async fn with_clock(
        store: Store,
        mut input: Box<dyn Input>,
        clock: Arc<dyn Clock>,
    ) -> Result<Engine> {
        let stop = Stop::default();
        input.set_stop(stop.clone());
        let observer = match input.observer() {
            Ok(o) => o.map(|o| Arc::new(Mutex::new(o))),
            Err(e) => {
                tracing::warn!("the corner fail-safe is off: {e}");
                None
            }
        };
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
            state: channel::channel(EngineState::Starting).0,
            stop,
            observer,
            left_pointer: Mutex::new(None),
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

    pub fn watch_state(&self) -> channel::Receiver<EngineState> {
        self.state.subscribe()
    }

    /// Claim and deliver the most urgent due message, if any.
    ///
    /// The display lock is taken before the claim and held until the outcome is recorded, so
    /// engines sharing a display deliver strictly in claim order: priority, then age, and
    /// per agent in the order sent.
    pub async fn deliver_next(&self) -> Result<Option<AttemptReport>> {
        self.deliver_next_until(&mut Shutdown::never()).await
    }

    /// [`Engine::deliver_next`], giving the message back if `shutdown` resolves while its
    /// delivery still waits for the operator (nothing touched yet).
    async fn deliver_next_until<F: Future<Output = ()>>(
        &self,
        shutdown: &mut Shutdown<F>,
    ) -> Result<Option<AttemptReport>> {
        let _display = match display_lock::acquire(self.input.display(), DISPLAY_LOCK_TIMEOUT).await
        {
            Ok(lock) => lock,
            Err(e) => {
                tracing::warn!("{e}");
                return Ok(None);
            }
        };
        // The fail-safe also holds between deliveries: a pointer pushed into a corner since the
        // last one stops the next before it starts.
        let left = *self.left_pointer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(o) = &self.observer
            && let Some((p, corner)) = watch::in_corner(o).await
            && Some(p) != left
        {
            let reason = watch::failsafe_reason(corner, p);
            tracing::warn!("{reason}");
            self.store.pause(watch::FAILSAFE, &reason).await?;
            return Ok(None);
        }
        let Some(claim) = self.store.claim_next(self.id, self.clock.now()).await? else {
            return Ok(None);
        };
        self.state.send_replace(EngineState::Delivering {
            message_id: claim.message.id,
        });
        let settings = self.store.settings().await?;
        let started = self.clock.now();
        self.stop.clear();
        let touched = AtomicBool::new(false);
        let pausing = Pausing::default();
        let mut gate = EngineGate {
            store: &self.store,
            claim: &claim,
            stop: &self.stop,
            state: &self.state,
            touched: &touched,
            reached: Phase::Claimed,
            is_waiting: false,
        };
        let outcome = {
            let delivery = deliver(
                &self.input,
                &claim.agent,
                &claim.message.body,
                &settings,
                &mut gate,
            );
            let watcher = watch::watch(
                &self.store,
                &self.stop,
                self.observer.clone(),
                claim.agent.point,
                &pausing,
            );
            tokio::pin!(delivery, watcher);
            let mut shutdown_seen = false;
            loop {
                tokio::select! {
                    biased;
                    outcome = &mut delivery => break outcome,
                    never = &mut watcher => match never {},
                    () = &mut *shutdown, if !shutdown_seen => {
                        shutdown_seen = true;
                        if !touched.load(std::sync::atomic::Ordering::SeqCst) {
                            self.stop.request("the engine is shutting down; nothing was typed");
                        }
                    }
                }
            }
        };
        // The fail-safe's pause must be in force before this engine claims again.
        pausing.finish().await;
        if let Some(o) = &self.observer {
            let left = watch::pointer_now(o).await;
            *self.left_pointer.lock().unwrap_or_else(|e| e.into_inner()) = left;
        }
        let reached = gate.reached;
        let (delivered, error) = match outcome {
            Ok(d) => (Some(d), None),
            Err(e) => (None, Some(e)),
        };
        let error = error.as_ref();
        let finish = self.finish_for(&claim, &settings, error, reached);
        let now = self.clock.now();
        let state = self.store.finish_at(&claim, finish, now).await?;
        let mut detail = error.map(|e| e.detail.clone());
        if let Some(delivered) = delivered {
            self.record(&claim, delivered, now, &mut detail).await;
        }
        let report = AttemptReport {
            message_id: claim.message.id,
            agent: claim.agent.name.clone(),
            attempt: claim.message.attempts,
            state,
            error_code: error.map(|e| e.code.as_str()),
            detail,
            duration_ms: now - started,
        };
        match error {
            None => {
                tracing::info!(id = claim.message.id, agent = %claim.agent.name, ms = report.duration_ms, "delivered")
            }
            Some(e) => {
                tracing::warn!(id = claim.message.id, agent = %claim.agent.name, attempt = claim.message.attempts, next = %state, "{e}")
            }
        }
        Ok(Some(report))
    }

    /// Keep what a delivery learned: the agent's window, the receipt. Failures here do not
    /// undo the delivery; they are logged.
    async fn record(
        &self,
        claim: &Claim,
        delivered: Delivered,
        now: Millis,
        detail: &mut Option<String>,
    ) {
        if let Some(w) = &delivered.learned_window {
            match self
                .store
                .learn_window(claim.agent.id, claim.agent.point, w, &self.actor)
                .await
            {
                Ok(true) => {
                    tracing::info!(agent = %claim.agent.name, "recorded the agent's window: {}", window::describe(w))
                }
                Ok(false) => {}
                Err(e) => tracing::warn!("cannot record {}'s window: {e}", claim.agent.name),
            }
        }
        if let Some(image) = delivered.receipt {
            match receipt::keep(&self.store, claim, image, now).await {
                Ok(path) => *detail = Some(format!("receipt: {}", path.display())),
                Err(e) => tracing::warn!("no receipt kept: {e}"),
            }
        }
    }

    fn finish_for(
        &self,
        claim: &Claim,
        settings: &crate::settings::Settings,
        error: Option<&DeliveryError>,
        reached: crate::model::Phase,
    ) -> Finish {
        let Some(e) = error else {
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
