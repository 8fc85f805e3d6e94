//! Images: decoded in full (a file that does not decode to the end is damaged), within limits
//! that stop decompression bombs before any pixel is allocated, then thumbnailed.

use super::{Format, MediaError, MediaLimits};
use image::codecs::gif::GifDecoder;
use image::codecs::jpeg::JpegEncoder;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage};
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
const THUMBNAIL_QUALITY: u8 = 80;

/// An image that decoded, with its displayed size (after the EXIF orientation).
#[derive(Debug)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// A JPEG of at most [`THUMBNAIL_SIDE`] pixels a side, transparency flattened onto white.
    pub thumbnail: Vec<u8>,
}

fn image_format(format: Format) -> image::ImageFormat {
    match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::WebP => image::ImageFormat::WebP,
        Format::Gif => image::ImageFormat::Gif,
        Format::Mp4 => unreachable!("an MP4 is not decoded as an image"),
    }
}

fn decoder_limits(limits: &MediaLimits) -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    // RGBA at 16 bits a channel, plus the decoder's working memory.
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 * 1024 * 1024));
    l
}

/// Checks the declared size against the limits before decoding anything.
fn check_dimensions(format: Format, width: u32, height: u32, limits: &MediaLimits) -> Result<(), MediaError> {
    if width == 0 || height == 0 {
        return Err(MediaError::Damaged { format, reason: format!("it declares a size of {width} × {height} pixels") });
    }
    if width > limits.max_side || height > limits.max_side {
        return Err(MediaError::TooWide { width, height, max_side: limits.max_side });
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels { width, height, max_pixels: limits.max_pixels });
    }
    Ok(())
}

pub fn inspect(bytes: &[u8], format: Format, limits: &MediaLimits) -> Result<Picture, MediaError> {
    let damaged = |reason: String| {
        let lower = reason.to_lowercase();
        if lower.contains("end of file") || lower.contains("eof") || lower.contains("end of the image") {
            MediaError::Truncated { format }
        } else {
            MediaError::Damaged { format, reason }
        }
    };
    if format == Format::Jpeg {
        jpeg_is_complete(bytes).map_err(damaged)?;
    }
    // Dimensions first, from the header alone.
    let (w, h) =
        ImageReader::with_format(Cursor::new(bytes), image_format(format)).into_dimensions().map_err(|e| damaged(e.to_string()))?;
    check_dimensions(format, w, h, limits)?;
    // Should a decoder still need more memory than the limits allow, say so in the same words.
    let refuse = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels { width: w, height: h, max_pixels: limits.max_pixels },
        other => damaged(other.to_string()),
    };
    let mut image = if format == Format::Gif {
        decode_gif(bytes, limits).map_err(refuse)?
    } else {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
        reader.limits(decoder_limits(limits));
        let mut decoder = reader.into_decoder().map_err(refuse)?;
        let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
        let mut image = DynamicImage::from_decoder(decoder).map_err(refuse)?;
        image.apply_orientation(orientation);
        image
    };
    let (width, height) = (image.width(), image.height());
    if width > THUMBNAIL_SIDE || height > THUMBNAIL_SIDE {
        image = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    }
    let thumbnail = encode_thumbnail(&image).map_err(|e| damaged(e.to_string()))?;
    Ok(Picture { width, height, thumbnail })
}

/// Decodes every frame, so that a GIF damaged after its first frame is caught too; keeps the
/// first frame for the thumbnail.
fn decode_gif(bytes: &[u8], limits: &MediaLimits) -> image::ImageResult<DynamicImage> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes))?;
    decoder.set_limits(decoder_limits(limits))?;
    let mut first = None;
    for frame in decoder.into_frames() {
        let frame = frame?;
        if first.is_none() {
            first = Some(DynamicImage::ImageRgba8(frame.into_buffer()));
        }
    }
    first.ok_or_else(|| {
        image::ImageError::Decoding(image::error::DecodingError::new(image::ImageFormat::Gif.into(), "the GIF has no frame"))
    })
}

fn encode_thumbnail(image: &DynamicImage) -> image::ImageResult<Vec<u8>> {
    let rgba = image.to_rgba8();
    let flat = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over_white(r), over_white(g), over_white(b)])
    });
    let mut out = vec![];
    flat.write_with_encoder(JpegEncoder::new_with_quality(&mut out, THUMBNAIL_QUALITY))?;
    Ok(out)
}

/// The JPEG decoder fills a truncated file with grey rather than failing, so the structure is
/// walked here: marker segments, then entropy-coded scans, up to the end-of-image marker.
fn jpeg_is_complete(bytes: &[u8]) -> Result<(), String> {
    let truncated = || "the file ends before the end of the image".to_string();
    let mut i = 2; // after SOI
    loop {
        // Fill bytes may precede a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(0xFF), Some(&marker)) => {
                i += 2;
                match marker {
                    0xD9 => return Ok(()),
                    0x01 | 0xD0..=0xD7 => continue,
                    _ => {}
                }
                let len = match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(&hi), Some(&lo)) => usize::from(u16::from_be_bytes([hi, lo])),
                    _ => return Err(truncated()),
                };
                if len < 2 {
                    return Err(format!("a segment at byte {i} has an impossible length of {len}"));
                }
                i += len;
                if i > bytes.len() {
                    return Err(truncated());
                }
                if marker == 0xDA {
                    // Entropy-coded data: runs until a marker other than a stuffed 0xFF00 or a restart.
                    loop {
                        match (bytes.get(i), bytes.get(i + 1)) {
                            (Some(0xFF), Some(0x00 | 0xD0..=0xD7 | 0xFF)) => i += 1,
                            (Some(0xFF), Some(_)) => break,
                            (Some(_), _) => i += 1,
                            (None, _) => return Err(truncated()),
                        }
                    }
                }
            }
            (None, _) | (Some(0xFF), None) => return Err(truncated()),
            (Some(b), _) => return Err(format!("byte {b:#04x} at position {i} is not a marker where one is expected")),
        }
    }
}
