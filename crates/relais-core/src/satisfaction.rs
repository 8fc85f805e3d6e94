//! The satisfaction question sent after a conversation is resolved, and reading the author's
//! answer: "4", "4/5", "4 sur 5", "⭐⭐⭐⭐", "note : 5" are ratings; "14", "2025", "1 à 5 ?" or
//! a sentence that merely contains a digit are not (a wrong score is worse than none).

/// The question's defaults, in French and English.
pub const DEFAULT_QUESTION_FR: &str = "Merci pour votre message ! Sur une échelle de 1 à 5, notre réponse vous a-t-elle aidé ?";
pub const DEFAULT_QUESTION_EN: &str = "Thank you for your message! On a scale of 1 to 5, did our answer help you?";

/// How long after the question an answer is still read as a rating.
pub const ANSWER_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// The longest question, in characters (it must fit a reply on every network).
pub const MAX_QUESTION_CHARS: usize = 280;

/// Words that may introduce a score ("note : 4", "je mets 5").
const PREFIXES: [&str; 8] = ["note", "score", "rating", "je mets", "je donne", "i give", "i'd give", "je dirais"];
/// Words that may close a score ("4 sur 5", "4 out of 5").
const SCALES: [&str; 4] = ["/5", "sur 5", "out of 5", "/ 5"];

/// The score (1–5) an answer gives, or `None` when it is not plainly a rating.
pub fn parse_rating(text: &str) -> Option<u8> {
    let lower = text.trim().to_lowercase();
    // Closing politeness and punctuation do not change the score; a question mark does.
    let mut s = lower.as_str();
    loop {
        let before = s;
        s = s.trim_end_matches(['!', '.', ' ', '\u{a0}', '🙂', '😊', '👍']);
        for thanks in ["merci", "thanks", "thank you"] {
            s = s.strip_suffix(thanks).unwrap_or(s);
        }
        s = s.trim_end_matches([' ', ',', '\u{a0}']);
        if s == before {
            break;
        }
    }
    if s.is_empty() || s.contains('?') {
        return None;
    }
    if let Some(stars) = star_count(s) {
        return stars;
    }
    for prefix in PREFIXES {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start_matches([' ', ':', '\u{a0}', '=']);
            break;
        }
    }
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 1 {
        return None;
    }
    let score: u8 = digits.parse().ok()?;
    let rest = s[1..].trim();
    if !(rest.is_empty() || SCALES.iter().any(|scale| rest == *scale || rest.replace(' ', "") == "/5")) {
        return None;
    }
    (1..=5).contains(&score).then_some(score)
}

/// `Some(Some(n))` for a text of 1–5 stars only, `Some(None)` for stars in a wrong number,
/// `None` when the text is not stars.
fn star_count(s: &str) -> Option<Option<u8>> {
    let stars = s.chars().filter(|c| matches!(c, '⭐' | '★' | '🌟')).count();
    if stars == 0 {
        return None;
    }
    // Variation selectors and spaces may sit between the stars; nothing else.
    if s.chars().any(|c| !matches!(c, '⭐' | '★' | '🌟' | '☆' | '\u{fe0f}' | ' ')) {
        return Some(None);
    }
    Some((1..=5).contains(&stars).then_some(stars as u8))
}

/// The question in the author's language: French when the message was in French or its language
/// is unknown and the workspace speaks French, English otherwise.
pub fn question_for<'q>(message_language: Option<&str>, workspace_french: bool, fr: &'q str, en: &'q str) -> &'q str {
    match message_language {
        Some("fr") => fr,
        Some(_) => en,
        None if workspace_french => fr,
        None => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ratings_are_read() {
        for (text, score) in [
            ("4", 4),
            (" 5 ", 5),
            ("4/5", 4),
            ("4 / 5", 4),
            ("4 sur 5", 4),
            ("3 out of 5", 3),
            ("note : 5", 5),
            ("Note: 2/5", 2),
            ("je mets 4 sur 5 !", 4),
            ("5 merci !", 5),
            ("1.", 1),
            ("⭐⭐⭐⭐", 4),
            ("⭐️⭐️⭐️", 3),
            ("★★★★★", 5),
        ] {
            assert_eq!(parse_rating(text), Some(score), "{text:?}");
        }
    }

    #[test]
    fn what_is_not_plainly_a_rating_is_refused() {
        for text in [
            "14",
            "2025",
            "0",
            "6",
            "6/5",
            "1 à 5 ?",
            "4 ?",
            "",
            "ok",
            "j'ai 4 enfants",
            "4 enfants",
            "4/10",
            "⭐⭐⭐⭐⭐⭐",
            "⭐ super",
            "commande 4",
            "-3",
            "4,5",
        ] {
            assert_eq!(parse_rating(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_question_follows_the_message_language() {
        assert_eq!(question_for(Some("fr"), false, "fr", "en"), "fr");
        assert_eq!(question_for(Some("en"), true, "fr", "en"), "en");
        assert_eq!(question_for(None, true, "fr", "en"), "fr");
        assert_eq!(question_for(None, false, "fr", "en"), "en");
    }
}
