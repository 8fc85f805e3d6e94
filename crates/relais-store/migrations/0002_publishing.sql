-- Social accounts, posts with one variant per target account, their history, and the sandbox
-- network's own storage.

CREATE TABLE social_accounts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    handle TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- Sealed with the instance's secret key, bound to this row's id.
    credentials TEXT NOT NULL,
    -- active | paused
    status TEXT NOT NULL,
    status_reason TEXT,
    status_changed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, network, handle)
);

CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    pillar TEXT,
    campaign TEXT,
    -- UTC instant, and the wall-clock time and zone the user chose (kept to survive DST rules).
    scheduled_at BIGINT,
    scheduled_local TEXT,
    scheduled_zone TEXT,
    -- Bumped at every (re)scheduling; a publish job of an older version does nothing.
    schedule_version BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX posts_workspace_scheduled ON posts(workspace_id, scheduled_at);
CREATE INDEX posts_workspace_state ON posts(workspace_id, state);

CREATE TABLE post_variants (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    link TEXT,
    -- pending | publishing | published | failed
    state TEXT NOT NULL,
    -- Chosen before the first call to the network, never changed: the key of exactly-once.
    idempotency_key TEXT NOT NULL UNIQUE,
    attempts BIGINT NOT NULL,
    remote_id TEXT,
    remote_url TEXT,
    error TEXT,
    published_at BIGINT,
    UNIQUE (post_id, account_id)
);
CREATE INDEX post_variants_account ON post_variants(account_id);

CREATE TABLE post_events (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    comment TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX post_events_post ON post_events(post_id, at);

CREATE TABLE sandbox_posts (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sandbox_posts_key ON sandbox_posts(account_id, idempotency_key);
CREATE INDEX sandbox_posts_recent ON sandbox_posts(account_id, created_at);
