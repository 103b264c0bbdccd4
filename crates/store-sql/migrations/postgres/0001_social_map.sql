-- The social map (HSDS 3 entities), as in migrations/sqlite/0001: entities and links are tables;
-- value objects always read with their owner are kept as JSON text in `details`.
-- Ids, codes and names sort byte by byte (COLLATE "C"), as on SQLite, whatever the cluster's
-- locale: pages come out in the same order on both backends.

CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('directory_version', '0');

CREATE TABLE taxonomies (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    uri         TEXT,
    version     TEXT,
    facet_key   TEXT UNIQUE,
    sort_order  BIGINT
);

CREATE TABLE taxonomy_terms (
    id          TEXT COLLATE "C" PRIMARY KEY,
    taxonomy_id TEXT COLLATE "C" REFERENCES taxonomies (id),
    code        TEXT COLLATE "C",
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    parent_id   TEXT COLLATE "C" REFERENCES taxonomy_terms (id),
    language    TEXT,
    term_uri    TEXT,
    sort_order  BIGINT,
    UNIQUE (taxonomy_id, code)
);

CREATE TABLE organizations (
    id      TEXT COLLATE "C" PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL,
    details TEXT NOT NULL
);

CREATE TABLE locations (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C",
    location_type   TEXT NOT NULL,
    postal_code     TEXT,
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    details         TEXT NOT NULL
);

CREATE TABLE services (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id),
    name            TEXT COLLATE "C" NOT NULL,
    status          TEXT NOT NULL,
    assured_date    TEXT,
    last_modified   TEXT,
    details         TEXT NOT NULL
);
CREATE INDEX services_organization ON services (organization_id);

CREATE TABLE service_at_locations (
    id          TEXT COLLATE "C" PRIMARY KEY,
    service_id  TEXT COLLATE "C" NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT COLLATE "C" NOT NULL REFERENCES locations (id),
    description TEXT,
    position    BIGINT NOT NULL
);
CREATE INDEX service_at_locations_service ON service_at_locations (service_id);

CREATE TABLE service_attributes (
    id               TEXT COLLATE "C" PRIMARY KEY,
    service_id       TEXT COLLATE "C" NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    taxonomy_term_id TEXT COLLATE "C" NOT NULL REFERENCES taxonomy_terms (id),
    link_type        TEXT,
    link_entity      TEXT,
    value            TEXT,
    position         BIGINT NOT NULL
);
CREATE INDEX service_attributes_service ON service_attributes (service_id);

CREATE TABLE postcodes (
    postcode  TEXT COLLATE "C" PRIMARY KEY,
    latitude  DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    place     TEXT
);

CREATE TABLE areas (
    code         TEXT COLLATE "C" PRIMARY KEY,
    name         TEXT NOT NULL,
    municipality TEXT NOT NULL,
    position     BIGINT NOT NULL
);

CREATE TABLE area_postcodes (
    postcode  TEXT COLLATE "C" PRIMARY KEY,
    area_code TEXT COLLATE "C" NOT NULL REFERENCES areas (code) ON DELETE CASCADE
);
