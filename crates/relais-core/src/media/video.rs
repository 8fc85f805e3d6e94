//! MP4 videos: the container is read (every box to the end of the file, so a file cut short is
//! caught) for the video track's dimensions and duration. Frames are not decoded: no video
//! decoder is available, so videos get no thumbnail and the pages show a placeholder.

use super::{Format, MediaError};
use mp4parse::{SampleEntry, TrackType};
use std::io::Cursor;

#[derive(Debug)]
pub struct Video {
    /// As displayed: a portrait phone video stored sideways with a rotation reads as portrait.
    pub width: u32,
    pub height: u32,
    /// None when the file does not say (a fragmented MP4 may not).
    pub duration_ms: Option<i64>,
}

pub fn inspect(bytes: &[u8]) -> Result<Video, MediaError> {
    let damaged = |reason: String| MediaError::Damaged { format: Format::Mp4, reason };
    let context = mp4parse::read_mp4(&mut Cursor::new(bytes)).map_err(|e| match describe(e) {
        None => MediaError::Truncated { format: Format::Mp4 },
        Some(reason) => damaged(reason),
    })?;
    let track = context.tracks.iter().find(|t| t.track_type == TrackType::Video).ok_or(MediaError::NoVideoTrack)?;
    let from_entry = track.stsd.as_ref().and_then(|stsd| {
        stsd.descriptions.iter().find_map(|d| match d {
            SampleEntry::Video(v) => Some((u32::from(v.width), u32::from(v.height))),
            _ => None,
        })
    });
    // The track header's size is 16.16 fixed point; the sample entry's is in whole pixels.
    let from_header = track.tkhd.as_ref().map(|t| (t.width >> 16, t.height >> 16));
    let (mut width, mut height) = from_entry
        .filter(|&(w, h)| w > 0 && h > 0)
        .or(from_header)
        .filter(|&(w, h)| w > 0 && h > 0)
        .ok_or_else(|| damaged("its video track does not say how large the picture is".into()))?;
    if track.tkhd.as_ref().is_some_and(|t| t.matrix.a == 0 && t.matrix.d == 0 && t.matrix.b != 0) {
        std::mem::swap(&mut width, &mut height);
    }
    let duration_ms = match (&track.duration, &track.timescale) {
        (Some(d), Some(ts)) if ts.0 > 0 && d.0 > 0 && d.0 != u64::from(u32::MAX) && d.0 != u64::MAX => {
            i64::try_from(u128::from(d.0) * 1000 / u128::from(ts.0)).ok()
        }
        _ => None,
    };
    Ok(Video { width, height, duration_ms })
}

/// Why the parser gave up, in words; `None` when the file is cut short.
fn describe(e: mp4parse::Error) -> Option<String> {
    use mp4parse::{Error, Status};
    Some(match e {
        Error::UnexpectedEOF | Error::Io(_) | Error::InvalidData(Status::CheckParserStateErr | Status::Eof) => return None,
        Error::MoovMissing => "it has no movie header (moov box)".into(),
        Error::Unsupported(what) => format!("it uses something the parser does not support: {what}"),
        Error::OutOfMemory => "it declares more data than can be read".into(),
        // The parser's own sentence, for the statuses that have one.
        Error::InvalidData(s @ (Status::Ok | Status::BadArg | Status::Invalid | Status::Unsupported | Status::Io | Status::Oom)) => {
            format!("{s:?}")
        }
        Error::InvalidData(s) => <&str>::from(s).to_string(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn mp4_box(name: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut b = ((content.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(name);
        b.extend_from_slice(content);
        b
    }

    fn full_box(name: &[u8; 4], version_flags: u32, content: &[u8]) -> Vec<u8> {
        let mut c = version_flags.to_be_bytes().to_vec();
        c.extend_from_slice(content);
        mp4_box(name, &c)
    }

    fn be32(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    /// A tiny but well-formed MP4: one H.264 video track of `width` × `height` lasting
    /// `duration_ms`, with one (dummy) sample in an `mdat`. Built box by box following
    /// ISO/IEC 14496-12, so no binary fixture is needed.
    pub(crate) fn tiny_mp4(width: u16, height: u16, duration_ms: u32) -> Vec<u8> {
        let timescale = 1000;
        let identity = be32(&[0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]);
        let mut mvhd = be32(&[0, 0, timescale, duration_ms, 0x0001_0000]);
        mvhd.extend_from_slice(&[0x01, 0x00, 0, 0]); // volume, reserved
        mvhd.extend_from_slice(&[0; 8]);
        mvhd.extend_from_slice(&identity);
        mvhd.extend_from_slice(&[0; 24]);
        mvhd.extend_from_slice(&be32(&[2])); // next track id
        let mut tkhd = be32(&[0, 0, 1, 0, duration_ms]);
        tkhd.extend_from_slice(&[0; 16]);
        tkhd.extend_from_slice(&identity);
        tkhd.extend_from_slice(&be32(&[u32::from(width) << 16, u32::from(height) << 16]));
        let mut mdhd = be32(&[0, 0, timescale, duration_ms]);
        mdhd.extend_from_slice(&[0x55, 0xC4, 0, 0]); // language "und"
        let mut hdlr = be32(&[0]);
        hdlr.extend_from_slice(b"vide");
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.extend_from_slice(b"Relais\0");
        let mut avc1 = vec![0; 6];
        avc1.extend_from_slice(&1u16.to_be_bytes()); // data reference index
        avc1.extend_from_slice(&[0; 16]);
        avc1.extend_from_slice(&width.to_be_bytes());
        avc1.extend_from_slice(&height.to_be_bytes());
        avc1.extend_from_slice(&be32(&[0x0048_0000, 0x0048_0000, 0]));
        avc1.extend_from_slice(&1u16.to_be_bytes()); // frame count
        avc1.extend_from_slice(&[0; 32]); // compressor name
        avc1.extend_from_slice(&[0x00, 0x18, 0xFF, 0xFF]); // depth, pre-defined
        avc1.extend(mp4_box(b"avcC", &[1, 0x42, 0xC0, 0x1E, 0xFF, 0xE0, 0x00]));
        let stsd = full_box(b"stsd", 0, &[be32(&[1]), mp4_box(b"avc1", &avc1)].concat());
        let sample = [0u8, 0, 0, 1, 0x65, 0x88];
        let stbl = mp4_box(
            b"stbl",
            &[
                stsd,
                full_box(b"stts", 0, &be32(&[1, 1, duration_ms])),
                full_box(b"stsc", 0, &be32(&[1, 1, 1, 1])),
                full_box(b"stsz", 0, &be32(&[0, 1, sample.len() as u32])),
                full_box(b"stco", 0, &be32(&[1, 0])), // offset patched below
            ]
            .concat(),
        );
        let dinf = mp4_box(b"dinf", &full_box(b"dref", 0, &[be32(&[1]), full_box(b"url ", 1, &[])].concat()));
        let minf = mp4_box(b"minf", &[full_box(b"vmhd", 1, &[0; 8]), dinf, stbl].concat());
        let mdia = mp4_box(b"mdia", &[full_box(b"mdhd", 0, &mdhd), full_box(b"hdlr", 0, &hdlr), minf].concat());
        let trak = mp4_box(b"trak", &[full_box(b"tkhd", 3, &tkhd), mdia].concat());
        let moov = mp4_box(b"moov", &[full_box(b"mvhd", 0, &mvhd), trak].concat());
        let ftyp = mp4_box(b"ftyp", &[&b"isom"[..], &be32(&[0x200]), b"isomiso2avc1mp41"].concat());
        let mut file = [ftyp, moov].concat();
        let sample_offset = (file.len() + 8) as u32;
        let stco_at = file.windows(4).position(|w| w == b"stco").expect("stco") + 12;
        file[stco_at..stco_at + 4].copy_from_slice(&sample_offset.to_be_bytes());
        file.extend(mp4_box(b"mdat", &sample));
        file
    }

    #[test]
    fn an_mp4_gives_its_size_and_duration() {
        let v = inspect(&tiny_mp4(1280, 720, 4500)).unwrap();
        assert_eq!((v.width, v.height, v.duration_ms), (1280, 720, Some(4500)));
    }

    #[test]
    fn an_mp4_cut_short_or_without_movie_header_is_damaged() {
        let file = tiny_mp4(640, 360, 1000);
        let cut = &file[..file.len() - 3];
        let err = inspect(cut).unwrap_err();
        assert_eq!(err, MediaError::Truncated { format: Format::Mp4 });
        let err = inspect(&file[..40]).unwrap_err();
        assert!(matches!(err, MediaError::Truncated { .. } | MediaError::Damaged { .. }), "{err}");
        // A file with a file-type box and nothing else has no movie header.
        let err = inspect(&file[..32]).unwrap_err();
        assert_eq!(err.to_string(), "the MP4 is damaged: it has no movie header (moov box)");
    }
}
