-- Paid campaigns: the plan (objective, budget, targeting) on the campaign label, and the results
-- imported from the ad managers, one row per campaign and day.

-- relais_core::campaign_plan::CampaignObjective key, or none yet.
ALTER TABLE campaigns ADD COLUMN objective TEXT;
-- The whole campaign's budget in cents of `currency`.
ALTER TABLE campaigns ADD COLUMN budget_cents BIGINT;
-- ISO 4217: the budget's and the results' currency (Relais does not convert).
ALTER TABLE campaigns ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';
ALTER TABLE campaigns ADD COLUMN targeting TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN locations TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN age_min BIGINT;
ALTER TABLE campaigns ADD COLUMN age_max BIGINT;

CREATE TABLE campaign_results (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    -- Denormalised so a workspace's results are read without a join.
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- YYYY-MM-DD, the ad manager's day.
    day TEXT NOT NULL,
    spend_cents BIGINT NOT NULL,
    impressions BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    conversions BIGINT NOT NULL,
    conversion_value_cents BIGINT NOT NULL,
    -- import | form | api: how the day last came in.
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
CREATE INDEX campaign_results_workspace ON campaign_results(workspace_id, day);
