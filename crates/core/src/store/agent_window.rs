//! The window recorded for an agent: stored with the agent, and learned by the first delivery
//! to an agent that has none.

use crate::error::Result;
use crate::input::{Point, WindowInfo};
use crate::model::{Millis, SeenWindow, now_ms};

use super::{Store, log_event};

/// The `seen_*` columns of a recorded window, all NULL when none is recorded.
#[derive(Debug, Default)]
pub(super) struct SeenColumns {
    pub id: Option<i64>,
    pub class: Option<String>,
    pub title: Option<String>,
    pub pid: Option<i64>,
    pub at: Option<Millis>,
}

impl SeenColumns {
    pub fn of(seen: &Option<SeenWindow>) -> SeenColumns {
        match seen {
            None => SeenColumns::default(),
            Some(s) => SeenColumns {
                // X11 ids are 32-bit; SQLite integers are signed 64-bit.
                id: i64::try_from(s.window.id).ok(),
                class: Some(s.window.class.clone()),
                title: Some(s.window.title.clone()),
                pid: s.window.pid.map(i64::from),
                at: Some(s.at),
            },
        }
    }
}

impl Store {
    /// Record `window` as the agent's window, found at `point` by its first delivery since
    /// nothing was recorded. Does nothing if meanwhile a window was recorded or the point
    /// changed. Returns whether it was recorded.
    pub async fn learn_window(
        &self,
        agent_id: i64,
        point: Point,
        window: &WindowInfo,
        actor: &str,
    ) -> Result<bool> {
        let seen = Some(SeenWindow {
            window: window.clone(),
            at: now_ms(),
        });
        let seen = SeenColumns::of(&seen);
        let mut tx = self.write().await?;
        let learned = sqlx::query(
            "UPDATE agents SET seen_window_id = ?, seen_class = ?, seen_title = ?, seen_pid = ?, \
             seen_at = ? WHERE id = ? AND seen_at IS NULL AND x = ? AND y = ?",
        )
        .bind(seen.id)
        .bind(seen.class)
        .bind(seen.title)
        .bind(seen.pid)
        .bind(seen.at)
        .bind(agent_id)
        .bind(point.x)
        .bind(point.y)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if learned {
            let detail = format!(
                "deliveries now go only into {}",
                crate::engine::window::describe(window)
            );
            log_event(
                &mut tx,
                actor,
                "window_recorded",
                None,
                Some(agent_id),
                Some(detail),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(learned)
    }
}
