//! The brand charter: edited by those who run the strategy, read by everyone who writes posts,
//! with a trial box that lints a text against it (per network) and highlights what it flags.

use super::strategy::{FieldErrors, Tab, network_label, tabs};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::brand_charter::{BrandCharter, NETWORK_KEYS, NetworkRules, lines_of, network_fields, parse_max_hashtags};
use relais_core::text_rules::{Finding, Severity, lint};
use relais_core::{Action, Section, ValidationError};
use std::collections::{BTreeMap, HashMap};

/// The charter as the form shows it: lists one item per line.
#[derive(Default)]
pub struct CharterForm {
    words_to_avoid: String,
    mandatory: String,
    max_hashtags: String,
    tone_notes: String,
    networks: Vec<NetworkForm>,
}

pub struct NetworkForm {
    key: &'static str,
    label: String,
    words_to_avoid: String,
    mandatory: String,
    max_hashtags: String,
}

impl NetworkForm {
    fn is_empty(&self) -> bool {
        self.words_to_avoid.is_empty() & self.mandatory.is_empty() & self.max_hashtags.is_empty()
    }
}

impl CharterForm {
    fn of(tr: Tr, charter: &BrandCharter) -> Self {
        let empty = NetworkRules::default();
        CharterForm {
            words_to_avoid: charter.base.words_to_avoid.join("\n"),
            mandatory: charter.base.mandatory.join("\n"),
            max_hashtags: charter.base.max_hashtags.map(|n| n.to_string()).unwrap_or_default(),
            tone_notes: charter.base.tone_notes.clone(),
            networks: NETWORK_KEYS
                .into_iter()
                .map(|key| {
                    let rules = charter.per_network.get(key).unwrap_or(&empty);
                    NetworkForm {
                        key,
                        label: network_label(tr, key),
                        words_to_avoid: rules.words_to_avoid.join("\n"),
                        mandatory: rules.mandatory.join("\n"),
                        max_hashtags: rules.max_hashtags.map(|n| n.to_string()).unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }

    /// The form as sent, fields named `words_to_avoid` or `bluesky_words_to_avoid`.
    fn sent(tr: Tr, fields: &HashMap<String, String>) -> Self {
        let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
        CharterForm {
            words_to_avoid: get("words_to_avoid"),
            mandatory: get("mandatory"),
            max_hashtags: get("max_hashtags"),
            tone_notes: get("tone_notes"),
            networks: NETWORK_KEYS
                .into_iter()
                .map(|key| NetworkForm {
                    key,
                    label: network_label(tr, key),
                    words_to_avoid: get(&format!("{key}_words_to_avoid")),
                    mandatory: get(&format!("{key}_mandatory")),
                    max_hashtags: get(&format!("{key}_max_hashtags")),
                })
                .collect(),
        }
    }

    /// The charter the form describes, or every error found, each naming its field.
    fn charter(&self) -> Result<BrandCharter, Vec<ValidationError>> {
        let mut errors = vec![];
        let mut charter = BrandCharter::default();
        charter.base.words_to_avoid = lines_of(&self.words_to_avoid);
        charter.base.mandatory = lines_of(&self.mandatory);
        charter.base.tone_notes = self.tone_notes.clone();
        match parse_max_hashtags("max_hashtags", &self.max_hashtags) {
            Ok(n) => charter.base.max_hashtags = n,
            Err(e) => errors.push(e),
        }
        let mut per_network = BTreeMap::new();
        for n in &self.networks {
            let Some([_, _, field]) = network_fields(n.key) else { continue };
            let max_hashtags = parse_max_hashtags(field, &n.max_hashtags).unwrap_or_else(|e| {
                errors.push(e);
                None
            });
            per_network.insert(
                n.key.to_string(),
                NetworkRules { words_to_avoid: lines_of(&n.words_to_avoid), mandatory: lines_of(&n.mandatory), max_hashtags },
            );
        }
        charter.per_network = per_network;
        if !errors.is_empty() {
            return Err(errors);
        }
        charter.normalised().map_err(|e| vec![e])
    }
}

/// A piece of the trial text, flagged or not.
pub struct Segment {
    text: String,
    flagged: bool,
}

pub struct FindingRow {
    blocking: bool,
    message: String,
}

pub struct Trial {
    text: String,
    network: String,
    segments: Vec<Segment>,
    findings: Vec<FindingRow>,
}

#[derive(Template)]
#[template(path = "charter.html")]
struct CharterPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    can_edit: bool,
    form: CharterForm,
    errors: FieldErrors,
    trial: Option<Trial>,
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<CharterPage, PageError> {
    let tr = ws.tr();
    let charter = app.store.charter(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    Ok(CharterPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/charter"),
        can_edit: relais_core::policy::allows(ws.role, Action::ManageStrategy),
        form: CharterForm::of(tr, &charter),
        errors: FieldErrors::default(),
        trial: None,
    })
}

pub async fn show(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ReadCharter) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

pub async fn save(State(app): State<AppState>, ws: InWorkspace, PageForm(fields): PageForm<HashMap<String, String>>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let form = CharterForm::sent(tr, &fields);
    let charter = match form.charter() {
        Ok(c) => c,
        Err(errors) => {
            let mut p = match page(&app, &ws, None).await {
                Ok(p) => p,
                Err(e) => return e.into_response(),
            };
            p.errors = FieldErrors::from_validation(tr, &errors);
            p.form = form;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
        }
    };
    if let Err(e) = app.store.save_charter(&ws.workspace.id, &charter).await {
        return PageError::store(tr, e).into_response();
    }
    let details = serde_json::json!({
        "words_to_avoid": charter.base.words_to_avoid.len(), "mandatory": charter.base.mandatory.len(),
        "max_hashtags": charter.base.max_hashtags, "networks": charter.per_network.keys().collect::<Vec<_>>(),
    });
    if let Err(e) = audit(&app, &ws, "charter.saved", "", details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/charter?done=charter-saved", ws.base())).into_response()
}

#[derive(serde::Deserialize)]
pub struct TrialForm {
    text: String,
    #[serde(default)]
    network: String,
}

/// Lints a text against the saved charter, for anyone who may read it.
pub async fn try_lint(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<TrialForm>) -> Response {
    if let Err(e) = ws.require(Action::ReadCharter) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut p = match page(&app, &ws, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let charter = match app.store.charter(&ws.workspace.id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let network = if NETWORK_KEYS.contains(&f.network.as_str()) { f.network } else { String::new() };
    let rules = charter.for_network(&network);
    let findings = lint(&f.text, &rules);
    p.trial = Some(Trial {
        segments: segments(&f.text, &findings),
        findings: findings
            .iter()
            .map(|finding| {
                let blocking = finding.severity == Severity::Error;
                let severity = tr.t(if blocking { "lint-blocking" } else { "lint-warning" });
                FindingRow { blocking, message: tr.tn("field-error", &[("field", &severity), ("message", &explain(tr, finding))]) }
            })
            .collect(),
        text: f.text,
        network,
    });
    render(&p, tr)
}

/// The finding in the reader's language: its subject is the word, the missing item or the number
/// of hashtags.
fn explain(tr: Tr, finding: &Finding) -> String {
    tr.t1(finding.code, "subject", &finding.subject)
}

/// The text cut into plain and flagged pieces; overlapping spans are merged.
fn segments(text: &str, findings: &[Finding]) -> Vec<Segment> {
    let mut spans: Vec<std::ops::Range<usize>> = findings.iter().filter_map(|f| f.span.clone()).collect();
    spans.sort_by_key(|s| s.start);
    let mut merged: Vec<std::ops::Range<usize>> = vec![];
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut out = vec![];
    let mut at = 0;
    for s in merged {
        if s.start > at {
            out.push(Segment { text: text[at..s.start].to_string(), flagged: false });
        }
        out.push(Segment { text: text[s.clone()].to_string(), flagged: true });
        at = s.end;
    }
    if at < text.len() {
        out.push(Segment { text: text[at..].to_string(), flagged: false });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::text_rules::Charter;

    #[test]
    fn flagged_pieces_are_cut_on_character_boundaries_and_merged() {
        let charter = Charter { words_to_avoid: vec!["sans frais".into(), "frais".into(), "gratuit".into()], ..Charter::default() };
        let text = "Prêt GRATUIT et sans frais, café offert";
        let pieces: Vec<(String, bool)> = segments(text, &lint(text, &charter)).into_iter().map(|s| (s.text, s.flagged)).collect();
        assert_eq!(
            pieces,
            [
                ("Prêt ".to_string(), false),
                ("GRATUIT".to_string(), true),
                (" et ".to_string(), false),
                ("sans frais".to_string(), true),
                (", café offert".to_string(), false)
            ]
        );
    }

    #[test]
    fn every_bad_field_of_the_charter_form_is_reported() {
        let mut fields = HashMap::new();
        fields.insert("max_hashtags".to_string(), "beaucoup".to_string());
        fields.insert("mastodon_max_hashtags".to_string(), "-2".to_string());
        let errors = CharterForm::sent(Tr::new(relais_core::Locale::Fr), &fields).charter().unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["max_hashtags", "mastodon.max_hashtags"]);
    }
}
