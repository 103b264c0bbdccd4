-- Signalen (issue 16): bottlenecks seen in practice, passed on to an organisation's team or the
-- municipality. About situations, never persons: the sender is shown by team; texts with what
-- looks like personal data are refused before they get here.
CREATE TABLE signals (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    year            INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    theme           TEXT NOT NULL,
    area_code       TEXT,
    period_from     TEXT NOT NULL,
    period_to       TEXT NOT NULL,
    body            TEXT NOT NULL,
    sender_user_id  TEXT REFERENCES users (id),
    sender_team_id  TEXT,
    -- 'gemeente' or a team's id.
    addressee       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'answered', 'closed')),
    answer          TEXT,
    group_name      TEXT,
    created_at      TEXT NOT NULL,
    acknowledged_at TEXT,
    answered_at     TEXT,
    closed_at       TEXT,
    UNIQUE (year, number)
);

CREATE INDEX signals_by_addressee ON signals (addressee, state);
CREATE INDEX signals_by_sender ON signals (sender_user_id);
