//! Social-media text cut into the tokens the classifiers read: folded words (lowercase, no
//! accents), emoji and emoticons, and clause breaks. Links and @mentions are dropped (they carry
//! no sentiment and would mislead the language detector); a hashtag keeps its word (#fail).

use crate::text_rules::{find_urls, fold};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A folded word; `shouting` when written in capitals (two letters or more).
    Word { text: String, shouting: bool },
    /// One emoji or a typed emoticon such as ":)".
    Emoji(String),
    /// Punctuation that ends a clause: negation and intensifiers do not cross it.
    Break,
}

/// What the tokenizer saw besides the tokens, for the punctuation and spam cues.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    pub tokens: Vec<Token>,
    pub links: usize,
    pub exclamations: usize,
    pub questions: usize,
    /// "..." or "…": in a message that mixes praise and complaint, usually irony.
    pub ellipsis: bool,
    /// The text without links and mentions, for the language detector.
    pub prose: String,
}

const EMOTICONS: &[&str] = &[":)", ":-)", ":D", ":-D", ";)", ";-)", ":(", ":-(", ":'(", ":/", ":-/", "<3", ":p", ":P", "xD", "XD"];

pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens::default();
    let mut without_links = String::with_capacity(text.len());
    let mut last = 0;
    for range in find_urls(text) {
        without_links.push_str(&text[last..range.start]);
        without_links.push(' ');
        last = range.end;
        out.links += 1;
    }
    without_links.push_str(&text[last..]);

    out.ellipsis = without_links.contains("...") || without_links.contains('…');
    for chunk in without_links.split_whitespace() {
        if chunk.starts_with('@') && chunk.len() > 1 {
            continue;
        }
        out.prose.push_str(chunk.trim_start_matches('#'));
        out.prose.push(' ');
        let trimmed = chunk.trim_matches(|c: char| matches!(c, '.' | ',' | '!' | '?'));
        if EMOTICONS.contains(&trimmed) {
            out.tokens.push(Token::Emoji(trimmed.to_string()));
            out.exclamations += chunk.matches('!').count();
            continue;
        }
        scan_chunk(chunk, &mut out);
    }
    out
}

/// Splits one whitespace-free chunk into words, emoji and breaks.
fn scan_chunk(chunk: &str, out: &mut Tokens) {
    let mut word = String::new();
    for c in chunk.chars() {
        if c.is_alphanumeric() || (is_apostrophe(c) && !word.is_empty()) {
            word.push(c);
            continue;
        }
        push_word(&mut word, out);
        match c {
            '!' => {
                out.exclamations += 1;
                out.tokens.push(Token::Break);
            }
            '?' => {
                out.questions += 1;
                out.tokens.push(Token::Break);
            }
            '.' | ';' | ',' | ':' | '(' | ')' => out.tokens.push(Token::Break),
            // Variation selectors, joiners and skin tones belong to the emoji before them.
            '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' => {}
            c if is_emoji(c) => out.tokens.push(Token::Emoji(c.to_string())),
            _ => {}
        }
    }
    push_word(&mut word, out);
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}')
}

fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F300}'..='\u{1FAFF}' | '\u{2B50}')
}

/// Folds the word and splits its apostrophes: English "n't" becomes "not" ("don't" → "do not"),
/// French elisions stand apart ("l'offre" → "l offre", "n'est" → "n est").
fn push_word(word: &mut String, out: &mut Tokens) {
    if word.is_empty() {
        return;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let shouting = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    let folded = fold(word);
    let folded = folded.trim_end_matches('\'');
    let expanded = match folded.strip_suffix("n't") {
        Some(stem) => format!("{stem} not"),
        None if folded == "cannot" => "can not".to_string(),
        None => folded.replace('\'', " "),
    };
    for part in expanded.split_whitespace() {
        out.tokens.push(Token::Word { text: part.to_string(), shouting });
    }
    word.clear();
}

/// The folded words of a lexicon entry, cut exactly as messages are cut.
pub(crate) fn words_of(entry: &str) -> Vec<String> {
    tokenize(entry)
        .tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        words_of(text)
    }

    #[test]
    fn links_and_mentions_are_dropped_hashtags_keep_their_word() {
        let t = tokenize("@SNCF train en retard https://exemple.fr/x #fail");
        assert_eq!(t.links, 1);
        assert_eq!(words("@SNCF train en retard https://exemple.fr/x #fail"), ["train", "en", "retard", "fail"]);
        assert!(!t.prose.contains("SNCF") && !t.prose.contains("exemple"));
    }

    #[test]
    fn contractions_and_elisions_are_split_and_accents_folded() {
        assert_eq!(words("It doesn't work"), ["it", "does", "not", "work"]);
        assert_eq!(words("L’équipe n'est pas géniale"), ["l", "equipe", "n", "est", "pas", "geniale"]);
    }

    #[test]
    fn emoji_and_emoticons_are_tokens() {
        let t = tokenize("Bravo 👏🏽 :) ❤️!");
        let emoji: Vec<_> = t.tokens.iter().filter(|t| matches!(t, Token::Emoji(_))).collect();
        assert_eq!(emoji.len(), 3, "{:?}", t.tokens);
        assert_eq!(t.exclamations, 1);
    }
}
