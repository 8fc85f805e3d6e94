-- Scheduled reports: what to send (a scope, formats, a language), when (weekly on a weekday or
-- monthly, at 06:00 in the workspace's time zone) and to whom.
CREATE TABLE report_schedules (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- `workspace`, or `network:KEY`, `account:ID`, `pillar:ID`, `campaign:ID` (the scope picker's value).
    scope TEXT NOT NULL,
    -- weekly | monthly, and monday…sunday for weekly.
    cadence TEXT NOT NULL,
    weekday TEXT,
    locale TEXT NOT NULL,
    -- `pdf`, `xlsx` or `pdf,xlsx`.
    formats TEXT NOT NULL,
    -- Addresses separated by commas; empty: the files are only written to the reports folder.
    recipients TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    -- Deliveries due before the last save are not sent: a new or changed schedule starts afresh.
    updated_at BIGINT NOT NULL
);
CREATE INDEX report_schedules_by_workspace ON report_schedules(workspace_id);

-- Each delivery of a schedule. `run_key` is the schedule and period for a scheduled delivery, so
-- however many processes notice that it is due, one row (and one job) exists; a "send now" has
-- a key of its own.
CREATE TABLE report_runs (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL REFERENCES report_schedules(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    run_key TEXT NOT NULL,
    -- scheduled | manual
    kind TEXT NOT NULL,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    -- pending → sending → sent; written (no mail to send); failed (with `error`, retried).
    status TEXT NOT NULL,
    -- JSON list of the files written, relative to the reports folder.
    files TEXT NOT NULL,
    error TEXT,
    attempts BIGINT NOT NULL,
    requested_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_runs_by_key ON report_runs(run_key);
CREATE INDEX report_runs_by_schedule ON report_runs(schedule_id, created_at);
CREATE INDEX report_runs_by_workspace ON report_runs(workspace_id, created_at);
