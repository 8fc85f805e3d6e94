//! The inbox's rules, free of storage: how messages group into conversations, the statuses a
//! message goes through, and the list's keyset cursor.

/// Where a message stands in the team's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Nobody has dealt with it yet.
    Open,
    /// Waiting on someone (the author, a colleague).
    Pending,
    Resolved,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 3] = [MessageStatus::Open, MessageStatus::Pending, MessageStatus::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Open => "open",
            MessageStatus::Pending => "pending",
            MessageStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The kinds of community activity that are messages (they carry words someone may answer).
pub const MESSAGE_KINDS: [&str; 4] = ["reply", "mention", "quote", "direct_message"];

/// The tags every workspace offers: what the community manager reports back to the strategist.
/// Teams add their own words next to them.
pub const FEEDBACK_TAGS: [&str; 4] = ["recurring-question", "product-feedback", "complaint", "praise"];

/// The longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// A tag as stored: trimmed, lower case, inner spaces as hyphens ("Question fréquente" and
/// "question-fréquente" are one tag). The error says what is wrong.
pub fn normalize_tag(raw: &str) -> Result<String, String> {
    let words: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
    let tag = words.join("-");
    if tag.is_empty() {
        return Err("a tag needs at least one letter".into());
    }
    if tag.chars().count() > MAX_TAG_CHARS {
        return Err(format!("a tag has at most {MAX_TAG_CHARS} characters; this one has {}", tag.chars().count()));
    }
    if let Some(c) = tag.chars().find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!("a tag is letters, digits and hyphens; {c:?} is not allowed"));
    }
    Ok(tag)
}

/// How a conversation groups its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping {
    /// Unique per account: `thread:<root>`, `direct:<author>` or `single:<message>`.
    pub key: String,
    /// thread | direct | single
    pub kind: &'static str,
    /// The thread's first post (for a quote or a mention: the post it is about, if any).
    pub root_remote_id: Option<String>,
}

/// A reply joins the thread of its root (or of its parent when the network gave no root, or
/// starts one); direct messages group by author; mentions and quotes stand alone.
pub fn grouping_of(
    kind: &str,
    remote_id: &str,
    author_remote_id: &str,
    parent: Option<&str>,
    root: Option<&str>,
    subject: Option<&str>,
) -> Grouping {
    match kind {
        "reply" => {
            let root = root.or(parent).unwrap_or(remote_id).to_string();
            Grouping { key: format!("thread:{root}"), kind: "thread", root_remote_id: Some(root) }
        }
        "direct_message" => Grouping { key: format!("direct:{author_remote_id}"), kind: "direct", root_remote_id: None },
        _ => Grouping { key: format!("single:{remote_id}"), kind: "single", root_remote_id: subject.map(str::to_string) },
    }
}

/// A position in the inbox list (newest first): the message's time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub fn parse(s: &str) -> Option<Cursor> {
        let (t, id) = s.split_once(':')?;
        (!id.is_empty()).then(|| Some(Cursor { created_at: t.parse().ok()?, id: id.to_string() }))?
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.created_at, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_in_one_thread_share_a_conversation_whatever_their_parent() {
        let a = grouping_of("reply", "r1", "alice", Some("post"), Some("post"), Some("post"));
        let b = grouping_of("reply", "r2", "bob", Some("r1"), Some("post"), None);
        assert_eq!(a, b);
        assert_eq!(a.root_remote_id.as_deref(), Some("post"));
        // Without a root, the parent is the thread's best guess.
        assert_eq!(grouping_of("reply", "r3", "c", Some("p"), None, None).key, "thread:p");
    }

    #[test]
    fn direct_messages_group_by_author_and_mentions_stand_alone() {
        assert_eq!(
            grouping_of("direct_message", "d1", "alice", None, None, None),
            grouping_of("direct_message", "d2", "alice", None, None, None)
        );
        assert_ne!(grouping_of("mention", "m1", "alice", None, None, None), grouping_of("mention", "m2", "alice", None, None, None));
        assert_eq!(grouping_of("quote", "q1", "a", None, None, Some("post")).root_remote_id.as_deref(), Some("post"));
    }

    #[test]
    fn statuses_and_cursors_round_trip() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MessageStatus::parse("closed"), None);
        let c = Cursor { created_at: 1_700_000_000_000, id: "0190-ab".into() };
        assert_eq!(Cursor::parse(&c.to_string()), Some(c));
        for bad in ["", "12", "x:1", "12:"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tags_are_one_word_in_lower_case_and_say_what_is_wrong() {
        assert_eq!(normalize_tag("  Question   Fréquente "), Ok("question-fréquente".into()));
        assert_eq!(normalize_tag("praise"), Ok("praise".into()));
        assert!(normalize_tag("   ").unwrap_err().contains("at least one letter"));
        assert!(normalize_tag(&"a".repeat(41)).unwrap_err().contains("at most 40"));
        assert!(normalize_tag("prix/€").unwrap_err().contains("'/'"));
    }
}
