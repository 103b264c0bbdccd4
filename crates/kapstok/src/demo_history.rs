//! A year of fictional history for the municipality's figures: referrals sent over the last
//! twelve months across Emmen's six areas (by a professional or the carer), taken on after a
//! few working days and closed with an outcome, and the anonymous self-check tally. Made from a
//! fixed seed, so every demo shows the same year (relative to its day). The carers are
//! "Voorbeeld" placeholders; only a demo database gets them.

use anyhow::Result;
use kapstok_domain::audit::{Action, NewEntry, RecordKind};
use kapstok_domain::calendar::{SignedDuration, Timestamp, stored};
use kapstok_domain::referral::{
    CarerDetails, ConsentMethod, Ending, Move, Party, Source, State, next,
};
use kapstok_domain::tally::SelfCheckTally;
use kapstok_store::{NewConsent, NewReferral, Store, StoredMove};
use std::sync::Arc;

/// A small linear congruential generator: the same year in every demo.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    /// One of `items` by their weights.
    fn pick<'a>(&mut self, items: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.roll(total);
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        items[0].0
    }
}

const AREAS: &[(&str, u64)] = &[
    ("emmen-centrum-oost", 30),
    ("emmen-noord", 22),
    ("emmen-zuid", 20),
    ("de-velden", 14),
    ("de-monden", 8),
    ("de-blokken", 6),
];

const REASONS: &[(&str, u64)] = &[
    ("overbelasting", 30),
    ("respijt", 18),
    ("informatie-advies", 20),
    ("praktische-hulp", 12),
    ("emotionele-steun", 10),
    ("financieel", 5),
    ("werk-zorg", 4),
    ("jonge-mantelzorger", 1),
];

const OUTCOMES: &[(&str, u64)] = &[
    ("hulp-geregeld", 45),
    ("advies-gegeven", 30),
    ("wil-geen-hulp", 8),
    ("geen-ondersteuning-nodig", 7),
    ("niet-bereikbaar", 6),
];

fn entry(at: &str, action: Action) -> NewEntry {
    let mut e = NewEntry::new(at.to_string(), action, RecordKind::Referral, true);
    e.user_role = Some("operator".into());
    e.origin = Some("console".into());
    e
}

/// Loads the year unless it is there; how many referrals were made.
pub async fn load(store: Arc<dyn Store>) -> Result<usize> {
    if store.referral("r-hist-0000").await?.is_some() {
        return Ok(0);
    }
    let teams = store.teams().await?;
    let Some(steunpunt) = teams
        .iter()
        .find(|t| t.name == "Steunpunt Mantelzorg De Kapstok")
        .map(|t| t.id.to_string())
    else {
        return Ok(0);
    };
    let now = Timestamp::now();
    let mut dice = Dice(0x6b61_7073_746f_6b21);
    let mut made = 0;
    for day in (3..=365i64).rev() {
        // About one and a half a day, fewer in the summer weeks.
        let count = dice.roll(3) + u64::from(day % 7 == 1);
        for _ in 0..count {
            let n = made;
            made += 1;
            let sent = now - SignedDuration::from_hours(24 * day + 2);
            let at = stored(sent);
            let area = dice.pick(AREAS);
            let reason = dice.pick(REASONS);
            let source = if dice.roll(10) < 7 {
                Source::Verwijzer
            } else {
                Source::Zelf
            };
            let id = format!("r-hist-{n:04}");
            let r = NewReferral {
                id: id.clone(),
                team_id: steunpunt.clone(),
                referrer_id: None,
                source,
                state: State::Requested,
                reason: reason.into(),
                part_of: None,
                person: format!("p-hist-{n:04}"),
                area_code: Some(area.into()),
                carer: CarerDetails {
                    name: format!("Voorbeeld {n:04}"),
                    ..CarerDetails::default()
                },
                idempotency_key: None,
                at: at.clone(),
            };
            let consent = NewConsent {
                id: format!("c-hist-{n:04}"),
                team_id: steunpunt.clone(),
                purpose: "Contact over ondersteuning door het steunpunt".into(),
                data_shared: "naam, reden".into(),
                given_by: kapstok_domain::referral::CONSENT_BY_ONESELF.into(),
                method: if source == Source::Zelf {
                    ConsentMethod::Digitaal
                } else {
                    ConsentMethod::Mondeling
                },
                given_at: at.clone(),
                recorded_by: None,
                receipt_hash: kapstok_app::accounts::secret_hash(&format!("hist-{n}")),
                covers_forward: false,
            };
            store
                .create_referral(&r, &consent, &entry(&at, Action::Create))
                .await?;
            // Taken on after 0 to 4 days, closed 3 to 40 days later (if that has come).
            let accepted = sent + SignedDuration::from_hours(4 + 24 * dice.roll(5) as i64);
            let closed = accepted + SignedDuration::from_hours(24 * (3 + dice.roll(38)) as i64);
            let outcome = dice.pick(OUTCOMES);
            let mut state = State::Requested;
            let mut steps: Vec<(Move, Timestamp, Option<&str>)> = Vec::new();
            if accepted < now {
                steps.push((Move::Accept, accepted, None));
                steps.push((Move::Start, accepted + SignedDuration::from_hours(2), None));
            }
            if closed < now {
                let ending = if outcome == "niet-bereikbaar" {
                    Ending::Failed
                } else {
                    Ending::Completed
                };
                steps.push((Move::Close(ending), closed, Some(outcome)));
            }
            for (mv, when, outcome) in steps {
                let to = next(state, mv, Party::Team).map_err(|e| anyhow::anyhow!("{e}"))?;
                let when = stored(when);
                store
                    .move_referral(
                        &id,
                        &StoredMove {
                            from: state,
                            to,
                            move_code: mv.code(),
                            user_id: None,
                            outcome,
                            at: &when,
                        },
                        &entry(&when, Action::Change),
                    )
                    .await?;
                state = to;
            }
        }
    }
    // The anonymous self-check tally: a year of results per area and month.
    let bands: &[(&str, u64)] = &[
        ("licht", 30),
        ("matig", 35),
        ("zwaar", 22),
        ("overbelast", 13),
    ];
    for month_back in 0..12i64 {
        let moment = now - SignedDuration::from_hours(24 * 30 * month_back);
        let month = moment.strftime("%Y-%m").to_string();
        for _ in 0..(20 + dice.roll(25)) {
            let tally = SelfCheckTally {
                instrument: "indicatief".into(),
                band: dice.pick(bands).into(),
                area_code: Some(dice.pick(AREAS).into()),
                month: month.clone(),
            };
            store.count_self_check(&tally).await?;
        }
    }
    Ok(made)
}
