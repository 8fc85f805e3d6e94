//! Moderation rules: conditions on an inbox message and what to do when they all hold, applied
//! in order, each rule able to stop the ones after it. Pure functions over a message view, so
//! that ingestion, the dry run and the tests share one evaluation.
//!
//! Words match the way listening does (whole words, case and accents ignored: "arnaque" matches
//! "ARNAQUE", "árnaque" and "arnaqué" but not "arnaques"); a word ending in `*` matches any word it starts
//! ("arnaque*" matches "arnaques"). A phrase matches its words in a row. Regular expressions run
//! on the original text, as written (add `(?i)` to ignore case).

use crate::inbox::normalize_tag;
use crate::listening_query::FoldedText;
use crate::text_rules::find_urls;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Compiled size limit of one pattern: enough for word lists, small enough that a pathological
/// pattern cannot make ingestion slow or hungry.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
pub const MAX_PATTERN_CHARS: usize = 500;
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_REPLY_CHARS: usize = 1000;
pub const MAX_TERMS: usize = 200;
/// Longest window of the repeated-text condition: one week.
pub const MAX_REPEAT_WINDOW_MINUTES: u32 = 7 * 24 * 60;

/// Conditions of a rule; every one that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Conditions {
    /// Words or phrases; the message must contain at least one.
    pub words: Vec<String>,
    /// Regular expressions; at least one must match the message's text.
    pub patterns: Vec<String>,
    /// Language code ("fr", "en").
    pub language: Option<String>,
    /// positive | neutral | negative
    pub sentiment: Option<String>,
    /// The message's toxicity, in thousandths, is strictly above this.
    pub toxicity_above: Option<i64>,
    /// The rule applies only to these authors (handles or remote ids): a block list.
    pub authors_listed: Vec<String>,
    /// The rule never applies to these authors (handles or remote ids): an allow list.
    pub authors_exempt: Vec<String>,
    /// The message carries at least this many links.
    pub min_links: Option<u32>,
    /// The same author sent the same text (case and accents ignored) this many times, this
    /// message included, within the window.
    pub repeated: Option<Repeated>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repeated {
    pub times: u32,
    pub window_minutes: u32,
}

/// What a rule does to a message it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RuleAction {
    Hide,
    Delete,
    Flag,
    Assign { member_id: String },
    Tag { tag: String },
    AutoReply { text: String },
    Notify { member_ids: Vec<String> },
}

impl RuleAction {
    /// Stable key, stored in the log.
    pub fn key(&self) -> &'static str {
        match self {
            RuleAction::Hide => "hide",
            RuleAction::Delete => "delete",
            RuleAction::Flag => "flag",
            RuleAction::Assign { .. } => "assign",
            RuleAction::Tag { .. } => "tag",
            RuleAction::AutoReply { .. } => "auto_reply",
            RuleAction::Notify { .. } => "notify",
        }
    }

    /// Whether the action needs the network (and so a durable job).
    pub fn is_network(&self) -> bool {
        matches!(self, RuleAction::Hide | RuleAction::Delete | RuleAction::AutoReply { .. })
    }
}

pub const ACTION_KEYS: &[&str] = &["hide", "delete", "flag", "assign", "tag", "auto_reply", "notify"];

/// A rule as stored and edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// When this rule fires, the rules after it are not evaluated.
    pub stop: bool,
    pub conditions: Conditions,
    pub actions: Vec<RuleAction>,
}

/// Why a rule cannot be saved, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for RuleError {}

fn err(field: &'static str, problem: impl Into<String>) -> RuleError {
    RuleError { field, problem: problem.into() }
}

/// One word or phrase, folded.
#[derive(Debug, Clone)]
struct Term {
    words: Vec<String>,
    /// The last word matches any word it starts.
    prefix: bool,
}

impl Term {
    fn parse(raw: &str) -> Option<Term> {
        let trimmed = raw.trim();
        let (body, prefix) = match trimmed.strip_suffix('*') {
            Some(b) => (b, true),
            None => (trimmed, false),
        };
        let words = FoldedText::new(body).words().to_vec();
        (!words.is_empty()).then_some(Term { words, prefix })
    }

    fn matches(&self, text: &[String]) -> bool {
        let n = self.words.len();
        text.windows(n).any(|w| {
            w[..n - 1] == self.words[..n - 1]
                && if self.prefix { w[n - 1].starts_with(&self.words[n - 1]) } else { w[n - 1] == self.words[n - 1] }
        })
    }
}

/// A rule ready to run: terms folded, patterns compiled, author lists folded.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    terms: Vec<Term>,
    patterns: Vec<Regex>,
    listed: Vec<String>,
    exempt: Vec<String>,
}

/// The message as rules see it.
#[derive(Debug, Clone, Default)]
pub struct MessageView<'a> {
    pub text: &'a str,
    pub author_handle: &'a str,
    pub author_remote_id: &'a str,
    pub language: Option<&'a str>,
    pub sentiment: Option<&'a str>,
    pub toxicity: Option<i64>,
    /// For each repeat window (minutes) the rules use: how many messages of this author with the
    /// same folded text fall within it, this one included ([`RuleSet::repeat_windows`]).
    pub repeats: Vec<(u32, u32)>,
}

fn fold_author(a: &str) -> String {
    a.trim().trim_start_matches('@').to_lowercase()
}

/// The text as the repeated-text condition compares it, hashed for a short indexed column:
/// the folded words joined by spaces, so that case, accents and punctuation do not make two
/// copies differ. Sixteen hex digits (64 bits of SHA-256): it is only compared among one
/// author's messages of a rule's window, where a collision is out of reach, and it rides in
/// the author index of every message.
pub fn repeat_key(text: &str) -> String {
    repeat_key_of(&FoldedText::new(text))
}

/// The same, for a text already folded (ingestion folds each message once).
pub fn repeat_key_of(folded: &FoldedText) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(folded.words().join(" ").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    format!("{:016x}", u64::from_be_bytes(first))
}

impl CompiledRule {
    /// Validates and compiles a rule; the error names the first field at fault.
    pub fn compile(rule: Rule) -> Result<CompiledRule, RuleError> {
        let name = rule.name.trim();
        if name.is_empty() {
            return Err(err("name", "a rule needs a name"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(err("name", format!("at most {MAX_NAME_CHARS} characters")));
        }
        let c = &rule.conditions;
        if c.words.len() > MAX_TERMS || c.patterns.len() > MAX_TERMS {
            return Err(err(if c.words.len() > MAX_TERMS { "words" } else { "patterns" }, format!("at most {MAX_TERMS} entries")));
        }
        let mut terms = vec![];
        for w in &c.words {
            match Term::parse(w) {
                Some(t) => terms.push(t),
                None => return Err(err("words", format!("{w:?} has no word in it"))),
            }
        }
        let mut patterns = vec![];
        for p in &c.patterns {
            if p.chars().count() > MAX_PATTERN_CHARS {
                return Err(err("patterns", format!("the pattern {p:?} is longer than {MAX_PATTERN_CHARS} characters")));
            }
            let re = RegexBuilder::new(p)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| err("patterns", format!("the pattern {p:?} is not a valid regular expression: {e}")))?;
            patterns.push(re);
        }
        if let Some(l) = &c.language
            && !(2..=3).contains(&l.len())
        {
            return Err(err("language", format!("{l:?} is not a language code (two or three letters, such as fr or en)")));
        }
        if let Some(s) = &c.sentiment
            && !matches!(s.as_str(), "positive" | "neutral" | "negative")
        {
            return Err(err("sentiment", format!("{s:?} is not positive, neutral or negative")));
        }
        if let Some(t) = c.toxicity_above
            && !(0..1000).contains(&t)
        {
            return Err(err("toxicity_above", "a threshold from 0 to 999 thousandths"));
        }
        if c.min_links == Some(0) {
            return Err(err("min_links", "at least one link"));
        }
        if let Some(r) = c.repeated {
            if r.times < 2 {
                return Err(err("repeated.times", "a text is repeated from its second copy: 2 or more"));
            }
            if r.window_minutes == 0 || r.window_minutes > MAX_REPEAT_WINDOW_MINUTES {
                return Err(err("repeated.window_minutes", format!("from 1 to {MAX_REPEAT_WINDOW_MINUTES} minutes")));
            }
        }
        let listed: Vec<String> = c.authors_listed.iter().map(|a| fold_author(a)).filter(|a| !a.is_empty()).collect();
        let exempt: Vec<String> = c.authors_exempt.iter().map(|a| fold_author(a)).filter(|a| !a.is_empty()).collect();
        let has_condition = !terms.is_empty()
            || !patterns.is_empty()
            || c.language.is_some()
            || c.sentiment.is_some()
            || c.toxicity_above.is_some()
            || !listed.is_empty()
            || c.min_links.is_some()
            || c.repeated.is_some();
        if !has_condition {
            // A rule on every message (bar the exempt) is surely a mistake.
            return Err(err("conditions", "a rule needs at least one condition besides exempt authors"));
        }
        if rule.actions.is_empty() {
            return Err(err("actions", "a rule needs at least one action"));
        }
        let mut rule = rule;
        rule.name = rule.name.trim().to_string();
        for a in &mut rule.actions {
            match a {
                RuleAction::Assign { member_id } if member_id.trim().is_empty() => return Err(err("actions.assign", "choose a member")),
                RuleAction::Tag { tag } => *tag = normalize_tag(tag).map_err(|e| err("actions.tag", e))?,
                RuleAction::AutoReply { text } => {
                    let n = text.trim().chars().count();
                    if n == 0 {
                        return Err(err("actions.auto_reply", "the reply needs a text"));
                    }
                    if n > MAX_REPLY_CHARS {
                        return Err(err("actions.auto_reply", format!("at most {MAX_REPLY_CHARS} characters")));
                    }
                }
                RuleAction::Notify { member_ids } if member_ids.iter().all(|m| m.trim().is_empty()) => {
                    return Err(err("actions.notify", "choose at least one member"));
                }
                _ => {}
            }
        }
        Ok(CompiledRule { rule, terms, patterns, listed, exempt })
    }

    /// Whether every condition holds for `m`; `folded` is `m.text` folded (shared by all rules).
    pub fn matches(&self, m: &MessageView<'_>, folded: &FoldedText) -> bool {
        let c = &self.rule.conditions;
        let author_in = |list: &[String]| {
            let (h, r) = (fold_author(m.author_handle), fold_author(m.author_remote_id));
            list.iter().any(|a| *a == h || *a == r)
        };
        if !self.exempt.is_empty() && author_in(&self.exempt) {
            return false;
        }
        if !self.listed.is_empty() && !author_in(&self.listed) {
            return false;
        }
        if let Some(l) = &c.language
            && m.language.is_none_or(|ml| !ml.eq_ignore_ascii_case(l))
        {
            return false;
        }
        if let Some(s) = &c.sentiment
            && m.sentiment != Some(s.as_str())
        {
            return false;
        }
        if let Some(t) = c.toxicity_above
            && m.toxicity.is_none_or(|x| x <= t)
        {
            return false;
        }
        if let Some(n) = c.min_links
            && (find_urls(m.text).len() as u32) < n
        {
            return false;
        }
        if let Some(r) = c.repeated {
            let seen = m.repeats.iter().find(|(w, _)| *w == r.window_minutes).map(|(_, n)| *n).unwrap_or(1);
            if seen < r.times {
                return false;
            }
        }
        if !self.terms.is_empty() && !self.terms.iter().any(|t| t.matches(folded.words())) {
            return false;
        }
        if !self.patterns.is_empty() && !self.patterns.iter().any(|p| p.is_match(m.text)) {
            return false;
        }
        true
    }
}

/// One action a rule decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing<'r> {
    pub rule: &'r Rule,
    pub action: &'r RuleAction,
}

/// A workspace's enabled rules, compiled once and applied to many messages.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<CompiledRule>,
}

impl RuleSet {
    /// Compiles the enabled rules, in the order given. A rule that no longer compiles (saved by
    /// an older version) is left out and reported, so one bad rule cannot stop ingestion.
    pub fn compile(rules: Vec<Rule>) -> (RuleSet, Vec<(String, RuleError)>) {
        let mut set = RuleSet::default();
        let mut broken = vec![];
        for r in rules.into_iter().filter(|r| r.enabled) {
            let id = r.id.clone();
            match CompiledRule::compile(r) {
                Ok(c) => set.rules.push(c),
                Err(e) => broken.push((id, e)),
            }
        }
        (set, broken)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The distinct windows (minutes) of the repeated-text conditions; empty when no rule needs
    /// to count repeats, so that ingestion queries nothing for them.
    pub fn repeat_windows(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self.rules.iter().filter_map(|r| r.rule.conditions.repeated.map(|x| x.window_minutes)).collect();
        w.sort_unstable();
        w.dedup();
        w
    }

    /// The actions for `m`, rule by rule in order, up to and including the first matching rule
    /// that stops the others.
    pub fn evaluate<'r>(&'r self, m: &MessageView<'_>) -> Vec<Firing<'r>> {
        self.evaluate_folded(m, &FoldedText::new(m.text))
    }

    /// The same, with the text already folded (ingestion folds each text once, before it takes
    /// the write lock, for the rules and the search index alike).
    pub fn evaluate_folded<'r>(&'r self, m: &MessageView<'_>, folded: &FoldedText) -> Vec<Firing<'r>> {
        let mut out = vec![];
        for r in &self.rules {
            if r.matches(m, folded) {
                out.extend(r.rule.actions.iter().map(|action| Firing { rule: &r.rule, action }));
                if r.rule.stop {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, conditions: Conditions, actions: Vec<RuleAction>) -> Rule {
        Rule { id: name.to_lowercase(), name: name.into(), enabled: true, stop: false, conditions, actions }
    }

    fn words(ws: &[&str]) -> Conditions {
        Conditions { words: ws.iter().map(|w| w.to_string()).collect(), ..Default::default() }
    }

    fn matches(c: Conditions, m: &MessageView<'_>) -> bool {
        let r = CompiledRule::compile(rule("R", c, vec![RuleAction::Flag])).unwrap();
        r.matches(m, &FoldedText::new(m.text))
    }

    fn text(t: &str) -> MessageView<'_> {
        MessageView { text: t, author_handle: "alice.example", author_remote_id: "did:plc:alice", ..Default::default() }
    }

    #[test]
    fn a_word_matches_whole_words_whatever_the_case_and_accents() {
        for t in ["Arnaque !", "c'est une ARNAQUE", "árnaque totale", "une arnaque."] {
            assert!(matches(words(&["arnaque"]), &text(t)), "{t}");
        }
        for t in ["des arnaques", "arnaqueur", "anti-arnaque"] {
            let hit = matches(words(&["arnaque"]), &text(t));
            assert_eq!(hit, t == "anti-arnaque", "{t}");
        }
        // Accents are ignored on both sides, so "arnaque" also matches "ARNAQUÉ" (the participle):
        // a team that must tell them apart writes a pattern.
        assert!(matches(words(&["arnaque"]), &text("il m'a ARNAQUÉ")));
        assert!(matches(words(&["ARNAQUÉ"]), &text("il m'a arnaque")));
        let strict = Conditions { patterns: vec![r"(?i)\barnaque\b".into()], ..Default::default() };
        assert!(!matches(strict.clone(), &text("il m'a arnaqué")));
        assert!(matches(strict, &text("une arnaque")));
    }

    #[test]
    fn a_star_makes_the_last_word_a_prefix() {
        assert!(matches(words(&["arnaque*"]), &text("des arnaques")));
        assert!(matches(words(&["arnaque*"]), &text("un arnaqueur")));
        assert!(!matches(words(&["arnaque*"]), &text("une narnaque")));
    }

    #[test]
    fn a_phrase_matches_its_words_in_a_row() {
        let c = words(&["remboursez moi"]);
        assert!(matches(c.clone(), &text("Remboursez-moi maintenant")));
        assert!(matches(c.clone(), &text("remboursez, moi !")));
        assert!(!matches(c.clone(), &text("moi remboursez")));
        assert!(!matches(c, &text("remboursez vite moi")));
    }

    #[test]
    fn any_word_of_the_list_is_enough() {
        let c = words(&["spam", "scam"]);
        assert!(matches(c.clone(), &text("total SCAM")));
        assert!(!matches(c, &text("nothing here")));
    }

    #[test]
    fn patterns_run_on_the_original_text() {
        let c = Conditions { patterns: vec![r"\b\d{10}\b".into()], ..Default::default() };
        assert!(matches(c.clone(), &text("call 0612345678 now")));
        assert!(!matches(c, &text("call 06 12 34 56 78")));
        let cs = Conditions { patterns: vec!["Promo".into()], ..Default::default() };
        assert!(!matches(cs, &text("promo")));
        let ci = Conditions { patterns: vec!["(?i)Promo".into()], ..Default::default() };
        assert!(matches(ci, &text("PROMO")));
    }

    #[test]
    fn an_invalid_pattern_is_named_in_the_error() {
        let e = CompiledRule::compile(rule(
            "R",
            Conditions { patterns: vec!["ok".into(), "(unclosed".into()], ..Default::default() },
            vec![RuleAction::Flag],
        ))
        .unwrap_err();
        assert_eq!(e.field, "patterns");
        assert!(e.problem.contains("\"(unclosed\""), "{e}");
        assert!(e.to_string().starts_with("patterns: "));
    }

    #[test]
    fn a_pattern_too_big_to_compile_is_refused() {
        let e = CompiledRule::compile(rule(
            "R",
            Conditions { patterns: vec![r"\w{1000}".into()], ..Default::default() },
            vec![RuleAction::Flag],
        ))
        .unwrap_err();
        assert_eq!(e.field, "patterns");
        assert!(e.problem.contains("size limit") || e.problem.contains("exceeds"), "{e}");
    }

    #[test]
    fn all_conditions_must_hold() {
        let c = Conditions {
            words: vec!["prix".into()],
            language: Some("fr".into()),
            sentiment: Some("negative".into()),
            ..Default::default()
        };
        let m = MessageView { language: Some("fr"), sentiment: Some("negative"), ..text("ce prix est honteux") };
        assert!(matches(c.clone(), &m));
        assert!(!matches(c.clone(), &MessageView { language: Some("en"), ..m.clone() }));
        assert!(!matches(c.clone(), &MessageView { sentiment: Some("neutral"), ..m.clone() }));
        assert!(!matches(c.clone(), &MessageView { sentiment: None, ..m.clone() }));
        assert!(!matches(c, &MessageView { text: "ce tarif est honteux", ..m }));
    }

    #[test]
    fn toxicity_is_strictly_above_the_threshold() {
        let c = Conditions { toxicity_above: Some(700), ..Default::default() };
        assert!(matches(c.clone(), &MessageView { toxicity: Some(701), ..text("x") }));
        assert!(!matches(c.clone(), &MessageView { toxicity: Some(700), ..text("x") }));
        assert!(!matches(c, &MessageView { toxicity: None, ..text("x") }));
    }

    #[test]
    fn author_lists_match_handles_or_remote_ids() {
        let block = Conditions { authors_listed: vec!["@Alice.Example".into()], ..Default::default() };
        assert!(matches(block.clone(), &text("hello")));
        assert!(!matches(block, &MessageView { author_handle: "bob", author_remote_id: "did:plc:bob", ..text("hello") }));
        let by_id = Conditions { authors_listed: vec!["did:plc:alice".into()], ..Default::default() };
        assert!(matches(by_id, &text("hello")));
        let exempt = Conditions { words: vec!["hello".into()], authors_exempt: vec!["alice.example".into()], ..Default::default() };
        assert!(!matches(exempt.clone(), &text("hello")));
        assert!(matches(exempt, &MessageView { author_handle: "bob", author_remote_id: "did:plc:bob", ..text("hello") }));
    }

    #[test]
    fn links_are_counted() {
        let c = Conditions { min_links: Some(2), ..Default::default() };
        assert!(matches(c.clone(), &text("see https://a.example and https://b.example")));
        assert!(!matches(c, &text("see https://a.example")));
    }

    #[test]
    fn repeats_use_the_count_for_the_rules_window() {
        let c = Conditions { repeated: Some(Repeated { times: 3, window_minutes: 10 }), ..Default::default() };
        assert!(matches(c.clone(), &MessageView { repeats: vec![(10, 3)], ..text("buy now") }));
        assert!(!matches(c.clone(), &MessageView { repeats: vec![(10, 2), (60, 5)], ..text("buy now") }));
        assert!(!matches(c, &text("buy now")));
        assert_eq!(repeat_key("Buy NOW!!"), repeat_key("buy now"));
        assert_eq!(repeat_key("Achète !"), repeat_key("achete"));
        assert_ne!(repeat_key("buy now"), repeat_key("buy later"));
        assert_eq!(repeat_key("buy now").len(), 16);
    }

    #[test]
    fn rules_apply_in_order_and_a_stopping_rule_ends_the_evaluation() {
        let mut first = rule("First", words(&["spam"]), vec![RuleAction::Tag { tag: "Spam".into() }, RuleAction::Hide]);
        let second = rule("Second", words(&["spam"]), vec![RuleAction::Flag]);
        let (set, broken) = RuleSet::compile(vec![first.clone(), second.clone()]);
        assert!(broken.is_empty());
        let fired: Vec<(&str, &str)> = set.evaluate(&text("spam")).iter().map(|f| (f.rule.name.as_str(), f.action.key())).collect();
        assert_eq!(fired, [("First", "tag"), ("First", "hide"), ("Second", "flag")]);
        // Tags are normalized when the rule is compiled.
        assert_eq!(set.evaluate(&text("spam"))[0].action, &RuleAction::Tag { tag: "spam".into() });
        first.stop = true;
        let (set, _) = RuleSet::compile(vec![first.clone(), second.clone()]);
        assert_eq!(set.evaluate(&text("spam")).len(), 2);
        // A stopping rule that does not match stops nothing.
        let (set, _) = RuleSet::compile(vec![rule("Other", words(&["ham"]), vec![RuleAction::Hide]), second]);
        assert_eq!(set.evaluate(&text("spam")).len(), 1);
        assert!(set.evaluate(&text("nothing")).is_empty());
    }

    #[test]
    fn disabled_and_broken_rules_are_left_out() {
        let mut off = rule("Off", words(&["spam"]), vec![RuleAction::Flag]);
        off.enabled = false;
        let bad = rule("Bad", Conditions { patterns: vec!["[".into()], ..Default::default() }, vec![RuleAction::Flag]);
        let (set, broken) = RuleSet::compile(vec![off, bad]);
        assert!(set.is_empty());
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].0, "bad");
    }

    #[test]
    fn repeat_windows_are_distinct_and_only_when_needed() {
        let rep = |w| Conditions { repeated: Some(Repeated { times: 2, window_minutes: w }), ..Default::default() };
        let (set, _) = RuleSet::compile(vec![
            rule("A", rep(60), vec![RuleAction::Flag]),
            rule("B", rep(10), vec![RuleAction::Flag]),
            rule("C", rep(60), vec![RuleAction::Flag]),
        ]);
        assert_eq!(set.repeat_windows(), [10, 60]);
        let (set, _) = RuleSet::compile(vec![rule("W", words(&["x"]), vec![RuleAction::Flag])]);
        assert!(set.repeat_windows().is_empty());
    }

    #[test]
    fn validation_names_the_field() {
        let check = |r: Rule| CompiledRule::compile(r).unwrap_err().field;
        let flag = || vec![RuleAction::Flag];
        assert_eq!(check(rule(" ", words(&["x"]), flag())), "name");
        assert_eq!(check(rule("R", Conditions::default(), flag())), "conditions");
        assert_eq!(check(rule("R", Conditions { authors_exempt: vec!["bob".into()], ..Default::default() }, flag())), "conditions");
        assert_eq!(check(rule("R", words(&["x"]), vec![])), "actions");
        assert_eq!(check(rule("R", words(&["x", "?!"]), flag())), "words");
        assert_eq!(check(rule("R", Conditions { language: Some("french".into()), ..Default::default() }, flag())), "language");
        assert_eq!(check(rule("R", Conditions { sentiment: Some("angry".into()), ..Default::default() }, flag())), "sentiment");
        assert_eq!(check(rule("R", Conditions { toxicity_above: Some(1000), ..Default::default() }, flag())), "toxicity_above");
        assert_eq!(check(rule("R", Conditions { min_links: Some(0), ..Default::default() }, flag())), "min_links");
        let rep = |times, window_minutes| Conditions { repeated: Some(Repeated { times, window_minutes }), ..Default::default() };
        assert_eq!(check(rule("R", rep(1, 10), flag())), "repeated.times");
        assert_eq!(check(rule("R", rep(2, 0), flag())), "repeated.window_minutes");
        assert_eq!(check(rule("R", words(&["x"]), vec![RuleAction::Tag { tag: "a/b".into() }])), "actions.tag");
        assert_eq!(check(rule("R", words(&["x"]), vec![RuleAction::AutoReply { text: "  ".into() }])), "actions.auto_reply");
        assert_eq!(check(rule("R", words(&["x"]), vec![RuleAction::Assign { member_id: "".into() }])), "actions.assign");
        assert_eq!(check(rule("R", words(&["x"]), vec![RuleAction::Notify { member_ids: vec![] }])), "actions.notify");
    }

    #[test]
    fn network_actions_are_told_apart() {
        assert!(RuleAction::Hide.is_network() && RuleAction::Delete.is_network());
        assert!(RuleAction::AutoReply { text: "x".into() }.is_network());
        assert!(!RuleAction::Flag.is_network() && !RuleAction::Tag { tag: "x".into() }.is_network());
    }
}
