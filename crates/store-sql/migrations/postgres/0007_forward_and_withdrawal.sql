-- The same as migrations/sqlite/0006. The verwijsroute's forward and withdrawal (issue 13). A consent may say the carer agreed to
-- the referral being passed on to another team when that fits better (`covers_forward`); a
-- forward without it needs a new consent, recorded first. All tasks of one carer's referral
-- share `person`; the carer's receipt and withdrawal reach them all through it.
ALTER TABLE consents ADD COLUMN covers_forward BIGINT NOT NULL DEFAULT 0;
CREATE INDEX referrals_person ON referrals (person);
CREATE INDEX referrals_part_of ON referrals (part_of);
