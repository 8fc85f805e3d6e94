//! Toxicity and spam: a 0..1 score and the cues that raised it, so a moderator (or a rule) sees
//! why. Each cue has a weight; cues combine as independent evidence, 1 − Π(1 − weight), so two
//! weak cues score higher than one but nothing exceeds 1.

use super::tokens::{Token, Tokens};

/// Why a message scored as toxic or spam; the matched words are kept for the moderator.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "cue", rename_all = "snake_case")]
pub enum Reason {
    Insult { word: String },
    Threat { phrase: String },
    Profanity { word: String },
    Links { count: usize },
    AllCaps,
    RepeatedCharacters,
    MoneyBait { word: String },
}

impl Reason {
    fn weight(&self) -> f32 {
        match self {
            Reason::Threat { .. } => 0.9,
            Reason::Insult { .. } => 0.7,
            Reason::MoneyBait { .. } => 0.45,
            Reason::Profanity { .. } => 0.3,
            Reason::Links { count } if *count >= 3 => 0.5,
            Reason::Links { .. } => 0.25,
            Reason::AllCaps => 0.2,
            Reason::RepeatedCharacters => 0.15,
        }
    }
}

const INSULTS: &[&str] = &[
    "idiot",
    "idiots",
    "stupid",
    "moron",
    "morons",
    "dumb",
    "asshole",
    "assholes",
    "bastard",
    "bastards",
    "bitch",
    "scum",
    "loser",
    "losers",
    "imbecile",
    "imbeciles",
    "connard",
    "connards",
    "connasse",
    "con",
    "cons",
    "abruti",
    "abrutis",
    "debile",
    "debiles",
    "cretin",
    "cretins",
    "salaud",
    "salauds",
    "salope",
    "encule",
    "encules",
    "batard",
    "batards",
    "pute",
    "tocard",
    "tocards",
    "bouffon",
    "bouffons",
    "minable",
    "minables",
    "clown",
    "clowns",
    "escroc",
    "escrocs",
];
const PROFANITY: &[&str] =
    &["fuck", "fucking", "fucked", "shit", "damn", "crap", "wtf", "merde", "putain", "bordel", "chier", "fait chier"];
const THREATS: &[&str] = &[
    "kill you",
    "i will kill",
    "i ll kill",
    "gonna kill",
    "burn down",
    "you will pay",
    "watch your back",
    "i know where you live",
    "je vais te tuer",
    "je vais vous tuer",
    "vous tuer",
    "te tuer",
    "on sait ou tu habites",
    "je sais ou tu habites",
    "vous allez le payer",
    "tu vas le payer",
    "faire sauter",
    "mettre le feu",
    "casser la gueule",
    "peter la gueule",
];
const MONEY_BAIT: &[&str] = &[
    "bitcoin",
    "btc",
    "crypto",
    "cryptos",
    "ethereum",
    "eth",
    "usdt",
    "airdrop",
    "nft",
    "giveaway",
    "forex",
    "invest",
    "investment",
    "profit",
    "profits",
    "earn",
    "gagnez",
    "gagner",
    "argent facile",
    "easy money",
    "free money",
    "dm me",
    "whatsapp",
    "telegram",
    "double your",
    "doublez",
    "100 guaranteed",
    "garanti 100",
    "casino",
    "crypto wallet",
    "click here",
    "cliquez ici",
];

pub(crate) fn assess(text: &str, tokens: &Tokens) -> (f32, Vec<Reason>) {
    let words: Vec<&str> = tokens
        .tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let mut reasons = Vec::new();
    for (list, make) in [
        (INSULTS, (|w: String| Reason::Insult { word: w }) as fn(String) -> Reason),
        (PROFANITY, |w| Reason::Profanity { word: w }),
        (THREATS, |p| Reason::Threat { phrase: p }),
        (MONEY_BAIT, |w| Reason::MoneyBait { word: w }),
    ] {
        if let Some(found) = list.iter().find(|entry| contains_phrase(&words, entry)) {
            reasons.push(make(found.to_string()));
        }
    }
    if tokens.links >= 2 {
        reasons.push(Reason::Links { count: tokens.links });
    }
    let letters: Vec<char> = tokens.prose.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 12 && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 8 {
        reasons.push(Reason::AllCaps);
    }
    if has_run(text, 5) {
        reasons.push(Reason::RepeatedCharacters);
    }
    let score = 1.0 - reasons.iter().map(|r| 1.0 - r.weight()).product::<f32>();
    (score, reasons)
}

/// Whether the folded words contain `phrase` as whole consecutive words.
fn contains_phrase(words: &[&str], phrase: &str) -> bool {
    let wanted: Vec<&str> = phrase.split(' ').collect();
    words.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// A character repeated `n` times or more in a row ("!!!!!", "nooooooo"); spaces do not count.
fn has_run(text: &str, n: usize) -> bool {
    let mut run = 0;
    let mut previous = None;
    for c in text.chars() {
        run = if Some(c) == previous && !c.is_whitespace() { run + 1 } else { 1 };
        if run >= n {
            return true;
        }
        previous = Some(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understanding::tokens::tokenize;

    fn assess_text(text: &str) -> (f32, Vec<Reason>) {
        assess(text, &tokenize(text))
    }

    #[test]
    fn a_plain_complaint_is_not_toxic() {
        let (score, reasons) = assess_text("Mon colis est en retard, pouvez-vous vérifier ? Merci");
        assert_eq!((score, reasons), (0.0, vec![]));
    }

    #[test]
    fn insults_and_threats_are_named_accent_and_case_insensitively() {
        let (score, reasons) = assess_text("Bande de CONNARDS, je vais vous tuer");
        assert!(reasons.contains(&Reason::Insult { word: "connards".into() }), "{reasons:?}");
        assert!(reasons.contains(&Reason::Threat { phrase: "je vais vous tuer".into() }), "{reasons:?}");
        assert!(score > 0.95, "{score}");
        let (_, reasons) = assess_text("Espèce de débile");
        assert_eq!(reasons, vec![Reason::Insult { word: "debile".into() }]);
        // "con" is a word of its own, not a part of "contact".
        assert_eq!(assess_text("Contactez le service client").1, vec![]);
    }

    #[test]
    fn spam_cues_add_up() {
        let (score, reasons) = assess_text("FREE BITCOIN GIVEAWAY!!!!! https://a.example/x https://b.example/y DM me");
        assert!(reasons.contains(&Reason::MoneyBait { word: "bitcoin".into() }), "{reasons:?}");
        assert!(reasons.contains(&Reason::Links { count: 2 }));
        assert!(reasons.contains(&Reason::AllCaps));
        assert!(reasons.contains(&Reason::RepeatedCharacters));
        let (one_cue, _) = assess_text("Gagnez un bitcoin");
        assert!(score > one_cue && score < 1.0, "{score} vs {one_cue}");
    }
}
