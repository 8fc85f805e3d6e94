//! The composer's verdict on one variant before it may be scheduled: what the target network
//! accepts (length counted its way, threads, first comment, media, link) and what the brand
//! charter says. Errors (and every media problem) block scheduling; warnings do not.

use crate::media_rules::MediaProblem;
use crate::{Capabilities, Visibility};
use relais_core::media::MediaFacts;
use relais_core::text_rules::{Charter, Finding, Severity, lint, measure};

/// A variant as the composer holds it.
#[derive(Debug, Clone, Default)]
pub struct DraftVariant<'a> {
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub first_comment: Option<&'a str>,
    /// The parts after the first, for a thread.
    pub thread: &'a [String],
    /// The media, in order.
    pub media: &'a [MediaFacts],
    pub content_warning: Option<&'a str>,
    pub visibility: Option<Visibility>,
}

/// Everything said about a variant: findings on its text, and what the network would refuse in
/// its media.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub findings: Vec<Finding>,
    pub media: Vec<MediaProblem>,
}

impl Verdict {
    /// Whether anything blocks scheduling.
    pub fn blocks(&self) -> bool {
        !self.media.is_empty() || self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.media.is_empty()
    }
}

pub const CODE_EMPTY: &str = "check-empty";
pub const CODE_TOO_LONG: &str = "check-too-long";
pub const CODE_THREAD_UNSUPPORTED: &str = "check-thread-unsupported";
pub const CODE_THREAD_PART_TOO_LONG: &str = "check-thread-part-too-long";
pub const CODE_FIRST_COMMENT_UNSUPPORTED: &str = "check-first-comment-unsupported";
pub const CODE_BAD_LINK: &str = "check-bad-link";
pub const CODE_CONTENT_WARNING_UNSUPPORTED: &str = "check-content-warning-unsupported";
pub const CODE_VISIBILITY_UNSUPPORTED: &str = "check-visibility-unsupported";

fn error(code: &'static str, subject: String, message: String) -> Finding {
    Finding { severity: Severity::Error, code, subject, span: None, message }
}

/// A part's length the network's way: where content warnings exist, the warning (carried by every
/// part) counts with the text, as Mastodon counts `spoiler_text` and `status` together.
pub fn counted_length(caps: &Capabilities, text: &str, content_warning: Option<&str>) -> usize {
    let warning = content_warning.map(str::trim).filter(|w| caps.content_warning && !w.is_empty());
    measure(text, caps.counting) + warning.map(|w| measure(w, caps.counting)).unwrap_or(0)
}

/// Everything worth saying about `draft` for `caps`: findings on the text, charter findings
/// included (with byte spans into `draft.text`), errors first; and the media problems.
pub fn check_variant(caps: &Capabilities, draft: &DraftVariant, charter: &Charter) -> Verdict {
    let mut out = vec![];
    if draft.text.trim().is_empty() && draft.media.is_empty() {
        out.push(error(CODE_EMPTY, String::new(), "the post has neither text nor media".into()));
    }
    let length = counted_length(caps, draft.text, draft.content_warning);
    if length > caps.max_length {
        out.push(error(
            CODE_TOO_LONG,
            format!("{length}/{}", caps.max_length),
            format!(
                "the text (with its content warning) counts {length} characters the way {} counts; the limit is {}",
                caps.label, caps.max_length
            ),
        ));
    }
    if !draft.thread.is_empty() && !caps.threads {
        out.push(error(CODE_THREAD_UNSUPPORTED, caps.label.into(), format!("{} does not publish threads", caps.label)));
    }
    if caps.threads {
        for (i, part) in draft.thread.iter().enumerate() {
            let n = counted_length(caps, part, draft.content_warning);
            if n > caps.max_length {
                out.push(error(
                    CODE_THREAD_PART_TOO_LONG,
                    format!("{}: {n}/{}", i + 2, caps.max_length),
                    format!("part {} of the thread counts {n} characters; the limit is {}", i + 2, caps.max_length),
                ));
            }
        }
    }
    if draft.first_comment.is_some_and(|c| !c.trim().is_empty()) && !caps.first_comment {
        out.push(error(
            CODE_FIRST_COMMENT_UNSUPPORTED,
            caps.label.into(),
            format!("{} does not let Relais post a first comment", caps.label),
        ));
    }
    if draft.content_warning.is_some_and(|c| !c.trim().is_empty()) && !caps.content_warning {
        out.push(error(CODE_CONTENT_WARNING_UNSUPPORTED, caps.label.into(), format!("{} does not show content warnings", caps.label)));
    }
    if let Some(v) = draft.visibility.filter(|v| !caps.offers_visibility(*v)) {
        out.push(error(CODE_VISIBILITY_UNSUPPORTED, v.key().into(), format!("{} does not offer the visibility “{}”", caps.label, v.key())));
    }
    if let Some(link) = draft.link.filter(|l| !l.trim().is_empty()) {
        let ok = url::Url::parse(link.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            out.push(error(CODE_BAD_LINK, link.into(), format!("“{link}” is not a web address (https://…)")));
        }
    }
    out.extend(lint(draft.text, charter));
    out.sort_by_key(|f| f.severity != Severity::Error);
    Verdict { findings: out, media: caps.check_media(draft.media) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::CAPABILITIES as SANDBOX;

    fn codes(v: &Verdict) -> Vec<&'static str> {
        v.findings.iter().map(|f| f.code).collect()
    }

    fn image(alt: bool) -> MediaFacts {
        MediaFacts {
            kind: relais_core::media::MediaKind::Image,
            mime: "image/png".into(),
            bytes: 1000,
            width: 10,
            height: 10,
            duration_ms: None,
            has_alt_text: alt,
        }
    }

    #[test]
    fn a_good_variant_has_nothing_to_say() {
        let d = DraftVariant { text: "Le prêt Artisan arrive", link: Some("https://example.org/pret"), ..Default::default() };
        assert!(check_variant(&SANDBOX, &d, &Charter::default()).is_empty());
    }

    #[test]
    fn length_is_counted_the_networks_way_and_blocks() {
        // 500 graphemes pass; 501 with a combining accent (2 code points, 1 grapheme) do not.
        let ok = "e\u{301}".repeat(500);
        assert!(check_variant(&SANDBOX, &DraftVariant { text: &ok, ..Default::default() }, &Charter::default()).is_empty());
        let long = "e\u{301}".repeat(501);
        let f = check_variant(&SANDBOX, &DraftVariant { text: &long, ..Default::default() }, &Charter::default());
        assert_eq!(codes(&f), [CODE_TOO_LONG]);
        assert_eq!(f.findings[0].subject, "501/500");
        assert!(f.blocks());
    }

    #[test]
    fn what_the_network_cannot_do_is_an_error() {
        let no_threads = Capabilities { threads: false, first_comment: false, max_images: 1, ..SANDBOX };
        let thread = vec!["deux".to_string()];
        let media = [image(true), image(true)];
        let d = DraftVariant {
            text: "un",
            thread: &thread,
            first_comment: Some("voir le lien"),
            media: &media,
            link: Some("ftp://x"),
            ..Default::default()
        };
        let f = check_variant(&no_threads, &d, &Charter::default());
        assert_eq!(codes(&f), [CODE_THREAD_UNSUPPORTED, CODE_FIRST_COMMENT_UNSUPPORTED, CODE_BAD_LINK]);
        assert_eq!(f.media, [MediaProblem::TooManyImages { count: 2, max: 1 }]);
        let long_part = vec!["x".repeat(501)];
        let f = check_variant(&SANDBOX, &DraftVariant { text: "un", thread: &long_part, ..Default::default() }, &Charter::default());
        assert_eq!(f.findings[0].subject, "2: 501/500");
        let f = check_variant(&SANDBOX, &DraftVariant { text: "  ", ..Default::default() }, &Charter::default());
        assert_eq!(codes(&f), [CODE_EMPTY]);
    }

    #[test]
    fn a_content_warning_or_an_audience_the_network_lacks_blocks() {
        let d = DraftVariant {
            text: "La fin",
            content_warning: Some("Divulgâchage"),
            visibility: Some(Visibility::Direct),
            ..Default::default()
        };
        let f = check_variant(&SANDBOX, &d, &Charter::default());
        assert_eq!(codes(&f), [CODE_CONTENT_WARNING_UNSUPPORTED, CODE_VISIBILITY_UNSUPPORTED]);
        assert_eq!(f.findings[1].subject, "direct");
        assert!(f.blocks());
        // Public is what every network does; a blank warning is none.
        let d = DraftVariant { text: "La fin", content_warning: Some(" "), visibility: Some(Visibility::Public), ..Default::default() };
        assert!(check_variant(&SANDBOX, &d, &Charter::default()).is_empty());
        let d = DraftVariant {
            text: "La fin",
            content_warning: Some("Divulgâchage"),
            visibility: Some(Visibility::Direct),
            ..Default::default()
        };
        assert!(check_variant(&crate::mastodon::CAPABILITIES, &d, &Charter::default()).is_empty());
    }

    #[test]
    fn a_content_warning_counts_with_each_part_where_the_network_has_them() {
        let mastodon = &crate::mastodon::CAPABILITIES;
        let (text, thread) = ("x".repeat(490), vec!["y".repeat(495)]);
        let d = DraftVariant { text: &text, thread: &thread, content_warning: Some("Divulgâchage"), ..Default::default() };
        let f = check_variant(mastodon, &d, &Charter::default());
        assert_eq!(codes(&f), [CODE_TOO_LONG, CODE_THREAD_PART_TOO_LONG]);
        assert_eq!((f.findings[0].subject.as_str(), f.findings[1].subject.as_str()), ("502/500", "2: 507/500"));
        assert_eq!(counted_length(mastodon, &text, None), 490);
        assert_eq!(counted_length(&SANDBOX, &text, Some("Divulgâchage")), 490, "no warnings there, nothing counted");
    }

    #[test]
    fn charter_warnings_do_not_block_but_come_after_errors() {
        let charter = Charter { words_to_avoid: vec!["gratuit".into()], ..Default::default() };
        let d = DraftVariant { text: "Un compte gratuit", ..Default::default() };
        let f = check_variant(&SANDBOX, &d, &charter);
        assert_eq!(codes(&f), ["lint-word-to-avoid"]);
        assert_eq!(f.findings[0].span, Some(10..17));
        assert!(!f.blocks());
    }

    #[test]
    fn media_alone_make_a_post_and_their_problems_block() {
        let required = Capabilities { alt_text: crate::AltText::Required, ..SANDBOX };
        let media = [image(false)];
        let f = check_variant(&required, &DraftVariant { text: "", media: &media, ..Default::default() }, &Charter::default());
        assert!(f.findings.is_empty(), "an image without text is a post");
        assert_eq!(f.media, [MediaProblem::AltTextMissing { index: 0 }]);
        assert!(f.blocks());
    }
}
