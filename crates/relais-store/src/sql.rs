//! Placeholder lists for statements built at run time (IN lists, multi-row VALUES), written the
//! `$n` way both backends accept.

/// `$first, $first+1, …` for `n` values.
pub(crate) fn params(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($a, $b, $c), (…)`: `rows` tuples of `width` values, numbered from `first`.
pub(crate) fn tuples(first: usize, rows: usize, width: usize) -> String {
    (0..rows).map(|r| format!("({})", params(first + r * width, width))).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(params(3, 2), "$3, $4");
        assert_eq!(tuples(2, 2, 3), "($2, $3, $4), ($5, $6, $7)");
    }
}
