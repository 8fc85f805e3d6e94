//! The customer-care figures of an analytics scope, in words: the page's care table and the PDF's
//! community section print the same lines. The workspace, a network (its accounts' messages) and
//! an account have figures; a pillar or a campaign has none, and both say "not applicable"
//! rather than showing zeros (see `Store::scope_care_facts`).

use crate::i18n::Tr;
use relais_core::Locale;
use relais_core::kpi::care::{CareFigures, response_rate, response_time_median, response_time_p90};
use relais_core::kpi::{Scope, Value};

pub struct CareLine {
    pub label: String,
    pub value: String,
}

fn or_dash(value: Option<Value>, locale: Locale) -> String {
    value.map(|v| v.display(locale)).unwrap_or_else(|| "—".into())
}

/// Messages received, response rate, first response (median, 90th percentile, business hours),
/// resolution rate and median time, satisfaction.
pub fn care_lines(care: &CareFigures, tr: Tr) -> Vec<CareLine> {
    let l = tr.locale;
    let figure = |f: relais_core::kpi::Figure| CareLine { label: f.label(l).to_string(), value: f.display(l) };
    let satisfaction = match care.satisfaction.average {
        Some(average) => {
            let average = match l {
                Locale::Fr => format!("{average:.1}").replace('.', ","),
                Locale::En => format!("{average:.1}"),
            };
            tr.tn("analytics-care-satisfaction-value", &[("average", &average), ("count", &care.satisfaction.count)])
        }
        None => "—".into(),
    };
    vec![
        CareLine { label: tr.t("analytics-care-received"), value: Value::Count(care.received as i64).display(l) },
        figure(response_rate(care)),
        figure(response_time_median(care)),
        figure(response_time_p90(care)),
        CareLine { label: tr.t("analytics-care-resolution-rate"), value: or_dash(care.resolution_rate.map(Value::Percent), l) },
        CareLine { label: tr.t("analytics-care-resolution-time"), value: or_dash(care.resolution_business.median.map(Value::Duration), l) },
        CareLine { label: tr.t("analytics-care-satisfaction"), value: satisfaction },
    ]
}

/// What the care figures of `scope` are, when it needs saying.
pub fn care_note(scope: &Scope, tr: Tr) -> Option<String> {
    match scope {
        Scope::Workspace | Scope::Account(_) => None,
        Scope::Network(_) => Some(tr.t("analytics-care-network")),
        Scope::Pillar(_) | Scope::Campaign(_) => Some(tr.t("analytics-care-not-applicable")),
    }
}
