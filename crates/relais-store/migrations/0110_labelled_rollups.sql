-- The day rollup of migration 90 split by the posts' pillar and campaign, and its weekday × hour
-- sums per pillar and campaign (issue 6, the overview at scale): posts per pillar and the pillar
-- and campaign scopes read them instead of joining every post of the period. A totals row carries its post's labels ('' for none), so the
-- contribution taken back is the one that was added; a label renamed or deleted, or a post
-- relabelled, moves the rows' contributions (post_rollups::relabel).
ALTER TABLE post_metric_totals ADD COLUMN pillar TEXT NOT NULL DEFAULT '';
ALTER TABLE post_metric_totals ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
UPDATE post_metric_totals
   SET pillar = COALESCE((SELECT p.pillar FROM posts p WHERE p.id = post_metric_totals.post_id), ''),
       campaign = COALESCE((SELECT p.campaign FROM posts p WHERE p.id = post_metric_totals.post_id), '');
CREATE INDEX post_metric_totals_pillar ON post_metric_totals(workspace_id, pillar, published_at);
CREATE INDEX post_metric_totals_campaign ON post_metric_totals(workspace_id, campaign, published_at);

-- Both rollups start again from the totals: every row is rolled up anew by the housekeeping
-- (Store::roll_up_pending_totals), now with its labels.
UPDATE post_metric_totals SET published_hour = NULL;
DELETE FROM post_metric_slots;
DROP TABLE post_metric_days;
CREATE TABLE post_metric_days (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    published_day TEXT NOT NULL,
    pillar TEXT NOT NULL,
    campaign TEXT NOT NULL,
    publications BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    impressions BIGINT NOT NULL,
    impressions_posts BIGINT NOT NULL,
    impressions_engagements BIGINT NOT NULL,
    reach BIGINT NOT NULL,
    reach_posts BIGINT NOT NULL,
    reach_engagements BIGINT NOT NULL,
    link_clicks BIGINT NOT NULL,
    link_clicks_posts BIGINT NOT NULL,
    followers BIGINT NOT NULL,
    followers_posts BIGINT NOT NULL,
    followers_engagements BIGINT NOT NULL,
    PRIMARY KEY (account_id, published_day, pillar, campaign)
);

-- The weekday × hour sums of migration 90 per pillar (label 'pillar:NAME') and per campaign
-- ('campaign:NAME'): a pillar's or a campaign's best-time map without reading a year of posts.
CREATE TABLE post_metric_label_slots (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    month TEXT NOT NULL,
    weekday BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    impressions_rated BIGINT NOT NULL,
    impressions_rate_sum DOUBLE PRECISION NOT NULL,
    reach_rated BIGINT NOT NULL,
    reach_rate_sum DOUBLE PRECISION NOT NULL,
    followers_rated BIGINT NOT NULL,
    followers_rate_sum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account_id, label, month, weekday, hour)
);

-- Posts per pillar no longer reads the posts.
DROP INDEX posts_id_pillar;

-- Top and flop posts rank a period's totals on their counters alone (and the account, for a
-- network's): from the index, without reading the table (PostgreSQL's index-only scan, SQLite's
-- covering index). It replaces the plain (workspace, published_at) index, its prefix.
DROP INDEX post_metric_totals_published;
CREATE INDEX post_metric_totals_ranked
    ON post_metric_totals(workspace_id, published_at, likes, replies, reposts, quotes, impressions, reach, followers, account_id,
                          variant_id);
