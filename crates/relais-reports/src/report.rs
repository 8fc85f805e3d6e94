//! The report model: what a PDF report says, as plain data the web layer or a scheduled job
//! fills from the database.

use jiff::civil::Date;
use relais_core::kpi::{Figure, Period, Status, Value};
use relais_core::values::{Colour, Locale};

#[derive(Debug, Clone, PartialEq)]
pub struct BrandColours {
    /// The cover band, headings and table headers.
    pub primary: Colour,
    /// Rules and accents.
    pub secondary: Colour,
}

/// One KPI of the period, against its objective when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveLine {
    pub figure: Figure,
    pub target: Option<Value>,
    pub status: Option<Status>,
}

/// A chart already drawn (see [`crate::LineChart::to_svg`] and friends).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportChart {
    pub title: String,
    pub svg: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopPost {
    pub text: String,
    /// `Bluesky`, `Mastodon`: as the interface names it.
    pub network: String,
    pub published: Date,
    /// The post's first image, PNG or JPEG.
    pub image: Option<Vec<u8>>,
    pub figures: Vec<Figure>,
}

/// A care figure as the reader sees it: satisfaction and counts are not KPIs of their own, so
/// the caller words every line.
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityLine {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub workspace_name: String,
    /// PNG or JPEG.
    pub logo: Option<Vec<u8>>,
    pub colours: BrandColours,
    pub period: Period,
    /// `Tous les comptes`, `Bluesky`, `Campagne « Artisans 2026 »`.
    pub scope_label: String,
    pub locale: Locale,
    pub objectives: Vec<ObjectiveLine>,
    pub charts: Vec<ReportChart>,
    pub top_posts: Vec<TopPost>,
    /// Community and care figures: messages received, response rate, response time…
    pub community: Vec<CommunityLine>,
    /// Printed under the community figures: why there are none for this scope, or whose they are.
    pub community_note: Option<String>,
    /// The SMM's commentary: plain text, paragraphs separated by a blank line.
    pub commentary: String,
    /// The day the report is produced, printed on the cover (passed in so output is
    /// reproducible).
    pub generated_on: Date,
}
