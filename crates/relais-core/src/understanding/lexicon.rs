//! The valence lexicons (French, English, emoji), committed as plain TSV next to this module and
//! compiled into the binary. One line: `entry<TAB>valence[<TAB>valence when negated]`, valence
//! from -4 to +4; an entry may be a phrase ("pas de souci", "thanks in advance"). The optional
//! third column says what negation does where flipping the sign would be wrong: "mal" is
//! negative but "pas mal" is praise, "work" is neutral but "does not work" is a complaint.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::language::Lang;
use super::tokens::words_of;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub valence: f32,
    pub negated: Option<f32>,
}

pub(crate) struct Lexicon {
    entries: HashMap<String, Entry>,
    /// The longest phrase, in words: how far ahead a lookup needs to try.
    pub longest: usize,
}

impl Lexicon {
    fn parse(source: &str) -> Lexicon {
        let mut entries = HashMap::new();
        let mut longest = 1;
        for line in source.lines().map(str::trim_end).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut columns = line.split('\t');
            let (Some(entry), Some(valence)) = (columns.next(), columns.next()) else {
                panic!("lexicon line without a valence: {line:?}");
            };
            let parse = |v: &str| v.trim().parse::<f32>().unwrap_or_else(|_| panic!("lexicon valence is not a number: {line:?}"));
            let negated = columns.next().map(parse);
            let words = words_of(entry);
            longest = longest.max(words.len());
            entries.insert(words.join(" "), Entry { valence: parse(valence), negated });
        }
        Lexicon { entries, longest }
    }

    pub fn get(&self, words: &str) -> Option<Entry> {
        self.entries.get(words).copied()
    }
}

static FRENCH: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(include_str!("lexicon/fr.tsv")));
static ENGLISH: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::parse(include_str!("lexicon/en.tsv")));
static EMOJI: LazyLock<HashMap<String, f32>> = LazyLock::new(|| {
    include_str!("lexicon/emoji.tsv")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (emoji, valence) = l.split_once('\t').unwrap_or_else(|| panic!("emoji line without a valence: {l:?}"));
            (emoji.trim_end_matches('\u{FE0F}').to_string(), valence.trim().parse().expect("emoji valence is a number"))
        })
        .collect()
});

/// The lexicons to read a message with: its language's, or both when the language is unknown.
pub(crate) fn for_language(lang: Option<Lang>) -> Vec<&'static Lexicon> {
    match lang {
        Some(Lang::French) => vec![&FRENCH],
        Some(Lang::English) => vec![&ENGLISH],
        None => vec![&FRENCH, &ENGLISH],
    }
}

pub(crate) fn emoji(emoji: &str) -> Option<f32> {
    EMOJI.get(emoji).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_lexicons_parse_and_fold_their_entries() {
        assert!(FRENCH.get("genial").is_some_and(|e| e.valence > 0.0), "accents folded at load");
        assert!(FRENCH.longest >= 2 && ENGLISH.longest >= 2);
        assert!(ENGLISH.get("work").is_some_and(|e| e.negated.is_some_and(|n| n < 0.0)));
        assert!(emoji("😡").is_some_and(|v| v < 0.0));
        assert!(emoji("❤").is_some_and(|v| v > 0.0), "variation selectors are ignored");
    }
}
