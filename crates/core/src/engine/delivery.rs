//! The steps of one delivery, in order, each preceded by recording its phase.

use std::time::Duration;

use crate::input::thread::InputThread;
use crate::input::{Chord, Key, Rect};
use crate::model::{Agent, Clear, InputMode, Phase};
use crate::settings::Settings;

use super::outcome::{DeliveryError, ErrorCode};

/// Called before each step of a delivery begins; an error stops the delivery there. The engine
/// checks the emergency stop and records the phase; a dry run lets every step through.
pub trait Gate: Send {
    fn begin(&mut self, phase: Phase) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// A gate that lets every step through and records nothing: dry runs.
pub struct Ungated;

impl Gate for Ungated {
    fn begin(&mut self, _phase: Phase) -> impl Future<Output = Result<(), DeliveryError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// Drive `input` to put `body` into `agent`'s window and submit it. `gate` is awaited before
/// each step begins; if it fails, the step is not taken.
///
/// Invariants: nothing is clicked or typed unless the point is on a current monitor; the submit
/// key is pressed only after the whole text went in; line breaks are entered with the agent's
/// newline chord when typing, so a multi-line message is submitted once.
pub async fn deliver(
    input: &InputThread,
    agent: &Agent,
    body: &str,
    settings: &Settings,
    gate: &mut impl Gate,
) -> Result<(), DeliveryError> {
    let point = agent.point;
    let profile = agent.input;

    gate.begin(Phase::Locating).await?;
    let screens = input.call(|i| i.screens()).await?;
    if !screens.iter().any(|s| s.contains(point)) {
        return Err(DeliveryError::new(
            ErrorCode::OffScreen,
            format!(
                "{}'s point {point} is on no monitor; the screens are {}. Capture the position again with `switchboard agent capture {}`",
                agent.name,
                describe(&screens),
                agent.name
            ),
        ));
    }

    gate.begin(Phase::Clicking).await?;
    input
        .call(move |i| {
            i.move_to(point)?;
            i.click()
        })
        .await?;
    settle(settings.click_settle_ms).await;

    const SELECT_ALL: [Chord; 2] = [Chord::ctrl(Key::Letter('a')), Chord::key(Key::Delete)];
    const KILL_LINE: [Chord; 1] = [Chord::ctrl(Key::Letter('u'))];
    let clear: &'static [Chord] = match profile.clear {
        Clear::None => &[],
        Clear::SelectAll => &SELECT_ALL,
        Clear::KillLine => &KILL_LINE,
    };
    if !clear.is_empty() {
        gate.begin(Phase::Clearing).await?;
        input
            .call(move |i| clear.iter().try_for_each(|c| i.press(*c)))
            .await?;
    }

    gate.begin(Phase::Entering).await?;
    let text = body.to_string();
    match profile.mode {
        InputMode::Paste => {
            let key = profile.paste_key;
            let timeout = Duration::from_millis(settings.paste_timeout_ms);
            input.call(move |i| i.paste(&text, key, timeout)).await?;
        }
        InputMode::Type => {
            let newline = profile.newline_key;
            input
                .call(move |i| {
                    for (n, line) in text.split('\n').enumerate() {
                        if n > 0 {
                            i.press(newline)?;
                        }
                        if !line.is_empty() {
                            i.type_text(line)?;
                        }
                    }
                    Ok(())
                })
                .await?;
        }
    }

    if let Some(submit) = profile.submit_key.0 {
        settle(settings.submit_settle_ms).await;
        gate.begin(Phase::Submitting).await?;
        input.call(move |i| i.press(submit)).await?;
    }
    Ok(())
}

async fn settle(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

fn describe(screens: &[Rect]) -> String {
    if screens.is_empty() {
        return "none".into();
    }
    screens
        .iter()
        .map(Rect::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
