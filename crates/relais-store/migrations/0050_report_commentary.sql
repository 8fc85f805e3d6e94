-- The SMM's commentary on a period of a scope, written on the analytics page and printed in the
-- PDF report. One per workspace, scope and period: writing again replaces it.
CREATE TABLE report_commentaries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- `workspace`, or `network:KEY`, `account:ID`, `pillar:ID`, `campaign:ID` (the scope picker's value).
    scope TEXT NOT NULL,
    -- YYYY-MM-DD, both included, in the workspace's time zone.
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_commentaries_by_period ON report_commentaries(workspace_id, scope, first_day, last_day);
