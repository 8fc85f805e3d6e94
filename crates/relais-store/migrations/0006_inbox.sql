-- The community inbox (first slice of issue 5), raw metric samples, and the sandbox
-- simulator's audience.

-- A conversation groups messages: the thread under one root post (usually one of ours), the
-- direct messages of one author, or a standalone mention or quote.
CREATE TABLE inbox_conversations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    -- thread:<root remote id> | direct:<author remote id> | single:<message remote id>
    grouping TEXT NOT NULL,
    -- thread | direct | single
    kind TEXT NOT NULL,
    root_remote_id TEXT,
    -- Our published variant the thread is rooted at, when it is one of ours.
    variant_id TEXT REFERENCES post_variants(id) ON DELETE SET NULL,
    last_message_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, grouping)
);

-- Replies, mentions, quotes and direct messages: words someone may answer. Status, assignee and
-- the response times are per message; tags, notes and sentiment will be added beside them.
CREATE TABLE inbox_messages (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    -- reply | mention | quote | direct_message
    kind TEXT NOT NULL,
    author_remote_id TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name TEXT,
    author_avatar TEXT,
    text TEXT NOT NULL,
    url TEXT,
    language TEXT,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    subject_remote_id TEXT,
    parent_remote_id TEXT,
    root_remote_id TEXT,
    -- Our published variant the message is about (subject, root or parent matched on remote_id).
    variant_id TEXT REFERENCES post_variants(id) ON DELETE SET NULL,
    -- open | pending | resolved
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    first_response_at BIGINT,
    resolved_at BIGINT,
    -- When the posts above it were asked for (NULL: not yet, or not needed).
    context_checked_at BIGINT,
    UNIQUE (account_id, remote_id)
);
CREATE INDEX inbox_messages_list ON inbox_messages(workspace_id, created_at, id);
CREATE INDEX inbox_messages_status ON inbox_messages(workspace_id, status, created_at);
CREATE INDEX inbox_messages_conversation ON inbox_messages(conversation_id, created_at);
CREATE INDEX inbox_messages_variant ON inbox_messages(variant_id);

-- Likes, reposts and follows. Kept apart from messages: they carry no words, status or
-- conversation, are counted rather than read one by one, and outnumber messages by far, so the
-- inbox's list and indexes stay small.
CREATE TABLE inbox_activity (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    -- like | repost | follow
    kind TEXT NOT NULL,
    author_remote_id TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name TEXT,
    subject_remote_id TEXT,
    variant_id TEXT REFERENCES post_variants(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (account_id, remote_id)
);
CREATE INDEX inbox_activity_variant ON inbox_activity(variant_id, kind);
CREATE INDEX inbox_activity_account ON inbox_activity(account_id, kind, created_at);

-- Posts above a message in its thread that Relais did not receive itself (asked with `context`).
CREATE TABLE inbox_context_posts (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    parent_remote_id TEXT,
    author_handle TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    url TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, remote_id)
);
CREATE INDEX inbox_context_posts_conversation ON inbox_context_posts(conversation_id, created_at);

-- Where each account's activity sync stands.
CREATE TABLE inbox_sync_state (
    account_id TEXT PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
    -- The network's opaque marker (ActivityPage::next_since) of the last stored page.
    marker TEXT,
    last_sync_at BIGINT,
    last_error TEXT,
    last_error_at BIGINT
);

-- Replies written in Relais. The row and its idempotency key exist before the network is called,
-- so a retry after a lost worker asks the network for the key instead of answering twice.
CREATE TABLE inbox_replies (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES inbox_messages(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    -- pending | sent | failed
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    remote_id TEXT,
    remote_url TEXT,
    error TEXT,
    author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX inbox_replies_conversation ON inbox_replies(conversation_id, created_at);

-- Raw metric time series, one row per collection; rollups come later.
CREATE TABLE post_metric_samples (
    variant_id TEXT NOT NULL REFERENCES post_variants(id) ON DELETE CASCADE,
    taken_at BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    -- NULL where the network does not give views.
    impressions BIGINT,
    PRIMARY KEY (variant_id, taken_at)
);

CREATE TABLE account_metric_samples (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    taken_at BIGINT NOT NULL,
    followers BIGINT NOT NULL,
    following BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    PRIMARY KEY (account_id, taken_at)
);

-- The sandbox simulator's audience: what its synthetic community did around an account's sandbox
-- posts, written when the simulated clock reaches it, with stable ids.
CREATE TABLE sandbox_audience (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    -- reply | mention | quote | direct_message | like | repost | follow, or `aside` for a reply
    -- between two audience members that the account is not notified of.
    kind TEXT NOT NULL,
    author_handle TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    language TEXT,
    subject_id TEXT,
    parent_id TEXT,
    root_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sandbox_audience_feed ON sandbox_audience(account_id, created_at, id);
CREATE INDEX sandbox_audience_subject ON sandbox_audience(subject_id, kind);

-- Replies the account wrote (from Relais) point at the post they answer.
ALTER TABLE sandbox_posts ADD COLUMN reply_to TEXT;
