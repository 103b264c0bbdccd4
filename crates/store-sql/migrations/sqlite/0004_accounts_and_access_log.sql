-- Accounts (issue 12): people who sign in, the teams they belong to, their role in each team;
-- server-side sessions, single-use sign-in links, the mail outbox, and the access log.

-- Role names are data; what a role may do is fixed in code by its code.
CREATE TABLE roles (
    code    TEXT PRIMARY KEY,
    name_nl TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO roles (code, name_nl, name_en) VALUES
    ('verwijzer', 'Verwijzer', 'Referrer'),
    ('teamlid', 'Teamlid', 'Team member'),
    ('redacteur', 'Redacteur', 'Editor'),
    ('coordinator', 'Coördinator', 'Coordinator'),
    ('beleidsmedewerker', 'Beleidsmedewerker', 'Policy officer'),
    ('privacy', 'Functionaris gegevensbescherming', 'Data protection officer'),
    ('beheerder', 'Beheerder', 'Administrator');

-- A team of an organisation (the social map's organisation by id, no reference: an import
-- replaces the map). `whole_map`: the carer-support centre, whose editors edit all of it.
CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    organization_id TEXT,
    whole_map       INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

-- The areas (deelgebieden) a team serves, by area code.
CREATE TABLE team_areas (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    area_id TEXT NOT NULL,
    PRIMARY KEY (team_id, area_id)
);

-- E-mail in lower case. No password until an invitation is accepted; no TOTP secret until
-- two-factor sign-in is set up. `totp_last_step`: a code counts once. Failed sign-ins count
-- towards a pause (`paused_until`, unix seconds).
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT,
    totp_secret    TEXT,
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    failed_signins INTEGER NOT NULL DEFAULT 0,
    paused_until   INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role    TEXT NOT NULL REFERENCES roles (code),
    PRIMARY KEY (user_id, team_id, role)
);
CREATE INDEX memberships_team ON memberships (team_id);

-- One-time recovery codes, stored as SHA-256 (they are long random strings).
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Invitation and password-reset links, stored as SHA-256 of the token; single use.
CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id);

-- Server-side sessions, by SHA-256 of the cookie's id; `user_id` so that signing out everywhere
-- and deactivating a user end them at once.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Mail Kapstok sent, or, without SMTP settings, kept here for a beheerder to read.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);

-- The access log (NEN 7513): one row per access to a record about a person. `person` is a
-- pseudonymous id, never a name. Each row's `hash` covers its content and `prev_hash`, the hash
-- of the row before; rows cannot be changed, and only rows past the retention term can go.
CREATE TABLE access_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    user_id      TEXT,
    user_role    TEXT,
    team_id      TEXT,
    on_behalf_of TEXT,
    action       TEXT NOT NULL,
    record_kind  TEXT NOT NULL,
    record_id    TEXT,
    person       TEXT,
    origin       TEXT,
    permitted    INTEGER NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX access_log_user ON access_log (user_id, seq);
CREATE INDEX access_log_person ON access_log (person, seq);

-- How long log rows are kept, in days (at least a year; default five years).
CREATE TABLE access_log_retention (
    only_row  INTEGER PRIMARY KEY CHECK (only_row = 1),
    keep_days INTEGER NOT NULL CHECK (keep_days >= 365)
);
INSERT INTO access_log_retention (only_row, keep_days) VALUES (1, 1826);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'the access log cannot be changed');
END;

CREATE TRIGGER access_log_no_early_delete BEFORE DELETE ON access_log
WHEN old.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                        '-' || (SELECT keep_days FROM access_log_retention) || ' days')
BEGIN
    SELECT RAISE(ABORT, 'access log rows are kept for their retention term');
END;
