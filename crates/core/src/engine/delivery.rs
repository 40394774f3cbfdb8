//! The steps of one delivery, in order, each preceded by the gate.

use std::time::Duration;

use crate::input::thread::InputThread;
use crate::input::{Chord, Image, Key, Rect, WindowInfo};
use crate::model::{Agent, Clear, InputMode, Phase};
use crate::settings::Settings;

use super::gate::Gate;
use super::operator::{self, Desk};
use super::outcome::{DeliveryError, ErrorCode};
use super::receipt;
use super::window::{self, Verdict};

/// What a successful delivery leaves for the engine to record.
#[derive(Debug, Default)]
pub struct Delivered {
    /// The window found at the point of an agent that had none recorded: from now on its
    /// deliveries go only into this window.
    pub learned_window: Option<WindowInfo>,
    /// The screenshot taken after the submit key, when receipts are on.
    pub receipt: Option<Image>,
}

/// Drive `input` to put `body` into `agent`'s window and submit it. `gate` is awaited before
/// each step begins and while waiting for the operator; if it fails, the step is not taken.
///
/// Invariants: nothing is clicked or typed unless the point is on a current monitor, the
/// operator has been idle for `idle_threshold_ms`, and the window under the point is the
/// agent's; nothing is typed unless that window has the keyboard focus after the click; the
/// submit key is pressed only after the whole text went in; line breaks are entered with the
/// agent's newline chord when typing, so a multi-line message is submitted once. Afterwards
/// the pointer and focus go back to the operator (unless stopped: then the operator has
/// taken over and nothing more is touched).
pub async fn deliver(
    input: &InputThread,
    agent: &Agent,
    body: &str,
    settings: &Settings,
    gate: &mut impl Gate,
) -> Result<Delivered, DeliveryError> {
    let point = agent.point;

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
    // A key left down by a killed process would repeat into the agent's box while we wait.
    input.call(|i| i.release_stuck_keys()).await?;
    operator::wait_until_idle(input, settings, gate).await?;

    // Checked after the wait, as late as possible before the click.
    let verdict = if input.supports().windows {
        window::judge(agent, input.call(move |i| i.window_at(point)).await?)
    } else {
        tracing::warn!(
            "{}: this platform's driver cannot identify windows, so the window is not checked",
            agent.name
        );
        Verdict::Unchecked
    };
    let (target, learned_window) = match verdict {
        Verdict::Unchecked => (None, None),
        Verdict::Match(w) => (Some(w), None),
        Verdict::Learn(w) => (Some(w.clone()), Some(w)),
        Verdict::Wrong(why) => return Err(DeliveryError::new(ErrorCode::WrongWindow, why)),
    };
    let desk = match settings.restore_focus {
        true => Desk::save(input).await,
        false => Desk::untouched(),
    };

    let result = click_and_enter(input, agent, body, settings, gate, target.as_ref()).await;
    match &result {
        // Stopped: the operator has taken over (or pushed the pointer into the corner).
        Err(e) if e.code == ErrorCode::Stopped => {}
        _ => desk.restore(input, point).await,
    }
    result.map(|receipt| Delivered {
        learned_window,
        receipt,
    })
}

/// Everything from the click to the submit key (and the receipt after it).
async fn click_and_enter(
    input: &InputThread,
    agent: &Agent,
    body: &str,
    settings: &Settings,
    gate: &mut impl Gate,
    target: Option<&WindowInfo>,
) -> Result<Option<Image>, DeliveryError> {
    let point = agent.point;
    let profile = agent.input;

    gate.begin(Phase::Clicking).await?;
    input
        .call(move |i| {
            i.move_to(point)?;
            i.click()
        })
        .await?;
    if let Some(target) = target {
        operator::wait_for_focus(input, target, settings).await?;
    }
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

    if !(settings.receipts && input.supports().screenshots) {
        return Ok(None);
    }
    tokio::time::sleep(receipt::DRAW_DELAY).await;
    let area = receipt::area(point);
    // The message is in: a failed screenshot costs the receipt, not the delivery.
    Ok(input
        .call(move |i| i.screenshot(area))
        .await
        .unwrap_or_else(|e| {
            tracing::warn!("no receipt for this delivery: {e}");
            None
        }))
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
