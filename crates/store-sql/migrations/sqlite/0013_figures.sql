-- The municipality's figures (issue 16): the dashboard keeps the referrals' countable facts in
-- memory and reloads only the days that changed. Every insert, delete or change of a counted
-- column marks the UTC day the referral was sent on (the first ten characters of `sent_at`)
-- with a version that only grows; a reader compares versions with the ones it has.
CREATE TABLE figures_days (
    day     TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE INDEX referrals_sent ON referrals (sent_at);

CREATE TRIGGER referrals_figures_insert AFTER INSERT ON referrals
WHEN NEW.sent_at IS NOT NULL
BEGIN
    INSERT INTO figures_days (day, version) VALUES (substr(NEW.sent_at, 1, 10), 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER referrals_figures_update
AFTER UPDATE OF sent_at, state, reason, source, outcome, part_of, area_code, accepted_at, closed_at ON referrals
BEGIN
    INSERT INTO figures_days (day, version)
    SELECT substr(d, 1, 10), 1 FROM (SELECT NEW.sent_at AS d UNION SELECT OLD.sent_at) WHERE d IS NOT NULL
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER referrals_figures_delete AFTER DELETE ON referrals
WHEN OLD.sent_at IS NOT NULL
BEGIN
    INSERT INTO figures_days (day, version) VALUES (substr(OLD.sent_at, 1, 10), 1)
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;
