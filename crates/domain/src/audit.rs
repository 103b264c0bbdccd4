//! The access log (NEN 7513:2018): one entry per access to a record about a person, chained by
//! hashes so that a changed, removed or inserted row is found afterwards. Writing the entries
//! (in the same transaction as what they record) is storage's job; what an entry holds, how its
//! hash is made and how a chain is checked is decided here.

use sha2::{Digest, Sha256};

/// What was done with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Change,
    Export,
    Print,
    Send,
    SignIn,
    SignOut,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::View,
        Action::Create,
        Action::Change,
        Action::Export,
        Action::Print,
        Action::Send,
        Action::SignIn,
        Action::SignOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Change => "change",
            Action::Export => "export",
            Action::Print => "print",
            Action::Send => "send",
            Action::SignIn => "sign_in",
            Action::SignOut => "sign_out",
        }
    }

    pub fn parse(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Which kind of record an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A user's account (its person is the user).
    Account,
    /// A team (membership changes name the user as the person).
    Team,
    /// The access log itself (looking at it is logged too).
    AccessLog,
    /// Mail sent by Kapstok (an invitation, a reset link).
    Mail,
    /// A referral of a carer (its person is the carer, by pseudonym).
    Referral,
    /// A record of the social map (a service, an organisation) or a suggestion for one.
    SocialMap,
    /// A visitor's report that a service's page is wrong (may hold their e-mail address).
    Correction,
    /// An activity (a training, a meeting): not personal, its changes are logged as the map's.
    Activity,
    /// Someone's registration for an activity (its person is the registration, by id).
    Registration,
    /// A signal (a bottleneck passed on; holds no personal data).
    Signal,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Account,
        RecordKind::Team,
        RecordKind::AccessLog,
        RecordKind::Mail,
        RecordKind::Referral,
        RecordKind::SocialMap,
        RecordKind::Correction,
        RecordKind::Activity,
        RecordKind::Registration,
        RecordKind::Signal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Account => "account",
            RecordKind::Team => "team",
            RecordKind::AccessLog => "access_log",
            RecordKind::Mail => "mail",
            RecordKind::Referral => "referral",
            RecordKind::SocialMap => "social_map",
            RecordKind::Correction => "correction",
            RecordKind::Activity => "activity",
            RecordKind::Registration => "registration",
            RecordKind::Signal => "signal",
        }
    }

    pub fn parse(code: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One entry as it is written: everything but its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewEntry {
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ` (see [`timestamp`]).
    pub at: String,
    /// Who acted (none: someone not signed in, e.g. a failed sign-in with an unknown address).
    pub user_id: Option<String>,
    /// The role they acted in, and in which team.
    pub user_role: Option<String>,
    pub team_id: Option<String>,
    /// On whose behalf, when not their own (e.g. a doctor's assistant for the GP).
    pub on_behalf_of: Option<String>,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<String>,
    /// The person the record is about, by a pseudonymous id; never a name.
    pub person: Option<String>,
    /// From where: the client's address.
    pub origin: Option<String>,
    /// Whether it was allowed; refused attempts are logged too.
    pub permitted: bool,
}

impl NewEntry {
    pub fn new(at: String, action: Action, kind: RecordKind, permitted: bool) -> NewEntry {
        NewEntry {
            at,
            action: action.code().into(),
            record_kind: kind.code().into(),
            permitted,
            ..NewEntry::default()
        }
    }
}

/// A stored entry: its number, the hash of the entry before it and its own hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub entry: NewEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of entry `seq` after `prev_hash`: SHA-256 over both and every field, each field
/// length-prefixed so no two entries share an encoding.
pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| match v {
        None => h.update(b"-"),
        Some(v) => {
            h.update(format!("{}:", v.len()).as_bytes());
            h.update(v.as_bytes());
        }
    };
    field(Some(prev_hash));
    field(Some(&seq.to_string()));
    field(Some(&e.at));
    field(e.user_id.as_deref());
    field(e.user_role.as_deref());
    field(e.team_id.as_deref());
    field(e.on_behalf_of.as_deref());
    field(Some(&e.action));
    field(Some(&e.record_kind));
    field(e.record_id.as_deref());
    field(e.person.as_deref());
    field(e.origin.as_deref());
    field(Some(if e.permitted { "1" } else { "0" }));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An instant in the log's form.
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The first entry that does not fit the chain, and why (in Dutch: the operator reads it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("toegangslog regel {seq}: {reason}")]
pub struct Broken {
    pub seq: i64,
    pub reason: String,
}

/// The `record_id` of the entry a retention purge writes: which entry it removed last and that
/// entry's hash, so the first remaining entry's link can be checked against it.
pub fn purge_record(last_removed_seq: i64, last_removed_hash: &str) -> String {
    format!("purged through {last_removed_seq} ({last_removed_hash})")
}

/// Checks a chain entry by entry, in order, without holding it.
#[derive(Debug, Default)]
pub struct ChainCheck {
    last: Option<(i64, String)>,
    /// The first entry's number: above 1 when older entries were removed after their term.
    pub first_seq: Option<i64>,
    /// The purge entry the first entry's link must match, when the chain starts above 1.
    anchor: Option<String>,
    anchored: bool,
    pub checked: u64,
    /// The newest entry's number and hash (to note elsewhere: removing the newest entries
    /// can only be found against such a note).
    pub head: Option<(i64, String)>,
}

impl ChainCheck {
    pub fn check(&mut self, e: &Entry) -> Result<(), Broken> {
        let broken = |reason: &str| Broken {
            seq: e.seq,
            reason: reason.into(),
        };
        match &self.last {
            None if e.seq == 1 && e.prev_hash != GENESIS => {
                return Err(broken("de eerste regel begint de keten niet"));
            }
            // Older entries went after their retention term: a later purge entry must name the
            // last one removed with the hash this entry links to.
            None => {
                self.first_seq = Some(e.seq);
                if e.seq > 1 {
                    self.anchor = Some(purge_record(e.seq - 1, &e.prev_hash));
                }
            }
            Some((seq, hash)) => {
                if e.seq != seq + 1 {
                    return Err(broken(&format!(
                        "volgt op regel {seq}: {} regel(s) ontbreken",
                        e.seq - seq - 1
                    )));
                }
                if &e.prev_hash != hash {
                    return Err(broken("de koppeling past niet bij de regel ervoor"));
                }
            }
        }
        if chain_hash(&e.prev_hash, e.seq, &e.entry) != e.hash {
            return Err(broken("de inhoud past niet bij de hash (gewijzigd)"));
        }
        if self.anchor.is_some()
            && e.entry.record_kind == RecordKind::AccessLog.code()
            && e.entry.record_id == self.anchor
        {
            self.anchored = true;
        }
        self.last = Some((e.seq, e.hash.clone()));
        self.head = self.last.clone();
        self.checked += 1;
        Ok(())
    }

    /// After the last entry: a chain that starts above 1 must have the purge entry that
    /// removed the ones before it.
    pub fn finish(self) -> Result<ChainCheck, Broken> {
        match (self.first_seq, self.anchored) {
            (Some(first), false) if first > 1 => Err(Broken {
                seq: first,
                reason: "de regels ervoor ontbreken, zonder verwijdering na hun bewaartermijn"
                    .into(),
            }),
            _ => Ok(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for seq in 1..=n {
            let mut entry = NewEntry::new(
                format!("2026-12-02T10:00:{seq:02}.000Z"),
                Action::View,
                RecordKind::Account,
                true,
            );
            entry.user_id = Some("u1".into());
            entry.person = Some(format!("p{seq}"));
            let prev_hash = out.last().map_or(GENESIS.to_string(), |e| e.hash.clone());
            let hash = chain_hash(&prev_hash, seq, &entry);
            out.push(Entry {
                seq,
                entry,
                prev_hash,
                hash,
            });
        }
        out
    }

    fn check(entries: &[Entry]) -> Result<ChainCheck, Broken> {
        let mut c = ChainCheck::default();
        for e in entries {
            c.check(e)?;
        }
        Ok(c)
    }

    #[test]
    fn an_intact_chain_checks_and_any_tampering_is_found_at_its_row() {
        let good = chain(5);
        assert_eq!(check(&good).unwrap().checked, 5);

        let mut changed = good.clone();
        changed[2].entry.person = Some("someone else".into());
        assert_eq!(check(&changed).unwrap_err().seq, 3);

        let mut removed = good.clone();
        removed.remove(2);
        let e = check(&removed).unwrap_err();
        assert_eq!(e.seq, 4);
        assert!(e.reason.contains("ontbreken"), "{e}");

        // A row rewritten with a fresh hash breaks the link of the next one.
        let mut rehashed = good.clone();
        rehashed[1].entry.permitted = false;
        rehashed[1].hash = chain_hash(&rehashed[1].prev_hash, 2, &rehashed[1].entry);
        assert_eq!(check(&rehashed).unwrap_err().seq, 3);

        // Rows missing at the start: only a purge entry naming the last one removed explains it.
        assert_eq!(
            check(&good[2..])
                .and_then(ChainCheck::finish)
                .unwrap_err()
                .seq,
            3
        );
        let mut purged = good[2..].to_vec();
        let mut purge = NewEntry::new(
            "2026-12-02T10:01:00.000Z".into(),
            Action::Change,
            RecordKind::AccessLog,
            true,
        );
        purge.record_id = Some(purge_record(2, &good[1].hash));
        let prev = purged.last().unwrap().hash.clone();
        purged.push(Entry {
            seq: 6,
            hash: chain_hash(&prev, 6, &purge),
            prev_hash: prev,
            entry: purge,
        });
        let c = check(&purged).and_then(ChainCheck::finish).unwrap();
        assert_eq!((c.first_seq, c.checked), (Some(3), 4));
        let mut fake_start = good.clone();
        fake_start[0].prev_hash = "f".repeat(64);
        assert_eq!(check(&fake_start).unwrap_err().seq, 1);
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        let mut a = NewEntry::new("t".into(), Action::View, RecordKind::Account, true);
        let mut b = a.clone();
        a.user_id = Some("ab".into());
        a.user_role = Some("c".into());
        b.user_id = Some("a".into());
        b.user_role = Some("bc".into());
        assert_ne!(chain_hash(GENESIS, 1, &a), chain_hash(GENESIS, 1, &b));
    }

    #[test]
    fn timestamps_sort_as_text() {
        let t = time::macros::datetime!(2026-12-02 09:05:03.042 +01:00);
        assert_eq!(timestamp(t), "2026-12-02T08:05:03.042Z");
    }
}
