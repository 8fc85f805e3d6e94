-- The live inbox: what changed in a workspace's inbox, as a numbered feed that every web process
-- reads (server-sent events), and which members are looking at which conversation.

-- One counter per workspace. A write transaction that announces events takes its numbers here
-- (`UPDATE … SET seq = seq + n RETURNING seq`); the row stays locked until the transaction
-- commits, so numbers become visible in commit order and a reader that saw number N never later
-- finds a new event below N. One row per workspace rather than one for the whole database, so
-- that brands do not queue behind each other.
CREATE TABLE inbox_event_counters (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL
);

-- message_new | message_changed | note_added | reply_sent | presence. Kept a day (housekeeping).
CREATE TABLE inbox_events (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    message_id TEXT,
    conversation_id TEXT,
    -- The member who acted; NULL for the networks (a new message) and for Relais itself.
    actor_id TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);

-- Who has a conversation open: a page sends a heartbeat every few seconds; a member counts as
-- present while the last one is recent.
CREATE TABLE inbox_presence (
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
