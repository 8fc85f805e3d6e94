//! The editorial calendar as a spreadsheet (CSV or XLSX): its columns and their French and
//! English headers, reading dates, times and statuses the way people type them, and checking a
//! whole sheet against a workspace before anything is written.
//!
//! One row is one post on one account. Rows that share a value in the optional "Publication" /
//! "Post" column are the variants of one post (one per account): they share its date, time,
//! status, title, pillar and campaign, which later rows may repeat or leave empty. A row with no
//! such value is a post of its own. The export writes a number there for every post, so a
//! post on several accounts comes back as one post.
//!
//! Checking never stops at the first problem: [`plan_import`] returns every problem with the
//! row as the spreadsheet shows it (the header is row 1) and the column's header as written in
//! the file, so the whole sheet can be fixed in one go. An import is all or nothing.
//!
//! Which statuses a sheet may carry:
//! - idea, draft, in review: anyone who drafts posts;
//! - client review, approved, scheduled: only members who approve posts (a CM's row with such a
//!   status is refused, naming the row); in a workspace where the client approves content,
//!   approved and scheduled rows are refused too, since importing them would skip the client;
//! - publishing, published, failed, cancelled: never, they describe what happened on a network.
//!
//! Dates and times are wall-clock times in the workspace's zone; a scheduled row must be in the
//! future and a time in a spring-forward gap is refused with the next valid time. A row that is
//! not scheduled may carry a date and time: its planned slot in the calendar.

use crate::scheduling::{ScheduleError, resolve_local};
use crate::text_rules::{LengthCounting, fold, measure};
use crate::workflow::PostState;
use jiff::ToSpan;
use jiff::civil::{Date, Time};
use std::collections::HashMap;

/// The language of a sheet's headers and status names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub fn parse(s: &str) -> Option<Language> {
        match s {
            "fr" => Some(Language::Fr),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }
}

/// A column of the calendar sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Date,
    Time,
    Account,
    Text,
    Link,
    Media,
    Pillar,
    Campaign,
    Status,
    Title,
    /// Groups rows into one post (its variants).
    Post,
}

impl Column {
    /// In the order the export writes them.
    pub const ALL: [Column; 11] = [
        Column::Date,
        Column::Time,
        Column::Account,
        Column::Text,
        Column::Link,
        Column::Media,
        Column::Pillar,
        Column::Campaign,
        Column::Status,
        Column::Title,
        Column::Post,
    ];

    pub fn header(self, lang: Language) -> &'static str {
        use Column as C;
        use Language::{En, Fr};
        match (self, lang) {
            (C::Date, _) => "Date",
            (C::Time, Fr) => "Heure",
            (C::Time, En) => "Time",
            (C::Account, Fr) => "Compte",
            (C::Account, En) => "Account",
            (C::Text, Fr) => "Texte",
            (C::Text, En) => "Text",
            (C::Link, Fr) => "Lien",
            (C::Link, En) => "Link",
            (C::Media, Fr) => "Média",
            (C::Media, En) => "Media",
            (C::Pillar, Fr) => "Pilier",
            (C::Pillar, En) => "Pillar",
            (C::Campaign, Fr) => "Campagne",
            (C::Campaign, En) => "Campaign",
            (C::Status, Fr) => "Statut",
            (C::Status, En) => "Status",
            (C::Title, Fr) => "Titre",
            (C::Title, En) => "Title",
            (C::Post, Fr) => "Publication",
            (C::Post, En) => "Post",
        }
    }

    /// Columns a sheet must have (their cells may still be empty where a row allows it).
    pub fn required(self) -> bool {
        matches!(self, Column::Date | Column::Time | Column::Account | Column::Text)
    }

    /// The column a header names, in either language, ignoring case, accents and surrounding
    /// spaces; with the language it is specific to (None for "Date" and "Média"/"Media").
    fn recognise(header: &str) -> Option<(Column, Option<Language>)> {
        let folded = fold(header.trim());
        Column::ALL.into_iter().find_map(|c| {
            let (fr, en) = (fold(c.header(Language::Fr)), fold(c.header(Language::En)));
            match (folded == fr, folded == en) {
                (true, true) => Some((c, None)),
                (true, false) => Some((c, Some(Language::Fr))),
                (false, true) => Some((c, Some(Language::En))),
                (false, false) => None,
            }
        })
    }
}

/// A cell as a reader found it. Spreadsheet dates and times are Excel serial numbers (days since
/// 1899-12-30, the time of day as the fraction).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    DateTime(f64),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) | Cell::DateTime(_) => false,
        }
    }

    /// The cell as text, trimmed; whole numbers without a decimal point.
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) | Cell::DateTime(n) => number_text(*n),
        }
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

/// A sheet as read from a file: rows with their number as the spreadsheet shows it (1-based),
/// the first one being the header. Blank rows may be left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSheet {
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// One row of the calendar, as the export writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub post: Option<String>,
    pub date: Option<Date>,
    pub time: Option<Time>,
    /// `network:handle`.
    pub account: String,
    pub title: String,
    pub text: String,
    pub link: Option<String>,
    pub media: Vec<String>,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub status: PostState,
}

/// A typed value to write in a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Empty,
    Text(String),
    Date(Date),
    Time(Time),
}

impl SheetRow {
    pub fn value(&self, column: Column, lang: Language) -> Value {
        let text = |s: &Option<String>| s.as_ref().map_or(Value::Empty, |s| Value::Text(s.clone()));
        match column {
            Column::Date => self.date.map_or(Value::Empty, Value::Date),
            Column::Time => self.time.map_or(Value::Empty, Value::Time),
            Column::Account => Value::Text(self.account.clone()),
            Column::Text => Value::Text(self.text.clone()),
            Column::Link => text(&self.link),
            Column::Media if self.media.is_empty() => Value::Empty,
            Column::Media => Value::Text(self.media.join(MEDIA_SEPARATOR)),
            Column::Pillar => text(&self.pillar),
            Column::Campaign => text(&self.campaign),
            Column::Status => Value::Text(status_label(self.status, lang).to_string()),
            Column::Title => Value::Text(self.title.clone()),
            Column::Post => text(&self.post),
        }
    }
}

/// Between the file names of the media column.
pub const MEDIA_SEPARATOR: &str = "; ";

/// A date as written in a text file: `DD/MM/YYYY` in French, `YYYY-MM-DD` in English.
pub fn format_date(date: Date, lang: Language) -> String {
    match lang {
        Language::Fr => date.strftime("%d/%m/%Y").to_string(),
        Language::En => date.strftime("%Y-%m-%d").to_string(),
    }
}

pub fn format_time(time: Time) -> String {
    time.strftime("%H:%M").to_string()
}

/// A status's name in a sheet.
pub fn status_label(state: PostState, lang: Language) -> &'static str {
    use PostState as S;
    match (state, lang) {
        (S::Idea, Language::Fr) => "idée",
        (S::Idea, Language::En) => "idea",
        (S::Draft, Language::Fr) => "brouillon",
        (S::Draft, Language::En) => "draft",
        (S::InReview, Language::Fr) => "en relecture",
        (S::InReview, Language::En) => "in review",
        (S::ClientReview, Language::Fr) => "validation client",
        (S::ClientReview, Language::En) => "client review",
        (S::Approved, Language::Fr) => "approuvé",
        (S::Approved, Language::En) => "approved",
        (S::Scheduled, Language::Fr) => "programmé",
        (S::Scheduled, Language::En) => "scheduled",
        (S::Publishing, Language::Fr) => "en cours de publication",
        (S::Publishing, Language::En) => "publishing",
        (S::Published, Language::Fr) => "publié",
        (S::Published, Language::En) => "published",
        (S::Failed, Language::Fr) => "échec",
        (S::Failed, Language::En) => "failed",
        (S::Cancelled, Language::Fr) => "annulé",
        (S::Cancelled, Language::En) => "cancelled",
    }
}

/// A status typed in either language, ignoring case and accents ("Programmée", "IN REVIEW",
/// "in_review").
pub fn parse_status(s: &str) -> Option<PostState> {
    let folded = fold(s.trim()).replace(['_', '-'], " ");
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    PostState::ALL.into_iter().find(|&state| {
        [status_label(state, Language::Fr), status_label(state, Language::En), state.as_str()].into_iter().any(|label| {
            let label = fold(label).replace('_', " ");
            // French past participles agree with "la publication": "programmée", "approuvée".
            folded == label || (label.ends_with('e') && folded == format!("{label}e"))
        })
    })
}

/// Whether a sheet may bring posts in this status.
pub fn importable(state: PostState) -> bool {
    matches!(
        state,
        PostState::Idea | PostState::Draft | PostState::InReview | PostState::ClientReview | PostState::Approved | PostState::Scheduled
    )
}

/// Whether importing a post in this status takes the right to approve posts.
pub fn needs_approval(state: PostState) -> bool {
    matches!(state, PostState::ClientReview | PostState::Approved | PostState::Scheduled)
}

/// The calendar day of an Excel serial number, with its time of day when it has one.
fn from_serial(serial: f64) -> Option<(Date, Time)> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let minutes = (serial * 1440.0).round() as i64;
    let epoch = jiff::civil::date(1899, 12, 30);
    let date = epoch.checked_add((minutes.div_euclid(1440)).days()).ok()?;
    let m = minutes.rem_euclid(1440);
    Some((date, Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).ok()?))
}

/// A date cell: a spreadsheet date, or text as `YYYY-MM-DD` or `DD/MM/YYYY` (a time may follow,
/// as in `2026-05-04 09:30`). Returns the time too when the cell carries one.
pub fn parse_date(cell: &Cell) -> Option<(Date, Option<Time>)> {
    match cell {
        Cell::Empty => None,
        Cell::Number(n) | Cell::DateTime(n) => {
            if *n < 1.0 {
                return None;
            }
            let (date, time) = from_serial(*n)?;
            Some((date, (n.fract() != 0.0).then_some(time)))
        }
        Cell::Text(s) => {
            let s = s.trim();
            let (day, rest) = match s.split_once(['T', ' ']) {
                Some((d, t)) => (d, Some(t.trim())),
                None => (s, None),
            };
            let date = if let Some((d, m, y)) = split3(day, '/') {
                if y.len() != 4 {
                    return None;
                }
                Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()?
            } else if let Some((y, m, d)) = split3(day, '-') {
                if y.len() != 4 || m.len() != 2 || d.len() != 2 {
                    return None;
                }
                Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()?
            } else {
                return None;
            };
            let time = match rest.filter(|r| !r.is_empty()) {
                Some(t) => Some(parse_time_text(t)?),
                None => None,
            };
            Some((date, time))
        }
    }
}

fn split3(s: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = s.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    (parts.next().is_none() && digits(a) && digits(b) && digits(c)).then_some((a, b, c))
}

/// A time cell: a spreadsheet time (a fraction of a day; a full date and time keeps its time), or
/// text as `HH:MM`, `HH:MM:SS`, `9h30` or `9h`. Seconds are dropped: the calendar works to the minute.
pub fn parse_time(cell: &Cell) -> Option<Time> {
    match cell {
        Cell::Empty => None,
        Cell::Number(n) | Cell::DateTime(n) => from_serial(n.fract()).map(|(_, t)| t),
        Cell::Text(s) => parse_time_text(s.trim()),
    }
}

fn parse_time_text(s: &str) -> Option<Time> {
    let s = s.to_ascii_lowercase().replace(' ', "");
    let s = if s.ends_with('h') { format!("{s}00") } else { s }.replace('h', ":");
    let mut parts = s.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let sec = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 || sec.is_some_and(|x| x.len() != 2) {
        return None;
    }
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) || !sec.is_none_or(all_digits) {
        return None;
    }
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// A social account of the workspace, with what its network allows.
#[derive(Debug, Clone)]
pub struct SheetAccount {
    pub id: String,
    pub network: String,
    pub handle: String,
    /// The network's name shown to people.
    pub network_label: String,
    pub max_length: usize,
    pub counting: LengthCounting,
    pub max_images: usize,
}

impl SheetAccount {
    /// How the account is written in a sheet.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.network, self.handle)
    }
}

/// What a sheet is checked against.
#[derive(Debug, Clone)]
pub struct ImportContext {
    pub accounts: Vec<SheetAccount>,
    pub pillars: Vec<String>,
    pub campaigns: Vec<String>,
    /// File names in the workspace's media library.
    pub media: Vec<String>,
    /// The workspace's IANA time zone.
    pub zone: String,
    pub now_ms: i64,
    /// Whether the importing member may approve posts.
    pub may_approve: bool,
    /// Whether the workspace's client approves content before it is scheduled.
    pub client_approval: bool,
}

/// A post ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPost {
    /// The spreadsheet row of its first variant.
    pub row: usize,
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub state: PostState,
    pub slot: Option<PlannedSlot>,
    pub variants: Vec<PlannedVariant>,
}

/// A wall-clock time in the workspace's zone and the instant it resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSlot {
    /// `YYYY-MM-DDTHH:MM`.
    pub local: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedVariant {
    pub row: usize,
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
    /// File names in the media library, in order.
    pub media: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// The language the headers were written in.
    pub language: Language,
    pub posts: Vec<PlannedPost>,
}

/// One thing wrong with a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// As the spreadsheet shows it; the header is row 1.
    pub row: usize,
    /// The column's header as written in the file (its letter when it has none; empty when the
    /// problem is the file's).
    pub column: String,
    pub kind: ProblemKind,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, column {:?}: {}", self.row, self.column, self.kind)
    }
}

/// What is wrong; [`ProblemKind::code`] and [`ProblemKind::args`] let the interface say it in
/// its own language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("the file has no header row")]
    EmptyFile,
    #[error("the file has no rows under its header")]
    NoRows,
    #[error("this column has values but no header")]
    UnnamedColumn,
    #[error("unknown column {header:?}; the columns are {expected}")]
    UnknownColumn { header: String, expected: String },
    #[error("the column {header:?} appears twice")]
    DuplicateColumn { header: String },
    #[error("the column {header:?} is missing")]
    MissingColumn { header: String },
    #[error("this cell is required")]
    Required,
    #[error("{value:?} is not a date (write 2026-05-04 or 04/05/2026, or use a date cell)")]
    BadDate { value: String },
    #[error("{value:?} is not a time (write 09:30, or use a time cell)")]
    BadTime { value: String },
    #[error("a date is needed with the time, or for a scheduled post")]
    MissingDate,
    #[error("a time is needed with the date")]
    MissingTime,
    #[error("{local} ({zone}) is in the past: a scheduled post must be in the future")]
    PastDate { local: String, zone: String },
    #[error("{local} does not exist in {zone} (the clocks skip forward that night); the next valid time is {suggestion}")]
    Nonexistent { local: String, zone: String, suggestion: String },
    #[error("no account {value:?} in this workspace (write network:handle, e.g. {example})")]
    UnknownAccount { value: String, example: String },
    #[error("{value:?} names several accounts ({candidates}): write network:handle")]
    AmbiguousAccount { value: String, candidates: String },
    #[error("the text is empty")]
    EmptyText,
    #[error("the text counts {length} characters the way {network} counts; the limit is {limit}")]
    TextTooLong { length: usize, limit: usize, network: String },
    #[error("{value:?} is not a web address (http:// or https://)")]
    BadLink { value: String },
    #[error("no file {value:?} in the media library")]
    UnknownMedia { value: String },
    #[error("{count} media files; {network} allows at most {limit}")]
    TooManyMedia { count: usize, limit: usize, network: String },
    #[error("unknown pillar {value:?}")]
    UnknownPillar { value: String },
    #[error("unknown campaign {value:?}")]
    UnknownCampaign { value: String },
    #[error("unknown status {value:?}; the statuses are {expected}")]
    UnknownStatus { value: String, expected: String },
    #[error("a post that is {status} cannot be imported: remove the row or change its status")]
    StatusNotImportable { status: String },
    #[error("only a member who approves posts may import posts that are {status}")]
    NeedsApproval { status: String },
    #[error("in this workspace the client approves posts: a post that is {status} cannot be imported; import it as in review")]
    ClientApprovalRequired { status: String },
    #[error("the title has {length} characters; the limit is {limit}")]
    TitleTooLong { length: usize, limit: usize },
    #[error("post {post:?} has another value in row {first_row}: the rows of one post share it")]
    PostMismatch { post: String, first_row: usize },
    #[error("post {post:?} already has this account in row {first_row}")]
    DuplicateAccount { post: String, first_row: usize },
}

impl ProblemKind {
    /// A stable id for translations.
    pub fn code(&self) -> &'static str {
        use ProblemKind as K;
        match self {
            K::EmptyFile => "empty-file",
            K::NoRows => "no-rows",
            K::UnnamedColumn => "unnamed-column",
            K::UnknownColumn { .. } => "unknown-column",
            K::DuplicateColumn { .. } => "duplicate-column",
            K::MissingColumn { .. } => "missing-column",
            K::Required => "required",
            K::BadDate { .. } => "bad-date",
            K::BadTime { .. } => "bad-time",
            K::MissingDate => "missing-date",
            K::MissingTime => "missing-time",
            K::PastDate { .. } => "past-date",
            K::Nonexistent { .. } => "nonexistent-time",
            K::UnknownAccount { .. } => "unknown-account",
            K::AmbiguousAccount { .. } => "ambiguous-account",
            K::EmptyText => "empty-text",
            K::TextTooLong { .. } => "text-too-long",
            K::BadLink { .. } => "bad-link",
            K::UnknownMedia { .. } => "unknown-media",
            K::TooManyMedia { .. } => "too-many-media",
            K::UnknownPillar { .. } => "unknown-pillar",
            K::UnknownCampaign { .. } => "unknown-campaign",
            K::UnknownStatus { .. } => "unknown-status",
            K::StatusNotImportable { .. } => "status-not-importable",
            K::NeedsApproval { .. } => "needs-approval",
            K::ClientApprovalRequired { .. } => "client-approval-required",
            K::TitleTooLong { .. } => "title-too-long",
            K::PostMismatch { .. } => "post-mismatch",
            K::DuplicateAccount { .. } => "duplicate-account",
        }
    }

    /// The values a translation needs, by name.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        use ProblemKind as K;
        match self {
            K::EmptyFile | K::NoRows | K::UnnamedColumn | K::Required | K::MissingDate | K::MissingTime | K::EmptyText => vec![],
            K::UnknownColumn { header, expected } => vec![("header", header.clone()), ("expected", expected.clone())],
            K::DuplicateColumn { header } | K::MissingColumn { header } => vec![("header", header.clone())],
            K::BadDate { value }
            | K::BadTime { value }
            | K::BadLink { value }
            | K::UnknownMedia { value }
            | K::UnknownPillar { value }
            | K::UnknownCampaign { value } => vec![("value", value.clone())],
            K::PastDate { local, zone } => vec![("local", local.clone()), ("zone", zone.clone())],
            K::Nonexistent { local, zone, suggestion } => {
                vec![("local", local.clone()), ("zone", zone.clone()), ("suggestion", suggestion.clone())]
            }
            K::UnknownAccount { value, example } => vec![("value", value.clone()), ("example", example.clone())],
            K::AmbiguousAccount { value, candidates } => vec![("value", value.clone()), ("candidates", candidates.clone())],
            K::TextTooLong { length, limit, network } | K::TooManyMedia { count: length, limit, network } => {
                vec![("length", length.to_string()), ("limit", limit.to_string()), ("network", network.clone())]
            }
            K::UnknownStatus { value, expected } => vec![("value", value.clone()), ("expected", expected.clone())],
            K::StatusNotImportable { status } | K::NeedsApproval { status } | K::ClientApprovalRequired { status } => {
                vec![("status", status.clone())]
            }
            K::TitleTooLong { length, limit } => vec![("length", length.to_string()), ("limit", limit.to_string())],
            K::PostMismatch { post, first_row } | K::DuplicateAccount { post, first_row } => {
                vec![("post", post.clone()), ("row", first_row.to_string())]
            }
        }
    }
}

/// The longest title a post may have (as `Name`).
const TITLE_MAX: usize = crate::values::Name::MAX;
/// A title made from the text when the sheet has none.
const DERIVED_TITLE_CHARS: usize = 60;

/// The spreadsheet letter of a 0-based column index ("A", "AB").
pub fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Where each column is, and the headers as written.
struct Layout {
    language: Language,
    index: HashMap<Column, usize>,
    written: HashMap<Column, String>,
}

impl Layout {
    fn cell<'a>(&self, cells: &'a [Cell], column: Column) -> &'a Cell {
        self.index.get(&column).and_then(|&i| cells.get(i)).unwrap_or(&Cell::Empty)
    }

    fn header(&self, column: Column) -> String {
        self.written.get(&column).cloned().unwrap_or_else(|| column.header(self.language).to_string())
    }
}

fn read_header(row: usize, header: &[Cell], data: &[(usize, Vec<Cell>)], problems: &mut Vec<Problem>) -> Layout {
    let mut votes = (0, 0);
    let mut index = HashMap::new();
    let mut written = HashMap::new();
    let mut unknown = vec![];
    for (i, cell) in header.iter().enumerate() {
        let text = cell.text();
        if text.is_empty() {
            if data.iter().any(|(_, cells)| cells.get(i).is_some_and(|c| !c.is_blank())) {
                problems.push(Problem { row, column: column_letter(i), kind: ProblemKind::UnnamedColumn });
            }
            continue;
        }
        match Column::recognise(&text) {
            Some((column, lang)) => {
                match lang {
                    Some(Language::Fr) => votes.0 += 1,
                    Some(Language::En) => votes.1 += 1,
                    None => {}
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(column) {
                    slot.insert(i);
                    written.insert(column, text);
                } else {
                    problems.push(Problem { row, column: text.clone(), kind: ProblemKind::DuplicateColumn { header: text } });
                }
            }
            None => unknown.push(text),
        }
    }
    // French first: a sheet with as many French as English headers is French.
    let language = if votes.1 > votes.0 { Language::En } else { Language::Fr };
    let expected = Column::ALL.iter().map(|c| c.header(language)).collect::<Vec<_>>().join(", ");
    for header in unknown {
        problems.push(Problem { row, column: header.clone(), kind: ProblemKind::UnknownColumn { header, expected: expected.clone() } });
    }
    for column in Column::ALL.into_iter().filter(|c| c.required() && !index.contains_key(c)) {
        let header = column.header(language).to_string();
        problems.push(Problem { row, column: header.clone(), kind: ProblemKind::MissingColumn { header } });
    }
    Layout { language, index, written }
}

/// A row read on its own, before its post's rows are put together.
struct RowValues {
    row: usize,
    post: Option<String>,
    date: Option<Date>,
    time: Option<Time>,
    /// A date or time was written but could not be read (already reported).
    unreadable_when: bool,
    account: Option<usize>,
    title: Option<String>,
    text: String,
    link: Option<String>,
    media: Vec<String>,
    pillar: Option<String>,
    campaign: Option<String>,
    status: Option<PostState>,
}

/// The workspace's name that `value` means: the same, or the same ignoring case and accents.
fn find_name(names: &[String], value: &str) -> Option<String> {
    names.iter().find(|n| *n == value).or_else(|| names.iter().find(|n| fold(n) == fold(value))).cloned()
}

fn find_account(accounts: &[SheetAccount], value: &str) -> Result<usize, ProblemKind> {
    let bare = |h: &str| fold(h.trim().trim_start_matches('@'));
    let (network, handle) = match value.split_once(':') {
        Some((n, h)) if accounts.iter().any(|a| fold(&a.network) == fold(n.trim())) => (Some(fold(n.trim())), h),
        _ => (None, value),
    };
    let matches: Vec<usize> = accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| network.as_ref().is_none_or(|n| *n == fold(&a.network)) && bare(&a.handle) == bare(handle))
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(ProblemKind::UnknownAccount {
            value: value.to_string(),
            example: accounts.first().map_or_else(|| "sandbox:banque".to_string(), SheetAccount::reference),
        }),
        many => Err(ProblemKind::AmbiguousAccount {
            value: value.to_string(),
            candidates: many.iter().map(|&i| accounts[i].reference()).collect::<Vec<_>>().join(", "),
        }),
    }
}

fn valid_link(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()))
}

/// A title from the text: its first line, cut at a word boundary.
fn derive_title(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= DERIVED_TITLE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(DERIVED_TITLE_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > DERIVED_TITLE_CHARS / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

fn read_row(row: usize, cells: &[Cell], layout: &Layout, ctx: &ImportContext, problems: &mut Vec<Problem>) -> RowValues {
    let mut problem = |column: Column, kind: ProblemKind| problems.push(Problem { row, column: layout.header(column), kind });
    let text_of = |column: Column| Some(layout.cell(cells, column).text()).filter(|s| !s.is_empty());

    let mut date = None;
    let mut time = None;
    let date_cell = layout.cell(cells, Column::Date);
    if !date_cell.is_blank() {
        match parse_date(date_cell) {
            Some((d, t)) => {
                date = Some(d);
                time = t;
            }
            None => problem(Column::Date, ProblemKind::BadDate { value: date_cell.text() }),
        }
    }
    let time_cell = layout.cell(cells, Column::Time);
    if !time_cell.is_blank() {
        match parse_time(time_cell) {
            Some(t) => time = Some(t),
            None => problem(Column::Time, ProblemKind::BadTime { value: time_cell.text() }),
        }
    }
    let unreadable_when = (date.is_none() && !date_cell.is_blank()) || (time.is_none() && !time_cell.is_blank());

    let account = match text_of(Column::Account) {
        None => {
            problem(Column::Account, ProblemKind::Required);
            None
        }
        Some(value) => find_account(&ctx.accounts, &value).map_err(|kind| problem(Column::Account, kind)).ok(),
    };

    // The text is kept as written (line breaks and spaces are part of a post).
    let text = match layout.cell(cells, Column::Text) {
        Cell::Text(s) => s.clone(),
        other => other.text(),
    };
    if text.trim().is_empty() {
        problem(Column::Text, ProblemKind::EmptyText);
    } else if let Some(a) = account.map(|i| &ctx.accounts[i]) {
        let length = measure(&text, a.counting);
        if length > a.max_length {
            problem(Column::Text, ProblemKind::TextTooLong { length, limit: a.max_length, network: a.network_label.clone() });
        }
    }

    let link = text_of(Column::Link);
    if let Some(l) = link.as_ref().filter(|l| !valid_link(l)) {
        problem(Column::Link, ProblemKind::BadLink { value: l.clone() });
    }

    let media: Vec<String> =
        layout.cell(cells, Column::Media).text().split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    for name in media.iter().filter(|m| !ctx.media.contains(m)) {
        problem(Column::Media, ProblemKind::UnknownMedia { value: name.clone() });
    }
    if let Some(a) = account.map(|i| &ctx.accounts[i])
        && media.len() > a.max_images
    {
        problem(Column::Media, ProblemKind::TooManyMedia { count: media.len(), limit: a.max_images, network: a.network_label.clone() });
    }

    let mut label = |column: Column, names: &[String], unknown: fn(String) -> ProblemKind| {
        let value = text_of(column)?;
        let found = find_name(names, &value);
        if found.is_none() {
            problem(column, unknown(value));
        }
        found
    };
    let pillar = label(Column::Pillar, &ctx.pillars, |value| ProblemKind::UnknownPillar { value });
    let campaign = label(Column::Campaign, &ctx.campaigns, |value| ProblemKind::UnknownCampaign { value });

    let title = text_of(Column::Title);
    if let Some(t) = &title
        && t.chars().count() > TITLE_MAX
    {
        problem(Column::Title, ProblemKind::TitleTooLong { length: t.chars().count(), limit: TITLE_MAX });
    }

    let status = text_of(Column::Status).and_then(|value| {
        let parsed = parse_status(&value);
        if parsed.is_none() {
            let expected = PostState::ALL
                .into_iter()
                .filter(|s| importable(*s))
                .map(|s| status_label(s, layout.language))
                .collect::<Vec<_>>()
                .join(", ");
            problem(Column::Status, ProblemKind::UnknownStatus { value, expected });
        }
        parsed
    });

    RowValues { row, post: text_of(Column::Post), date, time, unreadable_when, account, title, text, link, media, pillar, campaign, status }
}

/// Puts the rows of one post together: shared cells must agree.
fn merge<T: Clone + PartialEq>(
    rows: &[&RowValues],
    get: impl Fn(&RowValues) -> Option<T>,
    column: Column,
    layout: &Layout,
    problems: &mut Vec<Problem>,
) -> Option<(T, usize)> {
    let mut found: Option<(T, usize)> = None;
    for r in rows {
        let Some(v) = get(r) else { continue };
        match &found {
            None => found = Some((v, r.row)),
            Some((first, first_row)) if *first != v => problems.push(Problem {
                row: r.row,
                column: layout.header(column),
                kind: ProblemKind::PostMismatch { post: r.post.clone().unwrap_or_default(), first_row: *first_row },
            }),
            Some(_) => {}
        }
    }
    found
}

/// Checks a whole sheet against the workspace: the posts to create, or every problem found.
pub fn plan_import(sheet: &RawSheet, ctx: &ImportContext) -> Result<ImportPlan, Vec<Problem>> {
    let mut problems = vec![];
    let mut rows = sheet.rows.iter().filter(|(_, cells)| cells.iter().any(|c| !c.is_blank()));
    let Some((header_row, header)) = rows.next() else {
        return Err(vec![Problem { row: 1, column: String::new(), kind: ProblemKind::EmptyFile }]);
    };
    let data: Vec<(usize, Vec<Cell>)> = rows.cloned().collect();
    let layout = read_header(*header_row, header, &data, &mut problems);
    if Column::ALL.iter().any(|c| c.required() && !layout.index.contains_key(c)) {
        return Err(problems);
    }
    if data.is_empty() {
        problems.push(Problem { row: header_row + 1, column: String::new(), kind: ProblemKind::NoRows });
        return Err(problems);
    }

    let values: Vec<RowValues> = data.iter().map(|(row, cells)| read_row(*row, cells, &layout, ctx, &mut problems)).collect();

    // Rows in the order of their post's first row.
    let mut groups: Vec<Vec<&RowValues>> = vec![];
    let mut by_post: HashMap<&str, usize> = HashMap::new();
    for v in &values {
        match v.post.as_deref() {
            Some(p) => match by_post.get(p) {
                Some(&g) => groups[g].push(v),
                None => {
                    by_post.insert(p, groups.len());
                    groups.push(vec![v]);
                }
            },
            None => groups.push(vec![v]),
        }
    }

    let mut posts = vec![];
    for group in groups {
        let first = group[0].row;
        let date = merge(&group, |r| r.date, Column::Date, &layout, &mut problems);
        let time = merge(&group, |r| r.time, Column::Time, &layout, &mut problems);
        let status = merge(&group, |r| r.status, Column::Status, &layout, &mut problems);
        let title = merge(&group, |r| r.title.clone(), Column::Title, &layout, &mut problems);
        let pillar = merge(&group, |r| r.pillar.clone(), Column::Pillar, &layout, &mut problems);
        let campaign = merge(&group, |r| r.campaign.clone(), Column::Campaign, &layout, &mut problems);

        let (state, status_row) = status.unwrap_or((PostState::Draft, first));
        let mut problem =
            |row: usize, column: Column, kind: ProblemKind| problems.push(Problem { row, column: layout.header(column), kind });
        let label = status_label(state, layout.language).to_string();
        if !importable(state) {
            problem(status_row, Column::Status, ProblemKind::StatusNotImportable { status: label });
        } else if needs_approval(state) && !ctx.may_approve {
            problem(status_row, Column::Status, ProblemKind::NeedsApproval { status: label });
        } else if matches!(state, PostState::Approved | PostState::Scheduled) && ctx.client_approval {
            problem(status_row, Column::Status, ProblemKind::ClientApprovalRequired { status: label });
        }

        let mut slot = None;
        let unreadable_when = group.iter().any(|r| r.unreadable_when);
        match (date, time) {
            (Some((d, date_row)), Some((t, time_row))) => {
                let local = format!("{}T{}", d.strftime("%Y-%m-%d"), format_time(t));
                match resolve_local(&local, &ctx.zone) {
                    Ok(at) => {
                        let at_ms = at.as_millisecond();
                        if state == PostState::Scheduled && at_ms <= ctx.now_ms {
                            problem(date_row, Column::Date, ProblemKind::PastDate { local: local.clone(), zone: ctx.zone.clone() });
                        }
                        slot = Some(PlannedSlot { local, at_ms });
                    }
                    Err(ScheduleError::Nonexistent { local, zone, suggestion }) => {
                        problem(time_row, Column::Time, ProblemKind::Nonexistent { local, zone, suggestion });
                    }
                    Err(e) => problem(date_row, Column::Date, ProblemKind::BadDate { value: e.to_string() }),
                }
            }
            _ if unreadable_when => {}
            (Some((_, date_row)), None) => problem(date_row, Column::Time, ProblemKind::MissingTime),
            (None, Some((_, time_row))) => problem(time_row, Column::Date, ProblemKind::MissingDate),
            (None, None) if state == PostState::Scheduled => problem(status_row, Column::Date, ProblemKind::MissingDate),
            (None, None) => {}
        }

        let mut variants: Vec<PlannedVariant> = vec![];
        let mut seen: HashMap<usize, usize> = HashMap::new();
        for r in &group {
            let Some(account) = r.account else { continue };
            if let Some(&first_row) = seen.get(&account) {
                problem(r.row, Column::Account, ProblemKind::DuplicateAccount { post: r.post.clone().unwrap_or_default(), first_row });
                continue;
            }
            seen.insert(account, r.row);
            variants.push(PlannedVariant {
                row: r.row,
                account_id: ctx.accounts[account].id.clone(),
                text: r.text.clone(),
                link: r.link.clone(),
                media: r.media.clone(),
            });
        }
        let title = title.map(|(t, _)| t).unwrap_or_else(|| derive_title(&group[0].text));
        posts.push(PlannedPost { row: first, title, pillar: pillar.map(|p| p.0), campaign: campaign.map(|c| c.0), state, slot, variants });
    }

    if problems.is_empty() {
        Ok(ImportPlan { language: layout.language, posts })
    } else {
        let order: HashMap<String, usize> = layout.index.keys().map(|c| (layout.header(*c), layout.index[c])).collect();
        problems.sort_by_key(|p| (p.row, order.get(&p.column).copied().unwrap_or(usize::MAX)));
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARIS: &str = "Europe/Paris";

    fn t(s: &str) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }
    }

    fn sheet(rows: &[&[&str]]) -> RawSheet {
        RawSheet { rows: rows.iter().enumerate().map(|(i, r)| (i + 1, r.iter().map(|s| t(s)).collect())).collect() }
    }

    fn account(id: &str, handle: &str) -> SheetAccount {
        SheetAccount {
            id: id.into(),
            network: "sandbox".into(),
            handle: handle.into(),
            network_label: "Sandbox".into(),
            max_length: 20,
            counting: LengthCounting::Graphemes,
            max_images: 2,
        }
    }

    fn ctx() -> ImportContext {
        ImportContext {
            accounts: vec![account("a1", "banque"), account("a2", "cafe")],
            pillars: vec!["Offres".into(), "Coulisses".into()],
            campaigns: vec!["Rentrée 2099".into()],
            media: vec!["affiche.png".into(), "video.mp4".into(), "logo.png".into()],
            zone: PARIS.into(),
            // 2026-01-01T00:00Z
            now_ms: 1_767_225_600_000,
            may_approve: true,
            client_approval: false,
        }
    }

    const FR_HEADER: &[&str] = &["Date", "Heure", "Compte", "Texte", "Lien", "Média", "Pilier", "Campagne", "Statut"];

    #[test]
    fn headers_are_recognised_in_either_language_any_order_case_and_accents() {
        assert_eq!(Column::recognise(" MEDIA "), Some((Column::Media, None)));
        assert_eq!(Column::recognise("média"), Some((Column::Media, None)));
        assert_eq!(Column::recognise("Statut"), Some((Column::Status, Some(Language::Fr))));
        assert_eq!(Column::recognise("status"), Some((Column::Status, Some(Language::En))));
        assert_eq!(Column::recognise("notes"), None);
        let s = sheet(&[&["text", "ACCOUNT", "time", "date"], &["Bonjour", "banque", "09:30", "2026-05-04"]]);
        let plan = plan_import(&s, &ctx()).unwrap();
        assert_eq!(plan.language, Language::En);
        assert_eq!(plan.posts[0].slot.as_ref().unwrap().local, "2026-05-04T09:30");
        assert_eq!(plan.posts[0].state, PostState::Draft);
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_named() {
        let s = sheet(&[&["Date", "Compte", "Notes", "compte", "Texte"], &["", "banque", "x", "", "Bonjour"]]);
        let problems = plan_import(&s, &ctx()).unwrap_err();
        let kinds: Vec<(&str, &str)> = problems.iter().map(|p| (p.column.as_str(), p.kind.code())).collect();
        assert!(kinds.contains(&("Notes", "unknown-column")), "{kinds:?}");
        assert!(kinds.contains(&("compte", "duplicate-column")), "{kinds:?}");
        assert!(kinds.contains(&("Heure", "missing-column")), "{kinds:?}");
        assert!(problems.iter().all(|p| p.row == 1));
    }

    #[test]
    fn a_column_with_values_but_no_header_is_reported_by_its_letter() {
        let s = sheet(&[&["Date", "Heure", "Compte", "Texte", ""], &["", "", "banque", "Bonjour", "oups"]]);
        let problems = plan_import(&s, &ctx()).unwrap_err();
        assert_eq!((problems[0].row, problems[0].column.as_str(), problems[0].kind.code()), (1, "E", "unnamed-column"));
        // An empty trailing column is no problem.
        let s = sheet(&[&["Date", "Heure", "Compte", "Texte", ""], &["", "", "banque", "Bonjour", ""]]);
        assert!(plan_import(&s, &ctx()).is_ok());
    }

    #[test]
    fn dates_as_text_or_spreadsheet_dates_and_times_as_text_or_fractions() {
        let d = |y, m, day| jiff::civil::date(y, m, day);
        assert_eq!(parse_date(&t("2026-05-04")), Some((d(2026, 5, 4), None)));
        assert_eq!(parse_date(&t("04/05/2026")), Some((d(2026, 5, 4), None)));
        assert_eq!(parse_date(&t("4/5/2026")), Some((d(2026, 5, 4), None)));
        assert_eq!(parse_date(&t("2026-05-04 09:30:00")), Some((d(2026, 5, 4), Some(jiff::civil::time(9, 30, 0, 0)))));
        assert_eq!(parse_date(&t("31/02/2026")), None);
        assert_eq!(parse_date(&t("04/05/26")), None);
        assert_eq!(parse_date(&t("demain")), None);
        // 46146 is 2026-05-04 in Excel's 1900 date system; .395833 is 09:30.
        assert_eq!(parse_date(&Cell::DateTime(46146.0)), Some((d(2026, 5, 4), None)));
        assert_eq!(parse_date(&Cell::Number(46146.395833)), Some((d(2026, 5, 4), Some(jiff::civil::time(9, 30, 0, 0)))));
        assert_eq!(parse_date(&Cell::DateTime(0.5)), None);

        let hm = |h, m| Some(jiff::civil::time(h, m, 0, 0));
        assert_eq!(parse_time(&t("09:30")), hm(9, 30));
        assert_eq!(parse_time(&t("9:05")), hm(9, 5));
        assert_eq!(parse_time(&t("18:45:00")), hm(18, 45));
        assert_eq!(parse_time(&t("9h30")), hm(9, 30));
        assert_eq!(parse_time(&t("14h")), hm(14, 0));
        assert_eq!(parse_time(&Cell::DateTime(0.395833)), hm(9, 30));
        assert_eq!(parse_time(&Cell::Number(46146.75)), hm(18, 0));
        assert_eq!(parse_time(&t("25:00")), None);
        assert_eq!(parse_time(&t("9:5")), None);
        assert_eq!(parse_time(&t("midi")), None);
    }

    #[test]
    fn statuses_in_french_or_english_whatever_the_case_and_accents() {
        assert_eq!(parse_status("Programmée"), Some(PostState::Scheduled));
        assert_eq!(parse_status("PROGRAMME"), Some(PostState::Scheduled));
        assert_eq!(parse_status("en relecture"), Some(PostState::InReview));
        assert_eq!(parse_status("In review"), Some(PostState::InReview));
        assert_eq!(parse_status("in_review"), Some(PostState::InReview));
        assert_eq!(parse_status("Idée"), Some(PostState::Idea));
        assert_eq!(parse_status("publié"), Some(PostState::Published));
        assert_eq!(parse_status("peut-être"), None);
        for state in PostState::ALL {
            for lang in [Language::Fr, Language::En] {
                assert_eq!(parse_status(status_label(state, lang)), Some(state));
            }
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_row_and_column() {
        let s = sheet(&[
            FR_HEADER,
            &["04/05/2026", "09:30", "banque", "Bonjour", "", "", "Offres", "", "programmé"],
            &[
                "2025-06-01",
                "10:00",
                "inconnu",
                "Trop long pour ce réseau, vraiment",
                "pas un lien",
                "absent.png",
                "Cuisine",
                "Noël",
                "programmé",
            ],
            &["29/03/2026", "02:30", "cafe", "", "", "", "", "", "brouillon"],
            &["", "", "", "Bonjour", "", "", "", "", "peut-être"],
            &["", "10:00", "cafe", "Bonjour", "", "", "", "", "publié"],
        ]);
        let problems = plan_import(&s, &ctx()).unwrap_err();
        let got: Vec<(usize, &str, &str)> = problems.iter().map(|p| (p.row, p.column.as_str(), p.kind.code())).collect();
        assert_eq!(
            got,
            vec![
                (3, "Date", "past-date"),
                (3, "Compte", "unknown-account"),
                (3, "Lien", "bad-link"),
                (3, "Média", "unknown-media"),
                (3, "Pilier", "unknown-pillar"),
                (3, "Campagne", "unknown-campaign"),
                (4, "Heure", "nonexistent-time"),
                (4, "Texte", "empty-text"),
                (5, "Compte", "required"),
                (5, "Statut", "unknown-status"),
                (6, "Date", "missing-date"),
                (6, "Statut", "status-not-importable"),
            ]
        );
        let gap = problems.iter().find(|p| p.kind.code() == "nonexistent-time").unwrap();
        assert!(gap.kind.to_string().contains("2026-03-29T03:00"), "{}", gap.kind);
        // The text of row 3 is not measured: its account, hence its network, is unknown.
        let s = sheet(&[FR_HEADER, &["", "", "banque", "Trop long pour ce réseau, vraiment", "", "affiche.png; logo.png; video.mp4"]]);
        let problems = plan_import(&s, &ctx()).unwrap_err();
        let got: Vec<(usize, &str, &str)> = problems.iter().map(|p| (p.row, p.column.as_str(), p.kind.code())).collect();
        assert_eq!(got, vec![(2, "Texte", "text-too-long"), (2, "Média", "too-many-media")]);
        assert_eq!(problems[0].kind.to_string(), "the text counts 34 characters the way Sandbox counts; the limit is 20");
    }

    #[test]
    fn a_member_who_cannot_approve_may_not_import_approved_or_scheduled_posts() {
        let s = sheet(&[
            FR_HEADER,
            &["04/05/2026", "09:30", "banque", "Un", "", "", "", "", "approuvé"],
            &["04/05/2026", "09:30", "banque", "Deux", "", "", "", "", "programmé"],
            &["04/05/2026", "09:30", "banque", "Trois", "", "", "", "", "en relecture"],
        ]);
        let cm = ImportContext { may_approve: false, ..ctx() };
        let problems = plan_import(&s, &cm).unwrap_err();
        let got: Vec<(usize, &str)> = problems.iter().map(|p| (p.row, p.kind.code())).collect();
        assert_eq!(got, vec![(2, "needs-approval"), (3, "needs-approval")]);
        let with_client = ImportContext { client_approval: true, ..ctx() };
        let got: Vec<(usize, &str)> = plan_import(&s, &with_client).unwrap_err().iter().map(|p| (p.row, p.kind.code())).collect();
        assert_eq!(got, vec![(2, "client-approval-required"), (3, "client-approval-required")]);
        assert_eq!(plan_import(&s, &ctx()).unwrap().posts.len(), 3);
    }

    #[test]
    fn rows_of_one_post_become_its_variants_and_must_agree() {
        let header: &[&str] = &["Publication", "Date", "Heure", "Compte", "Texte", "Statut", "Titre", "Pilier"];
        let s = sheet(&[
            header,
            &["P1", "04/05/2026", "09:30", "sandbox:banque", "Pour la banque", "programmé", "Rentrée", "offres"],
            &["P1", "", "", "@cafe", "Pour le café", "", "", ""],
            &["", "05/05/2026", "10:00", "banque", "Seul", "", "", ""],
        ]);
        let plan = plan_import(&s, &ctx()).unwrap();
        assert_eq!(plan.posts.len(), 2);
        let p = &plan.posts[0];
        assert_eq!((p.row, p.title.as_str(), p.state, p.pillar.as_deref()), (2, "Rentrée", PostState::Scheduled, Some("Offres")));
        assert_eq!(p.slot.as_ref().unwrap().local, "2026-05-04T09:30");
        // 09:30 in Paris in May is 07:30 UTC.
        assert_eq!(p.slot.as_ref().unwrap().at_ms, "2026-05-04T07:30:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let accounts: Vec<&str> = p.variants.iter().map(|v| v.account_id.as_str()).collect();
        assert_eq!(accounts, ["a1", "a2"]);
        assert_eq!(plan.posts[1].title, "Seul");

        let s = sheet(&[
            header,
            &["P1", "04/05/2026", "09:30", "banque", "Un", "brouillon", "", ""],
            &["P1", "05/05/2026", "", "banque", "Deux", "", "", ""],
        ]);
        let got: Vec<(usize, String, &str)> =
            plan_import(&s, &ctx()).unwrap_err().iter().map(|p| (p.row, p.column.clone(), p.kind.code())).collect();
        assert_eq!(got, vec![(3, "Date".into(), "post-mismatch"), (3, "Compte".into(), "duplicate-account")]);
    }

    #[test]
    fn accounts_by_handle_with_or_without_network_and_at_sign() {
        let accounts = vec![account("a1", "banque"), SheetAccount { network: "mastodon".into(), ..account("a3", "banque") }];
        assert_eq!(find_account(&accounts, "sandbox:banque"), Ok(0));
        assert_eq!(find_account(&accounts, "Mastodon:@Banque"), Ok(1));
        assert!(matches!(find_account(&accounts, "banque"), Err(ProblemKind::AmbiguousAccount { .. })));
        assert!(matches!(find_account(&accounts, "bluesky:banque"), Err(ProblemKind::UnknownAccount { .. })));
    }

    #[test]
    fn a_missing_title_comes_from_the_text_and_labels_match_ignoring_case() {
        let s = sheet(&[
            FR_HEADER,
            &[
                "",
                "",
                "banque",
                "Première ligne\nSuite",
                "https://exemple.fr/offre",
                "affiche.png;logo.png",
                "coulisses",
                "RENTREE 2099",
                "",
            ],
        ]);
        let ctx = ImportContext { accounts: vec![SheetAccount { max_length: 500, ..account("a1", "banque") }], ..ctx() };
        let plan = plan_import(&s, &ctx).unwrap();
        let p = &plan.posts[0];
        assert_eq!(
            (p.title.as_str(), p.pillar.as_deref(), p.campaign.as_deref()),
            ("Première ligne", Some("Coulisses"), Some("Rentrée 2099"))
        );
        assert_eq!(p.slot, None);
        assert_eq!(p.variants[0].media, ["affiche.png", "logo.png"]);
        assert_eq!(p.variants[0].text, "Première ligne\nSuite");
        assert_eq!(derive_title(&"abcdefg ".repeat(10)), format!("{}…", "abcdefg ".repeat(7).trim_end()));
    }

    #[test]
    fn empty_sheets_and_sheets_without_rows() {
        assert_eq!(plan_import(&RawSheet::default(), &ctx()).unwrap_err()[0].kind, ProblemKind::EmptyFile);
        assert_eq!(plan_import(&sheet(&[FR_HEADER]), &ctx()).unwrap_err()[0].kind, ProblemKind::NoRows);
    }

    #[test]
    fn exported_rows_are_typed_cells() {
        let row = SheetRow {
            post: Some("1".into()),
            date: Some(jiff::civil::date(2026, 5, 4)),
            time: Some(jiff::civil::time(9, 30, 0, 0)),
            account: "sandbox:banque".into(),
            title: "T".into(),
            text: "Bonjour".into(),
            link: None,
            media: vec!["a.png".into(), "b.png".into()],
            pillar: None,
            campaign: None,
            status: PostState::Scheduled,
        };
        assert_eq!(row.value(Column::Status, Language::Fr), Value::Text("programmé".into()));
        assert_eq!(row.value(Column::Media, Language::En), Value::Text("a.png; b.png".into()));
        assert_eq!(row.value(Column::Link, Language::En), Value::Empty);
        assert_eq!(format_date(jiff::civil::date(2026, 5, 4), Language::Fr), "04/05/2026");
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
