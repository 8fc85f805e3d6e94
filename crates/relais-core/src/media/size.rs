//! File sizes as people read them, in binary units (1 MB = 1,048,576 bytes, as file managers
//! show them), with the decimal mark and unit letters of the reader's language.

use crate::Locale;

/// `31.2 MB` in English, `31,2 Mo` in French. Whole numbers lose their `.0`.
pub fn human_size(bytes: u64, locale: Locale) -> String {
    let (units_en, units_fr) = (["bytes", "KB", "MB", "GB"], ["octets", "Ko", "Mo", "Go"]);
    let units = if locale == Locale::Fr { units_fr } else { units_en };
    if bytes < 1024 {
        return format!("{bytes} {}", units[0]);
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let rounded = (value * 10.0).round() / 10.0;
    let mut text = if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") };
    if locale == Locale::Fr {
        text = text.replace('.', ",");
    }
    // A narrow no-break space would be typographically right in French, but a plain space keeps
    // the messages searchable and copyable.
    format!("{text} {}", units[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally_in_both_languages() {
        assert_eq!(human_size(512, Locale::En), "512 bytes");
        assert_eq!(human_size(512, Locale::Fr), "512 octets");
        assert_eq!(human_size(25 * 1024 * 1024, Locale::En), "25 MB");
        assert_eq!(human_size(32_715_571, Locale::En), "31.2 MB");
        assert_eq!(human_size(32_715_571, Locale::Fr), "31,2 Mo");
        assert_eq!(human_size(1536, Locale::Fr), "1,5 Ko");
        assert_eq!(human_size(3 * 1024 * 1024 * 1024, Locale::En), "3 GB");
    }
}
