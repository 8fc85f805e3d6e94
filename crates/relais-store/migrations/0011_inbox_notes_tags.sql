-- Tags on inbox messages (the CM's feedback to the SMM: recurring question, product feedback,
-- complaint, praise, or the team's own words) and internal notes on a conversation, never sent.
CREATE TABLE inbox_message_tags (
    message_id TEXT NOT NULL REFERENCES inbox_messages(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    tagged_by TEXT NOT NULL,
    tagged_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, tag)
);
CREATE INDEX inbox_message_tags_tag ON inbox_message_tags(tag, message_id);

CREATE TABLE inbox_notes (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES inbox_conversations(id) ON DELETE CASCADE,
    author_id TEXT,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX inbox_notes_conversation ON inbox_notes(conversation_id, created_at);
