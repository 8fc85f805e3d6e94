-- Customer care (issue 5): saved replies with variables, the workspace's named links, business
-- hours, the satisfaction question and its answers, and who answered and resolved each message.

CREATE TABLE saved_replies (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- With variables ({author_name}, {lien:faq}, ...), checked when saved.
    body TEXT NOT NULL,
    language TEXT,
    shortcut TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, shortcut)
);
CREATE INDEX saved_replies_workspace ON saved_replies(workspace_id, title);

-- URLs the team names once and saved replies use as {lien:<name>}.
CREATE TABLE workspace_links (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- One row per workspace that changed the defaults (Monday-Friday 09:00-18:00, no survey).
CREATE TABLE care_settings (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    -- Seven lines, Monday first, each like "09:00-12:30, 14:00-18:00", empty when closed.
    hours TEXT NOT NULL,
    -- YYYY-MM-DD, comma separated.
    closed_days TEXT NOT NULL,
    french_holidays BIGINT NOT NULL,
    survey_enabled BIGINT NOT NULL,
    survey_question_fr TEXT NOT NULL,
    survey_question_en TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who sent the first answer and who resolved (NULL on older rows: they count for the workspace only).
ALTER TABLE inbox_messages ADD COLUMN first_responder_id TEXT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE inbox_messages ADD COLUMN resolved_by TEXT REFERENCES users(id) ON DELETE SET NULL;

-- answer | survey: a survey question is a reply but never a first response.
ALTER TABLE inbox_replies ADD COLUMN purpose TEXT NOT NULL DEFAULT 'answer';

-- A satisfaction question asked after a member resolved a message, and its answer.
CREATE TABLE satisfaction_surveys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    -- The author's last message, which the question answers; one survey per message at most.
    message_id TEXT NOT NULL UNIQUE REFERENCES inbox_messages(id) ON DELETE CASCADE,
    author_remote_id TEXT NOT NULL,
    reply_id TEXT REFERENCES inbox_replies(id) ON DELETE SET NULL,
    asked_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    asked_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- 1 to 5; NULL while pending.
    score BIGINT,
    answer_message_id TEXT REFERENCES inbox_messages(id) ON DELETE SET NULL,
    answered_at BIGINT
);
-- Ingestion asks "has this author a pending survey on this account?" for every message.
CREATE INDEX satisfaction_surveys_pending ON satisfaction_surveys(account_id, author_remote_id, answered_at);
CREATE INDEX satisfaction_surveys_period ON satisfaction_surveys(workspace_id, answered_at);
