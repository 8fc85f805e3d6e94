//! Whether a post's media suit a network: how many, which types, how large, with alt text where
//! the network requires it. Pure, for the composer and the API to call before saving.

use crate::{AltText, Capabilities};
use relais_core::Locale;
use relais_core::media::{MediaFacts, MediaKind, human_size};

/// One thing a network would refuse. `index` is the item's position in the list checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaProblem {
    #[error("{count} images; this network takes at most {max} per post")]
    TooManyImages { count: usize, max: usize },
    #[error("item {}: this network does not take videos", index + 1)]
    VideoNotAccepted { index: usize },
    #[error("item {}: a video must be the post's only media on this network", index + 1)]
    VideoNotAlone { index: usize },
    #[error("item {}: this network does not take {mime} files", index + 1)]
    TypeNotAccepted { index: usize, mime: String },
    #[error("item {} is {}; this network takes {}s of up to {}", index + 1, human_size(*bytes, Locale::En), kind.as_str(), human_size(*limit, Locale::En))]
    TooLarge { index: usize, kind: MediaKind, bytes: u64, limit: u64 },
    #[error("item {}: this network requires alt text on images", index + 1)]
    AltTextMissing { index: usize },
}

impl MediaProblem {
    /// A stable message id for translation.
    pub fn code(&self) -> &'static str {
        match self {
            MediaProblem::TooManyImages { .. } => "media-problem-too-many-images",
            MediaProblem::VideoNotAccepted { .. } => "media-problem-no-video",
            MediaProblem::VideoNotAlone { .. } => "media-problem-video-alone",
            MediaProblem::TypeNotAccepted { .. } => "media-problem-type",
            MediaProblem::TooLarge { .. } => "media-problem-too-large",
            MediaProblem::AltTextMissing { .. } => "media-problem-alt-text",
        }
    }

    /// The message's arguments (`item` counts from 1), numbers written for `locale`.
    pub fn args(&self, locale: Locale) -> Vec<(&'static str, String)> {
        let item = |index: &usize| ("item", (index + 1).to_string());
        match self {
            MediaProblem::TooManyImages { count, max } => vec![("count", count.to_string()), ("max", max.to_string())],
            MediaProblem::VideoNotAccepted { index } | MediaProblem::VideoNotAlone { index } | MediaProblem::AltTextMissing { index } => {
                vec![item(index)]
            }
            MediaProblem::TypeNotAccepted { index, mime } => vec![item(index), ("mime", mime.clone())],
            MediaProblem::TooLarge { index, bytes, limit, .. } => {
                vec![item(index), ("size", human_size(*bytes, locale)), ("limit", human_size(*limit, locale))]
            }
        }
    }
}

impl Capabilities {
    /// Everything this network would refuse in `items`, the media of one post in order; empty
    /// when it takes them all.
    pub fn check_media(&self, items: &[MediaFacts]) -> Vec<MediaProblem> {
        let mut problems = vec![];
        let images = items.iter().filter(|m| m.kind == MediaKind::Image).count();
        if images > self.max_images {
            problems.push(MediaProblem::TooManyImages { count: images, max: self.max_images });
        }
        for (index, m) in items.iter().enumerate() {
            match m.kind {
                MediaKind::Image => {
                    if !self.image_types.contains(&m.mime.as_str()) {
                        problems.push(MediaProblem::TypeNotAccepted { index, mime: m.mime.clone() });
                    } else if m.bytes > self.max_image_bytes {
                        problems.push(MediaProblem::TooLarge { index, kind: m.kind, bytes: m.bytes, limit: self.max_image_bytes });
                    }
                    if self.alt_text == AltText::Required && !m.has_alt_text {
                        problems.push(MediaProblem::AltTextMissing { index });
                    }
                }
                MediaKind::Video => {
                    if !self.video {
                        problems.push(MediaProblem::VideoNotAccepted { index });
                        continue;
                    }
                    if items.len() > 1 {
                        problems.push(MediaProblem::VideoNotAlone { index });
                    }
                    if m.mime != "video/mp4" {
                        problems.push(MediaProblem::TypeNotAccepted { index, mime: m.mime.clone() });
                    } else if m.bytes > self.max_video_bytes {
                        problems.push(MediaProblem::TooLarge { index, kind: m.kind, bytes: m.bytes, limit: self.max_video_bytes });
                    }
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::CAPABILITIES;

    fn image(mime: &str, bytes: u64, alt: bool) -> MediaFacts {
        MediaFacts { kind: MediaKind::Image, mime: mime.into(), bytes, width: 1200, height: 800, duration_ms: None, has_alt_text: alt }
    }

    fn video(bytes: u64) -> MediaFacts {
        MediaFacts {
            kind: MediaKind::Video,
            mime: "video/mp4".into(),
            bytes,
            width: 1280,
            height: 720,
            duration_ms: Some(5000),
            has_alt_text: false,
        }
    }

    #[test]
    fn four_small_images_suit_the_sandbox() {
        let items = vec![image("image/jpeg", 300_000, true); 4];
        assert_eq!(CAPABILITIES.check_media(&items), vec![]);
        assert_eq!(CAPABILITIES.check_media(&[video(10_000_000)]), vec![]);
    }

    #[test]
    fn too_many_or_too_large_images_are_each_reported() {
        let mut items = vec![image("image/png", 300_000, true); 5];
        items[2].bytes = 6 * 1024 * 1024;
        let problems = CAPABILITIES.check_media(&items);
        assert_eq!(
            problems,
            vec![
                MediaProblem::TooManyImages { count: 5, max: 4 },
                MediaProblem::TooLarge { index: 2, kind: MediaKind::Image, bytes: 6 * 1024 * 1024, limit: 5 * 1024 * 1024 },
            ]
        );
        assert_eq!(problems[1].to_string(), "item 3 is 6 MB; this network takes images of up to 5 MB");
        assert_eq!(problems[1].args(Locale::Fr)[1], ("size", "6 Mo".to_string()));
    }

    #[test]
    fn a_video_goes_alone_and_only_where_videos_are_taken() {
        let problems = CAPABILITIES.check_media(&[image("image/jpeg", 1000, true), video(1000)]);
        assert_eq!(problems, vec![MediaProblem::VideoNotAlone { index: 1 }]);
        let no_video = Capabilities { video: false, ..CAPABILITIES };
        assert_eq!(no_video.check_media(&[video(1000)]), vec![MediaProblem::VideoNotAccepted { index: 0 }]);
    }

    #[test]
    fn alt_text_is_checked_only_where_required_and_types_where_listed() {
        let strict = Capabilities { alt_text: AltText::Required, image_types: &["image/jpeg", "image/png"], ..CAPABILITIES };
        let problems = strict.check_media(&[image("image/jpeg", 1000, false), image("image/gif", 1000, true)]);
        assert_eq!(
            problems,
            vec![MediaProblem::AltTextMissing { index: 0 }, MediaProblem::TypeNotAccepted { index: 1, mime: "image/gif".into() }]
        );
        assert_eq!(CAPABILITIES.check_media(&[image("image/jpeg", 1000, false)]), vec![]);
    }
}
