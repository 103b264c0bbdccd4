//! The verwijsroute's rules, without I/O: a referral's states and the only moves between them
//! (a pure function, tested for every state × action × party), the outcome codes, and the
//! refusal of anything that looks like a BSN.
//!
//! States are the FHIR R4 task-status codes the HL7 SDOH Clinical Care guide allows for a
//! referral `Task` (all but `ready` and `received`), one to one, so a later FHIR exchange needs no
//! remodelling. What each means here:
//!
//! | state | FHIR code | meaning |
//! |---|---|---|
//! | Concept | `draft` | being written by the referrer; not sent, the team cannot see it |
//! | Verstuurd | `requested` | sent with consent; waiting in the team's inbox |
//! | Aangenomen | `accepted` | the team took it on (acknowledged) |
//! | Afgewezen | `rejected` | the team will not take it (not theirs, not possible) |
//! | In behandeling | `in-progress` | the team is in contact with the carer |
//! | Gepauzeerd | `on-hold` | waiting (the carer asked to call later, a waiting list) |
//! | Afgerond | `completed` | closed with an outcome (help arranged, no help wanted, …) |
//! | Ingetrokken | `cancelled` | stopped before it was done: by the referrer, or consent withdrawn |
//! | Mislukt | `failed` | tried but not possible: the carer could not be reached |
//! | Vergissing | `entered-in-error` | should never have existed (wrong person, a test) |
//!
//! A forward ends this team's task as `completed` with outcome `doorverwezen` and starts a new
//! referral (task) in `requested` for the next team, linked to the first (FHIR `Task.partOf` /
//! `basedOn`); the carer's consent must cover the next team.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Draft,
    Requested,
    Accepted,
    Rejected,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
    Failed,
    EnteredInError,
}

impl State {
    pub const ALL: [State; 10] = [
        State::Draft,
        State::Requested,
        State::Accepted,
        State::Rejected,
        State::InProgress,
        State::OnHold,
        State::Completed,
        State::Cancelled,
        State::Failed,
        State::EnteredInError,
    ];

    /// The FHIR R4 task-status code, also the code in the database.
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Requested => "requested",
            State::Accepted => "accepted",
            State::Rejected => "rejected",
            State::InProgress => "in-progress",
            State::OnHold => "on-hold",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
            State::Failed => "failed",
            State::EnteredInError => "entered-in-error",
        }
    }

    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// No move leaves this state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Rejected
                | State::Completed
                | State::Cancelled
                | State::Failed
                | State::EnteredInError
        )
    }

    /// The team still has to act on it (counts for the inbox and for service levels).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Requested | State::Accepted | State::InProgress | State::OnHold
        )
    }
}

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The professional who referred (or, for a self-request, nobody: see `Carer`).
    Referrer,
    /// A member of the team the referral is for.
    Team,
    /// The carer, through their receipt's link (withdrawing consent).
    Carer,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::Referrer, Party::Team, Party::Carer];
}

/// How a team closes a referral: the outcome decides the final state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ending {
    /// `completed`: help arranged, no support needed, the carer wants no help.
    Completed,
    /// `failed`: the carer could not be reached.
    Failed,
}

/// A move on a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Move {
    /// The referrer sends a draft (consent recorded).
    Send,
    /// The team takes it on (this is the acknowledgement the service level counts).
    Accept,
    /// The team will not take it.
    Reject,
    /// The team is in contact.
    Start,
    /// Waiting for something.
    Hold,
    /// Waiting is over.
    Resume,
    /// The team closes it with an outcome.
    Close(Ending),
    /// The team passes it to another team: this task ends (`completed`, outcome doorverwezen);
    /// the next team's task starts as `requested`.
    Forward,
    /// The referrer stops it before the team took it on.
    Cancel,
    /// The carer withdraws consent: it stops wherever it was.
    Withdraw,
    /// It should never have existed.
    MarkInError,
}

impl Move {
    pub const ALL: [Move; 12] = [
        Move::Send,
        Move::Accept,
        Move::Reject,
        Move::Start,
        Move::Hold,
        Move::Resume,
        Move::Close(Ending::Completed),
        Move::Close(Ending::Failed),
        Move::Forward,
        Move::Cancel,
        Move::Withdraw,
        Move::MarkInError,
    ];

    /// The code in the history and in forms (both endings are `close`: the outcome decides).
    pub fn code(self) -> &'static str {
        match self {
            Move::Send => "send",
            Move::Accept => "accept",
            Move::Reject => "reject",
            Move::Start => "start",
            Move::Hold => "hold",
            Move::Resume => "resume",
            Move::Close(_) => "close",
            Move::Forward => "forward",
            Move::Cancel => "cancel",
            Move::Withdraw => "withdraw",
            Move::MarkInError => "mark-in-error",
        }
    }

    /// A move by its code; `close` as completed until its outcome says otherwise.
    pub fn parse(code: &str) -> Option<Move> {
        Move::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Why a move is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("deze stap past niet bij de huidige status")]
    NotNow,
    #[error("deze stap is niet aan u")]
    NotYours,
}

/// The state after `m` by `who` from `from`, or why not. The whole route in one place.
pub fn next(from: State, m: Move, who: Party) -> Result<State, MoveError> {
    use Move::*;
    use State::*;
    // Whose move it is, whatever the state.
    let allowed = match m {
        Send | Cancel => who == Party::Referrer,
        Accept | Reject | Start | Hold | Resume | Close(_) | Forward => who == Party::Team,
        Withdraw => who == Party::Carer,
        MarkInError => who != Party::Carer,
    };
    if !allowed {
        return Err(MoveError::NotYours);
    }
    let to = match (from, m) {
        (Draft, Send) => Requested,
        (Requested, Accept) => Accepted,
        (Requested, Reject) => Rejected,
        (Accepted | OnHold, Start) => InProgress,
        (Accepted | InProgress, Hold) => OnHold,
        (OnHold, Resume) => InProgress,
        (Accepted | InProgress | OnHold, Close(Ending::Completed)) => Completed,
        (Accepted | InProgress | OnHold, Close(Ending::Failed)) => Failed,
        (Requested | Accepted | InProgress | OnHold, Forward) => Completed,
        (Draft | Requested, Cancel) => Cancelled,
        // A draft has no consent yet, so nothing to withdraw.
        (Requested | Accepted | InProgress | OnHold, Withdraw) => Cancelled,
        // The referrer may take back only what the team has not taken on; the team anything
        // not final.
        (Draft | Requested, MarkInError) if who == Party::Referrer => EnteredInError,
        (Requested | Accepted | InProgress | OnHold, MarkInError) if who == Party::Team => {
            EnteredInError
        }
        _ => return Err(MoveError::NotNow),
    };
    Ok(to)
}

/// The moves `who` may make from `from`, in the order of [`Move::ALL`].
pub fn moves_from(from: State, who: Party) -> Vec<Move> {
    Move::ALL
        .into_iter()
        .filter(|m| next(from, *m, who).is_ok())
        .collect()
}

/// An outcome a team closes with: code, label, and the final state it gives.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Outcome {
    pub code: String,
    pub label: String,
    pub label_en: String,
    /// `completed` or `failed`.
    pub state: String,
}

/// A reason for a referral, from a coded list that is data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Reason {
    pub code: String,
    pub label: String,
    pub label_en: String,
}

impl Reason {
    pub fn label_in(&self, english: bool) -> &str {
        if english { &self.label_en } else { &self.label }
    }
}

impl Outcome {
    pub fn label_in(&self, english: bool) -> &str {
        if english { &self.label_en } else { &self.label }
    }
}

/// The verwijsroute's coded lists, from a data file (`defaults/verwijsroute.toml` unless a
/// deployment brings its own): reasons, outcomes, the relationship to the person cared for and
/// the main condition category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteLists {
    /// Working days a team has to acknowledge a referral (see `service_level`).
    #[serde(default = "two")]
    pub acknowledge_within: u32,
    /// The reason a carer's own request ("Neem contact met mij op") is filed under.
    #[serde(default = "information")]
    pub self_request_reason: String,
    pub reasons: Vec<Reason>,
    pub outcomes: Vec<Outcome>,
    pub relationships: Vec<Reason>,
    pub conditions: Vec<Reason>,
}

fn two() -> u32 {
    2
}

fn information() -> String {
    "informatie-advies".into()
}

/// The outcome a forward closes the first team's task with (reserved: not in the lists).
pub const FORWARDED: &str = "doorverwezen";

impl RouteLists {
    /// Reads and checks the lists; a mistake is named with the file.
    pub fn parse(name: &str, text: &str) -> Result<RouteLists, String> {
        let lists: RouteLists =
            toml::from_str(text).map_err(|e| format!("{name}: {}", e.message()))?;
        for (what, items) in [
            ("reasons", &lists.reasons),
            ("relationships", &lists.relationships),
            ("conditions", &lists.conditions),
        ] {
            check_codes(name, what, items.iter().map(|r| (&r.code, &r.label)))?;
        }
        if lists.reason(&lists.self_request_reason).is_none() {
            return Err(format!(
                "{name}: self_request_reason {:?} is not one of the reasons",
                lists.self_request_reason
            ));
        }
        if !(1..=30).contains(&lists.acknowledge_within) {
            return Err(format!(
                "{name}: acknowledge_within must be 1 to 30 working days"
            ));
        }
        check_codes(
            name,
            "outcomes",
            lists.outcomes.iter().map(|o| (&o.code, &o.label)),
        )?;
        for o in &lists.outcomes {
            if o.state != "completed" && o.state != "failed" {
                return Err(format!(
                    "{name}: outcome {} has state {:?}; it must be \"completed\" or \"failed\"",
                    o.code, o.state
                ));
            }
            if o.code == FORWARDED {
                return Err(format!(
                    "{name}: outcome {FORWARDED} is Kapstok's own (a forward); leave it out"
                ));
            }
        }
        Ok(lists)
    }

    pub fn reason(&self, code: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.code == code)
    }

    pub fn outcome(&self, code: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.code == code)
    }
}

impl Default for RouteLists {
    fn default() -> Self {
        RouteLists::parse(
            "defaults/verwijsroute.toml",
            include_str!("../defaults/verwijsroute.toml"),
        )
        .expect("the shipped lists are valid")
    }
}

fn check_codes<'a>(
    file: &str,
    what: &str,
    items: impl Iterator<Item = (&'a String, &'a String)>,
) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    for (code, label) in items {
        n += 1;
        let plain = !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !plain {
            return Err(format!(
                "{file}: {what}: code {code:?} must be lower-case letters, digits and dashes"
            ));
        }
        if label.trim().is_empty() {
            return Err(format!("{file}: {what}: {code} has no label"));
        }
        if !seen.insert(code.clone()) {
            return Err(format!("{file}: {what}: code {code} appears twice"));
        }
    }
    if n == 0 {
        return Err(format!("{file}: {what}: the list is empty"));
    }
    Ok(())
}

/// Where a referral comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A professional referred the carer.
    Verwijzer,
    /// The carer asked for contact themselves.
    Zelf,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Verwijzer => "verwijzer",
            Source::Zelf => "zelf",
        }
    }

    pub fn parse(code: &str) -> Option<Source> {
        [Source::Verwijzer, Source::Zelf]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentMethod {
    Mondeling,
    Schriftelijk,
    Digitaal,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 3] = [
        ConsentMethod::Mondeling,
        ConsentMethod::Schriftelijk,
        ConsentMethod::Digitaal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ConsentMethod::Mondeling => "mondeling",
            ConsentMethod::Schriftelijk => "schriftelijk",
            ConsentMethod::Digitaal => "digitaal",
        }
    }

    pub fn parse(code: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// What a referral holds about the carer: only what the receiving team needs to make contact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CarerDetails {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    pub contact_time: Option<String>,
    /// About the person cared for: only the relationship and the main condition category.
    pub relationship: Option<String>,
    pub condition: Option<String>,
    /// The band of a self-check gone through together (never its answers).
    pub self_check_band: Option<String>,
    /// A short note (no diagnosis, no BSN).
    pub note: Option<String>,
}

/// A referral as stored: one team's task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: String,
    /// `K-2026-0042`: what mail and pages call it; says nothing about the person.
    pub reference: String,
    pub team_id: String,
    /// `None` for a carer's own request.
    pub referrer_id: Option<String>,
    pub source: Source,
    pub state: State,
    pub reason: String,
    pub outcome: Option<String>,
    /// The referral this one was forwarded from.
    pub part_of: Option<String>,
    /// The carer's pseudonymous id in the access log.
    pub person: String,
    pub area_code: Option<String>,
    /// `None` once anonymised.
    pub carer: Option<CarerDetails>,
    pub assigned_to: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub accepted_at: Option<String>,
    pub closed_at: Option<String>,
}

/// Why a team is suggested for a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggestion {
    /// It serves the carer's area and takes the reason.
    Area,
    /// It works in the whole municipality (no areas of its own) and takes the reason.
    Municipality,
}

/// The team to suggest for a referral for `reason` from a carer in `area` (from the postcode,
/// if known), by the teams' own data (the areas they serve, the reasons they take): among the
/// teams that take the reason, one that serves the area — the most local first (the fewest
/// areas: a district team before a centre that serves them all) — else one that works in the
/// whole municipality; without an area, one that works in the whole municipality, else the
/// one serving the most areas. Ties go by name.
pub fn suggest<'a>(
    teams: &'a [crate::account::Team],
    area: Option<&str>,
    reason: &str,
) -> Option<(&'a crate::account::Team, Suggestion)> {
    let takes: Vec<&crate::account::Team> = teams
        .iter()
        .filter(|t| t.reasons.iter().any(|r| r == reason))
        .collect();
    let by_name = |a: &&crate::account::Team, b: &&crate::account::Team| a.name.cmp(&b.name);
    let everywhere = || {
        takes
            .iter()
            .copied()
            .filter(|t| t.areas.is_empty())
            .min_by(by_name)
            .map(|t| (t, Suggestion::Municipality))
    };
    match area {
        Some(area) => takes
            .iter()
            .copied()
            .filter(|t| t.areas.iter().any(|a| a == area))
            .min_by(|a, b| a.areas.len().cmp(&b.areas.len()).then(by_name(a, b)))
            .map(|t| (t, Suggestion::Area))
            .or_else(everywhere),
        None => everywhere().or_else(|| {
            takes
                .iter()
                .copied()
                .max_by(|a, b| a.areas.len().cmp(&b.areas.len()).then(by_name(b, a)))
                .map(|t| (t, Suggestion::Area))
        }),
    }
}

/// The carer-support centre (steunpunt) for a carer in `area`, where their own request goes:
/// a team that edits the whole map and serves the area (the most local first), else any such
/// team; ties by name.
pub fn steunpunt_for<'a>(
    teams: &'a [crate::account::Team],
    area: Option<&str>,
) -> Option<&'a crate::account::Team> {
    let centres = || teams.iter().filter(|t| t.whole_map);
    area.and_then(|a| {
        centres()
            .filter(|t| t.areas.iter().any(|x| x == a))
            .min_by(|x, y| x.areas.len().cmp(&y.areas.len()).then(x.name.cmp(&y.name)))
    })
    .or_else(|| centres().min_by(|x, y| x.name.cmp(&y.name)))
}

/// Who gave consent when the carer gave it themselves (the form's default).
pub const CONSENT_BY_ONESELF: &str = "de mantelzorger zelf";

/// What a removed detail reads as once a referral is anonymised.
pub const REMOVED: &str = "(verwijderd)";

/// The reference of the `number`-th referral of `year`: `K-2026-0042`.
pub fn reference(year: i32, number: i64) -> String {
    format!("K-{year}-{number:04}")
}

/// The first nine-digit number in `text` that passes the 11-test (a BSN, the Dutch citizen
/// service number); digits may be grouped with spaces, dots or dashes. Notes must not hold one.
pub fn find_bsn(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // A run of digits, single separators allowed between them.
        let mut digits = String::new();
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            if c.is_ascii_digit() {
                digits.push(c);
                j += 1;
            } else if matches!(c, ' ' | '.' | '-')
                && j + 1 < chars.len()
                && chars[j + 1].is_ascii_digit()
                && j > i
                && chars[j - 1].is_ascii_digit()
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits.len() == 9 && passes_eleven_test(&digits) {
            return Some(digits);
        }
        i = j.max(i + 1);
    }
    None
}

/// The 11-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros).
pub fn passes_eleven_test(nine: &str) -> bool {
    let d: Vec<i64> = nine.bytes().map(|b| i64::from(b - b'0')).collect();
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i64 = (0..8).map(|k| d[k] * (9 - k as i64)).sum::<i64>() - d[8];
    sum % 11 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out once more by hand: every state × move × party.
    fn expected(from: State, m: Move, who: Party) -> Option<State> {
        use Move::*;
        use Party::*;
        use State::*;
        match (from, m, who) {
            (Draft, Send, Referrer) => Some(Requested),
            (Draft, Cancel, Referrer) => Some(Cancelled),
            (Draft, MarkInError, Referrer) => Some(EnteredInError),
            (Requested, Accept, Team) => Some(Accepted),
            (Requested, Reject, Team) => Some(Rejected),
            (Requested, Forward, Team) => Some(Completed),
            (Requested, Cancel, Referrer) => Some(Cancelled),
            (Requested, Withdraw, Carer) => Some(Cancelled),
            (Requested, MarkInError, Referrer | Team) => Some(EnteredInError),
            (Accepted, Start, Team) => Some(InProgress),
            (Accepted, Hold, Team) => Some(OnHold),
            (Accepted, Close(Ending::Completed), Team) => Some(Completed),
            (Accepted, Close(Ending::Failed), Team) => Some(Failed),
            (Accepted, Forward, Team) => Some(Completed),
            (Accepted, Withdraw, Carer) => Some(Cancelled),
            (Accepted, MarkInError, Team) => Some(EnteredInError),
            (InProgress, Hold, Team) => Some(OnHold),
            (InProgress, Close(Ending::Completed), Team) => Some(Completed),
            (InProgress, Close(Ending::Failed), Team) => Some(Failed),
            (InProgress, Forward, Team) => Some(Completed),
            (InProgress, Withdraw, Carer) => Some(Cancelled),
            (InProgress, MarkInError, Team) => Some(EnteredInError),
            (OnHold, Start | Resume, Team) => Some(InProgress),
            (OnHold, Close(Ending::Completed), Team) => Some(Completed),
            (OnHold, Close(Ending::Failed), Team) => Some(Failed),
            (OnHold, Forward, Team) => Some(Completed),
            (OnHold, Withdraw, Carer) => Some(Cancelled),
            (OnHold, MarkInError, Team) => Some(EnteredInError),
            _ => None,
        }
    }

    #[test]
    fn every_state_move_and_party_goes_where_the_table_says() {
        let mut allowed = 0;
        for from in State::ALL {
            for m in Move::ALL {
                for who in Party::ALL {
                    let got = next(from, m, who).ok();
                    assert_eq!(got, expected(from, m, who), "{from:?} {m:?} by {who:?}");
                    if let Some(to) = got {
                        allowed += 1;
                        assert!(!from.is_final(), "nothing leaves a final state");
                        assert_ne!(to, State::Draft, "nothing goes back to draft");
                    }
                }
            }
        }
        assert_eq!(allowed, 30);
        assert_eq!(State::ALL.len() * Move::ALL.len() * Party::ALL.len(), 360);
    }

    #[test]
    fn a_move_by_the_wrong_party_says_so() {
        assert_eq!(
            next(State::Requested, Move::Accept, Party::Referrer),
            Err(MoveError::NotYours)
        );
        assert_eq!(
            next(State::Completed, Move::Accept, Party::Team),
            Err(MoveError::NotNow)
        );
    }

    #[test]
    fn states_are_the_fhir_task_codes_the_sdoh_guide_allows() {
        let codes: Vec<&str> = State::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            [
                "draft",
                "requested",
                "accepted",
                "rejected",
                "in-progress",
                "on-hold",
                "completed",
                "cancelled",
                "failed",
                "entered-in-error"
            ]
        );
        assert!(!codes.contains(&"ready") && !codes.contains(&"received"));
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn the_shipped_lists_load_and_mistakes_are_named() {
        let lists = RouteLists::default();
        assert!(lists.reason("overbelasting").is_some());
        assert_eq!(lists.outcome("niet-bereikbaar").unwrap().state, "failed");
        assert_eq!(lists.outcome("hulp-geregeld").unwrap().state, "completed");
        let bad = |text: &str| RouteLists::parse("x.toml", text).unwrap_err();
        let lists_with = |outcomes: &str| {
            format!(
                "self_request_reason = \"a\"\n\
                 reasons = [{{ code = \"a\", label = \"A\", label_en = \"A\" }}]\n\
                 relationships = [{{ code = \"a\", label = \"A\", label_en = \"A\" }}]\n\
                 conditions = [{{ code = \"a\", label = \"A\", label_en = \"A\" }}]\n\
                 outcomes = [{outcomes}]\n"
            )
        };
        assert!(
            bad(&lists_with(
                "{ code = \"x\", label = \"X\", label_en = \"X\", state = \"gone\" }"
            ))
            .contains("must be")
        );
        assert!(bad(&lists_with("{ code = \"doorverwezen\", label = \"D\", label_en = \"D\", state = \"completed\" }")).contains("Kapstok's own"));
        assert!(bad(&lists_with("")).contains("empty"));
        assert!(
            bad(&lists_with(
                "{ code = \"X Y\", label = \"X\", label_en = \"X\", state = \"failed\" }"
            ))
            .contains("lower-case")
        );
        assert!(
            RouteLists::parse(
                "x.toml",
                &lists_with(
                    "{ code = \"x\", label = \"X\", label_en = \"X\", state = \"failed\" }"
                )
            )
            .is_ok()
        );
    }

    #[test]
    fn the_suggested_team_is_the_most_local_that_takes_the_reason() {
        use crate::account::Team;
        let team = |name: &str, areas: &[&str], reasons: &[&str]| Team {
            id: crate::ids::TeamId::new(name),
            name: name.into(),
            organization_id: None,
            whole_map: false,
            areas: areas.iter().map(|a| a.to_string()).collect(),
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        };
        let teams = [
            team(
                "Steunpunt",
                &["noord", "zuid", "velden"],
                &["overbelasting", "respijt"],
            ),
            team(
                "Wijkteam Velden",
                &["velden"],
                &["praktische-hulp", "financieel"],
            ),
            team("Zorgloket", &[], &["financieel", "praktische-hulp"]),
            team("Huisarts", &["noord"], &[]),
        ];
        let name = |area: Option<&str>, reason: &str| {
            suggest(&teams, area, reason).map(|(t, why)| (t.name.as_str(), why))
        };
        use Suggestion::*;
        assert_eq!(
            name(Some("velden"), "financieel"),
            Some(("Wijkteam Velden", Area))
        );
        assert_eq!(
            name(Some("noord"), "financieel"),
            Some(("Zorgloket", Municipality))
        );
        assert_eq!(
            name(Some("velden"), "overbelasting"),
            Some(("Steunpunt", Area))
        );
        assert_eq!(name(None, "financieel"), Some(("Zorgloket", Municipality)));
        assert_eq!(name(None, "respijt"), Some(("Steunpunt", Area)));
        assert_eq!(name(Some("noord"), "jonge-mantelzorger"), None);
        assert_eq!(
            name(Some("elders"), "overbelasting"),
            None,
            "nobody serves it"
        );
        let mut centres = teams.to_vec();
        centres[0].whole_map = true;
        centres.push(Team {
            whole_map: true,
            ..team("Steunpunt Velden", &["velden"], &[])
        });
        let centre = |area| steunpunt_for(&centres, area).map(|t| t.name.as_str());
        assert_eq!(centre(Some("velden")), Some("Steunpunt Velden"));
        assert_eq!(centre(Some("noord")), Some("Steunpunt"));
        assert_eq!(centre(Some("elders")), Some("Steunpunt"), "any centre");
        assert_eq!(centre(None), Some("Steunpunt"));
        assert_eq!(steunpunt_for(&teams, None), None);
    }

    #[test]
    fn references_are_numbered_per_year() {
        assert_eq!(reference(2026, 42), "K-2026-0042");
        assert_eq!(reference(2026, 12345), "K-2026-12345");
        assert_eq!(Source::parse("zelf"), Some(Source::Zelf));
        assert_eq!(
            ConsentMethod::parse("digitaal"),
            Some(ConsentMethod::Digitaal)
        );
        assert_eq!(ConsentMethod::parse("per fax"), None);
    }

    #[test]
    fn a_bsn_is_found_however_it_is_written() {
        // 111222333 passes the 11-test; 123456789 does not.
        assert!(passes_eleven_test("111222333"));
        assert!(!passes_eleven_test("123456789"));
        assert!(!passes_eleven_test("000000000"));
        for text in [
            "BSN 111222333",
            "bsn: 111 222 333.",
            "nummer 1112.22.333 graag",
            "111-222-333",
        ] {
            assert_eq!(find_bsn(text).as_deref(), Some("111222333"), "{text}");
        }
        for text in [
            "bel 0591 123 456",
            "123456789",
            "1112223334 (tien cijfers)",
            "postcode 7811 AB, huisnummer 12",
            "",
        ] {
            assert_eq!(find_bsn(text), None, "{text}");
        }
    }
}
