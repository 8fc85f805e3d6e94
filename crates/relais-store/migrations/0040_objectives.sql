-- Objectives: a KPI (relais_core::kpi::Kpi key), a target in the KPI's unit (a plain number:
-- a fraction for a percentage, cents for money with its currency, milliseconds for a duration),
-- a period of whole days and a scope (workspace, network, account, pillar or campaign).
CREATE TABLE objectives (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    kpi TEXT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    currency TEXT,
    -- YYYY-MM-DD, both included.
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    -- workspace | network | account | pillar | campaign, and the network key or the row id.
    scope_kind TEXT NOT NULL,
    scope_id TEXT,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX objectives_by_workspace ON objectives(workspace_id, ends_on);
