//! How each network counts a text, and the brand charter lint.
//!
//! Both run on every keystroke in the composer, so they are pure functions of the text.

use std::ops::Range;

use linkify::{LinkFinder, LinkKind};
use unicode_segmentation::UnicodeSegmentation;

/// How a network measures the length of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LengthCounting {
    /// Extended grapheme clusters (Bluesky: 300 graphemes). URLs count in full.
    Graphemes,
    /// Unicode scalar values, every `http(s)://` URL counting as `url_weight` whatever its length
    /// (Mastodon: 500 chars, URLs count 23). Bare domains (`exemple.fr/offre`) count their own
    /// length: Mastodon only shortens links written with a scheme, and counting them as 23 would
    /// let a post through the composer that the server then refuses.
    CharsWithUrlWeight { url_weight: usize },
}

/// The length of `text` as the network counts it.
pub fn measure(text: &str, counting: LengthCounting) -> usize {
    match counting {
        LengthCounting::Graphemes => text.graphemes(true).count(),
        LengthCounting::CharsWithUrlWeight { url_weight } => {
            let (weighted_chars, links) = find_urls(text)
                .into_iter()
                .filter(|r| has_http_scheme(&text[r.clone()]))
                .fold((0, 0), |(chars, links), r| (chars + text[r].chars().count(), links + 1));
            text.chars().count() - weighted_chars + links * url_weight
        }
    }
}

/// URLs found in the text (http/https and bare domains as linkify finds them with url kind), with
/// byte ranges. Other schemes (`ftp://`, `ssh://`) are left out: networks do not link them.
pub fn find_urls(text: &str) -> Vec<Range<usize>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]).url_must_have_scheme(false);
    finder
        .links(text)
        .filter(|link| match scheme(link.as_str()) {
            None => true,
            Some(_) => has_http_scheme(link.as_str()),
        })
        .map(|link| link.start()..link.end())
        .collect()
}

/// Hashtags in the text with their byte ranges: a '#' at the start or after whitespace, followed
/// by at least one letter, digit or underscore. "C#" and "page.html#section" are not hashtags.
pub fn find_hashtags(text: &str) -> Vec<Range<usize>> {
    let mut tags = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '#' && previous.is_none_or(char::is_whitespace) {
            let mut end = start + 1;
            while let Some(&(i, next)) = chars.peek() {
                if !is_word_char(next) {
                    break;
                }
                end = i + next.len_utf8();
                previous = Some(next);
                chars.next();
            }
            if end > start + 1 {
                tags.push(start..end);
                continue;
            }
        }
        previous = Some(c);
    }
    tags
}

/// The scheme of a link as linkify returns it, if it was written with one.
fn scheme(link: &str) -> Option<&str> {
    let (scheme, _) = link.split_once("://")?;
    let valid = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

fn has_http_scheme(link: &str) -> bool {
    scheme(link).is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

/// The brand charter of a workspace: what its posts must and must not say.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Charter {
    /// Words or phrases the brand never uses, matched ignoring case and accents, on word
    /// boundaries: "gratuit" matches "Gratuit!", "GRATUIT", "gratuït" and "#gratuit", but not
    /// "gratuitement". The words of a phrase match across any run of whitespace.
    pub words_to_avoid: Vec<String>,
    /// Mentions, hashtags or phrases every post must contain (each one is required), matched
    /// ignoring case and accents, on word boundaries ("#Banque" is not satisfied by "#BanqueDeBourgogne").
    pub mandatory: Vec<String>,
    /// At most this many hashtags per post, if set.
    pub max_hashtags: Option<usize>,
    /// Free-text tone notes shown to the writer (not checked).
    pub tone_notes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Severity {
    /// Blocks publishing.
    Error,
    /// Shown to the writer, who may publish anyway.
    Warning,
}

/// One thing the lint has to say about a text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable message id for translation: "lint-word-to-avoid", "lint-missing-mandatory", "lint-too-many-hashtags".
    pub code: &'static str,
    /// The offending words or the missing item, as written in the charter; for too many hashtags,
    /// the number of hashtags found (the limit is in the charter).
    pub subject: String,
    /// Byte range in the text of the offending occurrence (None for something missing). For too
    /// many hashtags, the first hashtag over the limit.
    pub span: Option<Range<usize>>,
    /// English explanation, e.g. "“gratuit” is on the brand's list of words to avoid".
    pub message: String,
}

pub const CODE_WORD_TO_AVOID: &str = "lint-word-to-avoid";
pub const CODE_MISSING_MANDATORY: &str = "lint-missing-mandatory";
pub const CODE_TOO_MANY_HASHTAGS: &str = "lint-too-many-hashtags";

/// Checks `text` against the charter. Findings are sorted by span start, missing items last.
pub fn lint(text: &str, charter: &Charter) -> Vec<Finding> {
    let folded = Folded::new(text);
    let mut findings = Vec::new();

    let mut seen = Vec::new();
    for word in &charter.words_to_avoid {
        let pattern = Pattern::new(word);
        // The same word listed twice (perhaps once with accents) would double every warning.
        if pattern.is_empty() || seen.contains(&pattern) {
            continue;
        }
        for span in folded.find_all(&pattern) {
            findings.push(Finding {
                severity: Severity::Warning,
                code: CODE_WORD_TO_AVOID,
                subject: word.clone(),
                span: Some(span),
                message: format!("“{word}” is on the brand's list of words to avoid"),
            });
        }
        seen.push(pattern);
    }

    for item in &charter.mandatory {
        let pattern = Pattern::new(item);
        if !pattern.is_empty() && folded.find_all(&pattern).is_empty() {
            findings.push(Finding {
                severity: Severity::Warning,
                code: CODE_MISSING_MANDATORY,
                subject: item.clone(),
                span: None,
                message: format!("The brand charter requires “{item}” in every post"),
            });
        }
    }

    if let Some(max) = charter.max_hashtags {
        let tags = find_hashtags(text);
        if tags.len() > max {
            findings.push(Finding {
                severity: Severity::Error,
                code: CODE_TOO_MANY_HASHTAGS,
                subject: tags.len().to_string(),
                span: Some(tags[max].clone()),
                message: format!("{} hashtags, the brand charter allows at most {max}", tags.len()),
            });
        }
    }

    // Stable, so findings at the same place keep the charter's order.
    findings.sort_by_key(|f| f.span.as_ref().map_or((true, 0), |s| (false, s.start)));
    findings
}

/// Letters, digits and underscore: the characters of a word, and of a hashtag or mention, so
/// that "@banque" is not satisfied by "@banque_dijon".
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Combining diacritical marks, as left by text typed or pasted in decomposed form (e + U+0301).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// The accent-free form of a lowercase letter, for the Latin letters of French and neighbouring
/// languages; `None` leaves the letter as it is. Typographic apostrophes fold to the straight one
/// because French text mixes both ("l’offre", "l'offre").
fn fold_lowercase(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => "'",
        _ => return None,
    })
}

/// Calls `emit` with each folded character of `c` (lowercase, accents removed); nothing for a
/// combining mark.
fn fold_char(c: char, mut emit: impl FnMut(char)) {
    if is_combining_mark(c) {
        return;
    }
    for lower in c.to_lowercase() {
        match fold_lowercase(lower) {
            Some(folded) => folded.chars().for_each(&mut emit),
            // `to_lowercase` itself may produce a combining mark ('İ' gives "i\u{307}").
            None if is_combining_mark(lower) => {}
            None => emit(lower),
        }
    }
}

/// `text` lowercased with its accents removed, the way the charter lint compares words; used
/// wherever people type a name that must match one Relais knows ("Média", "PROGRAMMÉ").
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, |f| out.push(f));
    }
    out
}

/// The text folded for matching, each folded character remembering the byte range of the
/// original character it came from, so that matches map back to spans in the original text.
struct Folded {
    chars: Vec<char>,
    origins: Vec<Range<usize>>,
}

impl Folded {
    fn new(text: &str) -> Self {
        let mut folded = Folded { chars: Vec::with_capacity(text.len()), origins: Vec::with_capacity(text.len()) };
        for (start, c) in text.char_indices() {
            let end = start + c.len_utf8();
            if is_combining_mark(c) {
                // A dropped accent belongs to the letter before it: a span ending on that letter
                // must not cut the accent off.
                if let Some(last) = folded.origins.last_mut() {
                    last.end = end;
                }
                continue;
            }
            fold_char(c, |f| {
                folded.chars.push(f);
                folded.origins.push(start..end);
            });
        }
        folded
    }

    /// Byte ranges in the original text of the non-overlapping occurrences of `pattern`.
    fn find_all(&self, pattern: &Pattern) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        let mut i = 0;
        while i < self.chars.len() {
            match self.match_at(i, pattern) {
                Some(end) => {
                    spans.push(self.origins[i].start..self.origins[end - 1].end);
                    i = end;
                }
                None => i += 1,
            }
        }
        spans
    }

    /// The folded index just past an occurrence of `pattern` starting at `start`, on word boundaries.
    fn match_at(&self, start: usize, pattern: &Pattern) -> Option<usize> {
        let mut i = start;
        for token in &pattern.0 {
            match *token {
                Token::Char(c) => {
                    if self.chars.get(i) != Some(&c) {
                        return None;
                    }
                    i += 1;
                }
                Token::Space => {
                    let run = self.chars[i..].iter().take_while(|c| c.is_whitespace()).count();
                    if run == 0 {
                        return None;
                    }
                    i += run;
                }
            }
        }
        // Boundaries only matter where the pattern itself starts or ends with a word character:
        // "100%" may be followed by a letter, "gratuit" may not.
        let word_at = |index: Option<usize>| index.and_then(|k| self.chars.get(k)).is_some_and(|&c| is_word_char(c));
        if pattern.starts_with_word_char() && word_at(start.checked_sub(1)) {
            return None;
        }
        if pattern.ends_with_word_char() && word_at(Some(i)) {
            return None;
        }
        Some(i)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// Any run of whitespace, so a phrase still matches across a line break or the non-breaking
    /// spaces of French typography.
    Space,
}

/// A charter word or phrase, folded like the text, whitespace collapsed and trimmed.
#[derive(Debug, PartialEq, Eq)]
struct Pattern(Vec<Token>);

impl Pattern {
    fn new(source: &str) -> Self {
        let mut tokens = Vec::new();
        for word in source.split_whitespace() {
            if !tokens.is_empty() {
                tokens.push(Token::Space);
            }
            for c in word.chars() {
                fold_char(c, |f| tokens.push(Token::Char(f)));
            }
        }
        Pattern(tokens)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn starts_with_word_char(&self) -> bool {
        matches!(self.0.first(), Some(&Token::Char(c)) if is_word_char(c))
    }

    fn ends_with_word_char(&self) -> bool {
        matches!(self.0.last(), Some(&Token::Char(c)) if is_word_char(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUESKY: LengthCounting = LengthCounting::Graphemes;
    const MASTODON: LengthCounting = LengthCounting::CharsWithUrlWeight { url_weight: 23 };

    fn charter_avoiding(words: &[&str]) -> Charter {
        Charter { words_to_avoid: words.iter().map(|w| w.to_string()).collect(), ..Charter::default() }
    }

    /// The slices of the text the findings point at.
    fn flagged<'t>(text: &'t str, findings: &[Finding]) -> Vec<&'t str> {
        findings.iter().filter_map(|f| f.span.clone()).map(|s| &text[s]).collect()
    }

    #[test]
    fn empty_text_measures_zero_everywhere() {
        assert_eq!(measure("", BLUESKY), 0);
        assert_eq!(measure("", MASTODON), 0);
    }

    #[test]
    fn a_skin_toned_emoji_or_a_family_counts_one_grapheme_on_bluesky() {
        assert_eq!(measure("👍🏽", BLUESKY), 1);
        assert_eq!(measure("👨‍👩‍👧‍👦", BLUESKY), 1);
        assert_eq!(measure("🇫🇷", BLUESKY), 1);
        // Mastodon's composer counts every scalar value of the sequence.
        assert_eq!(measure("👨‍👩‍👧‍👦", MASTODON), 7);
    }

    #[test]
    fn a_decomposed_e_acute_counts_one_grapheme_but_two_chars() {
        let decomposed = "e\u{301}";
        assert_eq!(measure(decomposed, BLUESKY), 1);
        assert_eq!(measure(decomposed, MASTODON), 2);
        assert_eq!(measure("é", MASTODON), 1);
    }

    #[test]
    fn a_link_counts_23_characters_on_mastodon() {
        let url = format!("https://www.banque-de-bourgogne.fr/offres/{}", "a".repeat(58));
        assert_eq!(url.chars().count(), 100);
        assert_eq!(measure(&url, MASTODON), 23);
        assert_eq!(measure(&format!("Voir {url} !"), MASTODON), 5 + 23 + 2);
    }

    #[test]
    fn two_links_count_23_each_on_mastodon() {
        let text = "Crédit : https://exemple.fr/credit-artisan-2025 et https://exemple.fr/a";
        assert_eq!(measure(text, MASTODON), "Crédit : ".chars().count() + 23 + " et ".len() + 23);
    }

    #[test]
    fn a_bare_domain_counts_its_own_length_on_mastodon() {
        let text = "banque-de-bourgogne.fr/offres/credit-artisan";
        assert_eq!(find_urls(text), vec![0..text.len()]);
        assert_eq!(measure(text, MASTODON), text.chars().count());
    }

    #[test]
    fn bluesky_counts_links_in_full() {
        let text = "https://exemple.fr/une-page-assez-longue-pour-depasser-vingt-trois";
        assert_eq!(measure(text, BLUESKY), text.len());
    }

    #[test]
    fn urls_are_found_with_byte_ranges_around_accented_text() {
        let text = "Voilà l’offre : https://exemple.fr/crédit, et aussi banque.fr. Pas ftp://fichiers.fr ni alice@banque.fr.";
        let found: Vec<&str> = find_urls(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["https://exemple.fr/crédit", "banque.fr"]);
    }

    #[test]
    fn hashtags_need_the_start_or_a_space_before_them() {
        let text = "#Crédit en C# : voir page.html#tarifs\n#BanqueDeBourgogne #2025 # seul (#non)";
        let found: Vec<&str> = find_hashtags(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["#Crédit", "#BanqueDeBourgogne", "#2025"]);
    }

    #[test]
    fn an_empty_charter_finds_nothing() {
        assert!(lint("Prêt gratuit, 100% sans frais ! #a #b #c #d #e #f", &Charter::default()).is_empty());
        assert!(lint("", &Charter::default()).is_empty());
    }

    #[test]
    fn a_word_to_avoid_is_flagged_whatever_its_case() {
        let text = "Gratuit! Vraiment GRATUIT, gratuit.";
        let findings = lint(text, &charter_avoiding(&["gratuit"]));
        assert_eq!(flagged(text, &findings), ["Gratuit", "GRATUIT", "gratuit"]);
        let first = &findings[0];
        assert_eq!(first.severity, Severity::Warning);
        assert_eq!(first.code, "lint-word-to-avoid");
        assert_eq!(first.subject, "gratuit");
        assert_eq!(first.message, "“gratuit” is on the brand's list of words to avoid");
    }

    #[test]
    fn a_word_to_avoid_is_flagged_with_or_without_its_accents() {
        let text = "Un credit, un CRÉDIT, un crédit, un cre\u{301}dit, un gratuït.";
        let findings = lint(text, &charter_avoiding(&["crédit", "gratuit"]));
        assert_eq!(flagged(text, &findings), ["credit", "CRÉDIT", "crédit", "cre\u{301}dit", "gratuït"]);
        assert!(findings[..4].iter().all(|f| f.subject == "crédit"));
    }

    #[test]
    fn a_word_inside_a_longer_word_is_not_flagged() {
        let text = "Ouverture gratuitement, sans ingratuit ni gratuit_2025.";
        assert!(lint(text, &charter_avoiding(&["gratuit"])).is_empty());
    }

    #[test]
    fn a_hashtag_made_of_a_word_to_avoid_is_flagged() {
        let text = "Offre #gratuit";
        assert_eq!(flagged(text, &lint(text, &charter_avoiding(&["gratuit"]))), ["gratuit"]);
    }

    #[test]
    fn spans_point_at_the_original_text_after_multibyte_characters() {
        let text = "Œuvres d’art, cœur 💛 : ÉTÉ GRATUIT à l’agence, prêt gratuït.";
        let findings = lint(text, &charter_avoiding(&["gratuit", "coeur", "l'agence"]));
        assert_eq!(flagged(text, &findings), ["cœur", "GRATUIT", "l’agence", "gratuït"]);
    }

    #[test]
    fn a_span_keeps_the_combining_accent_of_a_decomposed_letter() {
        let text = "Le cafe\u{301} offert";
        let findings = lint(text, &charter_avoiding(&["café"]));
        assert_eq!(flagged(text, &findings), ["cafe\u{301}"]);
    }

    #[test]
    fn a_phrase_matches_across_spaces_of_any_kind() {
        let text = "Compte 100% sans frais, puis 100%\u{a0}sans\nFRAIS.";
        let findings = lint(text, &charter_avoiding(&["100%  sans frais"]));
        assert_eq!(flagged(text, &findings), ["100% sans frais", "100%\u{a0}sans\nFRAIS"]);
    }

    #[test]
    fn a_phrase_is_not_matched_when_other_words_come_between() {
        let text = "100% en ligne, sans frais, et 1100% sans frais";
        assert!(lint(text, &charter_avoiding(&["100% sans frais"])).is_empty());
    }

    #[test]
    fn a_word_listed_twice_is_flagged_once() {
        let text = "Gratuit";
        assert_eq!(lint(text, &charter_avoiding(&["gratuit", "GRATUIT"])).len(), 1);
    }

    #[test]
    fn mandatory_items_are_found_ignoring_case_and_accents() {
        let charter =
            Charter { mandatory: vec!["Crédit Artisan".into(), "#BanqueDeBourgogne".into(), "@relais".into()], ..Charter::default() };
        let text = "Le CREDIT artisan arrive ! #banquedebourgogne avec @Relais";
        assert!(lint(text, &charter).is_empty());
    }

    #[test]
    fn a_missing_mandatory_hashtag_is_a_warning_without_span() {
        let charter = Charter { mandatory: vec!["#BanqueDeBourgogne".into()], ..Charter::default() };
        let findings = lint("Le Crédit Artisan arrive #BanqueDeBourgogneOfficiel", &charter);
        assert_eq!(
            findings,
            [Finding {
                severity: Severity::Warning,
                code: "lint-missing-mandatory",
                subject: "#BanqueDeBourgogne".into(),
                span: None,
                message: "The brand charter requires “#BanqueDeBourgogne” in every post".into(),
            }]
        );
    }

    #[test]
    fn too_many_hashtags_is_a_blocking_error_with_the_count() {
        let charter = Charter { max_hashtags: Some(2), ..Charter::default() };
        let text = "#Crédit #Artisan #Bourgogne #PME";
        let findings = lint(text, &charter);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.code, "lint-too-many-hashtags");
        assert_eq!(finding.subject, "4");
        assert_eq!(&text[finding.span.clone().unwrap()], "#Bourgogne");
        assert!(finding.message.contains('4') && finding.message.contains('2'), "{}", finding.message);
    }

    #[test]
    fn as_many_hashtags_as_allowed_is_fine() {
        let charter = Charter { max_hashtags: Some(2), ..Charter::default() };
        assert!(lint("#Crédit #Artisan, voir exemple.fr/#tarifs", &charter).is_empty());
        let none_allowed = Charter { max_hashtags: Some(0), ..Charter::default() };
        assert_eq!(lint("#Crédit", &none_allowed).len(), 1);
    }

    #[test]
    fn findings_are_sorted_by_position_with_missing_items_last() {
        let charter = Charter {
            words_to_avoid: vec!["sans frais".into(), "gratuit".into()],
            mandatory: vec!["#BanqueDeBourgogne".into()],
            max_hashtags: Some(1),
            tone_notes: "Vouvoiement, pas de superlatifs.".into(),
        };
        let text = "Gratuit et sans frais #un #deux";
        let codes: Vec<(&str, Option<Range<usize>>)> = lint(text, &charter).into_iter().map(|f| (f.code, f.span)).collect();
        assert_eq!(
            codes,
            [
                ("lint-word-to-avoid", Some(0..7)),
                ("lint-word-to-avoid", Some(11..21)),
                ("lint-too-many-hashtags", Some(26..31)),
                ("lint-missing-mandatory", None),
            ]
        );
    }
}
