//! Visual receipts: the small screenshot an engine takes right after a delivery's submit key,
//! kept as a PNG file in the `receipts` folder beside the database and listed with the attempt
//! that took it. Old ones are deleted after the `receipt_keep_days` setting.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Result;
use crate::model::Millis;

use super::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Receipt {
    pub attempt_id: i64,
    pub message_id: i64,
    /// The PNG file.
    pub path: String,
    pub width: i64,
    pub height: i64,
    pub taken_at: Millis,
}

impl Store {
    /// Where receipts are written: the `receipts` folder beside the database.
    pub fn receipts_dir(&self) -> PathBuf {
        self.path()
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("receipts")
    }

    pub async fn add_receipt(&self, receipt: &Receipt) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT OR REPLACE INTO receipts (attempt_id, message_id, path, width, height, taken_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(receipt.attempt_id)
        .bind(receipt.message_id)
        .bind(&receipt.path)
        .bind(receipt.width)
        .bind(receipt.height)
        .bind(receipt.taken_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The receipts of a message's attempts, oldest first.
    pub async fn receipts(&self, message_id: i64) -> Result<Vec<Receipt>> {
        Ok(sqlx::query_as(
            "SELECT attempt_id, message_id, path, width, height, taken_at FROM receipts \
             WHERE message_id = ? ORDER BY attempt_id",
        )
        .bind(message_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// Delete the receipts taken before `before`, files first (a file that is already gone is
    /// fine). Returns how many were deleted.
    pub async fn prune_receipts(&self, before: Millis) -> Result<usize> {
        let old: Vec<(i64, String)> =
            sqlx::query_as("SELECT attempt_id, path FROM receipts WHERE taken_at < ?")
                .bind(before)
                .fetch_all(self.reader())
                .await?;
        if old.is_empty() {
            return Ok(0);
        }
        for (_, path) in &old {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!("cannot delete the old receipt {path}: {e}"),
            }
        }
        let mut tx = self.write().await?;
        for (attempt_id, _) in &old {
            sqlx::query("DELETE FROM receipts WHERE attempt_id = ?")
                .bind(attempt_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(old.len())
    }
}
