-- Workspaces whose metric rollups must be rebuilt from their samples (issue 6): a changed time
-- zone moves every day bucket. The request is written in the transaction that changes the zone,
-- so it cannot be lost; a job acts on it at once and the hourly housekeeping picks up whatever
-- is left (a job that ran out of attempts, a process stopped mid-way). `requested_at` lets a
-- rebuild remove only the request it served, not one made while it ran.
CREATE TABLE metric_rollup_rebuilds (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    requested_at BIGINT NOT NULL
);
