//! Full-text search in the inbox, in the listening query language (words, "phrases", `OR`/`OU`,
//! `-exclusions`, parentheses; case and accents ignored, whole words).
//!
//! The store keeps an index of each message's words ([`index_terms`]) and narrows the candidates
//! of a search with the words each alternative requires ([`InboxSearch::alternatives`]); the
//! query itself ([`InboxSearch::matches`]) has the last word, so phrases, exclusions and the
//! words left out of the index are checked exactly.
//!
//! Very common function words ("le", "de", "the", "and", single letters such as the "l" of
//! "l'épargne") are not indexed: they appear in most messages, so their index entries would be
//! a third of the index, cost ingestion time, and narrow nothing. They still count inside a
//! query (`"service après vente"`, `"le crédit"` are checked word for word); only an
//! alternative made of nothing but such words cannot be searched, and is refused with a clear
//! message.

use crate::listening_query::{FoldedText, ListeningQuery, QueryError};

/// Index terms are cut to this many characters (a pasted URL or token can be one long "word");
/// the query's words are cut the same way, and matching checks the whole word.
pub const MAX_TERM_CHARS: usize = 40;

/// Function words of French and English, folded (no accents), that are not indexed. Negations
/// ("pas", "non", "not", "no", "jamais") are kept: they matter in customer care.
const FRENCH_STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles", "en", "est", "et", "il", "ils", "je",
    "la", "le", "les", "leur", "leurs", "lui", "ma", "mais", "me", "mes", "moi", "mon", "nos", "notre", "nous", "on", "ou", "par", "pour",
    "qu", "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre",
    "vous",
];
const ENGLISH_STOP_WORDS: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "he", "her", "his", "in", "is", "it", "its", "me", "my",
    "of", "on", "or", "our", "she", "that", "the", "their", "them", "they", "this", "to", "was", "we", "were", "with", "you", "your",
];

/// Whether the folded word is left out of the index.
pub fn is_stop_word(folded: &str) -> bool {
    // Single letters are elisions ("l'", "d'", "j'") and articles: in nearly every message.
    let mut chars = folded.chars();
    if chars.next().is_some_and(|c| c.is_alphabetic()) && chars.next().is_none() {
        return true;
    }
    FRENCH_STOP_WORDS.contains(&folded) || ENGLISH_STOP_WORDS.contains(&folded)
}

/// The index form of a folded word: cut to [`MAX_TERM_CHARS`] characters.
fn term_of(folded: &str) -> String {
    match folded.char_indices().nth(MAX_TERM_CHARS) {
        Some((end, _)) => folded[..end].to_string(),
        None => folded.to_string(),
    }
}

/// The distinct index terms of a text, in order of first appearance.
pub fn index_terms(text: &str) -> Vec<String> {
    index_terms_of(&FoldedText::new(text))
}

/// The same, for a text already folded.
pub fn index_terms_of(folded: &FoldedText) -> Vec<String> {
    let mut terms: Vec<String> = vec![];
    for word in folded.words() {
        if is_stop_word(word) {
            continue;
        }
        let term = term_of(word);
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

/// Why a search cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The query cannot be read (the listening query's mistakes, with their position); a query
    /// made only of exclusions is one of them.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// An alternative has only words too common to be indexed.
    #[error("“{alternative}” has only very common words (such as “le”, “de”, “the”): add a rarer word to search for")]
    OnlyCommonWords { alternative: String },
}

impl SearchError {
    /// The translation id of the problem, for pages.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::Query(e) => e.problem.code(),
            SearchError::OnlyCommonWords { .. } => "inbox-search-only-common-words",
        }
    }
}

/// A valid inbox search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxSearch {
    query: ListeningQuery,
    alternatives: Vec<Vec<String>>,
}

impl InboxSearch {
    pub fn parse(source: &str) -> Result<Self, SearchError> {
        let query = ListeningQuery::parse(source)?;
        let mut alternatives: Vec<Vec<String>> = vec![];
        for words in query.required_words() {
            let mut terms: Vec<String> = vec![];
            for w in words.iter().filter(|w| !is_stop_word(w)) {
                let t = term_of(w);
                if !terms.contains(&t) {
                    terms.push(t);
                }
            }
            if terms.is_empty() {
                return Err(SearchError::OnlyCommonWords { alternative: words.join(" ") });
            }
            if !alternatives.contains(&terms) {
                alternatives.push(terms);
            }
        }
        Ok(InboxSearch { query, alternatives })
    }

    /// The query as written (trimmed).
    pub fn source(&self) -> &str {
        self.query.source()
    }

    /// For each alternative, the index terms a message must have to be a candidate (at least
    /// one each, at most [`crate::listening_query::MAX_SEARCHES`] alternatives).
    pub fn alternatives(&self) -> &[Vec<String>] {
        &self.alternatives
    }

    /// Whether the message's text matches: the final word on a candidate.
    pub fn matches(&self, text: &str) -> bool {
        self.query.matches(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_folded_distinct_and_skip_common_words() {
        assert_eq!(index_terms("Élodie a été REMBOURSÉE, merci Élodie !"), vec!["elodie", "ete", "remboursee", "merci"]);
        assert_eq!(index_terms("l'épargne de la banque"), vec!["epargne", "banque"]);
        assert_eq!(index_terms("I did not get the refund"), vec!["did", "not", "get", "refund"]);
        assert_eq!(index_terms(&"x".repeat(100)), vec!["x".repeat(MAX_TERM_CHARS)]);
    }

    #[test]
    fn a_search_narrows_by_the_rare_words_of_each_alternative() {
        let s = InboxSearch::parse("(remboursement OR \"le colis\") -merci").unwrap();
        assert_eq!(s.alternatives(), &[vec!["remboursement".to_string()], vec!["colis".to_string()]]);
        assert!(s.matches("Où est le COLIS ?"));
        assert!(!s.matches("Le colis est là, merci"));
        assert!(!s.matches("un colis"), "the phrase is checked whole, common word included");
    }

    #[test]
    fn a_search_of_common_words_or_exclusions_only_is_refused() {
        assert!(matches!(InboxSearch::parse("le OR la"), Err(SearchError::OnlyCommonWords { .. })));
        let e = InboxSearch::parse("-colis").unwrap_err();
        assert_eq!(e.to_string(), "character 1: this part only leaves words out: add a word that must appear");
        assert_eq!(e.code(), "listening-error-only-exclusions");
    }
}
