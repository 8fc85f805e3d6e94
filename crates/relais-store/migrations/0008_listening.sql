-- Listening ("veille"): the boolean queries of a workspace and the posts they found.
CREATE TABLE listening_queries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_run_at BIGINT,
    last_error TEXT
);
CREATE UNIQUE INDEX listening_queries_name ON listening_queries (workspace_id, name);
CREATE INDEX listening_queries_active ON listening_queries (active);

-- A post found by a query, once whatever found it (a search, the stream, two processes).
CREATE TABLE listening_hits (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    query_id TEXT NOT NULL REFERENCES listening_queries(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    author_remote_id TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    url TEXT,
    language TEXT,
    posted_at BIGINT NOT NULL,
    found_at BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('search', 'stream')),
    UNIQUE (query_id, network, remote_id)
);
CREATE INDEX listening_hits_query_posted ON listening_hits (query_id, posted_at);

-- Where each network stream (a Bluesky firehose at one service) was last read up to.
CREATE TABLE listening_stream_cursors (
    network TEXT NOT NULL,
    service TEXT NOT NULL,
    cursor BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (network, service)
);
