//! Community insights: the inbox's questions and tagged messages of a period grouped into
//! recurring questions and topics, offline and explainably. Each message becomes a set of key
//! terms (links and mentions dropped, French and English stop words removed, Snowball stems,
//! accents folded); two messages are similar when their term sets overlap enough (Jaccard
//! similarity at least [`SIMILARITY`]), and similar messages, directly or through one another,
//! form one group. A group's label is the terms that at least half its messages share.

use crate::Locale;
use crate::text_rules::{find_urls, fold};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;
use unicode_segmentation::UnicodeSegmentation;

/// Two messages whose term sets share at least this share of their union are about the same thing.
pub const SIMILARITY: f64 = 0.5;
/// A group needs this many messages to be an insight: a question asked once does not recur.
pub const MIN_MESSAGES: usize = 2;
/// How many messages an insight shows as examples.
pub const EXAMPLES: usize = 3;
/// At most this many terms name an insight.
const LABEL_TERMS: usize = 4;
/// The tag a member puts on a question the community keeps asking.
pub const QUESTION_TAG: &str = "recurring-question";
const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

/// Words of customer messages that say nothing of their subject, on top of the Snowball lists
/// (which hold only grammatical words): greetings, thanks, question words, helper verbs.
const CHATTER: &[&str] = &[
    // French
    "bonjour", "bonsoir", "salut", "coucou", "hello", "svp", "stp", "merci", "comment", "pourquoi", "quand", "combien", "quel", "quelle",
    "quels", "quelles", "ou", "peux", "peut", "pouvez", "pourriez", "pourrais", "faire", "fait", "faut", "veux", "voudrais", "aimerais",
    "savoir", "sais", "bien", "tout", "tous", "toute", "toutes", "toujours", "encore", "aussi", "tres", "trop", "plus", "moins", "rien",
    "ca", "cela", "cette", "cet", "alors", "donc", "car", "si", "oui", "non", "la", "ici", "chez", "sans", "sous", "vers", "depuis",
    "quoi", "est-ce", "bjr", "cc", "deja", "vraiment", "quelqu", "chose", "avoir", "etre", // English
    "hi", "hey", "please", "pls", "thanks", "thank", "thx", "how", "why", "when", "where", "what", "which", "who", "can", "could", "would",
    "get", "got", "one", "also", "still", "just", "really", "anyone", "im", "ive", "dont", "cant", "doesnt", "know", "let", "us", "way",
    "much", "many", "like", "need", "want", "tell",
];

fn stop_words() -> &'static HashSet<String> {
    static S: OnceLock<HashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        stop_words::get("fr").iter().chain(stop_words::get("en")).chain(CHATTER).map(|w| fold(w)).filter(|w| !w.is_empty()).collect()
    })
}

fn stemmer(language: Option<&str>) -> &'static Stemmer {
    static FR: OnceLock<Stemmer> = OnceLock::new();
    static EN: OnceLock<Stemmer> = OnceLock::new();
    // A text too short to tell its language is read as English, the stemmer that changes least.
    if language.is_some_and(|l| l.starts_with("fr")) {
        FR.get_or_init(|| Stemmer::create(Algorithm::French))
    } else {
        EN.get_or_init(|| Stemmer::create(Algorithm::English))
    }
}

/// The text without its links and @mentions: neither tells what a message is about.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in find_urls(text) {
        out.push_str(&text[last..r.start]);
        out.push(' ');
        last = r.end;
    }
    out.push_str(&text[last..]);
    out.split_whitespace().filter(|w| !(w.starts_with('@') && w.len() > 1)).collect::<Vec<_>>().join(" ")
}

/// A key term: its stem (folded, the identity) and the word as first written (for labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub stem: String,
    pub word: String,
}

/// The key terms of a message, in the order they appear, each once.
pub fn key_terms(text: &str, language: Option<&str>) -> Vec<Term> {
    let stop = stop_words();
    let stem = stemmer(language);
    let french = language.is_some_and(|l| l.starts_with("fr"));
    let mut seen = HashSet::new();
    let mut out = vec![];
    let lower = prose(text).to_lowercase();
    // Elisions ("n'arrive", "l’appli") and hyphens are word breaks here.
    for word in lower.unicode_words().flat_map(|w| w.split(['\'', '’', '-'])) {
        let folded = fold(word);
        if folded.chars().count() < 2 || folded.chars().all(|c| c.is_numeric()) || stop.contains(&folded) {
            continue;
        }
        let mut s = fold(&stem.stem(word));
        // The French stemmer reads accents ("retardée" gives "retard") but a word typed without
        // them keeps its final e's ("retardee" gives "retarde"): the stems it makes otherwise
        // almost never end in e, so dropping it makes both the same term.
        while french && s.len() > 2 && s.ends_with('e') {
            s.pop();
        }
        if !s.is_empty() && seen.insert(s.clone()) {
            out.push(Term { stem: s, word: word.to_string() });
        }
    }
    out
}

/// A question: tagged as a recurring question, or a sentence of it ends with a question mark
/// (links aside, so "?" in an URL does not count).
pub fn is_question(text: &str, tags: &[String]) -> bool {
    if tags.iter().any(|t| t == QUESTION_TAG) {
        return true;
    }
    let p = prose(text);
    let chars: Vec<char> = p.chars().collect();
    chars.iter().enumerate().any(|(i, c)| *c == '?' && chars.get(i + 1).is_none_or(|n| !n.is_alphanumeric()))
}

fn jaccard(a: &BTreeSet<usize>, b: &BTreeSet<usize>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 { 0.0 } else { inter as f64 / union as f64 }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups term sets: the indices of the sets of each group (groups of one included), every set
/// with at least one term in exactly one group. Sets are compared through an inverted index on
/// their rarest terms (prefix filtering: two sets that reach [`SIMILARITY`] must share one of
/// their first `len - ceil(t·len) + 1` terms in rarity order), so common words cost nothing.
pub fn group_term_sets(sets: &[BTreeSet<usize>]) -> Vec<Vec<usize>> {
    // Identical sets are one signature: templates and copy-paste cost one comparison.
    let mut signatures: Vec<&BTreeSet<usize>> = vec![];
    let mut members: Vec<Vec<usize>> = vec![];
    let mut by_set: HashMap<&BTreeSet<usize>, usize> = HashMap::new();
    for (i, s) in sets.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
        let sig = *by_set.entry(s).or_insert_with(|| {
            signatures.push(s);
            members.push(vec![]);
            signatures.len() - 1
        });
        members[sig].push(i);
    }
    let mut df: HashMap<usize, usize> = HashMap::new();
    for s in &signatures {
        for t in s.iter() {
            *df.entry(*t).or_default() += 1;
        }
    }
    let mut parent: Vec<usize> = (0..signatures.len()).collect();
    let mut index: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, s) in signatures.iter().enumerate() {
        let mut ordered: Vec<usize> = s.iter().copied().collect();
        ordered.sort_by_key(|t| (df[t], *t));
        let prefix = s.len() - (SIMILARITY * s.len() as f64).ceil() as usize + 1;
        let mut candidates = BTreeSet::new();
        for t in &ordered[..prefix.min(ordered.len())] {
            if let Some(list) = index.get(t) {
                candidates.extend(list.iter().copied());
            }
            index.entry(*t).or_default().push(i);
        }
        for c in candidates {
            if jaccard(s, signatures[c]) >= SIMILARITY {
                let (a, b) = (find(&mut parent, i), find(&mut parent, c));
                parent[a] = b;
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (sig, of_sig) in members.iter().enumerate() {
        let root = find(&mut parent, sig);
        groups.entry(root).or_default().extend(of_sig.iter().copied());
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_by_key(|g| (std::cmp::Reverse(g.len()), g[0]));
    out
}

/// A message as the insights read it.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub text: String,
    pub language: Option<String>,
    /// positive, neutral or negative (None: not read).
    pub sentiment: Option<String>,
    pub tags: Vec<String>,
    pub created_at: i64,
}

/// The period the insights cover: `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl Period {
    /// The `days` days before `now_ms`.
    pub fn last_days(now_ms: i64, days: i64) -> Period {
        Period { from_ms: now_ms - days * 24 * 3600 * 1000, to_ms: now_ms }
    }

    /// How many weekly bars the period has (the last one may be shorter).
    pub fn weeks(&self) -> usize {
        (((self.to_ms - self.from_ms).max(1) + WEEK_MS - 1) / WEEK_MS) as usize
    }

    fn week_of(&self, at: i64) -> Option<usize> {
        (at >= self.from_ms && at < self.to_ms).then(|| ((at - self.from_ms) / WEEK_MS) as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightKind {
    Question,
    Topic,
}

impl InsightKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InsightKind::Question => "question",
            InsightKind::Topic => "topic",
        }
    }

    pub fn parse(s: &str) -> Option<InsightKind> {
        [InsightKind::Question, InsightKind::Topic].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentimentMix {
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    /// Not read yet.
    pub unknown: usize,
}

/// A group of similar messages.
#[derive(Debug, Clone)]
pub struct Insight {
    pub kind: InsightKind,
    /// Stable while its key terms stay: the kind and the key stems, sorted (`question:chang+mot+pass`).
    pub key: String,
    /// The key terms as written, in the order the most typical message uses them.
    pub terms: Vec<String>,
    /// Indices into the messages given, newest first.
    pub messages: Vec<usize>,
    /// Messages per week of the period, oldest week first.
    pub weekly: Vec<usize>,
    /// Each tag with its number of messages, most used first.
    pub tags: Vec<(String, usize)>,
    pub sentiment: SentimentMix,
    /// The most typical messages (closest to the key terms), at most [`EXAMPLES`].
    pub examples: Vec<usize>,
    /// The language most of its messages are in (`fr` or `en`), if any was read.
    pub language: Option<Locale>,
}

impl Insight {
    pub fn label(&self) -> String {
        self.terms.join(" · ")
    }
}

/// Recurring questions and topics of a period.
#[derive(Debug, Clone, Default)]
pub struct Insights {
    pub questions: Vec<Insight>,
    pub topics: Vec<Insight>,
    /// Messages read that joined no group of [`MIN_MESSAGES`] or more.
    pub ungrouped: usize,
}

/// Groups the period's messages: questions among themselves, the other tagged messages by topic
/// (untagged messages that are not questions are left out). Biggest groups first.
pub fn insights(messages: &[Message], period: Period) -> Insights {
    let terms: Vec<Vec<Term>> = messages.iter().map(|m| key_terms(&m.text, m.language.as_deref())).collect();
    let mut out = Insights::default();
    for kind in [InsightKind::Question, InsightKind::Topic] {
        let chosen: Vec<usize> = (0..messages.len())
            .filter(|&i| {
                let q = is_question(&messages[i].text, &messages[i].tags);
                match kind {
                    InsightKind::Question => q,
                    InsightKind::Topic => !q && !messages[i].tags.is_empty(),
                }
            })
            .collect();
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let sets: Vec<BTreeSet<usize>> = chosen
            .iter()
            .map(|&i| {
                terms[i]
                    .iter()
                    .map(|t| {
                        let n = ids.len();
                        *ids.entry(t.stem.as_str()).or_insert(n)
                    })
                    .collect()
            })
            .collect();
        let groups = group_term_sets(&sets);
        let mut found: Vec<Insight> = vec![];
        for g in groups {
            let members: Vec<usize> = g.iter().map(|&k| chosen[k]).collect();
            if members.len() < MIN_MESSAGES {
                out.ungrouped += members.len();
                continue;
            }
            found.push(describe(kind, messages, &terms, members, period));
        }
        found.sort_by_key(|i| (std::cmp::Reverse(i.messages.len()), std::cmp::Reverse(messages[i.messages[0]].created_at)));
        out.ungrouped += chosen.iter().filter(|&&i| terms[i].is_empty()).count();
        match kind {
            InsightKind::Question => out.questions = found,
            InsightKind::Topic => out.topics = found,
        }
    }
    out
}

fn describe(kind: InsightKind, messages: &[Message], terms: &[Vec<Term>], mut members: Vec<usize>, period: Period) -> Insight {
    members.sort_by_key(|&i| (std::cmp::Reverse(messages[i].created_at), i));
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &i in &members {
        for t in &terms[i] {
            *counts.entry(t.stem.as_str()).or_default() += 1;
        }
    }
    let mut key: Vec<(&str, usize)> = counts.into_iter().collect();
    key.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // Terms most of the messages share; a group chained through neighbours may have none, and is
    // then named by its two most used terms.
    let shared = key.iter().filter(|(_, n)| 2 * n > members.len()).count();
    key.truncate(if shared == 0 { 2 } else { shared.min(LABEL_TERMS) });
    let key_set: HashSet<&str> = key.iter().map(|(s, _)| *s).collect();
    // The most typical messages: most key terms and fewest others; newer first on a tie.
    let closeness = |i: usize| {
        let shared = terms[i].iter().filter(|t| key_set.contains(t.stem.as_str())).count();
        let union = terms[i].len() + key_set.len() - shared;
        (shared * 1000).checked_div(union).unwrap_or(0)
    };
    let mut typical = members.clone();
    typical.sort_by_key(|&i| std::cmp::Reverse(closeness(i)));
    let examples: Vec<usize> = typical.iter().copied().take(EXAMPLES).collect();
    let best = &terms[typical[0]];
    let mut ordered: Vec<&str> = key.iter().map(|(s, _)| *s).collect();
    ordered.sort_by_key(|s| best.iter().position(|t| t.stem == *s).unwrap_or(usize::MAX));
    let word_of = |stem: &str| {
        let mut words: HashMap<&str, usize> = HashMap::new();
        for &i in &members {
            if let Some(t) = terms[i].iter().find(|t| t.stem == stem) {
                *words.entry(t.word.as_str()).or_default() += 1;
            }
        }
        words.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(w, _)| w.to_string()).unwrap_or_default()
    };
    let mut sorted_stems: Vec<&str> = ordered.clone();
    sorted_stems.sort_unstable();
    let mut weekly = vec![0; period.weeks()];
    let mut tags: HashMap<&str, usize> = HashMap::new();
    let mut sentiment = SentimentMix::default();
    let (mut fr, mut en) = (0, 0);
    for &i in &members {
        let m = &messages[i];
        if let Some(w) = period.week_of(m.created_at) {
            weekly[w] += 1;
        }
        for t in &m.tags {
            *tags.entry(t.as_str()).or_default() += 1;
        }
        match m.sentiment.as_deref() {
            Some("positive") => sentiment.positive += 1,
            Some("neutral") => sentiment.neutral += 1,
            Some("negative") => sentiment.negative += 1,
            _ => sentiment.unknown += 1,
        }
        match m.language.as_deref() {
            Some(l) if l.starts_with("fr") => fr += 1,
            Some(l) if l.starts_with("en") => en += 1,
            _ => {}
        }
    }
    let mut tags: Vec<(String, usize)> = tags.into_iter().map(|(t, n)| (t.to_string(), n)).collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Insight {
        kind,
        key: format!("{}:{}", kind.as_str(), sorted_stems.join("+")),
        terms: ordered.iter().map(|s| word_of(s)).collect(),
        messages: members,
        weekly,
        tags,
        sentiment,
        examples,
        language: match (fr, en) {
            (0, 0) => None,
            (fr, en) if fr >= en => Some(Locale::Fr),
            _ => Some(Locale::En),
        },
    }
}

/// The longest quote of a message a draft carries, in characters.
const QUOTE_CHARS: usize = 140;

/// The opening of a post answering an insight, in the language of its messages, for the member
/// to finish: a question is quoted from its most typical message, a topic named by its terms.
pub fn answer_draft(kind: InsightKind, language: Locale, example: &str, terms: &[String]) -> String {
    let mut quote: String = prose(example).chars().take(QUOTE_CHARS).collect();
    if prose(example).chars().count() > QUOTE_CHARS {
        quote.push('…');
    }
    let list = terms.join(", ");
    match (kind, language) {
        (InsightKind::Question, Locale::Fr) => format!("Vous êtes nombreux à nous demander : « {quote} »\nVoici la réponse : "),
        (InsightKind::Question, Locale::En) => format!("Many of you have asked us: “{quote}”\nHere is the answer: "),
        (InsightKind::Topic, Locale::Fr) => {
            format!("Vous êtes nombreux à nous parler de {list}. Merci pour vos retours !\nVoici ce que nous en retenons : ")
        }
        (InsightKind::Topic, Locale::En) => {
            format!("Many of you have told us about {list}. Thank you for your feedback!\nHere is what we make of it: ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * 3600 * 1000;
    const NOW: i64 = 1_760_000_000_000;

    fn msg(id: &str, text: &str, lang: &str, tags: &[&str], days_ago: i64) -> Message {
        Message {
            id: id.into(),
            text: text.into(),
            language: Some(lang.into()),
            sentiment: Some(if tags.contains(&"complaint") { "negative" } else { "neutral" }.into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            created_at: NOW - days_ago * DAY,
        }
    }

    fn stems(text: &str, lang: &str) -> Vec<String> {
        key_terms(text, Some(lang)).into_iter().map(|t| t.stem).collect()
    }

    /// The ids of each insight's messages, sorted, for comparison.
    fn groups(list: &[Insight], messages: &[Message]) -> Vec<Vec<String>> {
        list.iter()
            .map(|i| {
                let mut ids: Vec<String> = i.messages.iter().map(|&k| messages[k].id.clone()).collect();
                ids.sort();
                ids
            })
            .collect()
    }

    #[test]
    fn key_terms_drop_stop_words_links_and_mentions_and_fold_stems() {
        assert_eq!(stems("Comment changer mon mot de passe ?", "fr"), ["chang", "mot", "pass"]);
        assert_eq!(stems("je n'arrive pas à changer de mot de passe", "fr"), ["arriv", "chang", "mot", "pass"]);
        assert_eq!(stems("@marque Où en est ma COMMANDE ? https://ex.fr/a?b=1", "fr"), ["command"]);
        assert_eq!(stems("How do I reset my password?", "en"), ["reset", "password"]);
        assert_eq!(stems("I can't reset my passwords", "en"), ["reset", "password"]);
        // Accents are folded after stemming, so a word typed without them is the same term.
        assert_eq!(stems("livraison retardée", "fr"), stems("livraison retardee", "fr"));
        assert_eq!(key_terms("Changer", Some("fr"))[0].word, "changer");
    }

    #[test]
    fn questions_are_tagged_or_end_a_sentence_with_a_question_mark() {
        assert!(is_question("Comment changer mon mot de passe ?", &[]));
        assert!(is_question("C'est quand ?! 🙏", &[]));
        assert!(is_question("Où est ma commande? Merci", &[]));
        assert!(is_question("Mot de passe perdu", &["recurring-question".into()]));
        assert!(!is_question("Voir https://ex.fr/page?id=3 pour le détail", &[]));
        assert!(!is_question("Super service, merci !", &[]));
    }

    #[test]
    fn similar_questions_group_together_and_unrelated_ones_stay_apart() {
        let messages = vec![
            msg("pw1", "Comment changer mon mot de passe ?", "fr", &[], 1),
            msg("pw2", "je n'arrive pas à changer de mot de passe", "fr", &["recurring-question"], 2),
            msg("pw3", "Bonjour, comment on change le mot de passe du compte ?", "fr", &[], 20),
            msg("liv1", "Quand est-ce que ma commande sera livrée ?", "fr", &[], 3),
            msg("liv2", "Ma commande n'est toujours pas livrée, c'est normal ?", "fr", &[], 4),
            msg("en1", "How do I reset my password?", "en", &[], 5),
            msg("en2", "Can't reset my password, any help?", "en", &[], 6),
            msg("solo", "Vous ouvrez un magasin à Lyon ?", "fr", &[], 7),
            msg("price", "Pourquoi le prix de l'abonnement a augmenté ?", "fr", &[], 8),
        ];
        let found = insights(&messages, Period::last_days(NOW, 90));
        assert_eq!(groups(&found.questions, &messages), vec![vec!["pw1", "pw2", "pw3"], vec!["liv1", "liv2"], vec!["en1", "en2"]]);
        assert!(found.topics.is_empty());
        assert_eq!(found.ungrouped, 2, "the shop in Lyon and the price stand alone");
        let pw = &found.questions[0];
        assert_eq!(pw.label(), "changer · mot · passe");
        assert_eq!(pw.key, "question:chang+mot+pass");
        assert_eq!(pw.language, Some(Locale::Fr));
        assert_eq!(found.questions[2].language, Some(Locale::En));
        // Newest first; the most typical message leads the examples.
        assert_eq!(pw.messages.iter().map(|&i| messages[i].id.as_str()).collect::<Vec<_>>(), ["pw1", "pw2", "pw3"]);
        assert_eq!(messages[pw.examples[0]].id, "pw1");
        assert_eq!(pw.tags, vec![("recurring-question".to_string(), 1)]);
    }

    #[test]
    fn tagged_statements_group_by_topic_and_untagged_statements_are_left_out() {
        let messages = vec![
            msg("c1", "Livraison en retard, inadmissible", "fr", &["complaint"], 1),
            msg("c2", "Encore une livraison en retard...", "fr", &["complaint"], 10),
            msg("c3", "Delivery late again", "en", &["complaint"], 2),
            msg("c4", "My delivery is late, third time", "en", &["complaint", "product-feedback"], 3),
            msg("p1", "L'application est super pratique, bravo", "fr", &["praise"], 4),
            msg("p2", "Super application, très pratique", "fr", &["praise"], 5),
            msg("x", "Livraison en retard aussi chez moi", "fr", &[], 6),
        ];
        let found = insights(&messages, Period::last_days(NOW, 90));
        assert!(found.questions.is_empty());
        assert_eq!(groups(&found.topics, &messages), vec![vec!["c1", "c2"], vec!["c3", "c4"], vec!["p1", "p2"]]);
        let late = &found.topics[0];
        assert_eq!(late.label(), "livraison · retard");
        assert_eq!(late.sentiment, SentimentMix { negative: 2, ..Default::default() });
        assert_eq!(found.topics[1].tags, vec![("complaint".to_string(), 2), ("product-feedback".to_string(), 1)]);
    }

    #[test]
    fn weekly_counts_cover_the_period_oldest_week_first() {
        let messages = vec![
            msg("a", "mot de passe oublié ?", "fr", &[], 1),
            msg("b", "mot de passe oublié, comment faire ?", "fr", &[], 2),
            msg("c", "Mot de passe oublié ?", "fr", &[], 15),
            msg("d", "mot de passe oublié ??", "fr", &[], 200),
        ];
        let period = Period::last_days(NOW, 28);
        assert_eq!(period.weeks(), 4);
        let found = insights(&messages, period);
        assert_eq!(found.questions[0].weekly, vec![0, 1, 0, 2], "the message outside the period is not counted in a week");
    }

    #[test]
    fn many_messages_group_quickly() {
        let subjects = ["mot de passe", "commande", "livraison", "facture", "abonnement", "application", "magasin", "remboursement"];
        let messages: Vec<Message> = (0..20_000)
            .map(|i| {
                let s = subjects[i % subjects.len()];
                msg(&i.to_string(), &format!("Question {i} sur {s} numéro{} ?", i % 97), "fr", &[], (i % 80) as i64)
            })
            .collect();
        let started = std::time::Instant::now();
        let found = insights(&messages, Period::last_days(NOW, 90));
        assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
        assert!(!found.questions.is_empty());
    }

    #[test]
    fn the_draft_quotes_a_question_or_names_a_topic_in_the_messages_language() {
        let q = answer_draft(InsightKind::Question, Locale::Fr, "Comment changer mon mot de passe ? https://x.fr", &[]);
        assert_eq!(q, "Vous êtes nombreux à nous demander : « Comment changer mon mot de passe ? »\nVoici la réponse : ");
        let e = answer_draft(InsightKind::Question, Locale::En, "How do I reset my password?", &[]);
        assert!(e.starts_with("Many of you have asked us: “How do I reset my password?”"));
        let t = answer_draft(InsightKind::Topic, Locale::Fr, "", &["livraison".into(), "retard".into()]);
        assert!(t.starts_with("Vous êtes nombreux à nous parler de livraison, retard."));
        let long = answer_draft(InsightKind::Question, Locale::En, &"a".repeat(300), &[]);
        assert!(long.contains(&format!("{}…", "a".repeat(140))));
    }
}
