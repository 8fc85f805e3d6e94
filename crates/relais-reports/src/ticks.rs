//! "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten, so a reader can interpolate.

/// Ticks from at most `min` up to at least `max`, about `wanted` of them. `whole` keeps steps at
/// 1 or more, for counts that cannot be fractional. Bars pass a range that includes zero (a bar's
/// length is its value); lines need not (followers from 12,000 to 12,480 would be a flat line).
pub fn nice_ticks(min: f64, max: f64, wanted: usize, whole: bool) -> Vec<f64> {
    let (min, max) = if min.is_finite() && max.is_finite() { (min, max) } else { (0.0, 0.0) };
    // A flat series still needs an axis: give it one unit of height.
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let rough = span / wanted.max(1) as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    // The round step nearest the rough one, so the count stays close to `wanted`.
    let fraction = rough / magnitude;
    let nice = if fraction < 1.5 {
        1.0
    } else if fraction < 3.0 {
        2.0
    } else if fraction < 7.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * magnitude;
    let step = if whole { step.max(1.0).round() } else { step };
    let first = (min / step).floor() * step;
    let mut ticks = Vec::new();
    let mut i = 0;
    loop {
        let t = first + i as f64 * step;
        // Rounding to the step's precision keeps 0.30000000000000004 out of labels.
        let t = (t / step).round() * step;
        ticks.push(if t == 0.0 { 0.0 } else { t });
        if t >= max || i > 50 {
            break;
        }
        i += 1;
    }
    if ticks.len() < 2 {
        ticks.push(first + step);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_covering_the_data() {
        assert_eq!(nice_ticks(0.0, 97.0, 5, true), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 0.043, 5, false).last().copied(), Some(0.05));
        assert_eq!(nice_ticks(0.0, 3.0, 5, true), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(nice_ticks(0.0, 0.0, 5, true), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(-15.0, 30.0, 5, true), vec![-20.0, -10.0, 0.0, 10.0, 20.0, 30.0]);
        assert_eq!(nice_ticks(0.0, 12_480.0, 5, true).last().copied(), Some(14_000.0));
        assert_eq!(nice_ticks(11_500.0, 12_480.0, 5, true), vec![11_400.0, 11_600.0, 11_800.0, 12_000.0, 12_200.0, 12_400.0, 12_600.0]);
    }
}
