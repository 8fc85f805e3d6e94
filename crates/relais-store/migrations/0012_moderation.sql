-- Moderation: the workspace's house rules (shown to members and, when turned on, on a public
-- link), its ordered rules applied to new messages, and the log of what rules and members did,
-- with what undoing needs.
CREATE TABLE moderation_house_rules (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    public_slug TEXT NOT NULL UNIQUE,
    public_enabled SMALLINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Conditions and actions are JSON (relais_core::moderation), validated before they are saved.
CREATE TABLE moderation_rules (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    enabled SMALLINT NOT NULL,
    stop SMALLINT NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX moderation_rules_workspace ON moderation_rules(workspace_id, position);

-- One row per action: rule_id/rule_name as they were when it fired (rule_id NULL: by hand).
-- outcome: pending | done | failed | not_offered. detail: the tag, the assignee, the reply id or
-- the members notified; previous: what undo restores (the earlier assignee).
CREATE TABLE moderation_log (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL REFERENCES inbox_messages(id) ON DELETE CASCADE,
    rule_id TEXT,
    rule_name TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    previous TEXT,
    actor_label TEXT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT,
    undone_at BIGINT,
    undone_by TEXT
);
CREATE INDEX moderation_log_workspace ON moderation_log(workspace_id, created_at);
CREATE INDEX moderation_log_message ON moderation_log(message_id);

-- flagged: a rule or a member marked the message for attention. network_state: hidden | deleted
-- once the network confirmed it. text_key: relais_core::moderation::repeat_key, written while a
-- repeated-text rule exists, so that counting repeats is one indexed lookup.
ALTER TABLE inbox_messages ADD COLUMN flagged SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE inbox_messages ADD COLUMN network_state TEXT;
ALTER TABLE inbox_messages ADD COLUMN text_key TEXT;
CREATE INDEX inbox_messages_repeats ON inbox_messages(workspace_id, author_remote_id, text_key, created_at);

-- The simulator lets an account hide or delete what its audience wrote, as a real network would.
ALTER TABLE sandbox_audience ADD COLUMN hidden_at BIGINT;
