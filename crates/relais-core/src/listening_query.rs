//! The boolean queries of listening ("veille"), as a social media manager writes them:
//!
//! - `credit agricole`: both words, anywhere in the post;
//! - `"crédit agricole"`: the phrase, its words in this order, side by side;
//! - `banque OR assurance` (or `OU`): either side; juxtaposition binds tighter than `OR`;
//! - `-recrutement`, `-"offre d'emploi"`: posts containing it are left out;
//! - `(prêt OR crédit) artisan`: parentheses group.
//!
//! Matching ignores case and accents and works on whole words: `pret` matches "Prêt" but not
//! "prêteur", and `credit agricole` matches "#CréditAgricole" only if the words are separate.
//! Networks' own search syntaxes differ, so a network is asked for [`ListeningQuery::to_search_terms`]
//! (plain words) and what it returns is filtered with [`ListeningQuery::matches`].

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most plain searches one query may expand to (one per alternative of its `OR`s).
pub const MAX_SEARCHES: usize = 8;

/// A parsed, valid query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListeningQuery {
    source: String,
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    /// Folded words that must appear side by side, in order; the user's spelling for searches.
    Term {
        words: Vec<String>,
        written: String,
    },
    Not(Box<Expr>),
    All(Vec<Expr>),
    Any(Vec<Expr>),
}

/// Why a query cannot be read; `position` is the 0-based character where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("character {}: {problem}", position + 1)]
pub struct QueryError {
    pub position: usize,
    pub problem: QueryProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueryProblem {
    #[error("the query is empty")]
    Empty,
    #[error("the query is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("this quotation mark is never closed")]
    UnclosedQuote,
    #[error("the quotes contain no word")]
    EmptyPhrase,
    #[error("this parenthesis is never closed")]
    UnclosedParenthesis,
    #[error("this parenthesis closes nothing")]
    UnexpectedParenthesis,
    #[error("OR needs a word on each side")]
    DanglingOr,
    #[error("the parentheses contain no word")]
    EmptyGroup,
    #[error("a minus sign must be followed by the word or phrase to leave out")]
    DanglingMinus,
    #[error("this part has no letter or digit")]
    NoWord,
    #[error("this part only leaves words out: add a word that must appear")]
    OnlyExclusions,
    #[error("the OR alternatives expand to more than {MAX_SEARCHES} searches")]
    TooManyAlternatives,
}

impl QueryProblem {
    /// The translation id of the problem (`listening-error-…`), for pages.
    pub fn code(self) -> &'static str {
        match self {
            QueryProblem::Empty => "listening-error-empty",
            QueryProblem::TooLong => "listening-error-too-long",
            QueryProblem::UnclosedQuote => "listening-error-unclosed-quote",
            QueryProblem::EmptyPhrase => "listening-error-empty-phrase",
            QueryProblem::UnclosedParenthesis => "listening-error-unclosed-parenthesis",
            QueryProblem::UnexpectedParenthesis => "listening-error-unexpected-parenthesis",
            QueryProblem::DanglingOr => "listening-error-dangling-or",
            QueryProblem::EmptyGroup => "listening-error-empty-group",
            QueryProblem::DanglingMinus => "listening-error-dangling-minus",
            QueryProblem::NoWord => "listening-error-no-word",
            QueryProblem::OnlyExclusions => "listening-error-only-exclusions",
            QueryProblem::TooManyAlternatives => "listening-error-too-many-alternatives",
        }
    }
}

/// A text as matching sees it: folded words, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedText(Vec<String>);

impl FoldedText {
    pub fn new(text: &str) -> Self {
        FoldedText(fold_words(text))
    }

    /// The folded words, in order (moderation rules match on them too).
    pub fn words(&self) -> &[String] {
        &self.0
    }

    fn contains(&self, words: &[String]) -> bool {
        !words.is_empty() && self.0.windows(words.len()).any(|w| w == words)
    }
}

/// Lower-cased, accents removed (canonical decomposition without combining marks), split on
/// Unicode word boundaries and on apostrophes, so that "l'Épargne" gives "l", "epargne".
fn fold_words(text: &str) -> Vec<String> {
    let folded: String = text.nfd().filter(|c| !is_combining_mark(*c)).collect::<String>().to_lowercase();
    folded.unicode_words().flat_map(|w| w.split(['\'', '’'])).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Phrase(String),
    Or,
    Minus,
    Open,
    Close,
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = vec![];
    let mut i = 0;
    let is_break = |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '"');
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' | ')' => {
                tokens.push((start, if c == '(' { Token::Open } else { Token::Close }));
                i += 1;
            }
            '"' => {
                let end = chars[i + 1..].iter().position(|&c| c == '"').map(|p| p + i + 1);
                let Some(end) = end else { return Err(QueryError { position: start, problem: QueryProblem::UnclosedQuote }) };
                tokens.push((start, Token::Phrase(chars[i + 1..end].iter().collect())));
                i = end + 1;
            }
            // A minus sign starts an exclusion only at the start of a word: "e-commerce" is a word.
            '-' => {
                if chars.get(i + 1).is_none_or(|c| c.is_whitespace()) {
                    return Err(QueryError { position: start, problem: QueryProblem::DanglingMinus });
                }
                tokens.push((start, Token::Minus));
                i += 1;
            }
            _ => {
                while i < chars.len() && !is_break(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push((start, if word == "OR" || word == "OU" { Token::Or } else { Token::Word(word) }));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    /// Where the text ends, for problems found there.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map(|(p, _)| *p).unwrap_or(self.end)
    }

    fn error(&self, problem: QueryProblem) -> QueryError {
        QueryError { position: self.position(), problem }
    }

    /// alternatives := sequence (OR sequence)*
    fn alternatives(&mut self) -> Result<Expr, QueryError> {
        let mut any = vec![self.sequence()?];
        while self.peek() == Some(&Token::Or) {
            self.next += 1;
            any.push(self.sequence()?);
        }
        Ok(if any.len() == 1 { any.remove(0) } else { Expr::Any(any) })
    }

    /// sequence := unary+ , with at least one part that must appear.
    fn sequence(&mut self) -> Result<Expr, QueryError> {
        let start = self.position();
        let mut all = vec![];
        while let Some(token) = self.peek() {
            if matches!(token, Token::Or | Token::Close) {
                break;
            }
            all.push(self.unary()?);
        }
        if all.is_empty() {
            let inside_parentheses = self.peek() == Some(&Token::Close) && self.next > 0 && self.tokens[self.next - 1].1 == Token::Open;
            return Err(self.error(if inside_parentheses { QueryProblem::EmptyGroup } else { QueryProblem::DanglingOr }));
        }
        if all.iter().all(|e| matches!(e, Expr::Not(_))) {
            return Err(QueryError { position: start, problem: QueryProblem::OnlyExclusions });
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Expr::All(all) })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if self.peek() == Some(&Token::Minus) {
            let at = self.position();
            self.next += 1;
            return match self.peek() {
                Some(Token::Word(_) | Token::Phrase(_) | Token::Open) => Ok(Expr::Not(Box::new(self.atom()?))),
                _ => Err(QueryError { position: at, problem: QueryProblem::DanglingMinus }),
            };
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, QueryError> {
        let at = self.position();
        let Some((_, token)) = self.tokens.get(self.next).cloned() else { return Err(self.error(QueryProblem::DanglingOr)) };
        self.next += 1;
        match token {
            Token::Word(w) => term(at, &w, QueryProblem::NoWord),
            Token::Phrase(p) => term(at, &p, QueryProblem::EmptyPhrase),
            Token::Open => {
                let inner = self.alternatives()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(QueryError { position: at, problem: QueryProblem::UnclosedParenthesis });
                }
                self.next += 1;
                Ok(inner)
            }
            Token::Close => Err(QueryError { position: at, problem: QueryProblem::UnexpectedParenthesis }),
            Token::Or | Token::Minus => Err(QueryError { position: at, problem: QueryProblem::DanglingOr }),
        }
    }
}

fn term(at: usize, written: &str, empty: QueryProblem) -> Result<Expr, QueryError> {
    let words = fold_words(written);
    if words.is_empty() {
        return Err(QueryError { position: at, problem: empty });
    }
    Ok(Expr::Term { words, written: written.split_whitespace().collect::<Vec<_>>().join(" ") })
}

impl Expr {
    fn matches(&self, text: &FoldedText) -> bool {
        match self {
            Expr::Term { words, .. } => text.contains(words),
            Expr::Not(e) => !e.matches(text),
            Expr::All(all) => all.iter().all(|e| e.matches(text)),
            Expr::Any(any) => any.iter().any(|e| e.matches(text)),
        }
    }

    /// The alternatives as lists of the folded words that must appear (exclusions dropped; the
    /// words of a phrase each count).
    fn required_words(&self) -> Vec<Vec<&str>> {
        match self {
            Expr::Term { words, .. } => vec![words.iter().map(String::as_str).collect()],
            Expr::Not(_) => vec![vec![]],
            Expr::Any(any) => any.iter().flat_map(Expr::required_words).collect(),
            Expr::All(all) => all.iter().fold(vec![vec![]], |acc, e| {
                let mut out = vec![];
                for left in &acc {
                    for right in e.required_words() {
                        out.push(left.iter().copied().chain(right).collect());
                    }
                }
                out
            }),
        }
    }

    /// The alternatives as lists of the terms that must appear (exclusions dropped).
    fn alternatives(&self) -> Vec<Vec<&str>> {
        match self {
            Expr::Term { written, .. } => vec![vec![written.as_str()]],
            Expr::Not(_) => vec![vec![]],
            Expr::Any(any) => any.iter().flat_map(Expr::alternatives).collect(),
            Expr::All(all) => all.iter().fold(vec![vec![]], |acc, e| {
                let mut out = vec![];
                for left in &acc {
                    for right in e.alternatives() {
                        if out.len() > MAX_SEARCHES {
                            return out;
                        }
                        out.push(left.iter().copied().chain(right).collect());
                    }
                }
                out
            }),
        }
    }
}

impl ListeningQuery {
    pub fn parse(source: &str) -> Result<Self, QueryError> {
        let source = source.trim();
        let length = source.chars().count();
        if length > MAX_QUERY_CHARS {
            return Err(QueryError { position: MAX_QUERY_CHARS, problem: QueryProblem::TooLong });
        }
        let tokens = tokenize(source)?;
        if tokens.is_empty() {
            return Err(QueryError { position: 0, problem: QueryProblem::Empty });
        }
        let mut parser = Parser { tokens, next: 0, end: length };
        let expr = parser.alternatives()?;
        if parser.next < parser.tokens.len() {
            return Err(parser.error(QueryProblem::UnexpectedParenthesis));
        }
        if expr.alternatives().len() > MAX_SEARCHES {
            return Err(QueryError { position: 0, problem: QueryProblem::TooManyAlternatives });
        }
        Ok(ListeningQuery { source: source.to_string(), expr })
    }

    /// The query as written (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn matches(&self, text: &str) -> bool {
        self.matches_folded(&FoldedText::new(text))
    }

    /// The same, for a text folded once and matched against many queries (the stream).
    pub fn matches_folded(&self, text: &FoldedText) -> bool {
        self.expr.matches(text)
    }

    /// For each alternative of the query, the folded words a text must contain to match it
    /// (a parsed query has at most [`MAX_SEARCHES`] alternatives, each with at least one word).
    /// An index of words can narrow the candidates with them; [`ListeningQuery::matches`] decides.
    pub fn required_words(&self) -> Vec<Vec<String>> {
        self.expr.required_words().into_iter().map(|a| a.into_iter().map(str::to_string).collect()).collect()
    }

    /// Plain searches for a network, one per alternative of the query: the words and phrases
    /// that must appear, as the user spelled them, without quotes or operators (search syntaxes
    /// differ between networks); exclusions are left to [`ListeningQuery::matches`].
    pub fn to_search_terms(&self) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for alternative in self.expr.alternatives() {
            let search = alternative.join(" ");
            if !search.is_empty() && !out.contains(&search) {
                out.push(search);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> ListeningQuery {
        ListeningQuery::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn problem(s: &str) -> (usize, QueryProblem) {
        let e = ListeningQuery::parse(s).expect_err(s);
        (e.position, e.problem)
    }

    #[test]
    fn words_match_whatever_the_case_and_accents() {
        let query = q("credit agricole");
        assert!(query.matches("Le Crédit Agricole ouvre une agence"));
        assert!(query.matches("agricole, et crédit"), "words need not be side by side");
        assert!(!query.matches("Crédit Mutuel"));
        assert!(q("Crédit").matches("CREDIT immobilier"), "an accent in the query matches the bare word");
        assert!(q("noël").matches("Joyeux Noel"));
    }

    #[test]
    fn words_match_whole_words_only() {
        let query = q("pret");
        assert!(query.matches("Un prêt à taux zéro"));
        assert!(query.matches("PRÊT!"));
        assert!(!query.matches("Le prêteur sur gages"));
        assert!(!query.matches("interprete"));
        assert!(q("epargne").matches("Le livret d’épargne et l'Épargne salariale"), "elisions split words");
        assert!(q("relais").matches("Vive #Relais !"), "a hashtag's word counts");
    }

    #[test]
    fn phrases_need_their_words_in_order_side_by_side() {
        let query = q("\"crédit agricole\"");
        assert!(query.matches("J'aime le CREDIT-AGRICOLE."));
        assert!(!query.matches("agricole crédit"));
        assert!(!query.matches("crédit très agricole"));
        assert!(q("\"offre d'emploi\"").matches("Nouvelle offre d’emploi à Dijon"));
    }

    #[test]
    fn or_binds_looser_than_juxtaposition() {
        let query = q("banque dijon OR assurance");
        assert!(query.matches("la banque de Dijon"));
        assert!(query.matches("une assurance"));
        assert!(!query.matches("la banque de Beaune"));
        assert!(q("prêt OU crédit").matches("un crédit"), "OU is the French OR");
        assert!(q("banque or assurance").matches("banque or assurance"), "a lower-case or is a word");
        assert!(!q("banque or assurance").matches("assurance"));
    }

    #[test]
    fn exclusions_leave_posts_out() {
        let query = q("banque -recrutement -\"offre d'emploi\"");
        assert!(query.matches("Ma banque est fermée"));
        assert!(!query.matches("Banque : Recrutement en cours"));
        assert!(!query.matches("Banque, offre d'emploi"));
        assert!(query.matches("Banque, offre spéciale d'emploi du temps"));
        assert!(q("e-commerce").matches("le e commerce"), "a hyphen inside a word is not an exclusion");
    }

    #[test]
    fn parentheses_group_alternatives() {
        let query = q("(prêt OR crédit) artisan -immobilier");
        assert!(query.matches("Un prêt pour artisan"));
        assert!(query.matches("crédit Artisans? non: crédit artisan"));
        assert!(!query.matches("Un prêt pour artisan immobilier"));
        assert!(!query.matches("Un prêt"));
        assert!(q("-(a OR b) c").matches("c d"));
        assert!(!q("-(a OR b) c").matches("c b"));
    }

    #[test]
    fn search_terms_are_the_required_words_of_each_alternative() {
        assert_eq!(q("  Crédit   Agricole ").to_search_terms(), vec!["Crédit Agricole"]);
        assert_eq!(q("\"banque  de Bourgogne\" -emploi").to_search_terms(), vec!["banque de Bourgogne"]);
        assert_eq!(q("(prêt OR crédit) artisan").to_search_terms(), vec!["prêt artisan", "crédit artisan"]);
        assert_eq!(q("a OR a").to_search_terms(), vec!["a"]);
        assert_eq!(q("x -(y OR z)").to_search_terms(), vec!["x"]);
    }

    #[test]
    fn required_words_are_folded_per_alternative() {
        assert_eq!(q("(Prêt OR \"crédit Agricole\") -emploi").required_words(), vec![vec!["pret"], vec!["credit", "agricole"]]);
        assert_eq!(q("Élodie l'épargne").required_words(), vec![vec!["elodie", "l", "epargne"]]);
    }

    #[test]
    fn problems_name_their_position() {
        assert_eq!(problem(""), (0, QueryProblem::Empty));
        assert_eq!(problem("   "), (0, QueryProblem::Empty));
        assert_eq!(problem("banque \"crédit"), (7, QueryProblem::UnclosedQuote));
        assert_eq!(problem("a \"\" b"), (2, QueryProblem::EmptyPhrase));
        assert_eq!(problem("(a OR b"), (0, QueryProblem::UnclosedParenthesis));
        assert_eq!(problem("a b)"), (3, QueryProblem::UnexpectedParenthesis));
        assert_eq!(problem("a OR"), (4, QueryProblem::DanglingOr));
        assert_eq!(problem("OR a"), (0, QueryProblem::DanglingOr));
        assert_eq!(problem("a OR OR b"), (5, QueryProblem::DanglingOr));
        assert_eq!(problem("a - b"), (2, QueryProblem::DanglingMinus));
        assert_eq!(problem("a !!!"), (2, QueryProblem::NoWord));
        assert_eq!(problem("-emploi"), (0, QueryProblem::OnlyExclusions));
        assert_eq!(problem("banque OR -emploi"), (10, QueryProblem::OnlyExclusions));
        assert_eq!(problem("()"), (1, QueryProblem::EmptyGroup));
        assert_eq!(problem("a -)"), (2, QueryProblem::DanglingMinus));
        assert_eq!(problem(&"a".repeat(501)).1, QueryProblem::TooLong);
        assert_eq!(problem("(a OR b) (c OR d) (e OR f) (g OR h)").1, QueryProblem::TooManyAlternatives);
        let e = ListeningQuery::parse("banque \"crédit").unwrap_err();
        assert_eq!(e.to_string(), "character 8: this quotation mark is never closed");
    }
}
