//! Placeholder lists for statements built at run time (IN lists, multi-row VALUES), written the
//! `$n` way both backends accept.

/// The most placeholders one statement carries. sqlx binds SQLite parameters by name, and SQLite
/// finds each name by a linear scan of the statement's names, so binding N placeholders costs
/// N²: a page of 400 messages × 25 columns spent more time binding than writing (56 % of a
/// profile). A couple of hundred per statement keeps that small and still saves PostgreSQL most
/// round trips.
pub(crate) const MAX_PARAMS: usize = 200;

/// How many rows of `width` values one multi-row statement takes (at least one).
pub(crate) fn rows_per_statement(width: usize) -> usize {
    (MAX_PARAMS / width.max(1)).max(1)
}

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
        assert_eq!(rows_per_statement(25), 8);
        assert_eq!(rows_per_statement(1000), 1);
    }
}
