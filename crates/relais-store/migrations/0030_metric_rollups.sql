-- Metric rollups (issue 6): what dashboards read instead of the raw samples. Maintained in the
-- transaction that records the samples (Store::record_post_metrics, record_account_metrics), as
-- UPSERTs on (entity, bucket) recomputed from the samples, so recording the same samples again
-- writes the same rows.

-- Measures some networks give (the sandbox does; Bluesky and Mastodon do not: NULL, never 0).
ALTER TABLE post_metric_samples ADD COLUMN reach BIGINT;
ALTER TABLE post_metric_samples ADD COLUMN link_clicks BIGINT;

-- Per variant and UTC hour (bucket = epoch ms of the hour's start): the last cumulative values
-- in the hour, and what the hour added (signed: an unlike takes one back).
CREATE TABLE post_metric_hourly (
    variant_id TEXT NOT NULL REFERENCES post_variants(id) ON DELETE CASCADE,
    bucket BIGINT NOT NULL,
    account_id TEXT NOT NULL,
    likes BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    impressions BIGINT,
    reach BIGINT,
    link_clicks BIGINT,
    likes_added BIGINT NOT NULL,
    replies_added BIGINT NOT NULL,
    reposts_added BIGINT NOT NULL,
    quotes_added BIGINT NOT NULL,
    impressions_added BIGINT,
    reach_added BIGINT,
    link_clicks_added BIGINT,
    PRIMARY KEY (variant_id, bucket)
);
CREATE INDEX post_metric_hourly_account ON post_metric_hourly(account_id, bucket);

-- Per variant and day of the workspace's time zone (bucket = 'YYYY-MM-DD').
CREATE TABLE post_metric_daily (
    variant_id TEXT NOT NULL REFERENCES post_variants(id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    account_id TEXT NOT NULL,
    likes BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    impressions BIGINT,
    reach BIGINT,
    link_clicks BIGINT,
    likes_added BIGINT NOT NULL,
    replies_added BIGINT NOT NULL,
    reposts_added BIGINT NOT NULL,
    quotes_added BIGINT NOT NULL,
    impressions_added BIGINT,
    reach_added BIGINT,
    link_clicks_added BIGINT,
    PRIMARY KEY (variant_id, bucket)
);
CREATE INDEX post_metric_daily_account ON post_metric_daily(account_id, bucket);

-- Per variant, its latest values: the whole-life bucket that top and flop posts, period totals
-- and best times read (posts published in a period, by their results so far). `published_day`
-- is the day of publication in the workspace's zone; `followers` the account's followers when
-- the post went out (the last account sample before it, else the first after).
CREATE TABLE post_metric_totals (
    variant_id TEXT PRIMARY KEY REFERENCES post_variants(id) ON DELETE CASCADE,
    post_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_day TEXT NOT NULL,
    taken_at BIGINT NOT NULL,
    likes BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    impressions BIGINT,
    reach BIGINT,
    link_clicks BIGINT,
    followers BIGINT
);
CREATE INDEX post_metric_totals_published ON post_metric_totals(workspace_id, published_at);
CREATE INDEX post_metric_totals_account ON post_metric_totals(account_id, published_day);

-- Per account and UTC hour / workspace day: followers at the end of the bucket (carried over a
-- bucket without a sample), followers gained and lost (from the changes between consecutive
-- samples), and the account's posts published in the bucket.
CREATE TABLE account_metric_hourly (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    bucket BIGINT NOT NULL,
    followers BIGINT NOT NULL,
    following BIGINT NOT NULL,
    gained BIGINT NOT NULL,
    lost BIGINT NOT NULL,
    posts_published BIGINT NOT NULL,
    PRIMARY KEY (account_id, bucket)
);

CREATE TABLE account_metric_daily (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    bucket TEXT NOT NULL,
    followers BIGINT NOT NULL,
    following BIGINT NOT NULL,
    gained BIGINT NOT NULL,
    lost BIGINT NOT NULL,
    posts_published BIGINT NOT NULL,
    PRIMARY KEY (account_id, bucket)
);

-- Posts published by an account in a bucket are counted from here.
CREATE INDEX post_variants_published ON post_variants(account_id, published_at);
