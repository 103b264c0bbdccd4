-- The municipality's figures (issue 16): the dashboard keeps the referrals' countable facts in
-- memory and reloads only the days that changed. Every insert, delete or change of a counted
-- column marks the UTC day the referral was sent on (the first ten characters of `sent_at`)
-- with a version that only grows; a reader compares versions with the ones it has. The upsert
-- takes the day's row lock, so a reader never misses a change committed after it read.
CREATE TABLE figures_days (
    day     TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE INDEX referrals_sent ON referrals (sent_at);

CREATE FUNCTION figures_mark_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.sent_at IS NOT NULL THEN
        INSERT INTO figures_days (day, version) VALUES (substr(OLD.sent_at, 1, 10), 1)
        ON CONFLICT (day) DO UPDATE SET version = figures_days.version + 1;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.sent_at IS NOT NULL
       AND (TG_OP = 'INSERT' OR OLD.sent_at IS NULL OR substr(OLD.sent_at, 1, 10) <> substr(NEW.sent_at, 1, 10)) THEN
        INSERT INTO figures_days (day, version) VALUES (substr(NEW.sent_at, 1, 10), 1)
        ON CONFLICT (day) DO UPDATE SET version = figures_days.version + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER referrals_figures
AFTER INSERT OR DELETE OR UPDATE OF sent_at, state, reason, source, outcome, part_of, area_code, accepted_at, closed_at
ON referrals FOR EACH ROW EXECUTE FUNCTION figures_mark_day();
