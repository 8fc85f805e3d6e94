-- The inbox list's "flagged" filter: few messages are flagged, so a partial index keeps them
-- newest first without scanning the workspace (both SQLite and PostgreSQL have partial indexes).
CREATE INDEX inbox_messages_flagged ON inbox_messages(workspace_id, created_at, id) WHERE flagged = 1;
