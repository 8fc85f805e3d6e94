-- SQLite's version of migration 122 (see 0122_live_events_compact.sql): the live inbox's events
-- kept in their key alone. Same columns, key and reference as migration 17.
CREATE TABLE inbox_events_compact (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT,
    conversation_id TEXT,
    actor_id TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
) WITHOUT ROWID;
INSERT INTO inbox_events_compact (workspace_id, seq, kind, message_id, conversation_id, actor_id, created_at)
    SELECT workspace_id, seq, kind, message_id, conversation_id, actor_id, created_at FROM inbox_events;
DROP TABLE inbox_events;
ALTER TABLE inbox_events_compact RENAME TO inbox_events;
