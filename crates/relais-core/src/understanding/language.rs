//! Which language a message is written in, among those Relais understands.
//!
//! whatlang's trigram profiles, restricted to French and English, decide on texts long enough for
//! trigrams to mean something. Social messages are often a few words ("Merci !", "top 👍"): there
//! the common function words of each language vote, and a text with no clear vote is `None`
//! rather than a coin toss that would send the message to the wrong sentiment lexicon.

use super::tokens::Token;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    French,
    English,
}

impl Lang {
    /// The ISO 639-1 code, as stored and shown in filters.
    pub fn code(self) -> &'static str {
        match self {
            Lang::French => "fr",
            Lang::English => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::French),
            "en" => Some(Lang::English),
            _ => None,
        }
    }
}

/// Words frequent in one language and absent (or rare) as words of the other. Folded.
const FRENCH_WORDS: &[&str] = &[
    "le", "la", "les", "des", "du", "au", "aux", "est", "et", "je", "j", "vous", "nous", "tu", "pas", "une", "un", "avec", "pour", "dans",
    "sur", "mon", "ma", "mes", "votre", "vos", "ton", "merci", "bonjour", "bonsoir", "c", "ce", "ca", "qui", "que", "qu", "il", "elle",
    "ils", "sont", "suis", "mais", "tres", "trop", "bien", "rien", "jamais", "toujours", "encore", "deja", "depuis", "quand", "comment",
    "pourquoi", "ou", "y", "l", "d", "n", "ai", "avez", "avoir", "etre", "fait", "faire", "aussi", "chez", "leur", "cette", "ces", "sans",
    "plus", "moins", "oui", "non", "svp", "genial", "nul", "aujourd", "hui",
];
const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "is", "are", "you", "your", "my", "i", "to", "of", "it", "this", "that", "for", "with", "not", "have", "has", "was",
    "were", "thanks", "thank", "hello", "hi", "please", "what", "why", "how", "when", "where", "can", "will", "would", "could", "be",
    "been", "do", "does", "did", "at", "from", "but", "so", "very", "just", "still", "again", "never", "always", "we", "they", "our",
    "their", "get", "got", "love", "great", "awesome", "terrible", "no", "yes", "any", "an", "in", "all", "there", "here", "guys", "today",
    "ve", "ll", "re",
];

/// Below this many letters, trigrams are noise and only the word vote may answer.
const TRIGRAM_MIN_LETTERS: usize = 20;
/// A function-word lead that settles the language without trigrams.
const CLEAR_VOTE: usize = 2;
/// whatlang's confidence under which its answer is set aside for the word vote.
const TRIGRAM_MIN_CONFIDENCE: f64 = 0.3;

pub(crate) fn detect(prose: &str, tokens: &[Token]) -> Option<Lang> {
    let words: Vec<&str> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let letters = words.iter().map(|w| w.chars().filter(|c| c.is_alphabetic()).count()).sum::<usize>();
    let french = words.iter().filter(|w| FRENCH_WORDS.contains(w)).count();
    let english = words.iter().filter(|w| ENGLISH_WORDS.contains(w)).count();
    let vote = match french.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Lang::French),
        std::cmp::Ordering::Less => Some(Lang::English),
        std::cmp::Ordering::Equal => None,
    };
    // Two function words more of one language outweigh trigrams, which short English questions
    // ("How do I contact lost property?") can make look French.
    if french.abs_diff(english) >= CLEAR_VOTE {
        return vote;
    }
    if letters >= TRIGRAM_MIN_LETTERS {
        // The restricted detector would call German French or English: a text that the full
        // detector reliably places in another language is not one Relais reads.
        if let Some(info) = whatlang::detect(prose)
            && info.is_reliable()
            && !matches!(info.lang(), whatlang::Lang::Fra | whatlang::Lang::Eng)
        {
            return None;
        }
        let detector = whatlang::Detector::with_allowlist(vec![whatlang::Lang::Fra, whatlang::Lang::Eng]);
        if let Some(info) = detector.detect(prose)
            && (info.confidence() >= TRIGRAM_MIN_CONFIDENCE || vote.is_none())
        {
            return match info.lang() {
                whatlang::Lang::Fra => Some(Lang::French),
                whatlang::Lang::Eng => Some(Lang::English),
                _ => None,
            };
        }
    }
    vote
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understanding::tokens::tokenize;

    fn lang(text: &str) -> Option<Lang> {
        let t = tokenize(text);
        detect(&t.prose, &t.tokens)
    }

    #[test]
    fn long_texts_are_recognised() {
        assert_eq!(lang("Bonjour, ma carte bancaire est bloquée depuis hier, que dois-je faire ?"), Some(Lang::French));
        assert_eq!(lang("Hello, my card has been blocked since yesterday, what should I do?"), Some(Lang::English));
        assert_eq!(lang("How do I reset my PIN?"), Some(Lang::English));
    }

    #[test]
    fn short_texts_answer_on_function_words_or_not_at_all() {
        assert_eq!(lang("Merci !"), Some(Lang::French));
        assert_eq!(lang("thanks!!"), Some(Lang::English));
        assert_eq!(lang("ok 👍"), None);
        assert_eq!(lang("Super"), None);
        assert_eq!(lang("🔥🔥🔥"), None);
        assert_eq!(lang("@marque https://exemple.fr"), None);
    }

    #[test]
    fn other_languages_are_not_forced_into_french_or_english() {
        assert_eq!(lang("Guten Tag, meine Bestellung ist leider immer noch nicht angekommen, können Sie helfen?"), None);
        assert_eq!(lang("Buenos días, ¿cuándo abre la tienda del centro? Necesito cambiar una camisa."), None);
    }
}
