//! Photos: decoding under limits, orientation, re-encoding, thumbnails, blurhash.
//!
//! Every upload is decoded and encoded again, so nothing of the original file survives but its
//! pixels: EXIF (GPS included), comments and any payload hidden after the image are gone.
//! Decoding happens under dimension and allocation limits, so a decompression bomb is refused
//! before it is expanded.

use super::Invalid;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Limits an upload must respect.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    pub max_bytes: usize,
    /// Widest and tallest image accepted, in pixels.
    pub max_dimension: u32,
    /// Most pixels accepted, read from the header before anything is decoded: decoding cost
    /// grows with pixels, not with bytes (an 8 KB PNG can claim 8192 × 8192 and cost seconds
    /// of CPU). 24 megapixels holds what phones and most cameras take.
    pub max_pixels: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_dimension: 8192,
            max_pixels: 24_000_000,
        }
    }
}

/// Longest side of a thumbnail.
const THUMBNAIL_SIDE: u32 = 400;
/// Memory the decoder may allocate: 24 megapixels of 16-bit RGBA plus room.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// One encoded image.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

/// An upload turned into what is stored and shown.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub original: Encoded,
    pub thumbnail: Encoded,
    pub blurhash: String,
}

fn invalid(code: &'static str, message: &'static str) -> Invalid {
    Invalid::new("file", code, message)
}

/// Decodes, orients and re-encodes an uploaded photo. JPEG, PNG, WebP and GIF (first frame).
pub fn process(bytes: &[u8], limits: ImageLimits) -> Result<ProcessedImage, Invalid> {
    let image = decode(bytes, limits)?;
    let original = encode(&image)?;
    let thumbnail = encode(&image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE))?;
    let tiny = image.thumbnail(32, 32).to_rgba8();
    let blurhash =
        blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw()).unwrap_or_default();
    Ok(ProcessedImage {
        original,
        thumbnail,
        blurhash,
    })
}

/// What a custom emoji may be: small, and drawn at most this many pixels a side.
pub const EMOJI_LIMITS: ImageLimits = ImageLimits {
    max_bytes: 256 * 1024,
    max_dimension: 1024,
    max_pixels: 1024 * 1024,
};
pub const EMOJI_SIDE: u32 = 128;

/// A custom emoji's picture: decoded under [`EMOJI_LIMITS`], fitted into 128 × 128 and stored
/// as PNG, whose transparency emojis need (an animated GIF keeps its first frame).
pub fn emoji_image(bytes: &[u8]) -> Result<Encoded, Invalid> {
    let image = decode(bytes, EMOJI_LIMITS)?;
    let image = if image.width() > EMOJI_SIDE || image.height() > EMOJI_SIDE {
        image.thumbnail(EMOJI_SIDE, EMOJI_SIDE)
    } else {
        image
    };
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| invalid("ERR_INVALID", "invalid.media_undecodable"))?;
    Ok(Encoded {
        bytes: png,
        content_type: "image/png",
        extension: "png",
        width: image.width(),
        height: image.height(),
    })
}

/// Side of a profile photo, in pixels (Mastodon's 400 × 400).
pub const AVATAR_SIDE: u32 = 400;

/// A profile photo: decoded under the photos' limits, the largest centred square cut out and
/// scaled to [`AVATAR_SIDE`] (never up), re-encoded (nothing of the file but its pixels stays).
pub fn avatar_image(bytes: &[u8]) -> Result<Encoded, Invalid> {
    let image = decode(bytes, ImageLimits::default())?;
    let side = image.width().min(image.height());
    let square = image.crop_imm(
        (image.width() - side) / 2,
        (image.height() - side) / 2,
        side,
        side,
    );
    let fitted = if side > AVATAR_SIDE {
        square.resize_exact(
            AVATAR_SIDE,
            AVATAR_SIDE,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        square
    };
    encode(&fitted)
}

/// Decodes and orients an upload under `limits`. JPEG, PNG, WebP and GIF (first frame).
fn decode(bytes: &[u8], limits: ImageLimits) -> Result<DynamicImage, Invalid> {
    if bytes.is_empty() {
        return Err(Invalid::blank("file"));
    }
    if bytes.len() > limits.max_bytes {
        return Err(invalid("ERR_TOO_LARGE", "invalid.media_too_large"));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| invalid("ERR_INVALID", "invalid.media_type"))?;
    match reader.format() {
        // The JPEG decoder fills a truncated file with grey instead of failing.
        Some(ImageFormat::Jpeg) if !jpeg_is_complete(bytes) => {
            return Err(invalid("ERR_INVALID", "invalid.media_undecodable"));
        }
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) => {}
        _ => return Err(invalid("ERR_INVALID", "invalid.media_type")),
    }
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_dimension);
    decode_limits.max_image_height = Some(limits.max_dimension);
    decode_limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(decode_limits);
    let too_big = |error: &image::ImageError| matches!(error, image::ImageError::Limits(_));
    let mut decoder = reader.into_decoder().map_err(|e| {
        if too_big(&e) {
            invalid("ERR_TOO_LARGE", "invalid.media_pixels")
        } else {
            invalid("ERR_INVALID", "invalid.media_undecodable")
        }
    })?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(invalid("ERR_TOO_LARGE", "invalid.media_pixels"));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| {
        if too_big(&e) {
            invalid("ERR_TOO_LARGE", "invalid.media_pixels")
        } else {
            invalid("ERR_INVALID", "invalid.media_undecodable")
        }
    })?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// True when a JPEG's last scan is followed by its end-of-image marker. (A thumbnail embedded
/// in EXIF has its own end marker, but before the main scan, so it cannot pass for one.)
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    let end = bytes.windows(2).rposition(|w| w == [0xFF, 0xD9]);
    matches!((last_scan, end), (Some(scan), Some(end)) if end > scan)
}

/// PNG for images with transparency, JPEG (quality 85) for the rest.
fn encode(image: &DynamicImage) -> Result<Encoded, Invalid> {
    let mut bytes = Vec::new();
    let (content_type, extension) = if image.color().has_alpha() {
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .map_err(|_| invalid("ERR_INVALID", "invalid.media_undecodable"))?;
        ("image/png", "png")
    } else {
        let rgb = image.to_rgb8();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)
            .encode_image(&rgb)
            .map_err(|_| invalid("ERR_INVALID", "invalid.media_undecodable"))?;
        ("image/jpeg", "jpg")
    };
    Ok(Encoded {
        bytes,
        content_type,
        extension,
        width: image.width(),
        height: image.height(),
    })
}

/// Alt text: trimmed, at most 1,500 characters (Mastodon's limit).
pub fn parse_description(text: Option<&str>) -> Result<String, Invalid> {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > 1500 {
        return Err(Invalid::too_long("description"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([200, 30, 30])
            } else {
                Rgb([30, 30, 200])
            }
        });
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(&image)
            .unwrap_or_default();
        bytes
    }

    #[test]
    fn a_profile_photo_is_the_centred_square_scaled_down_never_up() {
        let wide = image::RgbImage::from_fn(1000, 500, |x, _| {
            image::Rgb([if (250..750).contains(&x) { 0 } else { 255 }, 0, 0])
        });
        let mut bytes = Vec::new();
        wide.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        let avatar = avatar_image(&bytes).unwrap();
        assert_eq!((avatar.width, avatar.height), (AVATAR_SIDE, AVATAR_SIDE));
        let decoded = image::load_from_memory(&avatar.bytes).unwrap().to_rgb8();
        assert!(
            decoded.get_pixel(5, 200)[0] < 60,
            "the red sides are cut away"
        );
        let small = image::RgbImage::from_pixel(120, 90, image::Rgb([0, 90, 0]));
        let mut bytes = Vec::new();
        small
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        let avatar = avatar_image(&bytes).unwrap();
        assert_eq!((avatar.width, avatar.height), (90, 90));
        assert!(avatar_image(b"not an image").is_err());
    }

    #[test]
    fn a_photo_is_reencoded_with_a_thumbnail_and_blurhash() {
        let processed = process(&jpeg(1200, 800), ImageLimits::default())
            .map_err(|e| e.message)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (processed.original.width, processed.original.height),
            (1200, 800)
        );
        assert_eq!(processed.original.content_type, "image/jpeg");
        assert_eq!(
            (processed.thumbnail.width, processed.thumbnail.height),
            (400, 267)
        );
        assert!(processed.blurhash.len() >= 6, "{}", processed.blurhash);
    }

    #[test]
    fn an_emoji_is_a_small_png_and_a_large_file_is_refused() {
        let emoji = emoji_image(&jpeg(600, 300)).unwrap();
        assert_eq!(
            (emoji.width, emoji.height, emoji.extension),
            (128, 64, "png")
        );
        assert!(emoji.bytes.starts_with(b"\x89PNG"));
        let small = emoji_image(&jpeg(40, 40)).unwrap();
        assert_eq!((small.width, small.height), (40, 40), "not enlarged");
        let big = vec![0_u8; EMOJI_LIMITS.max_bytes + 1];
        assert_eq!(emoji_image(&big).unwrap_err().code, "ERR_TOO_LARGE");
        assert_eq!(
            emoji_image(&jpeg(1100, 10)).unwrap_err().message,
            "invalid.media_pixels"
        );
    }

    #[test]
    fn transparency_stays_png() {
        let image = RgbaImage::from_pixel(10, 10, Rgba([0, 0, 0, 0]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap_or_default();
        assert_eq!(
            process(&bytes, ImageLimits::default()).map(|p| p.original.content_type),
            Ok("image/png")
        );
    }

    #[test]
    fn bad_files_are_refused_by_reason() {
        let limits = ImageLimits::default();
        assert_eq!(
            process(b"", limits).map(|_| ()).map_err(|e| e.code),
            Err("ERR_BLANK")
        );
        assert_eq!(
            process(b"%PDF-1.7 not a photo", limits)
                .map(|_| ())
                .map_err(|e| e.message),
            Err("invalid.media_type")
        );
        let photo = jpeg(300, 300);
        assert_eq!(
            process(&photo[..photo.len() / 3], limits)
                .map(|_| ())
                .map_err(|e| e.message),
            Err("invalid.media_undecodable")
        );
        let small = ImageLimits {
            max_bytes: 100,
            ..limits
        };
        assert_eq!(
            process(&photo, small).map(|_| ()).map_err(|e| e.code),
            Err("ERR_TOO_LARGE")
        );
        let narrow = ImageLimits {
            max_dimension: 200,
            ..limits
        };
        assert_eq!(
            process(&photo, narrow).map(|_| ()).map_err(|e| e.message),
            Err("invalid.media_pixels")
        );
    }
}
