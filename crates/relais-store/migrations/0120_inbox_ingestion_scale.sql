-- Ingestion at scale. The repeated-text rules count an author's copies of a text within a
-- window; an author is now a handle on a network, as in the author's history, and the copies
-- are counted from the author index, which carries the repeat key, instead of an index of their
-- own: at every message one index fewer is written at a random place (the author index is
-- written at one anyway). Repeat keys are shorter from now on (relais-core's
-- `moderation::repeat_key`): copies received before the upgrade are not counted against those
-- received after it, for at most a rule's window.
DROP INDEX inbox_messages_repeats;
DROP INDEX inbox_messages_by_author;
CREATE INDEX inbox_messages_by_author ON inbox_messages(workspace_id, network, author_handle, created_at, id, text_key);
