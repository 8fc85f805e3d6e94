-- The inbox list at a million messages: every single filter has an index that gives its
-- messages newest first, so a page reads 50 rows instead of scanning the workspace. The
-- network is copied onto each message (an account never changes network) so that filtering by
-- network needs no join.
ALTER TABLE inbox_messages ADD COLUMN network TEXT;
UPDATE inbox_messages SET network = (SELECT a.network FROM social_accounts a WHERE a.id = inbox_messages.account_id);
CREATE INDEX inbox_messages_by_network ON inbox_messages(workspace_id, network, created_at, id);
CREATE INDEX inbox_messages_by_account ON inbox_messages(account_id, created_at, id);
CREATE INDEX inbox_messages_by_kind ON inbox_messages(workspace_id, kind, created_at, id);
CREATE INDEX inbox_messages_by_assignee ON inbox_messages(workspace_id, assignee_id, created_at, id);
