//! French public holidays and the usual marketing dates ("marronniers"), computed per year.
//!
//! Everything derives from the year alone (fixed days, nth weekdays, offsets from Easter), so the
//! editorial calendar can show any year without a data file to keep up to date.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use serde::{Serialize, Serializer};

/// Whether a date closes most businesses or is a moment to post about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum DateKind {
    PublicHoliday,
    Commercial,
}

/// One entry of the calendar: a single day, or a period such as the sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarDate {
    /// Stable identifier, the same every year, e.g. "fr-holiday-bastille-day".
    pub key: &'static str,
    pub name_fr: &'static str,
    pub name_en: &'static str,
    pub kind: DateKind,
    // jiff's own serde support is not enabled in this workspace; ISO 8601 is what it would write anyway.
    #[serde(serialize_with = "serialize_iso_date")]
    pub start: Date,
    /// Inclusive; equal to `start` for one-day events.
    #[serde(serialize_with = "serialize_iso_date")]
    pub end: Date,
    /// The region where the date applies, `None` when it applies to all of metropolitan France.
    pub regional: Option<&'static str>,
}

const ALSACE_MOSELLE: &str = "Alsace-Moselle";

/// Sales have lasted four weeks since 2020 (loi PACTE): Wednesday to the Tuesday four weeks later.
const SALES_LAST_DAY_OFFSET: i32 = 27;

/// Easter Sunday in the (proleptic) Gregorian calendar, by the anonymous Gregorian algorithm.
///
/// # Panics
///
/// Outside the years jiff can represent (-9999..=9999).
pub fn easter_sunday(year: i16) -> Date {
    // The algorithm assumes floor division; Euclidean division keeps it exact before year 1 as well.
    let y = i32::from(year);
    let golden = y.rem_euclid(19);
    let (century, year_of_century) = (y.div_euclid(100), y.rem_euclid(100));
    let lunar_correction = (century - (century + 8).div_euclid(25) + 1).div_euclid(3);
    let epact = (19 * golden + century - century.div_euclid(4) - lunar_correction + 15).rem_euclid(30);
    let weekday_shift = (32 + 2 * century.rem_euclid(4) + 2 * (year_of_century / 4) - epact - year_of_century % 4).rem_euclid(7);
    let late_correction = (golden + 11 * epact + 22 * weekday_shift) / 451;
    let days_from_march = epact + weekday_shift - 7 * late_correction + 114;
    // days_from_march lies in 107..=149, so the month is March or April and the day fits an i8.
    date(year, (days_from_march / 31) as i8, (days_from_march % 31 + 1) as i8)
}

/// Every holiday and marketing date of `year`, sorted by start then key.
///
/// # Panics
///
/// Outside the years jiff can represent (-9999..=9999).
pub fn french_dates(year: i16) -> Vec<CalendarDate> {
    let easter = easter_sunday(year);
    let mut dates = public_holidays(year, easter);
    dates.extend(commercial_dates(year, easter));
    sort_chronologically(&mut dates);
    dates
}

/// Every date overlapping `[from, to]` (both inclusive), sorted by start then key; empty when `from > to`.
pub fn dates_between(from: Date, to: Date) -> Vec<CalendarDate> {
    // No entry straddles a new year, so the years of the bounds are the only ones to look at.
    let mut dates: Vec<CalendarDate> =
        (from.year()..=to.year()).flat_map(french_dates).filter(|entry| entry.start <= to && entry.end >= from).collect();
    sort_chronologically(&mut dates);
    dates
}

fn public_holidays(year: i16, easter: Date) -> Vec<CalendarDate> {
    vec![
        holiday("fr-holiday-new-year", "Jour de l'an", "New Year's Day", date(year, 1, 1)),
        regional_holiday("fr-holiday-good-friday", "Vendredi saint", "Good Friday", days_after(easter, -2)),
        holiday("fr-holiday-easter-monday", "Lundi de Pâques", "Easter Monday", days_after(easter, 1)),
        holiday("fr-holiday-labour-day", "Fête du Travail", "Labour Day", date(year, 5, 1)),
        holiday("fr-holiday-victory-1945", "Victoire 1945", "Victory in Europe Day", date(year, 5, 8)),
        holiday("fr-holiday-ascension", "Ascension", "Ascension Day", days_after(easter, 39)),
        holiday("fr-holiday-whit-monday", "Lundi de Pentecôte", "Whit Monday", days_after(easter, 50)),
        holiday("fr-holiday-bastille-day", "Fête nationale", "Bastille Day", date(year, 7, 14)),
        holiday("fr-holiday-assumption", "Assomption", "Assumption Day", date(year, 8, 15)),
        holiday("fr-holiday-all-saints", "Toussaint", "All Saints' Day", date(year, 11, 1)),
        holiday("fr-holiday-armistice-1918", "Armistice 1918", "Armistice Day", date(year, 11, 11)),
        holiday("fr-holiday-christmas", "Noël", "Christmas Day", date(year, 12, 25)),
        regional_holiday("fr-holiday-st-stephen", "Saint-Étienne", "St Stephen's Day", date(year, 12, 26)),
    ]
}

fn commercial_dates(year: i16, easter: Date) -> Vec<CalendarDate> {
    let black_friday = days_after(nth_weekday(year, 11, 4, Weekday::Thursday), 1);
    vec![
        commercial("fr-epiphany", "Épiphanie (galette des rois)", "Epiphany (king cake)", date(year, 1, 6)),
        sales("fr-sales-winter", "Soldes d'hiver", "Winter sales", winter_sales_start(year)),
        commercial("fr-candlemas", "Chandeleur", "Candlemas", date(year, 2, 2)),
        commercial("fr-valentines-day", "Saint-Valentin", "Valentine's Day", date(year, 2, 14)),
        commercial("fr-mardi-gras", "Mardi gras", "Mardi Gras", days_after(easter, -47)),
        commercial("fr-grandmothers-day", "Fête des grands-mères", "Grandmothers' Day", nth_weekday(year, 3, 1, Weekday::Sunday)),
        commercial("fr-april-fools", "Poisson d'avril", "April Fools' Day", date(year, 4, 1)),
        commercial("fr-easter", "Pâques", "Easter", easter),
        commercial("fr-mothers-day", "Fête des mères", "Mother's Day", mothers_day(year, easter)),
        commercial("fr-fathers-day", "Fête des pères", "Father's Day", nth_weekday(year, 6, 3, Weekday::Sunday)),
        commercial("fr-music-day", "Fête de la musique", "Music Day", date(year, 6, 21)),
        sales("fr-sales-summer", "Soldes d'été", "Summer sales", summer_sales_start(year)),
        // Approximate: the ministry sets the actual day each year, often the Monday or Tuesday around 1 September.
        commercial("fr-back-to-school", "Rentrée scolaire", "Back to school", nth_weekday(year, 9, 1, Weekday::Tuesday)),
        commercial("fr-halloween", "Halloween", "Halloween", date(year, 10, 31)),
        commercial("fr-beaujolais-nouveau", "Beaujolais nouveau", "Beaujolais Nouveau", nth_weekday(year, 11, 3, Weekday::Thursday)),
        commercial("fr-black-friday", "Black Friday", "Black Friday", black_friday),
        commercial("fr-cyber-monday", "Cyber Monday", "Cyber Monday", days_after(black_friday, 3)),
        commercial("fr-new-years-eve", "Réveillon de la Saint-Sylvestre", "New Year's Eve", date(year, 12, 31)),
    ]
}

/// Last Sunday of May, unless that is Pentecost: then the first Sunday of June (Code de l'action sociale, D215-1).
fn mothers_day(year: i16, easter: Date) -> Date {
    let last_sunday_of_may = nth_weekday(year, 5, -1, Weekday::Sunday);
    let pentecost = days_after(easter, 49);
    if last_sunday_of_may == pentecost { nth_weekday(year, 6, 1, Weekday::Sunday) } else { last_sunday_of_may }
}

/// Second Wednesday of January, a week earlier when that falls after the 12th (Code de commerce, D310-15-2).
fn winter_sales_start(year: i16) -> Date {
    let second_wednesday = nth_weekday(year, 1, 2, Weekday::Wednesday);
    if second_wednesday.day() > 12 { days_after(second_wednesday, -7) } else { second_wednesday }
}

/// Last Wednesday of June, a week earlier when that falls after the 28th (Code de commerce, D310-15-2).
fn summer_sales_start(year: i16) -> Date {
    let last_wednesday = nth_weekday(year, 6, -1, Weekday::Wednesday);
    if last_wednesday.day() > 28 { days_after(last_wednesday, -7) } else { last_wednesday }
}

/// The `nth` `weekday` of a month, counting from the end when `nth` is negative.
fn nth_weekday(year: i16, month: i8, nth: i8, weekday: Weekday) -> Date {
    date(year, month, 1).nth_weekday_of_month(nth, weekday).expect("every month has a first to fourth and a last of each weekday")
}

fn days_after(day: Date, days: i32) -> Date {
    // Every offset used here stays within the same year, so this cannot leave jiff's range.
    day.checked_add(days.days()).expect("offset stays within the year")
}

fn sort_chronologically(dates: &mut [CalendarDate]) {
    dates.sort_by(|a, b| (a.start, a.key).cmp(&(b.start, b.key)));
}

fn holiday(key: &'static str, name_fr: &'static str, name_en: &'static str, day: Date) -> CalendarDate {
    CalendarDate { key, name_fr, name_en, kind: DateKind::PublicHoliday, start: day, end: day, regional: None }
}

fn regional_holiday(key: &'static str, name_fr: &'static str, name_en: &'static str, day: Date) -> CalendarDate {
    CalendarDate { regional: Some(ALSACE_MOSELLE), ..holiday(key, name_fr, name_en, day) }
}

fn commercial(key: &'static str, name_fr: &'static str, name_en: &'static str, day: Date) -> CalendarDate {
    CalendarDate { key, name_fr, name_en, kind: DateKind::Commercial, start: day, end: day, regional: None }
}

fn sales(key: &'static str, name_fr: &'static str, name_en: &'static str, start: Date) -> CalendarDate {
    CalendarDate { end: days_after(start, SALES_LAST_DAY_OFFSET), ..commercial(key, name_fr, name_en, start) }
}

fn serialize_iso_date<S: Serializer>(day: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const YEARS: std::ops::RangeInclusive<i16> = 1990..=2100;

    fn find(year: i16, key: &str) -> CalendarDate {
        french_dates(year).into_iter().find(|entry| entry.key == key).unwrap_or_else(|| panic!("{key} missing in {year}"))
    }

    fn start_of(year: i16, key: &str) -> Date {
        find(year, key).start
    }

    fn keys_and_starts(dates: &[CalendarDate]) -> Vec<(&'static str, Date)> {
        dates.iter().map(|entry| (entry.key, entry.start)).collect()
    }

    #[test]
    fn easter_matches_known_dates() {
        let known = [
            date(1943, 4, 25), // the latest possible
            date(2000, 4, 23),
            date(2008, 3, 23),
            date(2011, 4, 24),
            date(2024, 3, 31),
            date(2025, 4, 20),
            date(2026, 4, 5),
            date(2027, 3, 28),
            date(2038, 4, 25),
            date(2285, 3, 22), // the earliest possible
        ];
        for easter in known {
            assert_eq!(easter_sunday(easter.year()), easter);
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_march_22_and_april_25() {
        for year in -9999..=9999 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sunday, "{year}");
            assert!(easter >= date(year, 3, 22) && easter <= date(year, 4, 25), "{year}: {easter}");
        }
    }

    #[test]
    fn moveable_dates_follow_easter() {
        assert_eq!(start_of(2026, "fr-holiday-good-friday"), date(2026, 4, 3));
        assert_eq!(start_of(2026, "fr-easter"), date(2026, 4, 5));
        assert_eq!(start_of(2026, "fr-holiday-easter-monday"), date(2026, 4, 6));
        assert_eq!(start_of(2026, "fr-holiday-ascension"), date(2026, 5, 14));
        assert_eq!(start_of(2026, "fr-holiday-whit-monday"), date(2026, 5, 25));
        assert_eq!(start_of(2026, "fr-mardi-gras"), date(2026, 2, 17));
    }

    #[test]
    fn fixed_dates_keep_their_day_every_year() {
        for year in YEARS {
            assert_eq!(start_of(year, "fr-holiday-new-year"), date(year, 1, 1));
            assert_eq!(start_of(year, "fr-holiday-labour-day"), date(year, 5, 1));
            assert_eq!(start_of(year, "fr-holiday-victory-1945"), date(year, 5, 8));
            assert_eq!(start_of(year, "fr-holiday-bastille-day"), date(year, 7, 14));
            assert_eq!(start_of(year, "fr-holiday-assumption"), date(year, 8, 15));
            assert_eq!(start_of(year, "fr-holiday-all-saints"), date(year, 11, 1));
            assert_eq!(start_of(year, "fr-holiday-armistice-1918"), date(year, 11, 11));
            assert_eq!(start_of(year, "fr-holiday-christmas"), date(year, 12, 25));
            assert_eq!(start_of(year, "fr-epiphany"), date(year, 1, 6));
            assert_eq!(start_of(year, "fr-valentines-day"), date(year, 2, 14));
            assert_eq!(start_of(year, "fr-music-day"), date(year, 6, 21));
            assert_eq!(start_of(year, "fr-new-years-eve"), date(year, 12, 31));
        }
    }

    #[test]
    fn mothers_day_is_the_last_sunday_of_may() {
        assert_eq!(start_of(2024, "fr-mothers-day"), date(2024, 5, 26));
        assert_eq!(start_of(2026, "fr-mothers-day"), date(2026, 5, 31));
    }

    #[test]
    fn mothers_day_moves_when_it_falls_on_pentecost() {
        assert_eq!(days_after(easter_sunday(2020), 49), date(2020, 5, 31));
        assert_eq!(start_of(2020, "fr-mothers-day"), date(2020, 6, 7));
        assert_eq!(start_of(2009, "fr-mothers-day"), date(2009, 6, 7));
    }

    #[test]
    fn family_days_and_back_to_school_fall_on_their_weekday() {
        assert_eq!(start_of(2026, "fr-grandmothers-day"), date(2026, 3, 1));
        assert_eq!(start_of(2026, "fr-fathers-day"), date(2026, 6, 21));
        assert_eq!(start_of(2025, "fr-fathers-day"), date(2025, 6, 15));
        assert_eq!(start_of(2026, "fr-back-to-school"), date(2026, 9, 1));
        assert_eq!(start_of(2025, "fr-back-to-school"), date(2025, 9, 2));
    }

    #[test]
    fn winter_sales_start_on_the_second_wednesday_of_january() {
        let sales_2023 = find(2023, "fr-sales-winter");
        assert_eq!((sales_2023.start, sales_2023.end), (date(2023, 1, 11), date(2023, 2, 7)));
        assert_eq!(start_of(2022, "fr-sales-winter"), date(2022, 1, 12));
        assert_eq!(start_of(2024, "fr-sales-winter"), date(2024, 1, 10));
    }

    #[test]
    fn winter_sales_start_a_week_earlier_when_the_second_wednesday_is_after_the_12th() {
        let sales_2026 = find(2026, "fr-sales-winter");
        assert_eq!((sales_2026.start, sales_2026.end), (date(2026, 1, 7), date(2026, 2, 3)));
        assert_eq!(start_of(2027, "fr-sales-winter"), date(2027, 1, 6));
    }

    #[test]
    fn summer_sales_start_on_the_last_wednesday_of_june() {
        let sales_2026 = find(2026, "fr-sales-summer");
        assert_eq!((sales_2026.start, sales_2026.end), (date(2026, 6, 24), date(2026, 7, 21)));
        let sales_2023 = find(2023, "fr-sales-summer");
        assert_eq!((sales_2023.start, sales_2023.end), (date(2023, 6, 28), date(2023, 7, 25)));
    }

    #[test]
    fn summer_sales_start_a_week_earlier_when_the_last_wednesday_is_after_the_28th() {
        assert_eq!(start_of(2022, "fr-sales-summer"), date(2022, 6, 22));
        assert_eq!(start_of(2016, "fr-sales-summer"), date(2016, 6, 22));
    }

    #[test]
    fn sales_run_four_weeks_from_a_wednesday() {
        for year in YEARS {
            for key in ["fr-sales-winter", "fr-sales-summer"] {
                let sales = find(year, key);
                assert_eq!(sales.start.weekday(), Weekday::Wednesday, "{key} {year}");
                assert_eq!(sales.end, days_after(sales.start, 27), "{key} {year}");
            }
        }
    }

    #[test]
    fn november_brings_beaujolais_black_friday_and_cyber_monday() {
        assert_eq!(start_of(2026, "fr-beaujolais-nouveau"), date(2026, 11, 19));
        assert_eq!(start_of(2026, "fr-black-friday"), date(2026, 11, 27));
        assert_eq!(start_of(2026, "fr-cyber-monday"), date(2026, 11, 30));
    }

    #[test]
    fn cyber_monday_can_fall_in_december() {
        assert_eq!(start_of(2025, "fr-black-friday"), date(2025, 11, 28));
        assert_eq!(start_of(2025, "fr-cyber-monday"), date(2025, 12, 1));
    }

    #[test]
    fn every_year_has_eleven_national_holidays() {
        for year in YEARS {
            let national =
                french_dates(year).iter().filter(|entry| entry.kind == DateKind::PublicHoliday && entry.regional.is_none()).count();
            assert_eq!(national, 11, "{year}");
        }
    }

    #[test]
    fn only_good_friday_and_st_stephen_are_regional_to_alsace_moselle() {
        let regional: Vec<_> = french_dates(2026).into_iter().filter(|entry| entry.regional.is_some()).collect();
        assert_eq!(
            keys_and_starts(&regional),
            [("fr-holiday-good-friday", date(2026, 4, 3)), ("fr-holiday-st-stephen", date(2026, 12, 26))]
        );
        assert!(regional.iter().all(|entry| entry.regional == Some("Alsace-Moselle") && entry.kind == DateKind::PublicHoliday));
    }

    #[test]
    fn christmas_is_a_holiday_not_a_commercial_date() {
        let christmas: Vec<_> = french_dates(2026).into_iter().filter(|entry| entry.start == date(2026, 12, 25)).collect();
        assert_eq!(christmas.len(), 1);
        assert_eq!(christmas[0].kind, DateKind::PublicHoliday);
        assert_eq!(christmas[0].name_fr, "Noël");
    }

    #[test]
    fn keys_are_unique_within_a_year() {
        for year in YEARS {
            let dates = french_dates(year);
            let keys: HashSet<_> = dates.iter().map(|entry| entry.key).collect();
            assert_eq!(keys.len(), dates.len(), "{year}");
        }
    }

    #[test]
    fn dates_of_a_year_are_sorted_by_start_then_key() {
        for year in YEARS {
            let dates = french_dates(year);
            assert!(dates.windows(2).all(|pair| (pair[0].start, pair[0].key) < (pair[1].start, pair[1].key)), "{year}");
        }
    }

    #[test]
    fn only_sales_last_more_than_a_day_and_none_straddles_a_new_year() {
        for year in YEARS {
            for entry in french_dates(year) {
                let is_sales = entry.key.starts_with("fr-sales-");
                assert_eq!(entry.end != entry.start, is_sales, "{} {year}", entry.key);
                assert!(entry.start <= entry.end && entry.start.year() == year && entry.end.year() == year, "{} {year}", entry.key);
            }
        }
    }

    #[test]
    fn dates_between_spans_the_new_year() {
        let dates = dates_between(date(2026, 12, 20), date(2027, 1, 10));
        assert_eq!(
            keys_and_starts(&dates),
            [
                ("fr-holiday-christmas", date(2026, 12, 25)),
                ("fr-holiday-st-stephen", date(2026, 12, 26)),
                ("fr-new-years-eve", date(2026, 12, 31)),
                ("fr-holiday-new-year", date(2027, 1, 1)),
                ("fr-epiphany", date(2027, 1, 6)),
                ("fr-sales-winter", date(2027, 1, 6)),
            ]
        );
    }

    #[test]
    fn dates_between_leaves_out_sales_that_start_after_the_window() {
        let dates = dates_between(date(2026, 12, 20), date(2027, 1, 5));
        assert!(dates.iter().all(|entry| entry.key != "fr-sales-winter"));
        assert_eq!(dates.last().map(|entry| entry.key), Some("fr-holiday-new-year"));
    }

    #[test]
    fn dates_between_includes_sales_already_running() {
        let dates = dates_between(date(2026, 1, 20), date(2026, 1, 25));
        assert_eq!(keys_and_starts(&dates), [("fr-sales-winter", date(2026, 1, 7))]);
        assert!(dates_between(date(2026, 2, 4), date(2026, 2, 10)).iter().all(|entry| entry.key != "fr-sales-winter"));
    }

    #[test]
    fn dates_between_includes_both_bounds() {
        let single_day = dates_between(date(2026, 11, 11), date(2026, 11, 11));
        assert_eq!(keys_and_starts(&single_day), [("fr-holiday-armistice-1918", date(2026, 11, 11))]);
        let last_day_of_sales = dates_between(date(2026, 2, 3), date(2026, 2, 3));
        assert_eq!(keys_and_starts(&last_day_of_sales), [("fr-sales-winter", date(2026, 1, 7))]);
    }

    #[test]
    fn dates_between_reversed_bounds_is_empty() {
        assert!(dates_between(date(2026, 12, 31), date(2026, 1, 1)).is_empty());
    }

    #[test]
    fn dates_between_a_whole_year_is_that_year() {
        assert_eq!(dates_between(date(2026, 1, 1), date(2026, 12, 31)), french_dates(2026));
    }
}
