//! Scheduled reports: a cadence (weekly on a given day, or monthly), the period each delivery
//! covers (the previous full week, Monday to Sunday, or the previous month, in the workspace's
//! time zone), the formats, the recipients, and the names of the files written.

use crate::business_hours::WEEKDAYS;
use crate::kpi::Period;
use crate::values::{Email, Locale, ValidationError};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// The local hour a report goes out: late enough for the night's metrics collection to have
/// measured the period's last day.
pub const DELIVERY_HOUR: i8 = 6;

/// The most recipients one schedule sends to.
pub const MAX_RECIPIENTS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// On this weekday, the week (Monday to Sunday) before the one containing it.
    Weekly(Weekday),
    /// On the first of the month, the month before.
    Monthly,
}

/// One delivery: when it is due and the period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub due_at: Timestamp,
    pub period: Period,
}

impl Cadence {
    /// `weekly` with a weekday (`monday`…`sunday`), or `monthly` (the weekday is ignored).
    pub fn parse(cadence: &str, weekday: &str) -> Result<Cadence, ValidationError> {
        match cadence.trim() {
            "monthly" => Ok(Cadence::Monthly),
            "weekly" => WEEKDAYS
                .iter()
                .find(|(_, key)| *key == weekday.trim())
                .map(|(day, _)| Cadence::Weekly(*day))
                .ok_or_else(|| ValidationError::new("weekday", "error-report-weekday", format!("{weekday:?} is not a weekday"))),
            other => Err(ValidationError::new("cadence", "error-report-cadence", format!("{other:?} is not weekly or monthly"))),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Cadence::Weekly(_) => "weekly",
            Cadence::Monthly => "monthly",
        }
    }

    /// `monday`…`sunday` for a weekly cadence.
    pub fn weekday_key(self) -> Option<&'static str> {
        match self {
            Cadence::Weekly(day) => WEEKDAYS.iter().find(|(d, _)| *d == day).map(|(_, key)| *key),
            Cadence::Monthly => None,
        }
    }

    /// The day a delivery falls on, for the delivery day `day`: its period.
    fn period_delivered_on(self, day: Date) -> Option<Period> {
        match self {
            Cadence::Weekly(_) => {
                let monday = day.checked_sub((day.weekday().to_monday_zero_offset() as i32).days()).ok()?;
                let last = monday.yesterday().ok()?;
                Period::new(last.checked_sub(6.days()).ok()?, last).ok()
            }
            Cadence::Monthly => {
                let last = day.first_of_month().yesterday().ok()?;
                Period::new(last.first_of_month(), last).ok()
            }
        }
    }

    /// The latest delivery day on or before `day`.
    fn delivery_day_on_or_before(self, day: Date) -> Option<Date> {
        match self {
            Cadence::Weekly(weekday) => {
                let back = (day.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset()).rem_euclid(7);
                day.checked_sub((back as i32).days()).ok()
            }
            Cadence::Monthly => Some(day.first_of_month()),
        }
    }

    fn due_at(day: Date, zone: &TimeZone) -> Option<Timestamp> {
        // `to_zoned` resolves a DST gap or overlap the compatible way (later in a gap, earlier
        // in an overlap); 06:00 is in neither anywhere today.
        day.at(DELIVERY_HOUR, 0, 0, 0).to_zoned(zone.clone()).ok().map(|z: Zoned| z.timestamp())
    }

    /// The latest delivery due at or before `now`, in `zone`.
    pub fn latest(self, now: Timestamp, zone: &TimeZone) -> Option<Delivery> {
        let today = now.to_zoned(zone.clone()).date();
        let mut day = self.delivery_day_on_or_before(today)?;
        let mut due_at = Self::due_at(day, zone)?;
        if due_at > now {
            // Today is a delivery day but the hour has not come: the one before.
            day = self.delivery_day_on_or_before(day.yesterday().ok()?)?;
            due_at = Self::due_at(day, zone)?;
        }
        Some(Delivery { due_at, period: self.period_delivered_on(day)? })
    }

    /// The first delivery due after `now`, in `zone`.
    pub fn next(self, now: Timestamp, zone: &TimeZone) -> Option<Delivery> {
        let mut day = now.to_zoned(zone.clone()).date();
        // A month holds a first day, a week its weekday: 32 days always reach one.
        for _ in 0..32 {
            if self.delivery_day_on_or_before(day) == Some(day) {
                let due_at = Self::due_at(day, zone)?;
                if due_at > now {
                    return Some(Delivery { due_at, period: self.period_delivered_on(day)? });
                }
            }
            day = day.tomorrow().ok()?;
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 2] = [ReportFormat::Pdf, ReportFormat::Xlsx];

    pub fn key(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The formats of a list (`pdf`, `xlsx`), in a fixed order; at least one.
    pub fn parse_list<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Vec<ReportFormat>, ValidationError> {
        let mut out = vec![];
        for key in keys {
            let key = key.trim();
            if key.is_empty() {
                continue;
            }
            let format = ReportFormat::ALL
                .into_iter()
                .find(|f| f.key() == key)
                .ok_or_else(|| ValidationError::new("formats", "error-report-formats", format!("{key:?} is not pdf or xlsx")))?;
            out.push(format);
        }
        out.sort();
        out.dedup();
        if out.is_empty() {
            return Err(ValidationError::new("formats", "error-report-formats", "choose at least one format: pdf or xlsx"));
        }
        Ok(out)
    }
}

/// The addresses a report goes to, read from a text box: separated by commas, semicolons,
/// spaces or lines; lower-cased and without duplicates. Empty means "write the files only".
pub fn parse_recipients(raw: &str) -> Result<Vec<Email>, ValidationError> {
    let mut out: Vec<Email> = vec![];
    for part in recipient_parts(raw) {
        let email = Email::parse(part).map_err(|e| ValidationError::new("recipients", "error-report-recipient", e.message))?;
        if !out.contains(&email) {
            out.push(email);
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(ValidationError::new(
            "recipients",
            "error-report-recipients-many",
            format!("{} recipients; at most {MAX_RECIPIENTS}", out.len()),
        ));
    }
    Ok(out)
}

/// The addresses of a recipients text box, as typed.
pub fn recipient_parts(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|p| !p.is_empty())
}

/// The first address of a recipients text box that is not one, for the form's message.
pub fn invalid_recipient(raw: &str) -> Option<&str> {
    recipient_parts(raw).find(|p| Email::parse(p).is_err())
}

/// A name for files and folders: ASCII letters and digits, words joined by `-`.
pub fn slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::new();
    for c in text.nfd().filter(|c| c.is_ascii() || c.is_alphanumeric()) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed: String = out.trim_end_matches('-').chars().take(60).collect();
    trimmed.trim_end_matches('-').to_string()
}

/// The folder of a workspace's reports: its name's slug and the end of its id, so that two
/// workspaces of the same name never share one.
pub fn workspace_folder(name: &str, id: &str) -> String {
    let tail: String = id.chars().rev().filter(char::is_ascii_alphanumeric).take(8).collect::<Vec<_>>().into_iter().rev().collect();
    match slug(name) {
        s if s.is_empty() => tail,
        s => format!("{s}-{tail}"),
    }
}

/// A report file's name: scope, period and language (`account-0190…_2026-03-02_2026-03-08_fr.pdf`).
pub fn file_name(scope_key: &str, period: &Period, locale: Locale, format: ReportFormat) -> String {
    format!("{}_{}_{}_{}.{}", slug(scope_key), period.first(), period.last(), locale.as_str(), format.key())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn paris(y: i16, m: i8, d: i8, h: i8) -> Timestamp {
        date(y, m, d).at(h, 0, 0, 0).in_tz("Europe/Paris").unwrap().timestamp()
    }

    fn zone() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn a_weekly_report_covers_the_previous_monday_to_sunday() {
        // Wednesday 11 March 2026, 10:00: the Monday delivery of the 9th covered 2–8 March.
        let monday = Cadence::parse("weekly", "monday").unwrap();
        let d = monday.latest(paris(2026, 3, 11, 10), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last()), (date(2026, 3, 2), date(2026, 3, 8)));
        assert_eq!(d.due_at, paris(2026, 3, 9, 6));
        // A Wednesday delivery also sends the previous full week, not the last seven days.
        let wednesday = Cadence::parse("weekly", "wednesday").unwrap();
        let d = wednesday.latest(paris(2026, 3, 11, 10), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last()), (date(2026, 3, 2), date(2026, 3, 8)));
        assert_eq!(d.due_at, paris(2026, 3, 11, 6));
    }

    #[test]
    fn before_the_delivery_hour_the_previous_delivery_is_the_latest() {
        let monday = Cadence::Weekly(Weekday::Monday);
        let d = monday.latest(paris(2026, 3, 9, 5), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last()), (date(2026, 2, 23), date(2026, 3, 1)));
        let d = monday.latest(paris(2026, 3, 9, 6), &zone()).unwrap();
        assert_eq!(d.period.first(), date(2026, 3, 2));
        // The next one: later that morning, or a week on once it is past.
        assert_eq!(monday.next(paris(2026, 3, 9, 5), &zone()).unwrap().due_at, paris(2026, 3, 9, 6));
        let next = monday.next(paris(2026, 3, 9, 6), &zone()).unwrap();
        assert_eq!((next.due_at, next.period.first()), (paris(2026, 3, 16, 6), date(2026, 3, 9)));
        assert_eq!(Cadence::Monthly.next(paris(2026, 1, 31, 23), &zone()).unwrap().due_at, paris(2026, 2, 1, 6));
    }

    #[test]
    fn a_monthly_report_covers_the_previous_month_in_the_workspace_zone() {
        // On 1 March at 07:00 in Paris (06:00 UTC), February's report is due.
        let d = Cadence::Monthly.latest(paris(2026, 3, 1, 7), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last()), (date(2026, 2, 1), date(2026, 2, 28)));
        // On 1 March at 05:00 in Paris, the latest delivery is still January's.
        let d = Cadence::Monthly.latest(paris(2026, 3, 1, 5), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last()), (date(2026, 1, 1), date(2026, 1, 31)));
        // Across the DST change (29 March 2026), April 1st's delivery is at 06:00 summer time.
        let d = Cadence::Monthly.latest(paris(2026, 4, 2, 12), &zone()).unwrap();
        assert_eq!((d.period.first(), d.period.last(), d.due_at), (date(2026, 3, 1), date(2026, 3, 31), paris(2026, 4, 1, 6)));
        assert_eq!(d.due_at.to_string(), "2026-04-01T04:00:00Z");
    }

    #[test]
    fn cadences_formats_and_recipients_are_refused_naming_the_field() {
        assert_eq!(Cadence::parse("daily", "").unwrap_err().field, "cadence");
        assert_eq!(Cadence::parse("weekly", "someday").unwrap_err().field, "weekday");
        assert_eq!(Cadence::parse("monthly", "").unwrap(), Cadence::Monthly);
        assert_eq!(Cadence::Weekly(Weekday::Friday).weekday_key(), Some("friday"));

        assert_eq!(ReportFormat::parse_list(["xlsx", "pdf", "pdf"]).unwrap(), [ReportFormat::Pdf, ReportFormat::Xlsx]);
        assert_eq!(ReportFormat::parse_list([]).unwrap_err().field, "formats");
        assert_eq!(ReportFormat::parse_list(["docx"]).unwrap_err().field, "formats");

        let ok = parse_recipients("Direction@Banque.example, com@banque.example;\ndirection@banque.example").unwrap();
        assert_eq!(ok.iter().map(Email::as_str).collect::<Vec<_>>(), ["direction@banque.example", "com@banque.example"]);
        assert!(parse_recipients("  ").unwrap().is_empty());
        let e = parse_recipients("a@b.example, pas-une-adresse").unwrap_err();
        assert_eq!(e.field, "recipients");
        assert!(e.message.contains("pas-une-adresse"), "{}", e.message);
        assert_eq!(invalid_recipient("a@b.example, pas-une-adresse"), Some("pas-une-adresse"));
        let many: Vec<String> = (0..=MAX_RECIPIENTS).map(|i| format!("p{i}@x.example")).collect();
        assert_eq!(parse_recipients(&many.join(",")).unwrap_err().code, "error-report-recipients-many");
    }

    #[test]
    fn files_are_named_by_workspace_scope_period_and_language() {
        assert_eq!(slug("Cafés Morvan & Fils"), "cafes-morvan-fils");
        assert_eq!(workspace_folder("Banque de Bourgogne", "0190e7a1-2b3c-7d4e-8f90-a1b2c3d4e5f6"), "banque-de-bourgogne-c3d4e5f6");
        assert_eq!(workspace_folder("???", "0190e7a1-2b3c-7d4e-8f90-a1b2c3d4e5f6"), "c3d4e5f6");
        let period = Period::new(date(2026, 3, 2), date(2026, 3, 8)).unwrap();
        assert_eq!(file_name("account:0190AB", &period, Locale::Fr, ReportFormat::Pdf), "account-0190ab_2026-03-02_2026-03-08_fr.pdf");
        assert_eq!(file_name("workspace", &period, Locale::En, ReportFormat::Xlsx), "workspace_2026-03-02_2026-03-08_en.xlsx");
    }
}
