-- Accounts (issue 12): people who sign in, the teams they belong to, their role in each team;
-- server-side sessions, single-use sign-in links, the mail outbox, and the access log.
-- The same tables as migrations/sqlite/0004 (see there for what each holds).

CREATE TABLE roles (
    code    TEXT COLLATE "C" PRIMARY KEY,
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

CREATE TABLE teams (
    id              TEXT COLLATE "C" PRIMARY KEY,
    name            TEXT COLLATE "C" NOT NULL UNIQUE,
    organization_id TEXT COLLATE "C",
    whole_map       BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

CREATE TABLE team_areas (
    team_id TEXT COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    area_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (team_id, area_id)
);

CREATE TABLE users (
    id             TEXT COLLATE "C" PRIMARY KEY,
    email          TEXT COLLATE "C" NOT NULL UNIQUE,
    name           TEXT COLLATE "C" NOT NULL,
    password_hash  TEXT,
    totp_secret    TEXT,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    active         BIGINT NOT NULL DEFAULT 1,
    failed_signins BIGINT NOT NULL DEFAULT 0,
    paused_until   BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id TEXT COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role    TEXT COLLATE "C" NOT NULL REFERENCES roles (code),
    PRIMARY KEY (user_id, team_id, role)
);
CREATE INDEX memberships_team ON memberships (team_id);

CREATE TABLE recovery_codes (
    user_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT COLLATE "C" NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sign_in_links (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id);

CREATE TABLE sessions (
    id_hash    TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C",
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT
);

CREATE TABLE access_log (
    seq          BIGINT PRIMARY KEY,
    at           TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C",
    user_role    TEXT COLLATE "C",
    team_id      TEXT COLLATE "C",
    on_behalf_of TEXT COLLATE "C",
    action       TEXT COLLATE "C" NOT NULL,
    record_kind  TEXT COLLATE "C" NOT NULL,
    record_id    TEXT COLLATE "C",
    person       TEXT COLLATE "C",
    origin       TEXT COLLATE "C",
    permitted    BIGINT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX access_log_user ON access_log (user_id, seq);
CREATE INDEX access_log_person ON access_log (person, seq);

CREATE TABLE access_log_retention (
    only_row  BIGINT PRIMARY KEY CHECK (only_row = 1),
    keep_days BIGINT NOT NULL CHECK (keep_days >= 365)
);
INSERT INTO access_log_retention (only_row, keep_days) VALUES (1, 1826);

CREATE FUNCTION access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'the access log cannot be changed';
    END IF;
    IF OLD.at >= to_char((now() AT TIME ZONE 'UTC')
                         - make_interval(days => (SELECT keep_days FROM access_log_retention)::int),
                         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') THEN
        RAISE EXCEPTION 'access log rows are kept for their retention term';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_guard();
CREATE FUNCTION access_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log cannot be changed';
END;
$$;
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_no_truncate();
-- Nobody but the table's owner may change rows at all; the triggers hold for the owner too.
REVOKE UPDATE, DELETE, TRUNCATE ON access_log FROM PUBLIC;
