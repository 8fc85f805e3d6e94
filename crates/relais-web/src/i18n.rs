//! The interface's two languages, as Fluent resources compiled into the binary.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use relais_core::Locale;
use std::sync::{Arc, OnceLock};

pub const FR: &str = include_str!("../locales/fr.ftl");
pub const EN: &str = include_str!("../locales/en.ftl");

struct Bundles {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(locale: &str, source: &str) -> FluentBundle<FluentResource> {
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| panic!("{locale}.ftl does not parse: {errors:?}"));
    let mut b = FluentBundle::new_concurrent(vec![locale.parse().expect("valid language id")]);
    // Isolation marks would show up as stray characters in attributes and in tests.
    b.set_use_isolating(false);
    b.add_resource(resource).unwrap_or_else(|errors| panic!("{locale}.ftl has duplicate messages: {errors:?}"));
    b
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Arc<Bundles>> = OnceLock::new();
    B.get_or_init(|| Arc::new(Bundles { fr: bundle("fr", FR), en: bundle("en", EN) }))
}

/// A translator for one request's language.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Tr { locale }
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    /// The message `id`; the id itself when missing, so a gap is visible rather than blank.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one named argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with several named arguments.
    pub fn tn(&self, id: &str, named: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in named {
            args.set(*name, FluentValue::from(value.to_string()));
        }
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let b = match self.locale {
            Locale::Fr => &bundles().fr,
            Locale::En => &bundles().en,
        };
        let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut errors = vec![];
        b.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// A role's name in this language.
    pub fn role(&self, role: relais_core::Role) -> String {
        self.t(&format!("role-{}", role.as_str()))
    }

    /// A timestamp (epoch ms) as local date and time in `time_zone`.
    pub fn datetime(&self, ms: i64, time_zone: &str) -> String {
        let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else { return String::new() };
        let zoned = ts.to_zoned(tz);
        match self.locale {
            Locale::Fr => zoned.strftime("%d/%m/%Y %H:%M").to_string(),
            Locale::En => zoned.strftime("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| !l.starts_with([' ', '#', '\t']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn french_and_english_have_the_same_messages() {
        let (fr, en) = (ids(FR), ids(EN));
        assert!(!fr.is_empty());
        assert_eq!(fr.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in en.ftl");
        assert_eq!(en.difference(&fr).collect::<Vec<_>>(), Vec::<&String>::new(), "missing in fr.ftl");
    }

    #[test]
    fn every_message_a_template_or_handler_uses_exists() {
        let fr = ids(FR);
        let root = env!("CARGO_MANIFEST_DIR");
        let mut missing = vec![];
        for dir in ["templates", "src", "src/pages", "src/api"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                // This file's own tests name a missing message on purpose.
                if path.is_dir() || path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for call in ["t(\"", "t1(\"", "tn(\""] {
                    for (at, _) in text.match_indices(call) {
                        // `t(` as a word: not the end of `get(` or `set(`.
                        let before = text[..at].chars().next_back().unwrap_or(' ');
                        if before.is_alphanumeric() || before == '_' {
                            continue;
                        }
                        let id = text[at + call.len()..].split('"').next().unwrap();
                        if !fr.contains(id) {
                            missing.push(format!("{}: {id}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "messages used but not defined: {missing:#?}");
    }

    #[test]
    fn messages_come_out_in_the_requested_language_with_arguments() {
        assert_eq!(Tr::new(Locale::Fr).t("nav-settings"), "Paramètres");
        assert_eq!(Tr::new(Locale::En).t("nav-settings"), "Settings");
        assert!(Tr::new(Locale::En).t1("signin-throttled", "minutes", 15).contains("15"));
        assert_eq!(Tr::new(Locale::En).t("no-such-message"), "no-such-message");
    }

    #[test]
    fn dates_are_shown_in_the_workspace_time_zone() {
        // 2026-07-01T10:00:00Z is noon in Paris (CEST).
        let ms = 1_782_900_000_000;
        assert_eq!(Tr::new(Locale::Fr).datetime(ms, "Europe/Paris"), "01/07/2026 12:00");
        assert_eq!(Tr::new(Locale::En).datetime(ms, "UTC"), "2026-07-01 10:00");
    }
}
