//! Who wrote a message, across networks: an author is known on each network by a handle
//! (`@marie@mastodon.social`, `marie.bsky.social`); members may link several of them as one
//! person. Relais suggests the links worth a look by two keys computed here: the display name
//! folded (case and accents ignored) and the handle's local part (what comes before the server
//! or domain). A suggestion is only that: a member confirms it.

use crate::listening_query::FoldedText;

/// The display name's key: its folded words, one space apart; `None` when it has no word.
pub fn name_key(name: &str) -> Option<String> {
    let words = FoldedText::new(name);
    (!words.words().is_empty()).then(|| words.words().join(" "))
}

/// The handle's local part, folded: `@Marie@mastodon.social` → `marie`, `marie.bsky.social` →
/// `marie`, `@julie` → `julie`; `None` when nothing is left.
pub fn handle_key(handle: &str) -> Option<String> {
    let local = handle.trim().trim_start_matches('@');
    let local = local.split(['@', '.']).next().unwrap_or_default();
    let words = FoldedText::new(local);
    (!words.words().is_empty()).then(|| words.words().concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_gives_the_same_keys_on_two_networks() {
        assert_eq!(handle_key("@Marie@mastodon.social"), handle_key("marie.bsky.social"));
        assert_eq!(handle_key("@julie").as_deref(), Some("julie"));
        assert_eq!(handle_key("@élodie_b@piaille.fr").as_deref(), Some("elodie_b"));
        assert_eq!(handle_key("@"), None);
        assert_eq!(name_key("Élodie  BERNARD"), name_key("elodie bernard"));
        assert_eq!(name_key(" 🙂 "), None);
    }
}
