//! The Campaigns section: each paid campaign's plan (objective, budget, targeting), its pacing,
//! its results per day (typed in, or imported from the ad manager's export, all or nothing, every
//! problem named by line and column) and the KPIs they give. The campaigns themselves (name,
//! colour, dates) are created under Strategy → Labels. Everything here needs `ManageCampaigns`.

use super::analytics::{Tile, change_text, direction_key};
use super::analytics_data::Dashboard;
use super::calendar_sheet::ProblemRow;
use super::strategy::{FieldErrors, day, days};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use crate::sheet_files;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use relais_core::campaign_plan::{CampaignObjective, CampaignPlan};
use relais_core::campaign_results::{Column, DayResult, Problem, Totals, read_results};
use relais_core::kpi::campaigns::{Pacing, PacingStatus, pacing};
use relais_core::kpi::money::{parse_cents, parse_whole};
use relais_core::kpi::{Currency, Money, Value};
use relais_core::{Action, Section, ValidationError};
use relais_store::{Campaign, ResultSource};
use serde::Deserialize;

/// The figures of a campaign's results, worded for a page.
pub struct ResultFigures {
    pub spend: String,
    pub impressions: String,
    pub clicks: String,
    pub conversions: String,
    pub value: String,
    /// CTR, CPC, CPA, ROAS: (label, value, why not available).
    pub kpis: Vec<(String, String, String)>,
}

impl ResultFigures {
    pub fn of(totals: &Totals, currency: Currency, tr: Tr) -> ResultFigures {
        let l = tr.locale;
        let money = |cents| Value::Money(Money::new(cents, currency)).display(l);
        let count = |n: u64| Value::Count(i64::try_from(n).unwrap_or(i64::MAX)).display(l);
        ResultFigures {
            spend: money(totals.spend_cents),
            impressions: count(totals.impressions),
            clicks: count(totals.clicks),
            conversions: count(totals.conversions),
            value: money(totals.conversion_value_cents),
            kpis: totals
                .kpis(currency)
                .iter()
                .map(|f| (f.label(l).to_string(), f.display(l), f.value().err().map(|e| e.to_string()).unwrap_or_default()))
                .collect(),
        }
    }
}

pub struct CampaignRow {
    id: String,
    name: String,
    colour: String,
    dates: String,
    objective: String,
    budget: String,
    spent: String,
    pacing: String,
    pacing_key: &'static str,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    c: Chrome,
    base: String,
    campaigns: Vec<CampaignRow>,
}

fn dates_of(tr: Tr, c: &Campaign) -> String {
    let parse = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<Date>().ok());
    match (parse(&c.starts_on), parse(&c.ends_on)) {
        (Some(s), Some(e)) => days(tr, s, e),
        (Some(s), None) => tr.t1("labels-from", "date", day(tr, s)),
        (None, Some(e)) => tr.t1("labels-until", "date", day(tr, e)),
        (None, None) => tr.t("labels-no-dates"),
    }
}

fn pacing_of(c: &Campaign, totals: &Totals) -> Option<Pacing> {
    let budget = c.plan().budget?;
    pacing(budget, Money::new(totals.spend_cents, c.currency()), c.period(), totals.last_day).ok()
}

fn pacing_text(tr: Tr, p: &Pacing) -> String {
    let l = tr.locale;
    let share = p.share_spent.map(|s| Value::Percent(s).display(l)).unwrap_or_else(|| "—".into());
    let status = tr.t(&format!("campaigns-pacing-{}", p.status.key().replace('_', "-")));
    match p.projected {
        Some(projected) => tr.tn(
            "campaigns-pacing-projected",
            &[("status", &status), ("share", &share), ("projected", &Value::Money(projected).display(l))],
        ),
        None => tr.tn("campaigns-pacing-share", &[("status", &status), ("share", &share)]),
    }
}

fn pacing_key(p: Option<&Pacing>) -> &'static str {
    match p.map(|p| p.status) {
        Some(PacingStatus::OnPace) => "better",
        Some(PacingStatus::Over | PacingStatus::OverBudget) => "worse",
        Some(PacingStatus::Under) => "unchanged",
        _ => "none",
    }
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    let tr = ws.tr();
    let campaigns = match app.store.campaigns(&ws.workspace.id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let mut rows = vec![];
    for c in &campaigns {
        let results = match app.store.campaign_results(&ws.workspace.id, &c.id).await {
            Ok(r) => r,
            Err(e) => return PageError::store(tr, e).into_response(),
        };
        let totals = Totals::of(&results);
        let plan = c.plan();
        let pacing = pacing_of(c, &totals);
        rows.push(CampaignRow {
            id: c.id.clone(),
            name: c.name.clone(),
            colour: c.colour.clone(),
            dates: dates_of(tr, c),
            objective: plan.objective.map(|o| o.name(tr.locale).to_string()).unwrap_or_else(|| "—".into()),
            budget: plan.budget.map(|b| Value::Money(b).display(tr.locale)).unwrap_or_else(|| "—".into()),
            spent: Value::Money(Money::new(totals.spend_cents, plan.currency)).display(tr.locale),
            pacing: pacing.as_ref().map(|p| pacing_text(tr, p)).unwrap_or_else(|| "—".into()),
            pacing_key: pacing_key(pacing.as_ref()),
        });
    }
    render(&ListPage { c: Chrome::workspace(&ws, Some(Section::Campaigns)), base: ws.base(), campaigns: rows }, tr)
}

/// The plan form as typed.
#[derive(Deserialize, Clone, Default)]
pub struct PlanForm {
    #[serde(default)]
    objective: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    targeting: String,
    #[serde(default)]
    locations: String,
    #[serde(default)]
    age_min: String,
    #[serde(default)]
    age_max: String,
}

impl PlanForm {
    fn of(c: &Campaign) -> PlanForm {
        let plan = c.plan();
        PlanForm {
            objective: plan.objective.map(|o| o.key().to_string()).unwrap_or_default(),
            budget: plan.budget.map(|b| money_text(b.cents)).unwrap_or_default(),
            currency: plan.currency.to_string(),
            targeting: plan.targeting,
            locations: plan.locations,
            age_min: plan.age_min.map(|a| a.to_string()).unwrap_or_default(),
            age_max: plan.age_max.map(|a| a.to_string()).unwrap_or_default(),
        }
    }

    fn plan(&self) -> Result<CampaignPlan, Vec<ValidationError>> {
        let mut errors = vec![];
        let objective = match self.objective.trim() {
            "" => None,
            key => CampaignObjective::from_key(key).or_else(|| {
                errors.push(ValidationError::new("objective", "error-campaign-objective", format!("{key:?} is not an objective")));
                None
            }),
        };
        let budget = match self.budget.trim() {
            "" => None,
            raw => parse_cents(raw).or_else(|| {
                errors.push(ValidationError::new("budget", "error-campaign-budget", format!("{raw:?} is not an amount")));
                None
            }),
        };
        let currency = match self.currency.trim() {
            "" => Currency::EUR,
            raw => Currency::parse(raw).unwrap_or_else(|e| {
                errors.push(e);
                Currency::EUR
            }),
        };
        let mut age = |field: &'static str, raw: &str| match raw.trim() {
            "" => None,
            raw => raw.parse::<u8>().ok().or_else(|| {
                errors.push(ValidationError::new(field, "error-campaign-age", format!("{raw:?} is not an age")));
                None
            }),
        };
        let ages = (age("age_min", &self.age_min), age("age_max", &self.age_max));
        match CampaignPlan::new(objective, budget, currency, &self.targeting, &self.locations, ages) {
            Ok(plan) if errors.is_empty() => Ok(plan),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }
}

/// Cents as a form shows them for editing: "1500.50".
fn money_text(cents: i64) -> String {
    format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
}

/// A day of results typed in the form.
#[derive(Deserialize, Clone, Default)]
pub struct DayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    spend: String,
    #[serde(default)]
    impressions: String,
    #[serde(default)]
    clicks: String,
    #[serde(default)]
    conversions: String,
    #[serde(default)]
    conversion_value: String,
}

impl DayForm {
    fn result(&self, campaign: &Campaign) -> Result<DayResult, Vec<ValidationError>> {
        let mut errors = vec![];
        let day = match relais_core::recurrence::parse_date("day", self.day.trim()) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if let (Some(d), Some(p)) = (day, campaign.period())
            && !p.contains(d)
        {
            errors.push(ValidationError::new("day", "error-campaign-day-outside", format!("{d} is outside the campaign")));
        }
        let mut amount = |field: &'static str, raw: &str| match raw.trim() {
            "" => 0,
            raw => parse_cents(raw).filter(|c| *c >= 0).unwrap_or_else(|| {
                errors.push(ValidationError::new(field, "error-campaign-amount", format!("{raw:?} is not an amount")));
                0
            }),
        };
        let spend_cents = amount("spend", &self.spend);
        let conversion_value_cents = amount("conversion_value", &self.conversion_value);
        let mut count = |field: &'static str, raw: &str| match raw.trim() {
            "" => 0,
            raw => parse_whole(raw).map(|n| n as u64).unwrap_or_else(|| {
                errors.push(ValidationError::new(field, "error-campaign-count", format!("{raw:?} is not a whole number")));
                0
            }),
        };
        let (impressions, clicks, conversions) =
            (count("impressions", &self.impressions), count("clicks", &self.clicks), count("conversions", &self.conversions));
        match day {
            Some(day) if errors.is_empty() => Ok(DayResult { day, spend_cents, impressions, clicks, conversions, conversion_value_cents }),
            _ => Err(errors),
        }
    }
}

pub struct DayRow {
    day: String,
    key: String,
    spend: String,
    impressions: String,
    clicks: String,
    conversions: String,
    value: String,
}

pub struct ObjectiveOption {
    key: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    c: Chrome,
    base: String,
    id: String,
    name: String,
    dates: String,
    currency: String,
    objectives: Vec<ObjectiveOption>,
    plan: PlanForm,
    plan_errors: FieldErrors,
    pacing: Option<String>,
    pacing_key: &'static str,
    totals: ResultFigures,
    has_results: bool,
    days: Vec<DayRow>,
    day: DayForm,
    day_errors: FieldErrors,
    columns: String,
    file_name: String,
    import_error: Option<String>,
    problems: Vec<ProblemRow>,
}

async fn campaign_page(app: &AppState, ws: &InWorkspace, id: &str) -> Result<CampaignPage, PageError> {
    let tr = ws.tr();
    let c = app.store.campaign(&ws.workspace.id, id).await.map_err(|e| PageError::store(tr, e))?;
    let results = app.store.campaign_results(&ws.workspace.id, id).await.map_err(|e| PageError::store(tr, e))?;
    let totals = Totals::of(&results);
    let currency = c.currency();
    let l = tr.locale;
    let money = |cents| Value::Money(Money::new(cents, currency)).display(l);
    let count = |n: u64| Value::Count(i64::try_from(n).unwrap_or(i64::MAX)).display(l);
    let pacing = pacing_of(&c, &totals);
    let french = l == relais_core::Locale::Fr;
    Ok(CampaignPage {
        c: Chrome::workspace(ws, Some(Section::Campaigns)),
        base: ws.base(),
        id: c.id.clone(),
        name: c.name.clone(),
        dates: dates_of(tr, &c),
        currency: currency.to_string(),
        objectives: CampaignObjective::ALL.into_iter().map(|o| ObjectiveOption { key: o.key(), label: o.name(l).to_string() }).collect(),
        plan: PlanForm::of(&c),
        plan_errors: FieldErrors::default(),
        pacing: pacing.as_ref().map(|p| pacing_text(tr, p)),
        pacing_key: pacing_key(pacing.as_ref()),
        totals: ResultFigures::of(&totals, currency, tr),
        has_results: !results.is_empty(),
        days: results
            .iter()
            .rev()
            .map(|d| DayRow {
                day: day(tr, d.day),
                key: d.day.to_string(),
                spend: money(d.spend_cents),
                impressions: count(d.impressions),
                clicks: count(d.clicks),
                conversions: count(d.conversions),
                value: money(d.conversion_value_cents),
            })
            .collect(),
        day: DayForm::default(),
        day_errors: FieldErrors::default(),
        columns: Column::ALL.iter().map(|c| c.header(french)).collect::<Vec<_>>().join(", "),
        file_name: String::new(),
        import_error: None,
        problems: vec![],
    })
}

fn campaign_url(ws: &InWorkspace, id: &str, done: &str) -> String {
    format!("{}/campaigns/{id}?done={done}", ws.base())
}

pub async fn show(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    match campaign_page(&app, &ws, &id).await {
        Ok(mut p) => {
            p.c = p.c.with_flash(done.done.as_deref());
            render(&p, ws.tr())
        }
        Err(e) => e.into_response(),
    }
}

pub async fn save_plan(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<PlanForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (status, errors) = match form.plan() {
        Ok(plan) => match app.store.save_campaign_plan(&ws.workspace.id, &id, &plan).await {
            Ok(c) => {
                let details = serde_json::json!({"objective": c.objective, "budget_cents": c.budget_cents, "currency": c.currency});
                if let Err(e) = audit(&app, &ws, "campaign.plan_saved", &c.name, details).await {
                    return e.into_response();
                }
                return Redirect::to(&campaign_url(&ws, &id, "saved")).into_response();
            }
            Err(relais_store::StoreError::Conflict(why)) => (
                StatusCode::CONFLICT,
                FieldErrors::from_validation(tr, &[ValidationError::new("currency", "error-campaign-currency-locked", why)]),
            ),
            Err(e) => return PageError::store(tr, e).into_response(),
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    match campaign_page(&app, &ws, &id).await {
        Ok(mut p) => {
            p.plan = form;
            p.plan_errors = errors;
            render_status(status, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn add_day(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<DayForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut page = match campaign_page(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let campaign = match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    match form.result(&campaign) {
        Ok(result) => {
            if let Err(e) = app.store.record_campaign_results(&ws.workspace.id, &id, &[result], ResultSource::Form).await {
                return PageError::store(tr, e).into_response();
            }
            let details = serde_json::json!({"day": result.day.to_string(), "spend_cents": result.spend_cents});
            if let Err(e) = audit(&app, &ws, "campaign.results_saved", &campaign.name, details).await {
                return e.into_response();
            }
            Redirect::to(&campaign_url(&ws, &id, "campaign-day-saved")).into_response()
        }
        Err(errors) => {
            page.day = form;
            page.day_errors = FieldErrors::from_validation(tr, &errors);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page, tr)
        }
    }
}

pub async fn delete_day(State(app): State<AppState>, ws: InWorkspace, Path((_, id, day)): Path<(String, String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    let tr = ws.tr();
    let Ok(day) = day.parse::<Date>() else { return PageError::not_found(tr).into_response() };
    let campaign = match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Err(e) = app.store.delete_campaign_result(&ws.workspace.id, &id, day).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "campaign.results_deleted", &campaign.name, serde_json::json!({"day": day.to_string()})).await {
        return e.into_response();
    }
    Redirect::to(&campaign_url(&ws, &id, "campaign-day-deleted")).into_response()
}

/// What a problem of the file says, in the reader's language.
fn message(tr: Tr, p: &Problem) -> String {
    let args = p.kind.args();
    let named: Vec<(&str, &dyn std::fmt::Display)> = args.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
    tr.tn(&format!("campaigns-problem-{}", p.kind.code()), &named)
}

pub async fn import(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = ws.require(Action::ManageCampaigns) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut p = match campaign_page(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let campaign = match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(e) => {
                        p.import_error = Some(tr.t1("error-upload", "reason", e.body_text()));
                        return render_status(e.status(), &p, tr);
                    }
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                p.import_error = Some(tr.t1("error-upload", "reason", e.body_text()));
                return render_status(e.status(), &p, tr);
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        p.import_error = Some(tr.t("sheet-file-missing"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
    };
    p.file_name = name.clone();
    let sheet = match sheet_files::read(&bytes) {
        Ok(s) => s,
        Err(e) => {
            p.import_error = Some(tr.t1("sheet-unreadable", "reason", e));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
        }
    };
    let days = match read_results(&sheet, campaign.currency(), campaign.period()) {
        Ok(days) => days,
        Err(problems) => {
            p.import_error = Some(tr.t1("sheet-nothing-imported", "count", problems.len()));
            p.problems =
                problems.iter().map(|pr| ProblemRow { row: pr.line, column: pr.column.clone(), message: message(tr, pr) }).collect();
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
        }
    };
    if let Err(e) = app.store.record_campaign_results(&ws.workspace.id, &id, &days, ResultSource::Import).await {
        return PageError::store(tr, e).into_response();
    }
    let details = serde_json::json!({"days": days.len(), "file": name});
    if let Err(e) = audit(&app, &ws, "campaign.results_imported", &campaign.name, details).await {
        return e.into_response();
    }
    Redirect::to(&campaign_url(&ws, &id, "campaign-imported")).into_response()
}

/// The campaign KPI tiles of the analytics' campaign scope: spend, CTR, CPC, CPA and ROAS over
/// the period, against the period before. Empty for other scopes.
pub fn paid_tiles(d: &Dashboard, tr: Tr) -> Vec<Tile> {
    let Some(paid) = &d.paid else { return vec![] };
    let l = tr.locale;
    let mut tiles = vec![Tile {
        label: tr.t("analytics-spend"),
        value: Value::Money(paid.spend).display(l),
        detail: paid.budget.map(|b| tr.t1("campaigns-of-budget", "budget", Value::Money(b).display(l))).unwrap_or_default(),
        change: paid.spend_before.map(|b| {
            let delta = paid.spend.cents - b.cents;
            let sign = if delta > 0 { "+" } else { "" };
            tr.t1("analytics-change", "change", format!("{sign}{}", Value::Money(Money::new(delta, paid.spend.currency)).display(l)))
        }),
        // Spending more is neither better nor worse by itself.
        direction: "none",
    }];
    for line in &paid.kpis {
        tiles.push(Tile {
            label: line.current.label(l).to_string(),
            value: line.current.display(l),
            detail: line.current.value().err().map(|e| e.to_string()).unwrap_or_default(),
            change: line.comparison.as_ref().and_then(|c| change_text(c, tr)),
            direction: direction_key(line.comparison.as_ref()),
        });
    }
    tiles
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::Locale;

    #[test]
    fn every_problem_of_a_results_file_is_said_in_both_languages() {
        use relais_core::campaign_results::ProblemKind as K;
        let v = || "v".to_string();
        let kinds = [
            K::EmptyFile,
            K::NoRows,
            K::DuplicateColumn { header: v() },
            K::MissingColumn { header: v() },
            K::MissingDay,
            K::BadDate { value: v() },
            K::BadAmount { value: v() },
            K::BadCount { value: v() },
            K::NegativeAmount { value: v() },
            K::OtherCurrency { found: v(), expected: v() },
            K::DuplicateDay { day: v(), first_line: 2 },
            K::OutsideCampaign { day: v(), first: v(), last: v() },
        ];
        for locale in [Locale::Fr, Locale::En] {
            for kind in &kinds {
                let said = message(Tr::new(locale), &Problem { line: 2, column: String::new(), kind: kind.clone() });
                assert!(!said.starts_with("campaigns-problem-") && !said.contains('{'), "{locale:?} {}: {said}", kind.code());
            }
        }
    }

    #[test]
    fn the_plan_form_names_each_bad_field() {
        let form = PlanForm {
            objective: "fame".into(),
            budget: "beaucoup".into(),
            currency: "euro".into(),
            age_min: "40".into(),
            age_max: "30".into(),
            ..PlanForm::default()
        };
        let fields: Vec<_> = form.plan().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["objective", "budget", "currency", "age_max"]);
        let ok = PlanForm { objective: "sales".into(), budget: "1 500,50".into(), currency: "eur".into(), ..PlanForm::default() };
        let plan = ok.plan().unwrap();
        assert_eq!(plan.budget, Some(Money::new(150_050, Currency::EUR)));
        assert_eq!(money_text(150_050), "1500.50");
    }
}
