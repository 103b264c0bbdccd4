-- The search's word lists as the steunpunt edits them in the browser (issue 14): a row replaces
-- the built-in (or configured) list of its kind; no row, that list.
CREATE TABLE word_lists (
    kind    TEXT PRIMARY KEY CHECK (kind IN ('synonyms', 'compounds')),
    body    TEXT NOT NULL,
    at      TEXT NOT NULL,
    user_id TEXT REFERENCES users (id)
);
