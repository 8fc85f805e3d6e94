-- Community insights a member acted on ("answer with a post"): the group of similar inbox
-- messages as it stood then (relais-core's `insights`), and the posts that answer it. Insights
-- themselves are computed on each visit; only those acted on are kept.
CREATE TABLE insights (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- question | topic
    kind TEXT NOT NULL,
    -- The kind and the key stems (`question:chang+mot+pass`): how a later visit recognises it.
    insight_key TEXT NOT NULL,
    label TEXT NOT NULL,
    -- The key terms as written, space-separated.
    key_terms TEXT NOT NULL,
    -- The tag the page was filtered on, if any.
    tag TEXT,
    period_from BIGINT NOT NULL,
    period_to BIGINT NOT NULL,
    message_count BIGINT NOT NULL,
    -- JSON array of the messages' ids at that time (the first 500).
    message_ids TEXT NOT NULL,
    -- Its most typical message then, quoted by the draft answer.
    example TEXT NOT NULL,
    -- fr | en: the language of the draft.
    language TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX insights_workspace_key ON insights(workspace_id, insight_key);

ALTER TABLE posts ADD COLUMN insight_id TEXT REFERENCES insights(id) ON DELETE SET NULL;
CREATE INDEX posts_insight ON posts(insight_id);
