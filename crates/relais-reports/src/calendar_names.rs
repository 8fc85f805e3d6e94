//! Weekday and month names, and short dates, in French and English.

use jiff::civil::{Date, Weekday};
use relais_core::values::Locale;

/// Monday first, as calendars are read in France and in ISO 8601.
pub(crate) const WEEK: [Weekday; 7] =
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday, Weekday::Sunday];

pub(crate) fn weekday(day: Weekday, locale: Locale) -> &'static str {
    let i = day.to_monday_zero_offset() as usize;
    match locale {
        Locale::Fr => ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"][i],
        Locale::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i],
    }
}

pub(crate) fn weekday_short(day: Weekday, locale: Locale) -> &'static str {
    let i = day.to_monday_zero_offset() as usize;
    match locale {
        Locale::Fr => ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."][i],
        Locale::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

pub(crate) fn month(month: i8, locale: Locale) -> &'static str {
    let i = (month.clamp(1, 12) - 1) as usize;
    match locale {
        Locale::Fr => {
            ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"][i]
        }
        Locale::En => {
            ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][i]
        }
    }
}

fn month_short(m: i8, locale: Locale) -> &'static str {
    let i = (m.clamp(1, 12) - 1) as usize;
    match locale {
        Locale::Fr => ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."][i],
        Locale::En => ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][i],
    }
}

/// `3 mars` / `Mar 3`: an axis label.
pub(crate) fn short_date(date: Date, locale: Locale) -> String {
    match locale {
        Locale::Fr => format!("{} {}", date.day(), month_short(date.month(), locale)),
        Locale::En => format!("{} {}", month_short(date.month(), locale), date.day()),
    }
}

/// `3 mars 2026` / `March 3, 2026`: a date in a sentence.
pub(crate) fn long_date(date: Date, locale: Locale) -> String {
    match locale {
        Locale::Fr => {
            let day = if date.day() == 1 { "1er".to_string() } else { date.day().to_string() };
            format!("{day} {} {}", month(date.month(), locale), date.year())
        }
        Locale::En => format!("{} {}, {}", month(date.month(), locale), date.day(), date.year()),
    }
}

/// `14 h` / `2 pm`: an hour of the day on the heat map.
pub(crate) fn hour(h: u8, locale: Locale) -> String {
    match locale {
        Locale::Fr => format!("{h} h"),
        Locale::En => match h {
            0 => "12 am".to_string(),
            12 => "12 pm".to_string(),
            h if h < 12 => format!("{h} am"),
            h => format!("{} pm", h - 12),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_read_the_french_and_english_way() {
        assert_eq!(long_date(date(2026, 3, 1), Locale::Fr), "1er mars 2026");
        assert_eq!(long_date(date(2026, 8, 15), Locale::Fr), "15 août 2026");
        assert_eq!(long_date(date(2026, 3, 1), Locale::En), "March 1, 2026");
        assert_eq!(short_date(date(2026, 2, 9), Locale::Fr), "9 févr.");
        assert_eq!(weekday(Weekday::Sunday, Locale::Fr), "dimanche");
        assert_eq!(hour(0, Locale::En), "12 am");
        assert_eq!(hour(15, Locale::En), "3 pm");
    }
}
