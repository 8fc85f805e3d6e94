-- What Relais understood of each inbox message at ingestion (relais-core's `understanding`):
-- the sentiment, its score and the toxicity/spam score. Scores are stored in thousandths
-- (sentiment -1000..1000, toxicity 0..1000) as BIGINT, the one numeric type both backends read
-- back alike. `language` (from 0006) now holds the detected language, or the network's own when
-- the text is too short to tell. Messages stored before this migration are read by the hourly
-- housekeeping, found through the partial index below.
ALTER TABLE inbox_messages ADD COLUMN sentiment TEXT;
ALTER TABLE inbox_messages ADD COLUMN sentiment_score BIGINT;
ALTER TABLE inbox_messages ADD COLUMN toxicity BIGINT;
CREATE INDEX inbox_messages_sentiment ON inbox_messages(workspace_id, sentiment, created_at);
CREATE INDEX inbox_messages_language ON inbox_messages(workspace_id, language, created_at);
CREATE INDEX inbox_messages_unread ON inbox_messages(created_at) WHERE sentiment IS NULL;
