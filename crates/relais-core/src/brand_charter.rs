//! The brand charter with per-network rules: one base charter for every post, and for each network
//! extra words to avoid, extra mandatory items and its own hashtag limit. The composer lints a
//! variant against [`BrandCharter::for_network`] of its account's network.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text_rules::Charter;
use crate::values::ValidationError;

/// The network keys the charter editor offers, in the order shown.
pub const NETWORK_KEYS: [&str; 3] = ["bluesky", "mastodon", "sandbox"];

/// The names of a network's fields in errors, in the order of [`NETWORK_KEYS`].
const NETWORK_FIELDS: [[&str; 3]; 3] = [
    ["bluesky.words_to_avoid", "bluesky.mandatory", "bluesky.max_hashtags"],
    ["mastodon.words_to_avoid", "mastodon.mandatory", "mastodon.max_hashtags"],
    ["sandbox.words_to_avoid", "sandbox.mandatory", "sandbox.max_hashtags"],
];

/// The most items a list of the charter may hold, and the longest item.
pub const MAX_ITEMS: usize = 200;
pub const MAX_ITEM_CHARS: usize = 100;
/// A hashtag limit above this is a typo: no network shows that many usefully.
pub const MAX_HASHTAGS_LIMIT: usize = 100;
pub const MAX_TONE_NOTES_CHARS: usize = 5000;

/// The names of a network's three fields in errors (words to avoid, mandatory, hashtag limit),
/// e.g. `mastodon.max_hashtags`; `None` for a key that is not a network.
pub fn network_fields(key: &str) -> Option<[&'static str; 3]> {
    NETWORK_KEYS.iter().position(|k| *k == key).map(|index| NETWORK_FIELDS[index])
}

/// What one network adds to, or changes in, the base charter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkRules {
    /// Added to the base list.
    #[serde(default)]
    pub words_to_avoid: Vec<String>,
    /// Added to the base list.
    #[serde(default)]
    pub mandatory: Vec<String>,
    /// Replaces the base limit on this network when set.
    #[serde(default)]
    pub max_hashtags: Option<usize>,
}

impl NetworkRules {
    pub fn is_empty(&self) -> bool {
        self.words_to_avoid.is_empty() && self.mandatory.is_empty() && self.max_hashtags.is_none()
    }
}

/// A workspace's charter: the base rules and tone notes, and rules per network key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrandCharter {
    pub base: Charter,
    pub per_network: BTreeMap<String, NetworkRules>,
}

impl BrandCharter {
    /// The charter that applies on network `key`: the base lists followed by the network's
    /// additions (an item listed in both, ignoring case, appears once), and the network's hashtag
    /// limit when it has one, else the base limit. A network without rules gets the base charter.
    pub fn for_network(&self, key: &str) -> Charter {
        let Some(rules) = self.per_network.get(key) else { return self.base.clone() };
        Charter {
            words_to_avoid: merged(&self.base.words_to_avoid, &rules.words_to_avoid),
            mandatory: merged(&self.base.mandatory, &rules.mandatory),
            max_hashtags: rules.max_hashtags.or(self.base.max_hashtags),
            tone_notes: self.base.tone_notes.clone(),
        }
    }

    /// Trims every item, drops empty ones and empty network entries, and checks the limits; the
    /// error names the field (`words_to_avoid`, `bluesky.mandatory`, `max_hashtags`, ...).
    pub fn normalised(mut self) -> Result<BrandCharter, ValidationError> {
        self.base.words_to_avoid = clean_list("words_to_avoid", self.base.words_to_avoid)?;
        self.base.mandatory = clean_list("mandatory", self.base.mandatory)?;
        check_hashtags("max_hashtags", self.base.max_hashtags)?;
        let notes = self.base.tone_notes.trim().to_string();
        let n = notes.chars().count();
        if n > MAX_TONE_NOTES_CHARS {
            return Err(ValidationError::new(
                "tone_notes",
                "error-charter-tone-too-long",
                format!("tone_notes has {n} characters; the limit is {MAX_TONE_NOTES_CHARS}"),
            ));
        }
        self.base.tone_notes = notes;
        let mut per_network = BTreeMap::new();
        for (key, rules) in self.per_network {
            let key = key.trim().to_ascii_lowercase();
            let Some([avoid_field, mandatory_field, hashtags_field]) = network_fields(&key) else {
                return Err(ValidationError::new(
                    "per_network",
                    "error-charter-network",
                    format!("{key:?} is not a network; use one of {}", NETWORK_KEYS.join(", ")),
                ));
            };
            let rules = NetworkRules {
                words_to_avoid: clean_list(avoid_field, rules.words_to_avoid)?,
                mandatory: clean_list(mandatory_field, rules.mandatory)?,
                max_hashtags: rules.max_hashtags,
            };
            check_hashtags(hashtags_field, rules.max_hashtags)?;
            if !rules.is_empty() {
                per_network.insert(key, rules);
            }
        }
        self.per_network = per_network;
        Ok(self)
    }
}

/// Splits a textarea into items: one per line, trimmed, empty lines dropped.
pub fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

fn merged(base: &[String], extra: &[String]) -> Vec<String> {
    let mut out = base.to_vec();
    for item in extra {
        if !out.iter().any(|o| o.to_lowercase() == item.to_lowercase()) {
            out.push(item.clone());
        }
    }
    out
}

fn clean_list(field: &'static str, items: Vec<String>) -> Result<Vec<String>, ValidationError> {
    let items: Vec<String> = items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()).map(String::from).collect();
    if items.len() > MAX_ITEMS {
        return Err(ValidationError::new(
            field,
            "error-charter-too-many",
            format!("{field} has {} items; the limit is {MAX_ITEMS}", items.len()),
        ));
    }
    if let Some(long) = items.iter().find(|i| i.chars().count() > MAX_ITEM_CHARS) {
        return Err(ValidationError::new(
            field,
            "error-charter-item-too-long",
            format!("{field}: {long:?} is longer than {MAX_ITEM_CHARS} characters"),
        ));
    }
    Ok(items)
}

fn check_hashtags(field: &'static str, max: Option<usize>) -> Result<(), ValidationError> {
    match max {
        Some(n) if n > MAX_HASHTAGS_LIMIT => Err(ValidationError::new(
            field,
            "error-charter-hashtags",
            format!("{field} is {n}; it must be between 0 and {MAX_HASHTAGS_LIMIT}"),
        )),
        _ => Ok(()),
    }
}

/// Reads a hashtag limit typed in a form: empty means no limit.
pub fn parse_max_hashtags(field: &'static str, raw: &str) -> Result<Option<usize>, ValidationError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<usize>() {
        Ok(n) => check_hashtags(field, Some(n)).map(|()| Some(n)),
        Err(_) => Err(ValidationError::new(
            field,
            "error-charter-hashtags",
            format!("{field} is {raw:?}; it must be a whole number between 0 and {MAX_HASHTAGS_LIMIT}, or empty for no limit"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text_rules::{CODE_MISSING_MANDATORY, CODE_TOO_MANY_HASHTAGS, CODE_WORD_TO_AVOID, lint};

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn bank() -> BrandCharter {
        let base = Charter {
            words_to_avoid: strings(&["gratuit", "sans frais"]),
            mandatory: strings(&["#BanqueDeBourgogne"]),
            max_hashtags: Some(3),
            tone_notes: "Vouvoiement.".into(),
        };
        let mut per_network = BTreeMap::new();
        per_network.insert(
            "mastodon".to_string(),
            NetworkRules {
                words_to_avoid: strings(&["promo", "GRATUIT"]),
                mandatory: strings(&["@banque@mastodon.social"]),
                max_hashtags: Some(5),
            },
        );
        per_network.insert("bluesky".to_string(), NetworkRules { max_hashtags: Some(1), ..NetworkRules::default() });
        BrandCharter { base, per_network }
    }

    #[test]
    fn a_network_without_rules_gets_the_base_charter() {
        assert_eq!(bank().for_network("sandbox"), bank().base);
        assert_eq!(BrandCharter::default().for_network("bluesky"), Charter::default());
    }

    #[test]
    fn a_network_adds_its_words_and_mentions_once_and_overrides_the_hashtag_limit() {
        let mastodon = bank().for_network("mastodon");
        assert_eq!(mastodon.words_to_avoid, strings(&["gratuit", "sans frais", "promo"]));
        assert_eq!(mastodon.mandatory, strings(&["#BanqueDeBourgogne", "@banque@mastodon.social"]));
        assert_eq!(mastodon.max_hashtags, Some(5));
        assert_eq!(mastodon.tone_notes, "Vouvoiement.");
    }

    #[test]
    fn a_network_without_a_limit_keeps_the_base_limit() {
        let mut charter = bank();
        charter.per_network.get_mut("mastodon").unwrap().max_hashtags = None;
        assert_eq!(charter.for_network("mastodon").max_hashtags, Some(3));
        assert_eq!(charter.for_network("bluesky").max_hashtags, Some(1));
    }

    #[test]
    fn the_same_text_is_linted_differently_per_network() {
        let text = "Notre promo #BanqueDeBourgogne #PME";
        let charter = bank();
        assert!(lint(text, &charter.for_network("sandbox")).is_empty());
        let codes = |key: &str| lint(text, &charter.for_network(key)).into_iter().map(|f| f.code).collect::<Vec<_>>();
        assert_eq!(codes("mastodon"), [CODE_WORD_TO_AVOID, CODE_MISSING_MANDATORY]);
        assert_eq!(codes("bluesky"), [CODE_TOO_MANY_HASHTAGS]);
    }

    #[test]
    fn normalising_trims_drops_empty_items_and_empty_networks() {
        let mut charter = bank();
        charter.base.words_to_avoid = strings(&["  gratuit ", "", "   "]);
        charter.base.tone_notes = "  Vouvoiement.\n".into();
        charter.per_network.insert("sandbox".into(), NetworkRules { words_to_avoid: strings(&[" "]), ..NetworkRules::default() });
        let clean = charter.normalised().unwrap();
        assert_eq!(clean.base.words_to_avoid, strings(&["gratuit"]));
        assert_eq!(clean.base.tone_notes, "Vouvoiement.");
        assert_eq!(clean.per_network.keys().collect::<Vec<_>>(), ["bluesky", "mastodon"]);
    }

    #[test]
    fn bad_charters_name_the_field() {
        let mut charter = bank();
        charter.per_network.get_mut("bluesky").unwrap().max_hashtags = Some(1000);
        assert_eq!(charter.normalised().unwrap_err().field, "bluesky.max_hashtags");

        let mut charter = bank();
        charter.base.mandatory.push("x".repeat(101));
        let err = charter.normalised().unwrap_err();
        assert_eq!((err.field, err.code), ("mandatory", "error-charter-item-too-long"));

        let mut charter = bank();
        charter.per_network.insert("myspace".into(), NetworkRules::default());
        let err = charter.normalised().unwrap_err();
        assert!(err.message.contains("myspace"), "{err}");
    }

    #[test]
    fn a_hashtag_limit_is_a_small_whole_number_or_nothing() {
        assert_eq!(parse_max_hashtags("max_hashtags", " ").unwrap(), None);
        assert_eq!(parse_max_hashtags("max_hashtags", "0").unwrap(), Some(0));
        assert_eq!(parse_max_hashtags("max_hashtags", "3").unwrap(), Some(3));
        for bad in ["-1", "trois", "2.5", "101"] {
            assert_eq!(parse_max_hashtags("max_hashtags", bad).unwrap_err().field, "max_hashtags", "{bad}");
        }
    }

    #[test]
    fn textarea_lines_become_items() {
        assert_eq!(lines_of("gratuit\r\n\n  sans frais  \n"), strings(&["gratuit", "sans frais"]));
    }
}
