-- Share of voice: a listening query may speak for the brand or for a named competitor; the
-- mentions it finds are then that name's (see relais_core::kpi::listening::share_of_voice).
-- brand | competitor, or none (a query that only watches a topic).
ALTER TABLE listening_queries ADD COLUMN voice TEXT;
-- The competitor's name, for voice = 'competitor'; queries of one name are counted together.
ALTER TABLE listening_queries ADD COLUMN competitor TEXT;
