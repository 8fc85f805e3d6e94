//! What a file is, from its first bytes (magic numbers). The client's file name and
//! Content-Type are never trusted: a renamed TIFF is still a TIFF.

use super::MediaKind;

/// A format Relais accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
    Mp4,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Jpeg, Format::Png, Format::WebP, Format::Gif, Format::Mp4];

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
            Format::Gif => "image/gif",
            Format::Mp4 => "video/mp4",
        }
    }

    /// The format's usual name, the same in every language.
    pub fn label(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::WebP => "WebP",
            Format::Gif => "GIF",
            Format::Mp4 => "MP4",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            Format::Mp4 => MediaKind::Video,
            _ => MediaKind::Image,
        }
    }

    pub fn from_mime(mime: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.mime() == mime)
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Accepted(Format),
    /// A format Relais recognises but does not accept, by its usual name ("TIFF", "HEIC").
    Refused(&'static str),
    Unknown,
}

/// Reads the magic number at the start of `bytes`.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Accepted(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Accepted(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Sniffed::Accepted(Format::Gif);
    }
    if starts(b"RIFF") && at(8, b"WEBP") {
        return Sniffed::Accepted(Format::WebP);
    }
    if at(4, b"ftyp") {
        return iso_media(bytes);
    }
    let refused = [
        (&b"II*\0"[..], "TIFF"),
        (b"MM\0*", "TIFF"),
        (b"BM", "BMP"),
        (b"%PDF", "PDF"),
        (b"8BPS", "PSD (Photoshop)"),
        (b"\0\0\x01\0", "ICO"),
        (b"\xFF\x0A", "JPEG XL"),
        (b"\0\0\0\x0CJXL ", "JPEG XL"),
        (b"\0\0\0\x0CjP  ", "JPEG 2000"),
        (b"\x1A\x45\xDF\xA3", "WebM / Matroska"),
        (b"OggS", "Ogg"),
        (b"ID3", "MP3"),
        (b"fLaC", "FLAC"),
        (b"PK\x03\x04", "ZIP"),
        (b"\x1F\x8B", "gzip"),
        (b"Rar!", "RAR"),
        (b"7z\xBC\xAF\x27\x1C", "7-Zip"),
    ];
    if let Some((_, name)) = refused.iter().find(|(magic, _)| starts(magic)) {
        return Sniffed::Refused(name);
    }
    if starts(b"RIFF") {
        return Sniffed::Refused(if at(8, b"AVI ") {
            "AVI"
        } else if at(8, b"WAVE") {
            "WAV"
        } else {
            "RIFF"
        });
    }
    if starts(&[0xFF, 0xFB]) || starts(&[0xFF, 0xF3]) || starts(&[0xFF, 0xF2]) {
        return Sniffed::Refused("MP3");
    }
    if looks_like_svg(bytes) {
        return Sniffed::Refused("SVG");
    }
    Sniffed::Unknown
}

/// An ISO base media file (`ftyp` box): MP4 unless its brands say HEIF, AVIF or QuickTime.
fn iso_media(bytes: &[u8]) -> Sniffed {
    let size = bytes.get(0..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize).unwrap_or(0);
    let end = size.clamp(8, 64).min(bytes.len());
    // The major brand, then compatible brands after the minor version.
    let brands: Vec<&[u8]> =
        bytes.get(8..end).unwrap_or_default().chunks_exact(4).enumerate().filter(|(i, _)| *i != 1).map(|(_, b)| b).collect();
    let major = brands.first().copied().unwrap_or_default();
    let has = |names: &[&[u8]]| brands.iter().any(|b| names.contains(b));
    if major == b"avif" || major == b"avis" {
        return Sniffed::Refused("AVIF");
    }
    if major == b"qt  " {
        return Sniffed::Refused("QuickTime (MOV)");
    }
    if has(&[b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"]) && !has(&[b"isom", b"mp41", b"mp42", b"iso2"]) {
        return Sniffed::Refused("HEIC / HEIF");
    }
    if major == b"crx " {
        return Sniffed::Refused("Canon RAW (CR3)");
    }
    if major.starts_with(b"3g") {
        return Sniffed::Refused("3GP");
    }
    Sniffed::Accepted(Format::Mp4)
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let Ok(text) = std::str::from_utf8(head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head)) else {
        return false;
    };
    let text = text.trim_start().to_ascii_lowercase();
    text.starts_with("<svg") || (text.starts_with("<?xml") && text.contains("<svg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_formats_are_told_by_their_magic_numbers() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Sniffed::Accepted(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Sniffed::Accepted(Format::Png));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Sniffed::Accepted(Format::Gif));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Sniffed::Accepted(Format::WebP));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"), Sniffed::Accepted(Format::Mp4));
    }

    #[test]
    fn known_but_refused_formats_are_named() {
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Refused("TIFF"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniffed::Refused("PDF"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"), Sniffed::Refused("HEIC / HEIF"));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\x02\0qt  "), Sniffed::Refused("QuickTime (MOV)"));
        assert_eq!(sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"), Sniffed::Refused("AVIF"));
        assert_eq!(sniff(b"RIFF\0\0\0\0AVI LIST"), Sniffed::Refused("AVI"));
        assert_eq!(sniff(b"  <?xml version=\"1.0\"?><svg xmlns=\"\"/>"), Sniffed::Refused("SVG"));
    }

    #[test]
    fn anything_else_is_unknown_whatever_its_name() {
        assert_eq!(sniff(b"Bonjour, ceci est un texte."), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
        assert_eq!(sniff(b"\xFF"), Sniffed::Unknown);
    }
}
