//! Screenshots of a small area (visual receipts): GetImage on the root window, converted from
//! the server's pixel format to RGB. True-colour visuals with 24 or 32 bits per pixel cover
//! every desktop and Xvfb; anything else is reported rather than guessed.

use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, ImageOrder};

use super::connection::{Ctx, Display};
use super::pointer;
use crate::input::{Image, InputError, Rect};

pub(super) fn screenshot(d: &Display, area: Rect) -> Result<Option<Image>, InputError> {
    let root = pointer::root_rect(d)?;
    let clip = |start: i32, len: u32, max: u32| {
        let from = start.clamp(0, max as i32);
        let to = (i64::from(start) + i64::from(len)).clamp(0, i64::from(max)) as i32;
        (from, (to - from).max(0) as u32)
    };
    let (x, width) = clip(area.x, area.width, root.width);
    let (y, height) = clip(area.y, area.height, root.height);
    if width == 0 || height == 0 {
        return Ok(None);
    }
    let step = "taking a screenshot";
    // The root is at most 32767 pixels wide and high, so these fit.
    let reply = d
        .conn
        .get_image(
            ImageFormat::Z_PIXMAP,
            d.root,
            x as i16,
            y as i16,
            width as u16,
            height as u16,
            u32::MAX,
        )
        .ctx(step)?
        .reply()
        .ctx(step)?;
    let setup = d.conn.setup();
    let unsupported = |what: String| {
        InputError::InputFailed(format!(
            "cannot read the screen of display {}: {what}",
            d.name
        ))
    };
    let format = setup
        .pixmap_formats
        .iter()
        .find(|f| f.depth == reply.depth)
        .ok_or_else(|| unsupported(format!("no pixel format for depth {}", reply.depth)))?;
    let visual = setup
        .roots
        .iter()
        .flat_map(|s| &s.allowed_depths)
        .flat_map(|depth| &depth.visuals)
        .find(|v| v.visual_id == reply.visual)
        .ok_or_else(|| unsupported(format!("unknown visual {:#x}", reply.visual)))?;
    let bytes = usize::from(format.bits_per_pixel / 8);
    if !matches!(format.bits_per_pixel, 24 | 32) {
        return Err(unsupported(format!(
            "{} bits per pixel is not supported",
            format.bits_per_pixel
        )));
    }
    let pad = u32::from(format.scanline_pad.max(8));
    let stride = (width * u32::from(format.bits_per_pixel)).div_ceil(pad) * pad / 8;
    if reply.data.len() < (stride * height) as usize {
        return Err(unsupported(format!(
            "the server sent {} bytes for a {width}x{height} image",
            reply.data.len()
        )));
    }
    let lsb_first = setup.image_byte_order == ImageOrder::LSB_FIRST;
    let channel = |pixel: u32, mask: u32| -> u8 {
        if mask == 0 {
            return 0;
        }
        let value = (pixel & mask) >> mask.trailing_zeros();
        let bits = (mask >> mask.trailing_zeros()).count_ones();
        // Scale to 8 bits whatever the mask width.
        ((value * 255) / ((1u32 << bits) - 1)) as u8
    };
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for row in 0..height as usize {
        let line = &reply.data[row * stride as usize..];
        for col in 0..width as usize {
            let raw = &line[col * bytes..col * bytes + bytes];
            let pixel = raw.iter().enumerate().fold(0u32, |acc, (i, &b)| {
                let shift = if lsb_first { i } else { bytes - 1 - i } * 8;
                acc | (u32::from(b) << shift)
            });
            rgb.extend([
                channel(pixel, visual.red_mask),
                channel(pixel, visual.green_mask),
                channel(pixel, visual.blue_mask),
            ]);
        }
    }
    Ok(Some(Image { width, height, rgb }))
}
