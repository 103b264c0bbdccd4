//! A carer's own request, "Neem contact met mij op", from a self-check's result or a service's
//! page: with the carer's consent (the purpose spelled out on the form) it lands as a referral
//! with source `zelf` in the inbox of the steunpunt of their area. Without consent nothing is
//! stored. The same checks as a professional's referral (a name, a way to reach them, no BSN).

use crate::notify::Notifier;
use crate::referrals::{
    DATA_SHARED, ReferralForm, ReferralProblem, Sent, announce, check_form, given_by,
};
use crate::{Actor, AppResult};
use kapstok_domain::audit::{Action, RecordKind, timestamp};
use kapstok_domain::referral::{CarerDetails, ConsentMethod, RouteLists, Source, State};
use kapstok_store::{AccountStore, NewConsent, NewReferral, ReferralStore, Store};
use std::sync::Arc;

/// What a carer fills in.
#[derive(Debug, Clone, Default)]
pub struct ContactForm {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    /// "Waar wilt u hulp bij?" (optional, short, no BSN).
    pub message: Option<String>,
    /// The band of the self-check they came from (its label), if any.
    pub self_check_band: Option<String>,
    /// The service whose page they came from (its name), if any.
    pub service: Option<String>,
    pub consent: bool,
    pub idempotency_key: Option<String>,
}

/// Carers' own requests: anyone.
pub struct SelfRequests {
    actor: Actor,
    referrals: Arc<dyn ReferralStore>,
    accounts: Arc<dyn AccountStore>,
    lists: Arc<RouteLists>,
    notifier: Notifier,
}

impl SelfRequests {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        actor: &Actor,
        lists: Arc<RouteLists>,
        notifier: Notifier,
    ) -> SelfRequests {
        SelfRequests {
            actor: actor.clone(),
            referrals: store.clone(),
            accounts: store,
            lists,
            notifier,
        }
    }

    /// The steunpunt a carer in `area` reaches (its name), for the form's consent text.
    pub async fn steunpunt(&self, area: Option<&str>) -> AppResult<Option<String>> {
        let teams = self.accounts.teams().await?;
        Ok(kapstok_domain::referral::steunpunt_for(&teams, area).map(|t| t.name.clone()))
    }

    /// Stores the request with its consent for the area's steunpunt; the same form twice is
    /// one request. The receipt's code goes to the carer (on the page, and by mail if given).
    pub async fn ask(
        &self,
        form: &ContactForm,
        area: Option<String>,
    ) -> AppResult<Result<Sent, ReferralProblem>> {
        let teams = self.accounts.teams().await?;
        let Some(team) = kapstok_domain::referral::steunpunt_for(&teams, area.as_deref()) else {
            return Ok(Err(ReferralProblem::Team));
        };
        let note = match (&form.service, form.message.as_deref().map(str::trim)) {
            (Some(s), Some(m)) if !m.is_empty() => Some(format!("Via {s}: {m}")),
            (Some(s), _) => Some(format!("Via {s}")),
            (None, m) => m.filter(|m| !m.is_empty()).map(str::to_string),
        };
        let checked = ReferralForm {
            team_id: team.id.to_string(),
            reason: self.lists.self_request_reason.clone(),
            carer: CarerDetails {
                name: form.name.clone(),
                phone: form.phone.clone(),
                email: form.email.clone(),
                postcode: form.postcode.clone(),
                self_check_band: form.self_check_band.clone(),
                note,
                ..CarerDetails::default()
            },
            consent_given: form.consent,
            consent_method: ConsentMethod::Digitaal.code().into(),
            ..ReferralForm::default()
        };
        // A message that is too long is the carer's own text: say so, as for a note.
        let carer = match check_form(&checked, &self.lists) {
            Ok(c) => c,
            Err(p) => return Ok(Err(p)),
        };
        let at = timestamp(time::OffsetDateTime::now_utc());
        let receipt_code = crate::accounts::random_hex(5);
        let referral = NewReferral {
            id: format!("r-{}", crate::accounts::random_hex(8)),
            team_id: team.id.to_string(),
            referrer_id: None,
            source: Source::Zelf,
            state: State::Requested,
            reason: self.lists.self_request_reason.clone(),
            part_of: None,
            person: format!("p-{}", crate::accounts::random_hex(8)),
            area_code: area,
            carer,
            idempotency_key: form.idempotency_key.clone(),
            at: at.clone(),
        };
        let consent = NewConsent {
            id: format!("c-{}", crate::accounts::random_hex(8)),
            team_id: team.id.to_string(),
            purpose: format!(
                "Contact over ondersteuning door {}, op verzoek van de mantelzorger zelf",
                team.name
            ),
            data_shared: DATA_SHARED.into(),
            given_by: given_by(None),
            method: ConsentMethod::Digitaal,
            given_at: at,
            recorded_by: None,
            receipt_hash: crate::accounts::secret_hash(&receipt_code),
            covers_forward: false,
        };
        let mut e = self
            .actor
            .log_entry(None, Action::Create, RecordKind::Referral, true);
        e.user_role = Some(crate::receipts::CARER_ROLE.into());
        let created = self
            .referrals
            .create_referral(&referral, &consent, &e)
            .await?;
        Ok(Ok(announce(
            created,
            receipt_code,
            &self.actor,
            &self.notifier,
        )
        .await))
    }
}
