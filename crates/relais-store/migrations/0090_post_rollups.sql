-- The period's posts rolled up (issue 6, the overview at scale): per account and day of
-- publication, and per account, month and local weekday × hour of publication. The overview's
-- totals, engagement per day and best-time map read these instead of every post of the period.
-- Signed sums kept in the transaction that writes `post_metric_totals` (see post_rollups.rs).

-- The local hour (0–23) of publication, in the zone `published_day` was read in; NULL until the
-- row is rolled up (rows written before this migration are rolled up by the housekeeping).
ALTER TABLE post_metric_totals ADD COLUMN published_hour BIGINT;
CREATE INDEX post_metric_totals_unrolled ON post_metric_totals(workspace_id) WHERE published_hour IS NULL;

-- Sums over the posts published that day; `*_posts` count the posts reporting the measure and
-- `*_engagements` their engagements (the engagement rate's sums on that base).
CREATE TABLE post_metric_days (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
    published_day TEXT NOT NULL,
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
    PRIMARY KEY (account_id, published_day)
);

-- Per local weekday (0 = Monday) and hour: the posts, and on each base the posts it rates
-- (base reported and above zero) and the sum of their engagement rates (the map averages them).
CREATE TABLE post_metric_slots (
    account_id TEXT NOT NULL REFERENCES social_accounts(id) ON DELETE CASCADE,
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
    PRIMARY KEY (account_id, month, weekday, hour)
);

-- The labels pages count each pillar's and campaign's posts.
CREATE INDEX posts_workspace_pillar ON posts(workspace_id, pillar);
CREATE INDEX posts_workspace_campaign ON posts(workspace_id, campaign);
-- Posts per pillar reads the pillar of each post of the period by its id: from the index alone.
CREATE INDEX posts_id_pillar ON posts(id, pillar);
