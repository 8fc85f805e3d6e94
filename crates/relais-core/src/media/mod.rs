//! The media library's rules for files: what a file is (from its bytes, never its name), whether
//! Relais takes it (JPEG, PNG, WebP, GIF images and MP4 videos, within size limits), and what it
//! is like (dimensions, duration, a thumbnail for images). A refusal says why in words.

mod picture;
mod size;
mod sniff;
mod video;

pub use picture::THUMBNAIL_SIDE;
pub use size::human_size;
pub use sniff::{Format, Sniffed, sniff};

use crate::Locale;
use sha2::{Digest, Sha256};

/// Image or video: what a network's limits and the pages tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
        }
    }
    pub fn parse(raw: &str) -> Option<MediaKind> {
        match raw {
            "image" => Some(MediaKind::Image),
            "video" => Some(MediaKind::Video),
            _ => None,
        }
    }
}

/// What the library takes. Networks have their own, usually smaller, limits: see
/// `relais_networks::Capabilities::check_media`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLimits {
    pub max_image_bytes: u64,
    pub max_video_bytes: u64,
    /// Width × height of an image; refused above it before any pixel is decoded.
    pub max_pixels: u64,
    /// The longest side of an image, in pixels.
    pub max_side: u32,
}

impl Default for MediaLimits {
    /// 20 MB per image (a large camera JPEG), 100 MB per video, 60 megapixels and 16,384 pixels
    /// a side: every phone and most cameras fit, a decompression bomb does not.
    fn default() -> Self {
        MediaLimits { max_image_bytes: 20 * 1024 * 1024, max_video_bytes: 100 * 1024 * 1024, max_pixels: 60_000_000, max_side: 16_384 }
    }
}

impl MediaLimits {
    pub fn max_bytes(&self, kind: MediaKind) -> u64 {
        match kind {
            MediaKind::Image => self.max_image_bytes,
            MediaKind::Video => self.max_video_bytes,
        }
    }
    /// The largest file of any kind: what an upload's body may reach.
    pub fn max_any_bytes(&self) -> u64 {
        self.max_image_bytes.max(self.max_video_bytes)
    }
}

/// Why a file was refused. `Display` gives English for logs and the API; the pages translate
/// [`MediaError::code`] with [`MediaError::args`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is in the {name} format; Relais accepts JPEG, PNG, WebP, GIF and MP4")]
    UnsupportedFormat { name: &'static str },
    #[error("Relais does not recognise this file's format; it accepts JPEG, PNG, WebP, GIF and MP4")]
    UnknownFormat,
    #[error("the file is {}; the limit for {}s is {}", human_size(*bytes, Locale::En), kind.as_str(), human_size(*limit, Locale::En))]
    TooLarge { kind: MediaKind, bytes: u64, limit: u64 },
    #[error("the {} is incomplete: the file ends too early (it was probably cut short during a transfer)", format.label())]
    Truncated { format: Format },
    #[error("the {} is damaged: {reason}", format.label())]
    Damaged { format: Format, reason: String },
    #[error("the image is {width} × {height} pixels ({} megapixels); the limit is {} megapixels", megapixels(*width, *height, Locale::En), max_pixels / 1_000_000)]
    TooManyPixels { width: u32, height: u32, max_pixels: u64 },
    #[error("the image is {width} × {height} pixels; neither side may exceed {max_side} pixels")]
    TooWide { width: u32, height: u32, max_side: u32 },
    #[error("the MP4 has no video track (is it a sound recording?)")]
    NoVideoTrack,
}

/// Megapixels to one decimal, `.0` dropped: "7.5", "60".
fn megapixels(width: u32, height: u32, locale: Locale) -> String {
    let tenths = (u64::from(width) * u64::from(height) + 50_000) / 100_000;
    let text = if tenths % 10 == 0 { format!("{}", tenths / 10) } else { format!("{}.{}", tenths / 10, tenths % 10) };
    if locale == Locale::Fr { text.replace('.', ",") } else { text }
}

impl MediaError {
    /// A stable message id for translation.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Empty => "media-error-empty",
            MediaError::UnsupportedFormat { .. } => "media-error-format",
            MediaError::UnknownFormat => "media-error-unknown-format",
            MediaError::TooLarge { kind: MediaKind::Image, .. } => "media-error-image-too-large",
            MediaError::TooLarge { kind: MediaKind::Video, .. } => "media-error-video-too-large",
            MediaError::Truncated { .. } => "media-error-truncated",
            MediaError::Damaged { .. } => "media-error-damaged",
            MediaError::TooManyPixels { .. } => "media-error-pixels",
            MediaError::TooWide { .. } => "media-error-side",
            MediaError::NoVideoTrack => "media-error-no-video-track",
        }
    }

    /// The message's arguments, numbers written for `locale`.
    pub fn args(&self, locale: Locale) -> Vec<(&'static str, String)> {
        match self {
            MediaError::Empty | MediaError::UnknownFormat | MediaError::NoVideoTrack => vec![],
            MediaError::UnsupportedFormat { name } => vec![("name", name.to_string())],
            MediaError::TooLarge { bytes, limit, .. } => vec![("size", human_size(*bytes, locale)), ("limit", human_size(*limit, locale))],
            MediaError::Truncated { format } => vec![("format", format.label().to_string())],
            MediaError::Damaged { format, reason } => vec![("format", format.label().to_string()), ("reason", reason.clone())],
            MediaError::TooManyPixels { width, height, max_pixels } => vec![
                ("width", width.to_string()),
                ("height", height.to_string()),
                ("megapixels", megapixels(*width, *height, locale)),
                ("limit", (max_pixels / 1_000_000).to_string()),
            ],
            MediaError::TooWide { width, height, max_side } => {
                vec![("width", width.to_string()), ("height", height.to_string()), ("limit", max_side.to_string())]
            }
        }
    }
}

/// A file that passed every check, with what the library records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub format: Format,
    pub kind: MediaKind,
    pub mime: &'static str,
    pub bytes: u64,
    /// Hex SHA-256 of the bytes: the file's name in the content-addressed store.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<i64>,
    /// A JPEG of at most [`THUMBNAIL_SIDE`] pixels a side; `None` for videos.
    pub thumbnail: Option<Vec<u8>>,
}

/// Checks a file and describes it: empty, unknown or refused formats, files over the size
/// limit, images over the pixel limit and damaged files are refused, in that order (the cheap
/// checks first, so a huge file is refused before it is decoded).
pub fn inspect(bytes: &[u8], limits: &MediaLimits) -> Result<Inspected, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    let format = match sniff(bytes) {
        Sniffed::Accepted(f) => f,
        Sniffed::Refused(name) => return Err(MediaError::UnsupportedFormat { name }),
        Sniffed::Unknown => return Err(MediaError::UnknownFormat),
    };
    let kind = format.kind();
    let size = bytes.len() as u64;
    if size > limits.max_bytes(kind) {
        return Err(MediaError::TooLarge { kind, bytes: size, limit: limits.max_bytes(kind) });
    }
    let (width, height, duration_ms, thumbnail) = match kind {
        MediaKind::Image => {
            let p = picture::inspect(bytes, format, limits)?;
            (p.width, p.height, None, Some(p.thumbnail))
        }
        MediaKind::Video => {
            let v = video::inspect(bytes)?;
            (v.width, v.height, v.duration_ms, None)
        }
    };
    Ok(Inspected { format, kind, mime: format.mime(), bytes: size, sha256: sha256_hex(bytes), width, height, duration_ms, thumbnail })
}

/// The longest alt text kept, in characters (Mastodon's limit; Bluesky takes more).
pub const ALT_TEXT_MAX: usize = 1500;

/// Alt text as stored: trimmed, at most [`ALT_TEXT_MAX`] characters; empty means none yet.
pub fn alt_text(raw: &str) -> Result<String, crate::ValidationError> {
    let text = raw.trim();
    let count = text.chars().count();
    if count > ALT_TEXT_MAX {
        return Err(crate::ValidationError::new(
            "alt_text",
            "error-alt-text-too-long",
            format!("the alt text has {count} characters; the limit is {ALT_TEXT_MAX}"),
        ));
    }
    Ok(text.to_string())
}

/// The name a file is shown under: the last part of what the browser sent (some send a whole
/// path), without control characters, at most 200 characters; "file" when nothing is left.
pub fn display_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() { "file".to_string() } else { clean.to_string() }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A library item as a network's rules see it (see `relais_networks::Capabilities::check_media`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFacts {
    pub kind: MediaKind,
    pub mime: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<i64>,
    pub has_alt_text: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgba, RgbaImage};

    fn encode(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbaImage::from_fn(w, h, |x, y| Rgba([(x * 7) as u8, (y * 5) as u8, 128, if x < w / 2 { 255 } else { 80 }]));
        let img = if format == ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(img).to_rgb8())
        } else {
            image::DynamicImage::ImageRgba8(img)
        };
        let mut out = std::io::Cursor::new(vec![]);
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn limits() -> MediaLimits {
        MediaLimits::default()
    }

    fn thumbnail_size(thumb: &[u8]) -> (u32, u32) {
        let t = image::load_from_memory_with_format(thumb, ImageFormat::Jpeg).unwrap();
        (t.width(), t.height())
    }

    #[test]
    fn each_accepted_image_format_is_measured_and_thumbnailed() {
        for (format, expected) in [
            (ImageFormat::Png, Format::Png),
            (ImageFormat::Jpeg, Format::Jpeg),
            (ImageFormat::Gif, Format::Gif),
            (ImageFormat::WebP, Format::WebP),
        ] {
            let bytes = encode(800, 400, format);
            let i = inspect(&bytes, &limits()).unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!((i.format, i.kind, i.width, i.height), (expected, MediaKind::Image, 800, 400), "{format:?}");
            assert_eq!(i.mime, expected.mime());
            assert_eq!(i.bytes, bytes.len() as u64);
            assert_eq!(i.sha256.len(), 64);
            assert_eq!(thumbnail_size(i.thumbnail.as_deref().unwrap()), (320, 160), "{format:?}");
        }
    }

    #[test]
    fn a_small_image_keeps_its_size_in_the_thumbnail() {
        let i = inspect(&encode(40, 30, ImageFormat::Png), &limits()).unwrap();
        assert_eq!(thumbnail_size(i.thumbnail.as_deref().unwrap()), (40, 30));
    }

    #[test]
    fn the_same_bytes_have_the_same_digest() {
        let a = encode(10, 10, ImageFormat::Png);
        assert_eq!(inspect(&a, &limits()).unwrap().sha256, sha256_hex(&a));
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_truncated_image_is_damaged_and_says_so() {
        for (format, label) in
            [(ImageFormat::Png, "PNG"), (ImageFormat::Jpeg, "JPEG"), (ImageFormat::Gif, "GIF"), (ImageFormat::WebP, "WebP")]
        {
            let bytes = encode(300, 200, format);
            let cut = &bytes[..bytes.len() * 2 / 3];
            let err = inspect(cut, &limits()).unwrap_err();
            match format {
                // WebP's decoder only sees a damaged bitstream.
                ImageFormat::WebP => assert!(err.to_string().starts_with("the WebP is damaged: "), "{err}"),
                _ => assert_eq!(
                    err.to_string(),
                    format!("the {label} is incomplete: the file ends too early (it was probably cut short during a transfer)")
                ),
            }
        }
    }

    #[test]
    fn corrupted_bytes_inside_a_png_are_caught() {
        let mut bytes = encode(64, 64, ImageFormat::Png);
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid..mid + 16] {
            *b ^= 0x5A;
        }
        assert!(matches!(inspect(&bytes, &limits()), Err(MediaError::Damaged { format: Format::Png, .. })));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_both_sizes() {
        let bytes = encode(200, 200, ImageFormat::Png);
        let small = MediaLimits { max_image_bytes: 1024, ..limits() };
        let err = inspect(&bytes, &small).unwrap_err();
        assert_eq!(err, MediaError::TooLarge { kind: MediaKind::Image, bytes: bytes.len() as u64, limit: 1024 });
        assert!(err.to_string().ends_with("; the limit for images is 1 KB"), "{err}");
        assert_eq!(err.args(Locale::Fr)[1], ("limit", "1 Ko".to_string()));
        let mp4 = video::tests::tiny_mp4(320, 240, 1000);
        let err = inspect(&mp4, &MediaLimits { max_video_bytes: 100, ..limits() }).unwrap_err();
        assert!(matches!(err, MediaError::TooLarge { kind: MediaKind::Video, limit: 100, .. }), "{err}");
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A tiny PNG that declares 20,000 × 20,000 pixels: only its header is read.
        let bytes = encode(20_000, 1, ImageFormat::Png);
        let err = inspect(&bytes, &limits()).unwrap_err();
        assert!(matches!(err, MediaError::TooWide { width: 20_000, height: 1, max_side: 16_384 }), "{err}");
        let bytes = encode(1500, 1000, ImageFormat::Png);
        let err = inspect(&bytes, &MediaLimits { max_pixels: 1_000_000, ..limits() }).unwrap_err();
        assert_eq!(err.to_string(), "the image is 1500 × 1000 pixels (1.5 megapixels); the limit is 1 megapixels");
        assert_eq!(err.args(Locale::Fr)[2], ("megapixels", "1,5".to_string()));
    }

    #[test]
    fn other_formats_are_named_and_text_is_unknown() {
        let tiff = encode(10, 10, ImageFormat::Png); // re-tagged below as a TIFF header
        let mut as_tiff = b"II*\0".to_vec();
        as_tiff.extend_from_slice(&tiff);
        let err = inspect(&as_tiff, &limits()).unwrap_err();
        assert_eq!(err.to_string(), "the file is in the TIFF format; Relais accepts JPEG, PNG, WebP, GIF and MP4");
        assert_eq!(inspect(b"not an image at all", &limits()).unwrap_err(), MediaError::UnknownFormat);
        assert_eq!(inspect(b"", &limits()).unwrap_err(), MediaError::Empty);
    }

    #[test]
    fn an_mp4_is_a_video_without_thumbnail() {
        let i = inspect(&video::tests::tiny_mp4(1080, 1920, 12_345), &limits()).unwrap();
        assert_eq!((i.kind, i.mime, i.width, i.height, i.duration_ms), (MediaKind::Video, "video/mp4", 1080, 1920, Some(12_345)));
        assert!(i.thumbnail.is_none());
    }

    #[test]
    fn file_names_lose_their_path_and_alt_text_its_excess() {
        assert_eq!(display_filename("C:\\Users\\léa\\Photo été.JPG"), "Photo été.JPG");
        assert_eq!(display_filename("../../etc/passwd"), "passwd");
        assert_eq!(display_filename(" \u{0}\n "), "file");
        assert_eq!(alt_text("  Un café fumant  ").unwrap(), "Un café fumant");
        let err = alt_text(&"é".repeat(ALT_TEXT_MAX + 1)).unwrap_err();
        assert_eq!(err.message, "the alt text has 1501 characters; the limit is 1500");
    }

    #[test]
    fn every_error_has_a_message_id_and_its_arguments() {
        let err = MediaError::Damaged { format: Format::Png, reason: "CRC error".into() };
        assert_eq!(err.code(), "media-error-damaged");
        assert_eq!(err.args(Locale::En), vec![("format", "PNG".to_string()), ("reason", "CRC error".to_string())]);
    }
}
