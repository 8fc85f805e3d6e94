-- The sandbox keeps the whole of a published unit: the first post's link and media, and the
-- thread parts and first comment as child rows of the first post (parent_id), in order.
-- Child rows carry a key derived from the first post's (`<key>#thread-1`, `<key>#first-comment`)
-- so the duplicate check covers every part.

ALTER TABLE sandbox_posts ADD COLUMN parent_id TEXT;
-- post | thread | first_comment
ALTER TABLE sandbox_posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post';
-- Order among the children of one post (0 for the first post).
ALTER TABLE sandbox_posts ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sandbox_posts ADD COLUMN link TEXT;
-- JSON array of the first post's media: [{"sha256", "mime", "bytes", "alt_text"}].
ALTER TABLE sandbox_posts ADD COLUMN media TEXT;
CREATE INDEX sandbox_posts_parent ON sandbox_posts(parent_id, position);
