//! Scheduling in the workspace's time zone: wall-clock times across DST changes, posting slots.
//!
//! A post is stored as a UTC instant together with the wall-clock time and IANA zone the user
//! chose. The wall-clock time is the truth: the instant is always derived from it here, so a post
//! set for 09:00 in Paris publishes at 09:00 in Paris whatever the offset that day, and a change
//! of the zone's rules only needs the instant to be resolved again.
//!
//! Two DST cases need a rule:
//! - a gap (spring forward): the wall-clock time does not exist; we refuse it and suggest the first
//!   valid time after the gap, rather than silently publishing at another hour;
//! - a fold (fall back): the wall-clock time happens twice; we take the earlier occurrence, the one
//!   a reader of the calendar meets first.

use std::collections::HashSet;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Span, Timestamp, Zoned};

use crate::values::ValidationError;

/// The wall-clock format shared with the UI (what an HTML `datetime-local` input sends).
const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The wall-clock time does not exist that day (spring-forward gap).
    #[error("{local} does not exist in {zone} (the clocks skip forward that night); the next valid time is {suggestion}")]
    Nonexistent { local: String, zone: String, suggestion: String },
    #[error("unknown time zone: {0:?}")]
    UnknownZone(String),
    #[error("invalid local date and time (expected YYYY-MM-DDTHH:MM): {0}")]
    BadInput(String),
}

/// Parses `local` (`YYYY-MM-DDTHH:MM`, seconds accepted) as a wall-clock time in `zone` (an IANA
/// name) and returns the UTC instant.
///
/// In a spring-forward gap the time does not exist: `Nonexistent`, whose `suggestion` is the
/// first valid wall-clock time after the gap (e.g. `2026-03-29T03:00` in Paris). In an autumn
/// fold the time happens twice: the earlier instant (first occurrence) is returned.
pub fn resolve_local(local: &str, zone: &str) -> Result<Timestamp, ScheduleError> {
    let tz = time_zone(zone)?;
    let dt = parse_local(local)?;
    resolve(&tz, zone, dt)
}

/// The wall-clock time (`YYYY-MM-DDTHH:MM`) of the instant `ts` in `zone`.
pub fn local_of(ts: Timestamp, zone: &str) -> Result<String, ScheduleError> {
    let tz = time_zone(zone)?;
    Ok(ts.to_zoned(tz).datetime().strftime(LOCAL_FORMAT).to_string())
}

/// The same wall-clock time `days` calendar days later (earlier when negative), resolved again in
/// `zone`, so 09:00 stays 09:00 across a DST change ("repeat weekly", dragging a post by days).
///
/// The shifted time may land in a gap, which gives `Nonexistent` like [`resolve_local`].
pub fn shift_days(local: &str, zone: &str, days: i64) -> Result<Timestamp, ScheduleError> {
    let tz = time_zone(zone)?;
    let dt = parse_local(local)?;
    let out_of_range = || ScheduleError::BadInput(format!("{local} shifted by {days} days is out of range"));
    // Civil arithmetic, not 24-hour steps: a day is one hour shorter or longer across DST.
    let span = Span::new().try_days(days).map_err(|_| out_of_range())?;
    let shifted = dt.checked_add(span).map_err(|_| out_of_range())?;
    resolve(&tz, zone, shifted)
}

/// A weekly posting slot of an account, in the workspace's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub weekday: Weekday,
    pub time: Time,
}

impl Slot {
    pub const MINUTES_PER_DAY: i64 = 24 * 60;

    /// A slot as stored: ISO weekday (1 = Monday .. 7 = Sunday) and minutes after local midnight.
    pub fn new(weekday: i64, minute_of_day: i64) -> Result<Slot, ValidationError> {
        let weekday = i8::try_from(weekday).ok().filter(|d| (1..=7).contains(d)).ok_or_else(|| {
            ValidationError::new("weekday", "error-weekday", format!("weekday is {weekday}; it must be 1 (Monday) to 7 (Sunday)"))
        })?;
        if !(0..Self::MINUTES_PER_DAY).contains(&minute_of_day) {
            return Err(ValidationError::new(
                "minute_of_day",
                "error-minute-of-day",
                format!("minute_of_day is {minute_of_day}; it must be between 0 and 1439 (23:59)"),
            ));
        }
        let weekday = Weekday::from_monday_one_offset(weekday).expect("checked to be 1 to 7");
        // Both parts are in range, so the time exists.
        let time = Time::new((minute_of_day / 60) as i8, (minute_of_day % 60) as i8, 0, 0).expect("checked to be within the day");
        Ok(Slot { weekday, time })
    }

    /// A slot as a form sends it: the weekday number and a time `HH:MM`.
    pub fn parse(weekday: &str, time: &str) -> Result<Slot, ValidationError> {
        let day = weekday.trim().parse::<i64>().map_err(|_| {
            ValidationError::new("weekday", "error-weekday", format!("weekday is {weekday:?}; it must be 1 (Monday) to 7 (Sunday)"))
        })?;
        let time = time.trim();
        let Some(minute) = minute_of_hhmm(time) else {
            return Err(ValidationError::new(
                "minute_of_day",
                "error-minute-of-day",
                format!("the time is {time:?}; write it as HH:MM between 00:00 and 23:59"),
            ));
        };
        Slot::new(day, minute)
    }

    /// ISO weekday, 1 = Monday.
    pub fn weekday_number(&self) -> i64 {
        i64::from(self.weekday.to_monday_one_offset())
    }

    pub fn minute_of_day(&self) -> i64 {
        i64::from(self.time.hour()) * 60 + i64::from(self.time.minute())
    }

    /// `HH:MM`.
    pub fn time_label(&self) -> String {
        format!("{:02}:{:02}", self.time.hour(), self.time.minute())
    }
}

/// Minutes after midnight of `HH:MM` (two digits each, 00:00 to 23:59).
fn minute_of_hhmm(time: &str) -> Option<i64> {
    let (h, m) = time.split_once(':')?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|c| c.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// "Add to queue": the first slot strictly after `after` whose instant is free, that is not in
/// `taken` (the instants of the posts already scheduled on the account), compared to the minute.
///
/// Slots are wall-clock times in `zone`, resolved for each date like [`resolve_local`]: a slot in
/// a DST gap that day is skipped, a slot in a fold means its earlier occurrence. The search goes
/// up to `horizon_days` calendar days after `after` (inclusive); `None` when no slot is free by
/// then, or when there are no slots.
pub fn next_free_slot(
    slots: &[Slot],
    taken: &[Timestamp],
    after: Timestamp,
    zone: &str,
    horizon_days: i64,
) -> Result<Option<Timestamp>, ScheduleError> {
    let tz = time_zone(zone)?;
    if slots.is_empty() || horizon_days < 0 {
        return Ok(None);
    }
    let taken: HashSet<i64> = taken.iter().map(|&ts| minute_of(ts)).collect();
    let start = after.to_zoned(tz.clone());
    // Past the supported range the search simply runs out of dates.
    let end = Span::new().try_days(horizon_days).ok().and_then(|span| start.checked_add(span).ok());
    let end_ts = end.as_ref().map_or(Timestamp::MAX, Zoned::timestamp);
    let end_date = end.as_ref().map_or(Date::MAX, Zoned::date);

    let mut date = start.date();
    while date <= end_date {
        // Within a day, slots may be listed in any order; across days, later dates resolve to later
        // instants (folds resolve to their first occurrence), so the first day with a free slot wins.
        let best = slots
            .iter()
            .filter(|slot| slot.weekday == date.weekday())
            .filter_map(|slot| resolve_unambiguous_or_earlier(&tz, date.to_datetime(slot.time)))
            .filter(|&ts| ts > after && ts <= end_ts && !taken.contains(&minute_of(ts)))
            .min();
        if best.is_some() {
            return Ok(best);
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    Ok(None)
}

fn time_zone(zone: &str) -> Result<TimeZone, ScheduleError> {
    TimeZone::get(zone).map_err(|_| ScheduleError::UnknownZone(zone.to_string()))
}

/// Only the two shapes the UI sends: jiff's own parser would also take spaces, offsets or a bare
/// date, which would let a malformed value through as a different time.
fn parse_local(local: &str) -> Result<DateTime, ScheduleError> {
    let bad = || ScheduleError::BadInput(format!("{local:?}"));
    let shape_ok = |pattern: &[u8]| {
        local.len() == pattern.len() && local.bytes().zip(pattern).all(|(c, &p)| if p == b'9' { c.is_ascii_digit() } else { c == p })
    };
    let format = if shape_ok(b"9999-99-99T99:99") {
        LOCAL_FORMAT
    } else if shape_ok(b"9999-99-99T99:99:99") {
        "%Y-%m-%dT%H:%M:%S"
    } else {
        return Err(bad());
    };
    // The shape is right; strptime still rejects impossible dates such as February 30.
    DateTime::strptime(format, local).map_err(|_| bad())
}

fn resolve(tz: &TimeZone, zone: &str, dt: DateTime) -> Result<Timestamp, ScheduleError> {
    let out_of_range = || ScheduleError::BadInput(format!("{} is out of range in {zone}", dt.strftime(LOCAL_FORMAT)));
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, a time in the gap falls before the transition, so the next
            // transition is the one that opened the gap; the wall clock resumes at its local time.
            let before_gap = after.to_timestamp(dt).map_err(|_| out_of_range())?;
            let transition = tz.following(before_gap).next().ok_or_else(out_of_range)?;
            let resumes = transition.timestamp().to_zoned(tz.clone()).datetime();
            Err(ScheduleError::Nonexistent {
                local: dt.strftime(LOCAL_FORMAT).to_string(),
                zone: zone.to_string(),
                suggestion: ceil_to_minute(resumes).strftime(LOCAL_FORMAT).to_string(),
            })
        }
        _ => ambiguous.earlier().map_err(|_| out_of_range()),
    }
}

/// `None` in a gap, for the queue, which skips such slots instead of reporting them.
fn resolve_unambiguous_or_earlier(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => None,
        _ => ambiguous.earlier().ok(),
    }
}

/// Some historical offsets have seconds; truncating their gap end would suggest a time still in
/// the gap, so round up to a minute the UI can express.
fn ceil_to_minute(dt: DateTime) -> DateTime {
    let floor = dt.with().second(0).subsec_nanosecond(0).build().unwrap_or(dt);
    if floor == dt { dt } else { floor.checked_add(Span::new().minutes(1)).unwrap_or(floor) }
}

fn minute_of(ts: Timestamp) -> i64 {
    ts.as_second().div_euclid(60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    const PARIS: &str = "Europe/Paris";

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn paris(local: &str) -> Timestamp {
        resolve_local(local, PARIS).unwrap()
    }

    fn tue_thu_nine() -> Vec<Slot> {
        vec![Slot { weekday: Weekday::Tuesday, time: time(9, 0, 0, 0) }, Slot { weekday: Weekday::Thursday, time: time(9, 0, 0, 0) }]
    }

    #[test]
    fn nine_in_paris_is_eight_utc_in_winter_and_seven_in_summer() {
        assert_eq!(resolve_local("2026-03-28T09:00", PARIS).unwrap(), utc("2026-03-28T08:00:00Z"));
        assert_eq!(resolve_local("2026-03-30T09:00", PARIS).unwrap(), utc("2026-03-30T07:00:00Z"));
    }

    #[test]
    fn seconds_are_accepted() {
        assert_eq!(resolve_local("2026-03-28T09:00:30", PARIS).unwrap(), utc("2026-03-28T08:00:30Z"));
    }

    #[test]
    fn shifting_across_spring_forward_keeps_nine_o_clock() {
        let shifted = shift_days("2026-03-28T09:00", PARIS, 2).unwrap();
        assert_eq!(shifted, utc("2026-03-30T07:00:00Z"));
        assert_eq!(local_of(shifted, PARIS).unwrap(), "2026-03-30T09:00");
    }

    #[test]
    fn shifting_back_across_fall_back_keeps_nine_o_clock() {
        assert_eq!(shift_days("2026-10-26T09:00", PARIS, -7).unwrap(), utc("2026-10-19T07:00:00Z"));
        assert_eq!(shift_days("2026-10-19T09:00", PARIS, 7).unwrap(), utc("2026-10-26T08:00:00Z"));
    }

    #[test]
    fn shifting_onto_the_gap_says_the_time_does_not_exist() {
        let err = shift_days("2026-03-22T02:30", PARIS, 7).unwrap_err();
        assert!(matches!(err, ScheduleError::Nonexistent { ref suggestion, .. } if suggestion == "2026-03-29T03:00"));
    }

    #[test]
    fn shifting_out_of_range_is_bad_input() {
        assert!(matches!(shift_days("2026-03-28T09:00", PARIS, i64::MAX), Err(ScheduleError::BadInput(_))));
        assert!(matches!(shift_days("2026-03-28T09:00", PARIS, 10_000 * 366), Err(ScheduleError::BadInput(_))));
    }

    #[test]
    fn a_time_in_the_spring_gap_is_refused_with_the_next_valid_time() {
        let err = resolve_local("2026-03-29T02:30", PARIS).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::Nonexistent { local: "2026-03-29T02:30".into(), zone: PARIS.into(), suggestion: "2026-03-29T03:00".into() }
        );
        let message = err.to_string();
        assert!(message.contains("2026-03-29T02:30") && message.contains("2026-03-29T03:00"), "{message}");
    }

    #[test]
    fn the_first_minute_of_the_gap_does_not_exist_either() {
        let err = resolve_local("2026-03-29T02:00", PARIS).unwrap_err();
        assert!(matches!(err, ScheduleError::Nonexistent { ref suggestion, .. } if suggestion == "2026-03-29T03:00"));
        assert_eq!(resolve_local("2026-03-29T03:00", PARIS).unwrap(), utc("2026-03-29T01:00:00Z"));
    }

    #[test]
    fn a_gap_in_another_zone_suggests_its_own_resumption_time() {
        let err = resolve_local("2026-03-08T02:15", "America/New_York").unwrap_err();
        assert!(matches!(err, ScheduleError::Nonexistent { ref suggestion, .. } if suggestion == "2026-03-08T03:00"));
    }

    #[test]
    fn a_gap_ending_on_seconds_suggests_the_next_whole_minute() {
        // Amsterdam moved from +00:19:32 to +00:20 in 1937: the clock jumped from 00:00:00 to 00:00:28.
        let err = resolve_local("1937-07-01T00:00", "Europe/Amsterdam").unwrap_err();
        assert!(matches!(err, ScheduleError::Nonexistent { ref suggestion, .. } if suggestion == "1937-07-01T00:01"), "{err:?}");
        assert!(resolve_local("1937-07-01T00:01", "Europe/Amsterdam").is_ok());
    }

    #[test]
    fn a_time_in_the_autumn_fold_is_its_first_occurrence() {
        assert_eq!(resolve_local("2026-10-25T02:30", PARIS).unwrap(), utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn local_of_round_trips_through_dst_changes() {
        for local in ["2026-03-28T09:00", "2026-03-29T03:00", "2026-03-30T09:00", "2026-10-25T02:30", "2026-12-31T23:59"] {
            assert_eq!(local_of(paris(local), PARIS).unwrap(), local);
        }
    }

    #[test]
    fn local_of_shows_the_second_occurrence_of_the_fold_too() {
        assert_eq!(local_of(utc("2026-10-25T01:30:00Z"), PARIS).unwrap(), "2026-10-25T02:30");
    }

    #[test]
    fn an_unknown_zone_is_named_in_the_error() {
        let err = resolve_local("2026-03-28T09:00", "Mars/Olympus").unwrap_err();
        assert_eq!(err, ScheduleError::UnknownZone("Mars/Olympus".into()));
        assert!(err.to_string().contains("Mars/Olympus"));
        assert!(matches!(local_of(Timestamp::UNIX_EPOCH, "Mars/Olympus"), Err(ScheduleError::UnknownZone(_))));
        assert!(matches!(shift_days("2026-03-28T09:00", "", 1), Err(ScheduleError::UnknownZone(_))));
        assert!(matches!(next_free_slot(&[], &[], Timestamp::UNIX_EPOCH, "Mars/Olympus", 90), Err(ScheduleError::UnknownZone(_))));
    }

    #[test]
    fn garbage_input_is_named_in_the_error() {
        for bad in [
            "tomorrow",
            "",
            "2026-03-28",
            "2026-03-28 09:00",
            "2026-03-28T9:00",
            "2026-02-30T09:00",
            "2026-03-28T24:00",
            "2026-03-28T09:00Z",
        ] {
            let err = resolve_local(bad, PARIS).unwrap_err();
            assert!(matches!(err, ScheduleError::BadInput(_)), "{bad}: {err:?}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!(matches!(shift_days("soon", PARIS, 1), Err(ScheduleError::BadInput(_))));
    }

    #[test]
    fn queue_picks_the_next_tuesday_slot() {
        let after = paris("2026-03-23T10:00");
        assert_eq!(next_free_slot(&tue_thu_nine(), &[], after, PARIS, 90).unwrap(), Some(paris("2026-03-24T09:00")));
    }

    #[test]
    fn queue_skips_a_taken_slot() {
        let after = paris("2026-03-23T10:00");
        let taken = [paris("2026-03-24T09:00")];
        assert_eq!(next_free_slot(&tue_thu_nine(), &taken, after, PARIS, 90).unwrap(), Some(paris("2026-03-26T09:00")));
    }

    #[test]
    fn queue_compares_taken_instants_to_the_minute() {
        let after = paris("2026-03-23T10:00");
        let taken = [utc("2026-03-24T08:00:42Z")];
        assert_eq!(next_free_slot(&tue_thu_nine(), &taken, after, PARIS, 90).unwrap(), Some(paris("2026-03-26T09:00")));
    }

    #[test]
    fn queue_keeps_nine_o_clock_across_the_dst_weekend() {
        let monday = [Slot { weekday: Weekday::Monday, time: time(9, 0, 0, 0) }];
        let after = paris("2026-03-27T12:00");
        assert_eq!(next_free_slot(&monday, &[], after, PARIS, 90).unwrap(), Some(utc("2026-03-30T07:00:00Z")));
    }

    #[test]
    fn queue_skips_a_slot_in_the_spring_gap() {
        let sunday_night = [Slot { weekday: Weekday::Sunday, time: time(2, 30, 0, 0) }];
        let after = paris("2026-03-27T12:00");
        assert_eq!(next_free_slot(&sunday_night, &[], after, PARIS, 90).unwrap(), Some(paris("2026-04-05T02:30")));
    }

    #[test]
    fn queue_uses_the_first_occurrence_of_a_slot_in_the_fold() {
        let sunday_night = [Slot { weekday: Weekday::Sunday, time: time(2, 30, 0, 0) }];
        let after = paris("2026-10-24T12:00");
        assert_eq!(next_free_slot(&sunday_night, &[], after, PARIS, 90).unwrap(), Some(utc("2026-10-25T00:30:00Z")));
    }

    #[test]
    fn queue_with_no_slots_has_nothing_to_offer() {
        assert_eq!(next_free_slot(&[], &[], paris("2026-03-23T10:00"), PARIS, 90).unwrap(), None);
    }

    #[test]
    fn queue_full_for_the_whole_horizon_has_nothing_to_offer() {
        let after = paris("2026-03-23T10:00");
        let taken: Vec<Timestamp> =
            (0..14).flat_map(|week| [1, 3].map(|day| shift_days("2026-03-23T09:00", PARIS, week * 7 + day).unwrap())).collect();
        assert_eq!(next_free_slot(&tue_thu_nine(), &taken, after, PARIS, 90).unwrap(), None);
        // The first free slot is just past the horizon.
        assert_eq!(next_free_slot(&tue_thu_nine(), &taken, after, PARIS, 100).unwrap(), Some(paris("2026-06-30T09:00")));
    }

    #[test]
    fn queue_horizon_includes_the_same_time_a_week_later() {
        let monday = [Slot { weekday: Weekday::Monday, time: time(9, 0, 0, 0) }];
        let after = paris("2026-03-23T09:00");
        assert_eq!(next_free_slot(&monday, &[], after, PARIS, 7).unwrap(), Some(paris("2026-03-30T09:00")));
        assert_eq!(next_free_slot(&monday, &[], after, PARIS, 6).unwrap(), None);
    }

    #[test]
    fn queue_excludes_a_slot_at_exactly_the_after_instant() {
        let after = paris("2026-03-24T09:00");
        assert_eq!(next_free_slot(&tue_thu_nine(), &[], after, PARIS, 90).unwrap(), Some(paris("2026-03-26T09:00")));
    }

    #[test]
    fn queue_takes_the_earliest_slot_of_the_day_whatever_their_order() {
        let slots =
            [Slot { weekday: Weekday::Tuesday, time: time(18, 0, 0, 0) }, Slot { weekday: Weekday::Tuesday, time: time(12, 0, 0, 0) }];
        let after = paris("2026-03-23T10:00");
        assert_eq!(next_free_slot(&slots, &[], after, PARIS, 90).unwrap(), Some(paris("2026-03-24T12:00")));
    }

    #[test]
    fn queue_can_use_a_later_slot_the_same_day() {
        let after = paris("2026-03-24T08:00");
        assert_eq!(next_free_slot(&tue_thu_nine(), &[], after, PARIS, 90).unwrap(), Some(paris("2026-03-24T09:00")));
    }

    #[test]
    fn a_slot_is_a_weekday_and_a_minute_within_the_day() {
        let slot = Slot::new(2, 9 * 60 + 30).unwrap();
        assert_eq!((slot.weekday, slot.time), (Weekday::Tuesday, time(9, 30, 0, 0)));
        assert_eq!((slot.weekday_number(), slot.minute_of_day(), slot.time_label()), (2, 570, "09:30".to_string()));
        assert_eq!(Slot::parse("7", "23:59").unwrap(), Slot::new(7, 1439).unwrap());
        assert_eq!(Slot::new(0, 60).unwrap_err().field, "weekday");
        assert_eq!(Slot::new(8, 60).unwrap_err().field, "weekday");
        for minute in [-1, 1440, 5000] {
            assert_eq!(Slot::new(1, minute).unwrap_err().field, "minute_of_day", "{minute}");
        }
        for bad in ["24:00", "9:00", "09:60", "midi", "", "-1:00"] {
            let err = Slot::parse("1", bad).unwrap_err();
            assert_eq!((err.field, err.code), ("minute_of_day", "error-minute-of-day"), "{bad}");
        }
        assert_eq!(Slot::parse("lundi", "09:00").unwrap_err().field, "weekday");
    }
}
