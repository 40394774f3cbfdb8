//! Visual receipts: what the screen showed around the input box right after the submit key,
//! kept as a small PNG with the attempt, so an operator can see what was sent where.

use std::path::PathBuf;
use std::time::Duration;

use crate::input::{Image, Point, Rect};
use crate::model::Millis;
use crate::store::{Claim, Receipt, Store};

/// The area around the point: wide enough for a chat box line or two.
pub(super) const WIDTH: u32 = 400;
pub(super) const HEIGHT: u32 = 120;
/// Let the target draw the submitted text before the picture is taken.
pub(super) const DRAW_DELAY: Duration = Duration::from_millis(50);

pub(super) fn area(p: Point) -> Rect {
    Rect {
        x: p.x - (WIDTH / 2) as i32,
        y: p.y - (HEIGHT / 2) as i32,
        width: WIDTH,
        height: HEIGHT,
    }
}

/// Write `image` as `receipts/attempt-<id>.png` beside the database and list it with the
/// attempt.
pub(super) async fn keep(
    store: &Store,
    claim: &Claim,
    image: Image,
    now: Millis,
) -> Result<PathBuf, String> {
    let dir = store.receipts_dir();
    let path = dir.join(format!("attempt-{}.png", claim.attempt_id));
    let file = path.clone();
    let (width, height) = (image.width, image.height);
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let out = std::fs::File::create(&file)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        encode(std::io::BufWriter::new(out), &image)
            .map_err(|e| format!("cannot encode the receipt: {e}"))
    })
    .await
    .map_err(|e| format!("the receipt writer failed: {e}"))??;
    store
        .add_receipt(&Receipt {
            attempt_id: claim.attempt_id,
            message_id: claim.message.id,
            path: path.display().to_string(),
            width: i64::from(width),
            height: i64::from(height),
            taken_at: now,
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(path)
}

fn encode(w: impl std::io::Write, image: &Image) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(w, image.width, image.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&image.rgb)?;
    writer.finish()
}

/// Delete receipts older than the setting allows.
pub(super) async fn prune(store: &Store, keep_days: u64, now: Millis) {
    let keep = i64::try_from(keep_days.saturating_mul(86_400_000)).unwrap_or(i64::MAX);
    match store.prune_receipts(now.saturating_sub(keep)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("deleted {n} receipt(s) older than {keep_days} day(s)"),
        Err(e) => tracing::warn!("cannot delete old receipts: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_encodes_as_a_png() {
        let image = Image {
            width: 3,
            height: 2,
            rgb: vec![200; 18],
        };
        let mut bytes = Vec::new();
        encode(&mut bytes, &image).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn the_area_is_centred_on_the_point() {
        assert_eq!(
            area(Point { x: 300, y: 100 }),
            Rect {
                x: 100,
                y: 40,
                width: 400,
                height: 120
            }
        );
    }
}
