-- Anonymous tally of self-checks for the municipality's dashboard: no answers, no person,
-- only how many checks per instrument, band, area (empty when no postcode) and month.
CREATE TABLE self_check_counts (
    instrument TEXT NOT NULL,
    band       TEXT NOT NULL,
    area_code  TEXT NOT NULL DEFAULT '',
    month      TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (instrument, band, area_code, month)
);
