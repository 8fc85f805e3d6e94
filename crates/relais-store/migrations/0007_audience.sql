-- A variant's content warning (text shown before the folded post) and visibility
-- (public | unlisted | followers | direct), where its network offers them; NULL: none / the
-- network's default.
ALTER TABLE post_variants ADD COLUMN content_warning TEXT;
ALTER TABLE post_variants ADD COLUMN visibility TEXT;
