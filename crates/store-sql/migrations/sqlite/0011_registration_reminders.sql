-- When a registration's reminder (two days before its date) went out: one mail per person.
ALTER TABLE registrations ADD COLUMN reminded_at TEXT;

-- The activity audience a signed-in user belongs to (their professional group: POH,
-- wijkteam, …), chosen by themselves; their group's activities come first.
CREATE TABLE user_audiences (
    user_id  TEXT PRIMARY KEY REFERENCES users (id),
    audience TEXT NOT NULL
);
