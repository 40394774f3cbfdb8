//! The gate a delivery passes before each step and while it waits for the operator: where the
//! engine honours the emergency stop, records phases and publishes what it is doing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::input::Stop;
use crate::model::Phase;
use crate::store::{Claim, Store};

use super::EngineState;
use super::outcome::{DeliveryError, ErrorCode};

/// Called before each step of a delivery begins, and while it waits for the operator; an
/// error stops the delivery there. The engine checks the emergency stop and records the
/// phase; a dry run lets every step through.
pub trait Gate: Send {
    fn begin(&mut self, phase: Phase) -> impl Future<Output = Result<(), DeliveryError>> + Send;

    /// The operator used the mouse or keyboard `idle` ago, so the delivery waits (called on
    /// every poll of the wait). An error ends the wait and the delivery.
    fn waiting(
        &mut self,
        _idle: Duration,
    ) -> impl Future<Output = Result<(), DeliveryError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// A gate that lets every step through and records nothing: dry runs.
pub struct Ungated;

impl Gate for Ungated {
    fn begin(&mut self, _phase: Phase) -> impl Future<Output = Result<(), DeliveryError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// The engine's gate: honour the stop flag and the pause, then record the phase (before the
/// step, so after a crash the attempt shows the furthest step that may have run).
pub(super) struct EngineGate<'a> {
    pub store: &'a Store,
    pub claim: &'a Claim,
    pub stop: &'a Stop,
    pub state: &'a watch::Sender<EngineState>,
    /// Set once the first step that touches the devices begins: from then on a shutdown waits
    /// for the delivery to end instead of stopping it.
    pub touched: &'a AtomicBool,
    /// The last phase begun, for deciding what a stop means for the text in the box.
    pub reached: Phase,
    pub is_waiting: bool,
}

impl EngineGate<'_> {
    async fn halt_if_stopped(&self, before: &str) -> Result<(), DeliveryError> {
        if let Some(why) = self
            .stop
            .is_requested()
            .then(|| self.stop.reason())
            .flatten()
        {
            return Err(DeliveryError::new(
                ErrorCode::Stopped,
                format!("stopped before {before}: {why}"),
            ));
        }
        let paused = self.store.paused().await.map_err(|e| {
            DeliveryError::new(
                ErrorCode::InputFailed,
                format!("stopped before {before}: cannot read the pause flag: {e}"),
            )
        })?;
        if let Some(p) = paused {
            return Err(DeliveryError::new(
                ErrorCode::Stopped,
                format!("stopped before {before} by {}: {}", p.by, p.reason),
            ));
        }
        Ok(())
    }
}

impl Gate for EngineGate<'_> {
    async fn begin(&mut self, phase: Phase) -> Result<(), DeliveryError> {
        self.halt_if_stopped(phase.as_str()).await?;
        if phase >= Phase::Clicking {
            self.touched.store(true, Ordering::SeqCst);
        }
        if self.is_waiting {
            self.is_waiting = false;
            self.state.send_replace(EngineState::Delivering {
                message_id: self.claim.message.id,
            });
        }
        self.store
            .record_phase(self.claim.attempt_id, phase)
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

    async fn waiting(&mut self, idle: Duration) -> Result<(), DeliveryError> {
        self.halt_if_stopped("clicking (while waiting for the operator to be idle)")
            .await?;
        if !self.is_waiting {
            self.is_waiting = true;
            self.state.send_replace(EngineState::WaitingForIdle {
                message_id: self.claim.message.id,
            });
            let detail = format!(
                "waiting for you to be idle: the mouse or keyboard was used {} ms ago",
                idle.as_millis()
            );
            tracing::info!(id = self.claim.message.id, "{detail}");
            // The event is for the operator's information; failing to log it stops nothing.
            if let Err(e) = self
                .store
                .note(self.claim, "waiting_for_idle", detail)
                .await
            {
                tracing::warn!("cannot log the wait: {e}");
            }
        }
        Ok(())
    }
}
