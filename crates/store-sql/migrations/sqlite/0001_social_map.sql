-- The social map (HSDS 3 entities). Entities and links are tables; value objects that are always
-- read with their owner (phones, schedules, addresses, cost options…) are kept as JSON in `details`.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('directory_version', '0');

CREATE TABLE taxonomies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    uri         TEXT,
    version     TEXT,
    facet_key   TEXT UNIQUE,
    sort_order  INTEGER
);

CREATE TABLE taxonomy_terms (
    id          TEXT PRIMARY KEY,
    taxonomy_id TEXT REFERENCES taxonomies (id),
    code        TEXT,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_id   TEXT REFERENCES taxonomy_terms (id),
    language    TEXT,
    term_uri    TEXT,
    sort_order  INTEGER,
    UNIQUE (taxonomy_id, code)
);

CREATE TABLE organizations (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    details TEXT NOT NULL
);

CREATE TABLE locations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT,
    location_type   TEXT NOT NULL,
    postal_code     TEXT,
    latitude        REAL,
    longitude       REAL,
    details         TEXT NOT NULL
);

CREATE TABLE services (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    assured_date    TEXT,
    last_modified   TEXT,
    details         TEXT NOT NULL
);
CREATE INDEX services_organization ON services (organization_id);

CREATE TABLE service_at_locations (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id),
    description TEXT,
    position    INTEGER NOT NULL
);
CREATE INDEX service_at_locations_service ON service_at_locations (service_id);

CREATE TABLE service_attributes (
    id               TEXT PRIMARY KEY,
    service_id       TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    taxonomy_term_id TEXT NOT NULL REFERENCES taxonomy_terms (id),
    link_type        TEXT,
    link_entity      TEXT,
    value            TEXT,
    position         INTEGER NOT NULL
);
CREATE INDEX service_attributes_service ON service_attributes (service_id);

CREATE TABLE postcodes (
    postcode  TEXT PRIMARY KEY,
    latitude  REAL NOT NULL,
    longitude REAL NOT NULL,
    place     TEXT
);

CREATE TABLE areas (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    municipality TEXT NOT NULL,
    position     INTEGER NOT NULL
);

CREATE TABLE area_postcodes (
    postcode  TEXT PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code) ON DELETE CASCADE
);
