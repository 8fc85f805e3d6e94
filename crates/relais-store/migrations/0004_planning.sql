-- Planning: labels (content pillars, campaigns), the brand charter, custom calendar events,
-- posting slots, comments and notifications on posts, and the media library.

CREATE TABLE pillars (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    colour TEXT NOT NULL,
    -- The share of the calendar the SMM aims at, in percent.
    target_share BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    colour TEXT NOT NULL,
    -- Calendar dates (YYYY-MM-DD) in the workspace's time zone, inclusive.
    starts_on TEXT,
    ends_on TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

-- Posts carry pillar and campaign by name (posts.pillar, posts.campaign): renaming a label
-- renames it on its posts in the same transaction.

-- Who a post is assigned to (notified when it is).
ALTER TABLE posts ADD COLUMN assignee_id TEXT REFERENCES users(id) ON DELETE SET NULL;

-- A first comment, and the following parts of a thread (a JSON array of texts), where the
-- network allows them.
ALTER TABLE post_variants ADD COLUMN first_comment TEXT;
ALTER TABLE post_variants ADD COLUMN thread TEXT;

CREATE TABLE charters (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    -- JSON: words_to_avoid, mandatory, max_hashtags, per-network overrides.
    rules TEXT NOT NULL,
    tone_notes TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_events (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- Calendar dates (YYYY-MM-DD), inclusive.
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- none | weekly | monthly | yearly
    recurrence TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX calendar_events_workspace ON calendar_events(workspace_id);

CREATE TABLE posting_slots (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    -- ISO weekday, 1 = Monday.
    weekday BIGINT NOT NULL,
    -- Minutes after local midnight, in the workspace's time zone.
    minute_of_day BIGINT NOT NULL,
    UNIQUE (account_id, weekday, minute_of_day)
);

CREATE TABLE post_comments (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX post_comments_post ON post_comments(post_id, at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- assigned | submitted | approved | rejected | client_review | failed | comment
    kind TEXT NOT NULL,
    post_id TEXT REFERENCES posts(id) ON DELETE CASCADE,
    actor_label TEXT NOT NULL,
    -- The post's title when the notification was made, and a comment or error if any.
    subject TEXT NOT NULL,
    detail TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);

CREATE TABLE media (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- Hex SHA-256 of the bytes: the file's name in the data directory's media store.
    sha256 TEXT NOT NULL,
    -- image | video
    kind TEXT NOT NULL,
    mime TEXT NOT NULL,
    filename TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    duration_ms BIGINT,
    alt_text TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, sha256)
);
CREATE INDEX media_workspace ON media(workspace_id, created_at);

CREATE TABLE variant_media (
    variant_id TEXT NOT NULL REFERENCES post_variants(id) ON DELETE CASCADE,
    media_id TEXT NOT NULL REFERENCES media(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (variant_id, position)
);
CREATE INDEX variant_media_media ON variant_media(media_id);
