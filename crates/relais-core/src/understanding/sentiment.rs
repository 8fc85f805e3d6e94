//! Sentiment of a customer message: positive, neutral or negative, with a score in -1..1.
//!
//! Method: a rule-based valence lexicon in the manner of VADER (Hutto & Gilbert, 2014), with
//! hand-curated French and English lexicons aimed at customer care (delays, refunds, "ne marche
//! pas", "still waiting" weigh as much as "nul" or "awful"). Why not a trained model: there is no
//! openly licensed French customer-message corpus to train on offline, a model trained on movie
//! or product reviews transfers badly to short questions and complaints, and a lexicon is a few
//! kilobytes in the binary, explains itself (the entries that fired) and is corrected by editing a
//! line. The rules cover what a bag of words gets wrong in these messages:
//! - negation, before the word ("pas content", "not happy", "never arrived") or, in French, around
//!   it ("ne fonctionne pas"), with per-entry overrides ("pas mal" is praise);
//! - intensifiers and downtoners ("très", "vraiment", "so", "a bit"), capitals ("NUL");
//! - a contrast ("mais", "but") gives the last clause more weight than the first;
//! - emoji and emoticons, and exclamation marks that push the score further the way it leans;
//! - in a question, mild words are mostly the topic ("a lost card", "the complaints form"), so
//!   they weigh less;
//! - praise next to a clear complaint reads as irony when an ellipsis follows or when the praise
//!   is a lone opening word ("Génial, encore une panne...", "Great, another delay");
//! - politeness formulas ("merci d'avance", "thanks in advance") weigh nothing, so a polite
//!   question stays neutral.

use super::language::Lang;
use super::lexicon::{self, Lexicon};
use super::tokens::{Token, Tokens};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }

    pub fn parse(value: &str) -> Option<Sentiment> {
        match value {
            "positive" => Some(Sentiment::Positive),
            "neutral" => Some(Sentiment::Neutral),
            "negative" => Some(Sentiment::Negative),
            _ => None,
        }
    }
}

/// Scores at or beyond this (either way) leave neutral: one mild word ("merci", "ok") does not.
const THRESHOLD: f32 = 0.25;
/// VADER's normalisation constant: sum / sqrt(sum² + ALPHA) maps any sum into -1..1.
const ALPHA: f32 = 15.0;

const NEGATORS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "hardly", "pas", "jamais", "rien", "aucun", "aucune",
    "sans", "ni", "personne",
];
/// French negation closing after the verb when "ne" opened it: "ne fonctionne pas".
const FRENCH_CLOSERS: &[&str] = &["pas", "jamais", "plus", "rien", "guere", "aucunement"];
const BOOSTERS: &[(&str, f32)] = &[
    ("very", 1.3),
    ("so", 1.3),
    ("really", 1.3),
    ("extremely", 1.5),
    ("incredibly", 1.5),
    ("totally", 1.3),
    ("completely", 1.4),
    ("absolutely", 1.4),
    ("super", 1.3),
    ("too", 1.2),
    ("such", 1.2),
    ("tres", 1.3),
    ("vraiment", 1.3),
    ("tellement", 1.4),
    ("trop", 1.3),
    ("hyper", 1.4),
    ("grave", 1.3),
    ("completement", 1.4),
    ("totalement", 1.3),
    ("absolument", 1.4),
    ("extremement", 1.5),
    ("vachement", 1.3),
    ("si", 1.2),
    ("encore", 1.2),
    ("again", 1.2),
    ("another", 1.2),
    ("slightly", 0.6),
    ("somewhat", 0.7),
    ("bit", 0.7),
    ("little", 0.7),
    ("peu", 0.7),
    ("plutot", 0.8),
    ("assez", 0.8),
];
const CONTRASTS: &[&str] = &["but", "however", "although", "though", "mais", "cependant", "pourtant", "neanmoins", "toutefois"];

struct Hit {
    start: usize,
    end: usize,
    valence: f32,
}

/// Below this strength (absolute valence), a word in a question is taken for its topic.
const MILD: f32 = 2.0;
const QUESTION_DAMPING: f32 = 0.5;
/// How negative the rest of a message must be for opening praise to read as irony.
const IRONY_CONTRAST: f32 = -1.5;

/// The sentiment of tokenized text read with the lexicons of `lang` (both when unknown).
pub(crate) fn score(text: &Tokens, lang: Option<Lang>) -> (Sentiment, f32) {
    let (tokens, exclamations) = (text.tokens.as_slice(), text.exclamations);
    let lexicons = lexicon::for_language(lang);
    let words: Vec<Option<&str>> = tokens
        .iter()
        .map(|t| match t {
            Token::Word { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let all_shouting = tokens.iter().all(|t| !matches!(t, Token::Word { shouting: false, .. }));
    let contrast = words.iter().rposition(|w| w.is_some_and(|w| CONTRASTS.contains(&w)));

    let mut hits = hits(tokens, &words, &lexicons);
    read_irony(&mut hits, tokens, text.ellipsis);
    let questioning = text.questions > 0 && exclamations == 0;
    let mut sum = 0.0;
    for hit in hits {
        let mut valence = hit.valence;
        if questioning && valence.abs() < MILD {
            valence *= QUESTION_DAMPING;
        }
        if let Token::Word { shouting: true, .. } = tokens[hit.start]
            && !all_shouting
        {
            valence *= 1.4;
        }
        if let Some(c) = contrast {
            valence *= if hit.start > c { 1.5 } else { 0.5 };
        }
        sum += valence;
    }
    if sum != 0.0 {
        sum += sum.signum() * 0.3 * exclamations.min(4) as f32;
    }
    let compound = sum / (sum * sum + ALPHA).sqrt();
    let sentiment = if compound >= THRESHOLD {
        Sentiment::Positive
    } else if compound <= -THRESHOLD {
        Sentiment::Negative
    } else {
        Sentiment::Neutral
    };
    (sentiment, compound)
}

/// Turns praise into complaint where the message reads as irony: positive and clearly negative
/// words together, with an ellipsis or with the praise alone in the opening clause.
fn read_irony(hits: &mut [Hit], tokens: &[Token], ellipsis: bool) {
    let first_break = tokens.iter().position(|t| *t == Token::Break).unwrap_or(tokens.len());
    let negative: f32 = hits.iter().filter(|h| h.valence < 0.0).map(|h| h.valence).sum();
    if negative > IRONY_CONTRAST {
        return;
    }
    let opening_praise = first_break <= 2 && hits.iter().any(|h| h.valence > 0.0 && h.end <= first_break);
    for hit in hits.iter_mut().filter(|h| h.valence > 0.0) {
        if ellipsis || (opening_praise && hit.end <= first_break) {
            hit.valence = -hit.valence;
        }
    }
}

/// Every lexicon entry and emoji found, longest phrase first, with negation and boosters applied.
fn hits(tokens: &[Token], words: &[Option<&str>], lexicons: &[&Lexicon]) -> Vec<Hit> {
    let longest = lexicons.iter().map(|l| l.longest).max().unwrap_or(1);
    let mut hits = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Token::Emoji(e) = &tokens[i] {
            if let Some(valence) = lexicon::emoji(e) {
                hits.push(Hit { start: i, end: i + 1, valence });
            }
            i += 1;
            continue;
        }
        let found = (1..=longest).rev().find_map(|n| {
            let phrase = words.get(i..i + n)?.iter().copied().collect::<Option<Vec<_>>>()?.join(" ");
            lexicons.iter().find_map(|l| l.get(&phrase)).map(|entry| (n, entry))
        });
        let Some((n, entry)) = found else {
            i += 1;
            continue;
        };
        // "super lent": a booster that is also a lexicon word boosts what follows instead.
        if n == 1 && BOOSTERS.iter().any(|(b, _)| Some(*b) == words[i]) && next_is_hit(words, i + 1, lexicons) {
            i += 1;
            continue;
        }
        let valence = if negated(words, i, i + n) {
            entry.negated.unwrap_or(if entry.valence > 0.0 { -0.8 * entry.valence } else { -0.5 * entry.valence })
        } else {
            entry.valence
        };
        hits.push(Hit { start: i, end: i + n, valence: valence * boost(words, i) });
        i += n;
    }
    debug_assert!(hits.iter().all(|h| h.end > h.start));
    hits
}

fn next_is_hit(words: &[Option<&str>], i: usize, lexicons: &[&Lexicon]) -> bool {
    words.get(i).copied().flatten().is_some_and(|w| lexicons.iter().any(|l| l.get(w).is_some_and(|e| e.valence != 0.0)))
}

/// The words before `start` in the same clause, nearest first, at most `n`.
fn before<'a>(words: &[Option<&'a str>], start: usize, n: usize) -> impl Iterator<Item = &'a str> {
    words[..start].iter().rev().take(n).map_while(|w| *w)
}

fn negated(words: &[Option<&str>], start: usize, end: usize) -> bool {
    let preceding: Vec<&str> = before(words, start, 3).collect();
    if preceding.iter().any(|w| NEGATORS.contains(w)) {
        return true;
    }
    // "ne ... plus" only: "plus" alone means "more".
    let opened = preceding.iter().any(|w| *w == "ne" || *w == "n");
    if opened && preceding.contains(&"plus") {
        return true;
    }
    opened && words[end..].iter().take(2).map_while(|w| *w).any(|w| FRENCH_CLOSERS.contains(&w))
}

fn boost(words: &[Option<&str>], start: usize) -> f32 {
    before(words, start, 2).filter_map(|w| BOOSTERS.iter().find(|(b, _)| *b == w).map(|(_, f)| *f)).product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understanding::tokens::tokenize;

    fn sentiment(text: &str, lang: Option<Lang>) -> (Sentiment, f32) {
        score(&tokenize(text), lang)
    }

    #[test]
    fn negation_flips_french_and_english_before_and_around_the_word() {
        let fr = Some(Lang::French);
        let en = Some(Lang::English);
        assert_eq!(sentiment("Je suis content du service", fr).0, Sentiment::Positive);
        assert_eq!(sentiment("Je ne suis pas content du service", fr).0, Sentiment::Negative);
        assert_eq!(sentiment("L'appli ne fonctionne pas depuis hier", fr).0, Sentiment::Negative);
        assert_eq!(sentiment("Jamais satisfait de ce magasin", fr).0, Sentiment::Negative);
        assert_eq!(sentiment("I am happy with the service", en).0, Sentiment::Positive);
        assert_eq!(sentiment("I am not happy with the service", en).0, Sentiment::Negative);
        assert_eq!(sentiment("The app doesn't work since the update", en).0, Sentiment::Negative);
        assert_eq!(sentiment("My parcel never arrived", en).0, Sentiment::Negative);
    }

    #[test]
    fn negated_negatives_lean_positive_where_the_language_says_so() {
        assert_eq!(sentiment("Franchement pas mal du tout, le nouveau menu", Some(Lang::French)).0, Sentiment::Positive);
        assert_eq!(sentiment("C'est pas terrible comme accueil", Some(Lang::French)).0, Sentiment::Negative);
        assert!(sentiment("not bad at all", Some(Lang::English)).1 > 0.0);
    }

    #[test]
    fn emoji_and_emoticons_carry_sentiment_alone() {
        assert_eq!(sentiment("😍😍", None).0, Sentiment::Positive);
        assert_eq!(sentiment("😡👎", None).0, Sentiment::Negative);
        assert_eq!(sentiment("commande reçue :)", Some(Lang::French)).0, Sentiment::Positive);
    }

    #[test]
    fn intensifiers_capitals_and_exclamations_push_further() {
        let en = Some(Lang::English);
        let plain = sentiment("the service is good", en).1;
        assert!(sentiment("the service is very good", en).1 > plain);
        assert!(sentiment("the service is GOOD", en).1 > plain);
        assert!(sentiment("the service is good!!", en).1 > plain);
    }

    #[test]
    fn opening_praise_before_a_complaint_and_an_ellipsis_read_as_irony() {
        assert_eq!(sentiment("Génial, encore une panne ce matin", Some(Lang::French)).0, Sentiment::Negative);
        assert_eq!(sentiment("Great, another delay on this line", Some(Lang::English)).0, Sentiment::Negative);
        assert_eq!(sentiment("Bravo pour le retard de trois heures...", Some(Lang::French)).0, Sentiment::Negative);
        // Praise beside a mild problem, solved, stays praise.
        assert_eq!(sentiment("Merci, petit souci réglé en cinq minutes !", Some(Lang::French)).0, Sentiment::Positive);
    }

    #[test]
    fn a_mild_word_in_a_question_is_its_topic() {
        assert_eq!(sentiment("How long does it take to block a lost card?", Some(Lang::English)).0, Sentiment::Neutral);
        assert_eq!(sentiment("My card was lost and nobody answers, this is ridiculous!", Some(Lang::English)).0, Sentiment::Negative);
    }

    #[test]
    fn polite_questions_stay_neutral_and_the_last_clause_wins() {
        assert_eq!(sentiment("Bonjour, quels sont vos horaires samedi ? Merci d'avance", Some(Lang::French)).0, Sentiment::Neutral);
        assert_eq!(sentiment("Hi, do you deliver to Lyon? Thanks in advance", Some(Lang::English)).0, Sentiment::Neutral);
        assert_eq!(sentiment("The staff were nice but the wait was awful", Some(Lang::English)).0, Sentiment::Negative);
        assert_eq!(sentiment("Un peu d'attente mais le café est excellent", Some(Lang::French)).0, Sentiment::Positive);
    }
}
