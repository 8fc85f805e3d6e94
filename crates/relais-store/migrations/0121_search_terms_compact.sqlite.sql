-- SQLite's version of migration 121 (see 0121_search_terms_compact.sql): the search index's
-- rows kept in their key alone. Same columns and key as migration 20.
CREATE TABLE inbox_message_terms_compact (
    workspace_id TEXT NOT NULL,
    term TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, term, created_at, message_id)
) WITHOUT ROWID;
INSERT INTO inbox_message_terms_compact (workspace_id, term, created_at, message_id)
    SELECT workspace_id, term, created_at, message_id FROM inbox_message_terms;
DROP TABLE inbox_message_terms;
ALTER TABLE inbox_message_terms_compact RENAME TO inbox_message_terms;
