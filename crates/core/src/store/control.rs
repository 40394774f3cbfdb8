//! The emergency stop: a flag in the database, so a pause from any process (the desktop app,
//! `switchboard stop`, Discord) halts every engine on this database.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{Millis, now_ms};

use super::{Store, log_event};

const KEY: &str = "engine.paused";

/// Who paused delivery, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub by: String,
    pub at: Millis,
    pub reason: String,
}

impl Store {
    /// Stop all delivery on this database now: engines start nothing new, and a delivery in
    /// progress stops before its next step (never pressing the submit key).
    pub async fn pause(&self, actor: &str, reason: &str) -> Result<Pause> {
        let pause = Pause {
            by: actor.to_string(),
            at: now_ms(),
            reason: reason.to_string(),
        };
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(KEY)
            .bind(serde_json::to_string(&pause).expect("pause serializes"))
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            actor,
            "paused",
            None,
            None,
            Some(reason.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(pause)
    }

    /// Let engines deliver again. Returns whether delivery was paused.
    pub async fn resume(&self, actor: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let was = sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(KEY)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if was {
            log_event(&mut tx, actor, "resumed", None, None, None).await?;
        }
        tx.commit().await?;
        Ok(was)
    }

    /// The pause in force, if any.
    pub async fn paused(&self) -> Result<Option<Pause>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(KEY)
            .fetch_optional(self.reader())
            .await?;
        // An unreadable flag still means "paused": stopping is the safe reading.
        Ok(value.map(|v| {
            serde_json::from_str(&v).unwrap_or(Pause {
                by: "unknown".into(),
                at: 0,
                reason: v,
            })
        }))
    }
}
