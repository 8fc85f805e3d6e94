//! Understanding an inbox message: its language, its sentiment and how toxic or spammy it is.
//!
//! Everything runs offline, in the binary: a trigram language detector restricted to French and
//! English, a customer-care valence lexicon with negation rules for the sentiment, and a cue list
//! for toxicity and spam. The sentiment's accuracy is measured by `tests/sentiment_accuracy.rs`
//! on hand-written messages kept apart from the lexicons.

pub mod language;
mod lexicon;
pub mod sentiment;
mod tokens;
pub mod toxicity;

pub use language::Lang;
pub use sentiment::Sentiment;
pub use toxicity::Reason;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Understanding {
    /// `None` when the text is too short or too mixed to tell.
    pub language: Option<Lang>,
    pub sentiment: Sentiment,
    /// From -1 (very negative) to 1 (very positive).
    pub sentiment_score: f32,
    /// From 0 (clean) to 1 (certainly toxic or spam).
    pub toxicity: f32,
    /// The toxicity and spam cues that fired.
    pub reasons: Vec<Reason>,
}

pub fn understand(text: &str) -> Understanding {
    let tokens = tokens::tokenize(text);
    let language = language::detect(&tokens.prose, &tokens.tokens);
    let (sentiment, sentiment_score) = sentiment::score(&tokens, language);
    let (toxicity, reasons) = toxicity::assess(text, &tokens);
    Understanding { language, sentiment, sentiment_score, toxicity, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_call_gives_language_sentiment_and_toxicity() {
        let u = understand("@Banque Toujours aucune réponse à ma réclamation, bande d'incompétents 😡");
        assert_eq!(u.language, Some(Lang::French));
        assert_eq!(u.sentiment, Sentiment::Negative);
        assert!(u.sentiment_score < -0.5, "{u:?}");
        let u = understand("Loved the new winter menu, the staff were lovely ❤️ https://cafe.example/menu");
        assert_eq!((u.language, u.sentiment), (Some(Lang::English), Sentiment::Positive));
        assert_eq!((u.toxicity, u.reasons), (0.0, vec![]));
    }
}
