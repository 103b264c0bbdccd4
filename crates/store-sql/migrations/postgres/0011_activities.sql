-- Activities (issue 15): trainings, theme and network meetings, carer cafés, e-learning; and the
-- registrations for their dates. Times of an activity are local (Europe/Amsterdam) civil times
-- as `2026-09-15T09:00`, repeats an RFC 5545 RRULE; a registration's personal details are erased
-- a while after its date (only counts stay).
CREATE TABLE activities (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- Audience codes, comma-separated.
    audiences       TEXT NOT NULL,
    area_code       TEXT,
    location_id     TEXT,
    address         TEXT,
    -- NULL for an activity without a date (e-learning).
    starts_local    TEXT,
    ends_local      TEXT,
    rrule           TEXT,
    extra_dates     TEXT NOT NULL DEFAULT '',
    cancelled_dates TEXT NOT NULL DEFAULT '',
    moved_dates     TEXT NOT NULL DEFAULT '',
    capacity        INTEGER,
    deadline        TEXT,
    points          INTEGER,
    organization_id TEXT,
    contact         TEXT,
    url             TEXT,
    published       INTEGER NOT NULL,
    sequence        INTEGER NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE registrations (
    id          TEXT PRIMARY KEY,
    activity_id TEXT NOT NULL REFERENCES activities (id),
    -- The date's original start as stored, '' for e-learning.
    occurrence  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('place', 'waiting', 'cancelled', 'attended', 'completed')),
    seq         INTEGER NOT NULL,
    name        TEXT,
    email       TEXT,
    phone       TEXT,
    user_id     TEXT REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    changed_at  TEXT
);

CREATE INDEX registrations_by_date ON registrations (activity_id, occurrence, state);
