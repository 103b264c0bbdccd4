-- The same tables as migrations/sqlite/0005 (see there). The verwijsroute (issue 13): referrals (one team's task each), the consent they rest on,
-- their history, and the team's internal notes. The carer's details live only in `referrals`
-- and are cleared when the referral is anonymised; `person` is their pseudonymous id in the
-- access log.
CREATE TABLE referrals (
    id              TEXT COLLATE "C" PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    year            BIGINT NOT NULL,
    number          BIGINT NOT NULL,
    team_id         TEXT NOT NULL REFERENCES teams (id),
    referrer_id     TEXT REFERENCES users (id),
    source          TEXT NOT NULL CHECK (source IN ('verwijzer', 'zelf')),
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    outcome         TEXT,
    part_of         TEXT REFERENCES referrals (id),
    person          TEXT NOT NULL,
    area_code       TEXT,
    carer_name      TEXT,
    carer_phone     TEXT,
    carer_email     TEXT,
    postcode        TEXT,
    contact_time    TEXT,
    relationship    TEXT,
    condition       TEXT,
    self_check_band TEXT,
    note            TEXT,
    assigned_to     TEXT REFERENCES users (id),
    idempotency_key TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    accepted_at     TEXT,
    closed_at       TEXT,
    anonymised_at   TEXT,
    UNIQUE (year, number)
);
CREATE INDEX referrals_team ON referrals (team_id, state, created_at);
CREATE INDEX referrals_referrer ON referrals (referrer_id, created_at);

-- Consent (AVG art. 9): who gave it, to which team, for what, which data, when, how, recorded
-- by whom; the receipt's code as SHA-256.
CREATE TABLE consents (
    id           TEXT COLLATE "C" PRIMARY KEY,
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    team_id      TEXT NOT NULL REFERENCES teams (id),
    purpose      TEXT NOT NULL,
    data_shared  TEXT NOT NULL,
    given_by     TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('mondeling', 'schriftelijk', 'digitaal')),
    given_at     TEXT NOT NULL,
    recorded_by  TEXT REFERENCES users (id),
    receipt_hash TEXT NOT NULL UNIQUE,
    withdrawn_at TEXT
);
CREATE INDEX consents_referral ON consents (referral_id);

-- Every move, for the referrer's view of the loop (states and outcome only).
CREATE TABLE referral_events (
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    seq         BIGINT NOT NULL,
    at          TEXT NOT NULL,
    user_id     TEXT,
    move        TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    outcome     TEXT,
    PRIMARY KEY (referral_id, seq)
);

-- The team's own notes: never shown to the referrer or the carer.
CREATE TABLE referral_notes (
    id          BIGSERIAL PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    at          TEXT NOT NULL,
    author_id   TEXT REFERENCES users (id),
    text        TEXT NOT NULL
);
CREATE INDEX referral_notes_referral ON referral_notes (referral_id, id);
