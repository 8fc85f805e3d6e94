-- What "test connection" and the networks told Relais about an account, for its health badge.
ALTER TABLE social_accounts ADD COLUMN remote_id TEXT;
ALTER TABLE social_accounts ADD COLUMN checked_at BIGINT;
ALTER TABLE social_accounts ADD COLUMN check_error TEXT;
ALTER TABLE social_accounts ADD COLUMN credentials_expire_at BIGINT;
ALTER TABLE social_accounts ADD COLUMN rate_limited_until BIGINT;

-- OAuth applications Relais registered on Mastodon-compatible instances, one per instance and
-- callback address; the client secret is sealed like account credentials.
CREATE TABLE oauth_apps (
    network TEXT NOT NULL,
    instance TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (network, instance, redirect_uri)
);

-- Authorisations under way: the `state` sent to the instance (stored hashed) says which member
-- of which workspace started it; used once, then deleted.
CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    instance TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Withdrawing a published variant from its network (deleting the post there): asked by a
-- member, done by a job; the variant keeps its history.
ALTER TABLE post_variants ADD COLUMN removal_state TEXT;
ALTER TABLE post_variants ADD COLUMN removal_requested_at BIGINT;
ALTER TABLE post_variants ADD COLUMN removal_requested_by TEXT;
ALTER TABLE post_variants ADD COLUMN removed_at BIGINT;
ALTER TABLE post_variants ADD COLUMN removal_error TEXT;
