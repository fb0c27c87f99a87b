//! Account photos on this side: reading a picked file with limits set on
//! the decoder (the server refuses the same pictures), the square the user
//! moves and zooms, the 256 px PNG that is uploaded (pixels only: nothing
//! of the file's metadata), and the per-account disk cache that shows a
//! photo offline. Everything here blocks: call it off the UI thread.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, ImageReader, Limits, RgbaImage, imageops::FilterType};

/// Largest file taken and longest side, in pixels: the server's limits.
pub const MAX_BYTES: u64 = relay_protocol::api::AVATAR_MAX_BYTES as u64;
pub const MAX_SIDE: u32 = relay_protocol::api::AVATAR_MAX_SIDE;
/// The picked picture is scaled down to this (longest side) for cropping:
/// the upload is 256 px, and a small working copy keeps the crop view fast.
const WORK_SIDE: u32 = 1_024;
/// The side of the uploaded square.
pub const UPLOAD_SIDE: u32 = 256;
/// The most the crop view zooms in.
pub const MAX_ZOOM: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// The file can't be read.
    Unreadable,
    /// Not a PNG, JPEG or WebP picture.
    NotAnImage,
    /// Over [`MAX_BYTES`].
    TooBig,
    /// Over [`MAX_SIDE`] a side, or more than the decoder may allocate (a
    /// decompression bomb).
    TooLarge,
}

/// A picked picture, scaled to at most [`WORK_SIDE`].
#[derive(Debug, Clone)]
pub struct Picture {
    pub image: Arc<RgbaImage>,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(u64::from(MAX_SIDE) * u64::from(MAX_SIDE) * 4);
    limits
}

fn refusal(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooLarge,
        _ => PhotoError::NotAnImage,
    }
}

/// Reads and decodes the file at `path`.
pub fn load(path: &Path) -> Result<Picture, PhotoError> {
    let size = std::fs::metadata(path)
        .map_err(|_| PhotoError::Unreadable)?
        .len();
    if size > MAX_BYTES {
        return Err(PhotoError::TooBig);
    }
    let bytes = std::fs::read(path).map_err(|_| PhotoError::Unreadable)?;
    decode(&bytes)
}

/// Decodes a PNG, JPEG or WebP picture under the limits (its own header
/// decides the type, not the file name).
pub fn decode(bytes: &[u8]) -> Result<Picture, PhotoError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(PhotoError::TooBig);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits());
        reader
    };
    // The header first: a claimed size past the limit is refused before
    // anything of that size is allocated.
    let (w, h) = reader().into_dimensions().map_err(refusal)?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(PhotoError::TooLarge);
    }
    if w == 0 || h == 0 {
        return Err(PhotoError::NotAnImage);
    }
    let image = reader().decode().map_err(refusal)?;
    let image = if w.max(h) > WORK_SIDE {
        image.resize(WORK_SIDE, WORK_SIDE, FilterType::Triangle)
    } else {
        image
    };
    Ok(Picture {
        image: Arc::new(image.to_rgba8()),
    })
}

impl Picture {
    /// A copy at most `side` pixels on its longest side (for previews).
    pub fn scaled(&self, side: u32) -> Picture {
        if self.image.width().max(self.image.height()) <= side {
            return self.clone();
        }
        let image = DynamicImage::ImageRgba8((*self.image).clone())
            .resize(side, side, FilterType::Triangle)
            .to_rgba8();
        Picture {
            image: Arc::new(image),
        }
    }
}

/// Where the square sits: `zoom` from 1 (the largest square that fits) to
/// [`MAX_ZOOM`]; `x`, `y` from 0 to 1 across the room left on each axis
/// (0.5 is the middle).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub zoom: f32,
    pub x: f32,
    pub y: f32,
}

impl Default for Crop {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            x: 0.5,
            y: 0.5,
        }
    }
}

impl Crop {
    /// The square in pixels of a `width` × `height` picture: (left, top, side).
    pub fn square(&self, width: u32, height: u32) -> (u32, u32, u32) {
        let zoom = self.zoom.clamp(1.0, MAX_ZOOM);
        let side = ((width.min(height) as f32 / zoom).round() as u32).clamp(1, width.min(height));
        let room_x = width - side;
        let room_y = height - side;
        let left = (room_x as f32 * self.x.clamp(0.0, 1.0)).round() as u32;
        let top = (room_y as f32 * self.y.clamp(0.0, 1.0)).round() as u32;
        (left.min(room_x), top.min(room_y), side)
    }
}

/// The square of `picture` at `side` pixels.
pub fn cropped(picture: &Picture, crop: Crop, side: u32) -> RgbaImage {
    let (left, top, edge) = crop.square(picture.image.width(), picture.image.height());
    let square = image::imageops::crop_imm(&*picture.image, left, top, edge, edge).to_image();
    image::imageops::resize(&square, side, side, FilterType::Lanczos3)
}

/// The square at `side` pixels, quickly (for the live preview).
pub fn preview(picture: &Picture, crop: Crop, side: u32) -> RgbaImage {
    let (left, top, edge) = crop.square(picture.image.width(), picture.image.height());
    let square = image::imageops::crop_imm(&*picture.image, left, top, edge, edge).to_image();
    image::imageops::resize(&square, side, side, FilterType::Triangle)
}

/// `image` with everything outside the inscribed circle made transparent
/// (the edge softened over a pixel): photos are shown round, and the
/// renderer does not round images itself everywhere.
pub fn round(mut image: RgbaImage) -> RgbaImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let r = w.min(h) / 2.0;
    let (cx, cy) = (w / 2.0, h / 2.0);
    for (x, y, p) in image.enumerate_pixels_mut() {
        let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
        let cover = (r - d + 0.5).clamp(0.0, 1.0);
        p.0[3] = (f32::from(p.0[3]) * cover) as u8;
    }
    image
}

/// A PNG (as cached or served) ready to show: decoded and made round.
pub fn shown(png: &[u8]) -> Option<RgbaImage> {
    let decoded = image::load_from_memory_with_format(png, ImageFormat::Png).ok()?;
    Some(round(decoded.to_rgba8()))
}

/// An iced image of a PNG photo, round.
pub fn handle(png: &[u8]) -> Option<iced::widget::image::Handle> {
    let rgba = shown(png)?;
    Some(iced::widget::image::Handle::from_rgba(
        rgba.width(),
        rgba.height(),
        rgba.into_raw(),
    ))
}

/// PNG bytes of `image` (pixels only).
pub fn png(image: &RgbaImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(image.clone())
        .write_to(&mut out, ImageFormat::Png)
        .expect("encoding a PNG in memory does not fail");
    out.into_inner()
}

/// The upload: the chosen square as a 256 px PNG.
pub fn upload_png(picture: &Picture, crop: Crop) -> Vec<u8> {
    png(&cropped(picture, crop, UPLOAD_SIDE))
}

/// Runs `f` on tokio's blocking threads (decoding and encoding must not
/// hold up the UI); `None` if it panicked.
pub async fn off_ui<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// The cached photo of `user_id` at `version`, in the account's folder.
pub fn cache_file(dir: &Path, user_id: &str, version: &str) -> PathBuf {
    dir.join(format!("{}-{}.png", file_safe(user_id), file_safe(version)))
}

/// Only letters, digits and dashes: ids from a server never reach a path
/// as anything else.
fn file_safe(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Keeps `png` as the cached photo of `user_id` at `version`; older
/// versions of the same user's photo go.
pub fn store_in_cache(dir: &Path, user_id: &str, version: &str, png: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let keep = cache_file(dir, user_id, version);
    let prefix = format!("{}-", file_safe(user_id));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && path != keep {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let partial = keep.with_extension("part");
    std::fs::write(&partial, png)?;
    std::fs::rename(partial, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 40])
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn each_type_is_taken_and_a_large_one_is_scaled_for_cropping() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let picture = decode(&encoded(2_000, 1_000, format)).unwrap();
            assert_eq!(picture.image.width(), WORK_SIDE, "{format:?}");
            let png = upload_png(&picture, Crop::default());
            let back = image::load_from_memory(&png).unwrap();
            assert_eq!((back.width(), back.height()), (UPLOAD_SIDE, UPLOAD_SIDE));
        }
    }

    #[test]
    fn refusals_are_specific() {
        assert_eq!(
            decode(b"hello, not a picture").err(),
            Some(PhotoError::NotAnImage)
        );
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(decode(gif).err(), Some(PhotoError::NotAnImage));
        assert_eq!(
            decode(&encoded(9_000, 2, ImageFormat::Png)).err(),
            Some(PhotoError::TooLarge)
        );
        // A small PNG whose header claims 30 000 × 30 000.
        let mut bomb = encoded(4, 4, ImageFormat::Png);
        bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(decode(&bomb).err(), Some(PhotoError::TooLarge));
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.png");
        std::fs::write(&big, vec![0u8; MAX_BYTES as usize + 1]).unwrap();
        assert_eq!(load(&big).err(), Some(PhotoError::TooBig));
        assert_eq!(
            load(&dir.path().join("missing.png")).err(),
            Some(PhotoError::Unreadable)
        );
    }

    #[test]
    fn the_square_moves_and_zooms_inside_the_picture() {
        let crop = |zoom, x, y| Crop { zoom, x, y }.square(400, 200);
        assert_eq!(crop(1.0, 0.5, 0.5), (100, 0, 200));
        assert_eq!(crop(1.0, 0.0, 0.5), (0, 0, 200));
        assert_eq!(crop(1.0, 1.0, 0.5), (200, 0, 200));
        assert_eq!(crop(2.0, 0.5, 0.5), (150, 50, 100));
        assert_eq!(crop(2.0, 1.0, 1.0), (300, 100, 100));
        // Out-of-range values are held inside.
        assert_eq!(crop(9.0, 2.0, -1.0), (350, 0, 50));
    }

    #[test]
    fn a_shown_photo_is_round() {
        let square = RgbaImage::from_pixel(64, 64, image::Rgba([10, 200, 90, 255]));
        let round = round(square);
        assert_eq!(round.get_pixel(32, 32).0[3], 255, "the middle stays");
        assert_eq!(round.get_pixel(0, 0).0[3], 0, "a corner goes");
        assert_eq!(round.get_pixel(63, 0).0[3], 0);
    }

    #[test]
    fn the_cache_keeps_one_version_per_user() {
        let dir = tempfile::tempdir().unwrap();
        store_in_cache(dir.path(), "u-1", "aaa", b"one").unwrap();
        store_in_cache(dir.path(), "u-2", "ccc", b"other").unwrap();
        store_in_cache(dir.path(), "u-1", "bbb", b"two").unwrap();
        assert!(!cache_file(dir.path(), "u-1", "aaa").exists());
        assert_eq!(
            std::fs::read(cache_file(dir.path(), "u-1", "bbb")).unwrap(),
            b"two"
        );
        assert!(cache_file(dir.path(), "u-2", "ccc").exists());
    }
}
