//! Rich-text facets: where links, mentions and hashtags are in a post's text, as UTF-8 byte
//! ranges (what `app.bsky.richtext.facet` counts), not characters.

use relais_core::text_rules::{find_hashtags, find_urls};
use serde_json::{Value, json};
use std::ops::Range;

/// What a facet points at, before mentions are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    Link(String),
    /// A handle, without its '@'.
    Mention(String),
    /// A tag, without its '#'.
    Tag(String),
}

/// Every link, mention and hashtag of the text, in order.
pub fn detect(text: &str) -> Vec<(Range<usize>, Feature)> {
    let mut found: Vec<(Range<usize>, Feature)> = find_urls(text)
        .into_iter()
        .map(|r| {
            let url = &text[r.clone()];
            let uri = if url.contains("://") { url.to_string() } else { format!("https://{url}") };
            (r, Feature::Link(uri))
        })
        .collect();
    let overlaps = |found: &[(Range<usize>, Feature)], r: &Range<usize>| found.iter().any(|(f, _)| f.start < r.end && r.start < f.end);
    for r in find_mentions(text) {
        if !overlaps(&found, &r) {
            let handle = text[r.start + 1..r.end].to_ascii_lowercase();
            found.push((r, Feature::Mention(handle)));
        }
    }
    for r in find_hashtags(text) {
        if !overlaps(&found, &r) {
            let tag = text[r.start + 1..r.end].to_string();
            found.push((r, Feature::Tag(tag)));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// `@handle.domain` at the start or after whitespace or an opening bracket, with byte ranges.
/// A handle has at least one dot; a trailing dot (end of a sentence) is not part of it.
pub fn find_mentions(text: &str) -> Vec<Range<usize>> {
    let mut mentions = Vec::new();
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices('@') {
        let before = text[..start].chars().next_back();
        if !before.is_none_or(|c| c.is_whitespace() || "([{\"'«".contains(c)) {
            continue;
        }
        let mut end = start + 1;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'.' || bytes[end] == b'-') {
            end += 1;
        }
        while end > start + 1 && bytes[end - 1] == b'.' {
            end -= 1;
        }
        let handle = &text[start + 1..end];
        if handle.contains('.') && !handle.starts_with('.') && !handle.contains("..") {
            mentions.push(start..end);
        }
    }
    mentions
}

/// One facet as the record carries it; `did` is the resolved DID for a mention.
pub fn to_json(range: &Range<usize>, feature: &Feature, did: Option<&str>) -> Option<Value> {
    let feature = match feature {
        Feature::Link(uri) => json!({"$type": "app.bsky.richtext.facet#link", "uri": uri}),
        Feature::Tag(tag) => json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag}),
        Feature::Mention(_) => json!({"$type": "app.bsky.richtext.facet#mention", "did": did?}),
    };
    Some(json!({"index": {"byteStart": range.start, "byteEnd": range.end}, "features": [feature]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_after_accented_text() {
        let text = "Éé à @alice.test voir https://exemple.fr/été et #café.";
        let found = detect(text);
        let spans: Vec<&str> = found.iter().map(|(r, _)| &text[r.clone()]).collect();
        assert_eq!(spans, ["@alice.test", "https://exemple.fr/été", "#café"]);
        assert_eq!(found[0].0.start, "Éé à ".len());
        assert_eq!(found[0].1, Feature::Mention("alice.test".into()));
        assert_eq!(found[2].1, Feature::Tag("café".into()));
    }

    #[test]
    fn mentions_need_a_domain_and_drop_the_final_dot() {
        let text = "mail a@b.c, @bob. merci @carol.example.com.";
        let spans: Vec<&str> = find_mentions(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(spans, ["@carol.example.com"]);
    }

    #[test]
    fn bare_domains_link_over_https() {
        let found = detect("voir exemple.fr");
        assert_eq!(found[0].1, Feature::Link("https://exemple.fr".into()));
    }

    #[test]
    fn an_unresolved_mention_has_no_facet() {
        assert!(to_json(&(0..3), &Feature::Mention("x.y".into()), None).is_none());
        let facet = to_json(&(2..9), &Feature::Tag("été".into()), None).unwrap();
        assert_eq!(facet["index"]["byteStart"], 2);
        assert_eq!(facet["features"][0]["tag"], "été");
    }
}
