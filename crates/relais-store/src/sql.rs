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

/// The most placeholders of a statement that goes through [`for_backend`]: binding those costs
/// the same for each on either backend, so the bulk writes of ingestion take pages of messages
/// in a few statements (each statement is a round trip to SQLite's worker thread or to the
/// PostgreSQL server).
pub(crate) const MAX_BULK_PARAMS: usize = 2_000;

/// How many rows of `width` values one bulk statement (see [`for_backend`]) takes.
pub(crate) fn rows_per_bulk_statement(width: usize) -> usize {
    (MAX_BULK_PARAMS / width.max(1)).max(1)
}

/// `sql` as `conn` binds it fastest. On SQLite, a statement whose `$n` placeholders appear once
/// each, numbered 1, 2, 3… in the order written, gets anonymous `?` placeholders (sqlx binds
/// them in the same order): SQLite looks a named placeholder up by a linear scan at each bind,
/// an anonymous one not at all. Any other statement is left as written.
pub(crate) fn for_backend(conn: &sqlx::AnyConnection, sql: String) -> String {
    if conn.backend_name() != "SQLite" {
        return sql;
    }
    anonymous(&sql).unwrap_or(sql)
}

/// `sql` with `$1`, `$2`, … replaced by `?`, when they come in that order (outside quotes).
fn anonymous(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let (mut next, mut quoted) = (1usize, false);
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '$' || quoted || !chars.peek().is_some_and(char::is_ascii_digit) {
            out.push(c);
            continue;
        }
        let mut n = 0usize;
        while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
            n = n.checked_mul(10)?.checked_add(d as usize)?;
            chars.next();
        }
        if n != next {
            return None;
        }
        next += 1;
        out.push('?');
    }
    Some(out)
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

    #[test]
    fn placeholders_in_order_become_anonymous() {
        assert_eq!(anonymous("INSERT INTO t VALUES ($1, $2), ($3, '$9')").as_deref(), Some("INSERT INTO t VALUES (?, ?), (?, '$9')"));
        assert_eq!(anonymous("SELECT $1 + $12"), None, "out of order");
        assert_eq!(anonymous("SELECT $1, $1"), None, "used twice");
        assert_eq!(anonymous("SELECT 1").as_deref(), Some("SELECT 1"));
    }
}
