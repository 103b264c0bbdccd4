-- The same as migrations/sqlite/0008. Editing the social map (issue 14): every published change of a record keeps a version (who,
-- when, which fields, the whole record as it became); an organisation's editor suggests, the
-- steunpunt's redacteur accepts or rejects; visitors report what is wrong on a service's page.
CREATE TABLE record_versions (
    kind          TEXT COLLATE "C" NOT NULL CHECK (kind IN ('service', 'organization')),
    record_id     TEXT COLLATE "C" NOT NULL,
    seq           BIGINT NOT NULL,
    at            TEXT COLLATE "C" NOT NULL,
    -- NULL: the record as it came in by import, before its first edit.
    user_id       TEXT COLLATE "C" REFERENCES users (id),
    via           TEXT COLLATE "C" NOT NULL CHECK (via IN ('import', 'edit', 'suggestion', 'restore', 'check')),
    -- The form's field codes that changed, comma-separated.
    changed       TEXT NOT NULL,
    restored_from BIGINT,
    document      TEXT NOT NULL,
    PRIMARY KEY (kind, record_id, seq)
);

CREATE TABLE suggestions (
    id              TEXT COLLATE "C" PRIMARY KEY,
    kind            TEXT COLLATE "C" NOT NULL CHECK (kind IN ('service', 'organization')),
    record_id       TEXT COLLATE "C" NOT NULL,
    organization_id TEXT COLLATE "C" NOT NULL,
    author_id       TEXT COLLATE "C" REFERENCES users (id),
    at              TEXT COLLATE "C" NOT NULL,
    -- The record as the editor saw it, and as they propose it.
    base            TEXT,
    document        TEXT NOT NULL,
    changed         TEXT NOT NULL,
    state           TEXT COLLATE "C" NOT NULL CHECK (state IN ('open', 'accepted', 'rejected')),
    decided_by      TEXT COLLATE "C" REFERENCES users (id),
    decided_at      TEXT COLLATE "C",
    answer          TEXT
);
CREATE INDEX suggestions_by_state ON suggestions (state, at);

CREATE TABLE corrections (
    id          TEXT COLLATE "C" PRIMARY KEY,
    service_id  TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    message     TEXT NOT NULL,
    -- Only to answer; removed when the report is closed.
    email       TEXT COLLATE "C",
    state       TEXT COLLATE "C" NOT NULL CHECK (state IN ('open', 'closed')),
    answer      TEXT,
    answered_by TEXT COLLATE "C" REFERENCES users (id),
    answered_at TEXT COLLATE "C"
);
CREATE INDEX corrections_by_state ON corrections (state, at);
