-- The search index's rows stored once: on SQLite a table keyed by a composite primary key keeps
-- its rows in a rowid table and the key again in an index; `WITHOUT ROWID` keeps them in the
-- key alone, which halves what ingestion writes for a message's search terms (see
-- 0121_search_terms_compact.sqlite.sql). PostgreSQL tables have no rowid: nothing to do.
SELECT 1;
