-- The live inbox's events stored once: on SQLite a table keyed by a composite primary key keeps
-- its rows in a rowid table and the key again in an index; `WITHOUT ROWID` keeps them in the key
-- alone, one index fewer written for every message ingested (see
-- 0122_live_events_compact.sqlite.sql). PostgreSQL tables have no rowid: nothing to do.
SELECT 1;
