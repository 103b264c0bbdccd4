-- The referral reasons each team takes (issue 13): with the areas it serves, the data the
-- referral form's team suggestion reads (postcode → area → team, by reason). A team without
-- reasons receives no referrals.
CREATE TABLE team_reasons (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    reason  TEXT NOT NULL,
    PRIMARY KEY (team_id, reason)
);
