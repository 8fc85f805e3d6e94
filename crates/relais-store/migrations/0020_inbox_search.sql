-- Full-text search in the inbox: every message's index terms (relais-core's `inbox_search`:
-- folded words, case and accents ignored, very common words left out), one row per distinct
-- term. The key puts a term's messages of a workspace newest first, so a search drives from its
-- rarest word with the same keyset as the list and checks the other words by key lookups.
-- No foreign keys: these rows are written by the tens of thousands a second at ingestion, and a
-- per-row check would cost PostgreSQL as much again; they are derived data that the search
-- always joins back to `inbox_messages` (same workspace), so a stray row can show nothing.
CREATE TABLE inbox_message_terms (
    workspace_id TEXT NOT NULL,
    term TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, term, created_at, message_id)
);
-- 1 once a message's terms are in the index. Ingestion writes both in one transaction; the
-- messages stored before this migration are indexed by the hourly housekeeping, in batches,
-- found through the partial index.
ALTER TABLE inbox_messages ADD COLUMN terms_indexed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX inbox_messages_unindexed ON inbox_messages(created_at) WHERE terms_indexed = 0;

-- The author's history in the conversation view: an author is a handle on a network. Their
-- messages newest first, counted and dated, through this index.
CREATE INDEX inbox_messages_by_author ON inbox_messages(workspace_id, network, author_handle, created_at, id);
-- Every author the workspace has heard from, with the keys that suggest two handles may be one
-- person (relais-core's `author_identity`: display name and handle's local part, folded).
-- Written at ingestion (the first message's name is kept) and by the same backfill as the terms.
CREATE TABLE inbox_authors (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name TEXT,
    name_key TEXT,
    handle_key TEXT,
    PRIMARY KEY (workspace_id, network, author_handle)
);
CREATE INDEX inbox_authors_by_name ON inbox_authors(workspace_id, name_key);
CREATE INDEX inbox_authors_by_handle ON inbox_authors(workspace_id, handle_key);
-- Handles members linked as one person, per workspace (a person exists while two or more
-- handles share its id).
CREATE TABLE inbox_author_links (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    network TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    linked_by TEXT,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, network, author_handle)
);
CREATE INDEX inbox_author_links_person ON inbox_author_links(workspace_id, person_id);
