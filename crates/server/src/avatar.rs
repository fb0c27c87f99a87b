//! Account photos: what the server accepts and how it stores them. The
//! server decodes every upload itself — whatever the app did — with limits
//! set on the decoder, so a small file that claims a huge picture is
//! refused before anything of that size is allocated, and re-encodes it:
//! nothing of the uploaded file (metadata, trailing bytes) is kept.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits, imageops::FilterType};
use sha2::{Digest, Sha256};

pub use relay_protocol::api::{AVATAR_MAX_BYTES as MAX_BYTES, AVATAR_MAX_SIDE as MAX_SIDE};
/// What the decoder may allocate: an 8 000 px square in RGBA.
const MAX_ALLOC: u64 = MAX_SIDE as u64 * MAX_SIDE as u64 * 4;
/// The sizes served (square, pixels).
pub const SIZES: [u32; 2] = [256, 64];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a picture of the claimed type (or of none we take).
    Unsupported,
    /// Over `MAX_SIDE` a side, or more than the decoder may allocate.
    TooLarge,
}

/// The image type a `Content-Type` names, if it is one we take.
pub fn format_of(content_type: &str) -> Option<ImageFormat> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    match essence.to_ascii_lowercase().as_str() {
        "image/png" => Some(ImageFormat::Png),
        "image/jpeg" | "image/jpg" => Some(ImageFormat::Jpeg),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// A photo as stored: square PNGs at each of [`SIZES`], and a version that
/// changes with the picture.
pub struct Processed {
    pub version: String,
    pub png_256: Vec<u8>,
    pub png_64: Vec<u8>,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// Decodes `bytes` as `format` under the limits. CPU-bound: call it off the
/// async threads.
pub fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, Refusal> {
    let reader = |bytes| {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits());
        reader
    };
    // The header first: a claimed size past the limit is refused as too
    // large, whatever the rest of the file holds.
    let (width, height) = reader(bytes).into_dimensions().map_err(refusal)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(Refusal::TooLarge);
    }
    reader(bytes).decode().map_err(refusal)
}

fn refusal(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooLarge,
        _ => Refusal::Unsupported,
    }
}

/// The middle square of `image`, at `side` pixels.
fn square(image: &DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = (image.width(), image.height());
    let edge = w.min(h);
    let cropped = image.crop_imm((w - edge) / 2, (h - edge) / 2, edge, edge);
    cropped.resize_exact(side, side, FilterType::Lanczos3)
}

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .to_rgba8()
        .write_to(&mut out, ImageFormat::Png)
        .expect("encoding a PNG in memory does not fail");
    out.into_inner()
}

/// Decodes, checks, crops to a square and re-encodes an upload.
pub fn process(bytes: &[u8], format: ImageFormat) -> Result<Processed, Refusal> {
    let image = decode(bytes, format)?;
    if image.width() == 0 || image.height() == 0 {
        return Err(Refusal::Unsupported);
    }
    let png_256 = png(&square(&image, SIZES[0]));
    let png_64 = png(&square(&image, SIZES[1]));
    let digest = Sha256::digest(&png_256);
    Ok(Processed {
        version: hex::encode(&digest[..8]),
        png_256,
        png_64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_wide_png_becomes_two_squares() {
        let out = process(&encoded(300, 200, ImageFormat::Png), ImageFormat::Png).unwrap();
        for (bytes, side) in [(&out.png_256, 256), (&out.png_64, 64)] {
            let back = image::load_from_memory_with_format(bytes, ImageFormat::Png).unwrap();
            assert_eq!((back.width(), back.height()), (side, side));
        }
        assert_eq!(out.version.len(), 16);
    }

    #[test]
    fn a_jpeg_claimed_as_png_is_refused() {
        let jpeg = encoded(40, 40, ImageFormat::Jpeg);
        assert_eq!(
            process(&jpeg, ImageFormat::Png).err(),
            Some(Refusal::Unsupported)
        );
        assert!(process(&jpeg, ImageFormat::Jpeg).is_ok());
    }

    #[test]
    fn content_types() {
        assert_eq!(format_of("image/png"), Some(ImageFormat::Png));
        assert_eq!(format_of("IMAGE/JPEG; charset=x"), Some(ImageFormat::Jpeg));
        assert_eq!(format_of("image/webp"), Some(ImageFormat::WebP));
        assert_eq!(format_of("image/gif"), None);
        assert_eq!(format_of("text/plain"), None);
    }
}
