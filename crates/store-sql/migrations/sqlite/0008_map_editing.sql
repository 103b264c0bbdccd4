-- Editing the social map (issue 14): every published change of a record keeps a version (who,
-- when, which fields, the whole record as it became); an organisation's editor suggests, the
-- steunpunt's redacteur accepts or rejects; visitors report what is wrong on a service's page.
CREATE TABLE record_versions (
    kind          TEXT NOT NULL CHECK (kind IN ('service', 'organization')),
    record_id     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    -- NULL: the record as it came in by import, before its first edit.
    user_id       TEXT REFERENCES users (id),
    via           TEXT NOT NULL CHECK (via IN ('import', 'edit', 'suggestion', 'restore', 'check')),
    -- The form's field codes that changed, comma-separated.
    changed       TEXT NOT NULL,
    restored_from INTEGER,
    document      TEXT NOT NULL,
    PRIMARY KEY (kind, record_id, seq)
);

CREATE TABLE suggestions (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('service', 'organization')),
    record_id       TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    author_id       TEXT REFERENCES users (id),
    at              TEXT NOT NULL,
    -- The record as the editor saw it, and as they propose it.
    base            TEXT,
    document        TEXT NOT NULL,
    changed         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'accepted', 'rejected')),
    decided_by      TEXT REFERENCES users (id),
    decided_at      TEXT,
    answer          TEXT
);
CREATE INDEX suggestions_by_state ON suggestions (state, at);

CREATE TABLE corrections (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL,
    at          TEXT NOT NULL,
    message     TEXT NOT NULL,
    -- Only to answer; removed when the report is closed.
    email       TEXT,
    state       TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    answer      TEXT,
    answered_by TEXT REFERENCES users (id),
    answered_at TEXT
);
CREATE INDEX corrections_by_state ON corrections (state, at);
