-- Anonymous tally of self-checks for the municipality's dashboard: no answers, no person,
-- only how many checks per instrument, band, area (empty when no postcode) and month.
CREATE TABLE self_check_counts (
    instrument TEXT COLLATE "C" NOT NULL,
    band       TEXT COLLATE "C" NOT NULL,
    area_code  TEXT COLLATE "C" NOT NULL DEFAULT '',
    month      TEXT COLLATE "C" NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (instrument, band, area_code, month)
);
