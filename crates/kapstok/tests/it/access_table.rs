//! The route × role × team table: every route of the app, for a visitor and for each role's
//! demo account, with what must happen (allowed, refused with 403, or sent to sign in). The
//! table must list every route: the routes are read from the web crate's sources and the API's
//! OpenAPI document, and a route missing from the table fails the test. Team-bound routes (a
//! team's page; the referral inbox from the verwijsroute on) are asked for the user's own team
//! and for another one.

use crate::sign_in::sign_in_demo;
use crate::support::{Browser, TestApp, csrf};
use axum::http::StatusCode;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The page or its own answer (including a refusal of the input, a 404 or a redirect that
    /// is not to the sign-in page).
    Allowed,
    /// A redirect to the sign-in page, coming back afterwards.
    SignIn,
    /// 403.
    Forbidden,
}
use Expect::*;

/// Who asks: a visitor, or a demo account by its name before `@demo.kapstok.nl`.
const ACTORS: [Option<&str>; 9] = [
    None,
    Some("beheerder"),
    Some("privacy"),
    Some("beleid"),
    Some("consulent"),
    Some("redactie"),
    Some("wijkteam"),
    Some("poh"),
    Some("vrijwilligers"),
];

/// Which team a team-bound route is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TeamCase {
    /// The route is not bound to a team.
    NotBound,
    /// A team the user is a member of.
    Own,
    /// A team the user is not in.
    Other,
}

/// What must happen for whom (a demo account's name, or `None` for a visitor) and which team.
type Rule = Box<dyn Fn(Option<&str>, TeamCase) -> Expect>;

struct Row {
    method: &'static str,
    route: &'static str,
    example: &'static str,
    expect: Rule,
    /// Signs the actor out: sign in again after this row.
    ends_session: bool,
    /// Asked for the actor's own team and for another one.
    team_bound: bool,
}

fn anyone(_: Option<&str>) -> Expect {
    Allowed
}

fn signed_in(who: Option<&str>) -> Expect {
    if who.is_some() { Allowed } else { SignIn }
}

/// Only this demo account's role; every other signed-in user gets 403.
fn only(user: &'static str) -> impl Fn(Option<&str>) -> Expect {
    move |who| match who {
        None => SignIn,
        Some(u) if u == user => Allowed,
        Some(_) => Forbidden,
    }
}

/// The demo's verwijzers: the practice nurse and the district-team member.
fn verwijzer(who: Option<&str>) -> Expect {
    match who {
        None => SignIn,
        Some("poh" | "wijkteam") => Allowed,
        Some(_) => Forbidden,
    }
}

/// The demo's redacteuren: the steunpunt's (whole map) and the volunteer organisation's.
fn redacteur(who: Option<&str>) -> Expect {
    match who {
        None => SignIn,
        Some("redactie" | "vrijwilligers") => Allowed,
        Some(_) => Forbidden,
    }
}

/// The steunpunt's redacteur only (a whole-map team): review, restore, check.
fn steunpunt_redacteur(who: Option<&str>) -> Expect {
    only("redactie")(who)
}

fn beheerder(who: Option<&str>) -> Expect {
    only("beheerder")(who)
}

fn privacy(who: Option<&str>) -> Expect {
    only("privacy")(who)
}

fn row(
    method: &'static str,
    route: &'static str,
    example: &'static str,
    expect: impl Fn(Option<&str>) -> Expect + 'static,
) -> Row {
    Row {
        method,
        route,
        example,
        expect: Box::new(move |who, _| expect(who)),
        ends_session: false,
        team_bound: false,
    }
}

/// A route about one team for its members in one role: the demo accounts with that role in
/// their own team (`allowed`) may there; everyone else gets 403.
fn team_role_row(
    method: &'static str,
    route: &'static str,
    example: &'static str,
    allowed: &'static [&'static str],
) -> Row {
    Row {
        method,
        route,
        example,
        expect: Box::new(move |who, case| match (who, case) {
            (None, _) => SignIn,
            (Some(u), TeamCase::Own) if allowed.contains(&u) => Allowed,
            (Some(_), _) => Forbidden,
        }),
        ends_session: false,
        team_bound: true,
    }
}

/// A route about one team (`{team}` in the example): its members may, others get 403.
fn team_row(method: &'static str, route: &'static str, example: &'static str) -> Row {
    Row {
        method,
        route,
        example,
        expect: Box::new(|who, case| match (who, case) {
            (None, _) => SignIn,
            (Some(_), TeamCase::Own) => Allowed,
            (Some(_), _) => Forbidden,
        }),
        ends_session: false,
        team_bound: true,
    }
}

fn table() -> Vec<Row> {
    let service =
        crate::support::demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
    let service: &'static str = Box::leak(service.into_boxed_str());
    let aanbod: &'static str = Box::leak(format!("/aanbod/{service}").into_boxed_str());
    let correction: &'static str =
        Box::leak(format!("/aanbod/{service}/klopt-er-iets-niet").into_boxed_str());
    let edit: &'static str = Box::leak(format!("/werk/kaart/aanbod/{service}").into_boxed_str());
    let api_service: &'static str = Box::leak(format!("/api/services/{service}").into_boxed_str());
    let functions = kapstok_demo::taxonomy::taxonomy_id("functie");
    let taxonomy: &'static str =
        Box::leak(format!("/werk/kaart/indelingen/{functions}").into_boxed_str());
    let new_term: &'static str =
        Box::leak(format!("/werk/kaart/indelingen/{functions}/nieuw").into_boxed_str());
    let term: &'static str = Box::leak(
        format!(
            "/werk/kaart/indelingen/{functions}/termen/{}",
            kapstok_demo::taxonomy::term_id("functie", "respijtzorg")
        )
        .into_boxed_str(),
    );
    vec![
        // The public site: anyone.
        row("GET", "/", "/", anyone),
        row("GET", "/zoeken", "/zoeken?q=dagbesteding", anyone),
        row("GET", "/functies", "/functies", anyone),
        row("GET", "/gebieden", "/gebieden", anyone),
        row("GET", "/aanbod/{id}", aanbod, anyone),
        row(
            "GET",
            "/organisaties/{id}",
            "/organisaties/onbekend",
            anyone,
        ),
        row("GET", "/afdrukken", "/afdrukken", anyone),
        row("GET", "/boekje", "/boekje", anyone),
        row(
            "GET",
            "/boekje/gemeente.pdf",
            "/boekje/gemeente.pdf",
            anyone,
        ),
        row(
            "GET",
            "/boekje/gebied/{file}",
            "/boekje/gebied/de-velden.pdf",
            anyone,
        ),
        row(
            "GET",
            "/activiteiten",
            "/activiteiten?doelgroep=poh",
            anyone,
        ),
        row(
            "GET",
            "/activiteiten/{id}",
            "/activiteiten/act-onbekend",
            anyone,
        ),
        row(
            "POST",
            "/activiteiten/{id}/aanmelden",
            "/activiteiten/act-onbekend/aanmelden",
            anyone,
        ),
        row(
            "GET",
            "/activiteiten/{id}/agenda.ics",
            "/activiteiten/act-onbekend/agenda.ics",
            anyone,
        ),
        row(
            "GET",
            "/activiteiten/afmelden/{token}",
            "/activiteiten/afmelden/onbekend",
            anyone,
        ),
        row(
            "POST",
            "/activiteiten/afmelden/{token}",
            "/activiteiten/afmelden/onbekend",
            anyone,
        ),
        row(
            "GET",
            "/agenda/activiteiten.ics",
            "/agenda/activiteiten.ics",
            anyone,
        ),
        row(
            "GET",
            "/agenda/{by}/{file}",
            "/agenda/doelgroep/poh.ics",
            anyone,
        ),
        row("GET", "/taal/{lang}", "/taal/en", anyone),
        row("GET", "/respijtwijzer", "/respijtwijzer", anyone),
        row(
            "GET",
            "/respijtwijzer/vraag",
            "/respijtwijzer/vraag",
            anyone,
        ),
        row(
            "GET",
            "/respijtwijzer/resultaat",
            "/respijtwijzer/resultaat",
            anyone,
        ),
        row("GET", "/mantelzorgtest", "/mantelzorgtest", anyone),
        row(
            "GET",
            "/mantelzorgtest/{id}",
            "/mantelzorgtest/indicatief",
            anyone,
        ),
        row(
            "POST",
            "/mantelzorgtest/{id}",
            "/mantelzorgtest/indicatief",
            anyone,
        ),
        row("GET", "/static/kapstok.css", "/static/kapstok.css", anyone),
        // The carer's receipt: anyone with the code (an unknown one is a 404 page).
        row("GET", "/toestemming", "/toestemming", anyone),
        row("GET", "/neem-contact-op", "/neem-contact-op", anyone),
        row("GET", "/aanbod/{id}/klopt-er-iets-niet", correction, anyone),
        row(
            "POST",
            "/aanbod/{id}/klopt-er-iets-niet",
            correction,
            anyone,
        ),
        row("POST", "/neem-contact-op", "/neem-contact-op", anyone),
        row("POST", "/toestemming", "/toestemming", anyone),
        row(
            "GET",
            "/toestemming/{code}",
            "/toestemming/0123456789",
            anyone,
        ),
        row(
            "POST",
            "/toestemming/{code}/intrekken",
            "/toestemming/0123456789/intrekken",
            anyone,
        ),
        // The API: anyone, read-only.
        row("GET", "/api/openapi.json", "/api/openapi.json", anyone),
        row("GET", "/api/", "/api/", anyone),
        row("GET", "/api/services", "/api/services", anyone),
        row("GET", "/api/services/{id}", api_service, anyone),
        row("GET", "/api/organizations", "/api/organizations", anyone),
        row(
            "GET",
            "/api/organizations/{id}",
            "/api/organizations/x",
            anyone,
        ),
        row("GET", "/api/taxonomies", "/api/taxonomies", anyone),
        row("GET", "/api/taxonomies/{id}", "/api/taxonomies/x", anyone),
        row("GET", "/api/taxonomy_terms", "/api/taxonomy_terms", anyone),
        row(
            "GET",
            "/api/taxonomy_terms/{id}",
            "/api/taxonomy_terms/x",
            anyone,
        ),
        row(
            "GET",
            "/api/service_at_locations",
            "/api/service_at_locations",
            anyone,
        ),
        row(
            "GET",
            "/api/service_at_locations/{id}",
            "/api/service_at_locations/x",
            anyone,
        ),
        // Signing in: anyone (a signed-in user is sent on to their page).
        row("GET", "/inloggen", "/inloggen", anyone),
        row("POST", "/inloggen", "/inloggen", anyone),
        row("GET", "/inloggen/code", "/inloggen/code", anyone),
        row("POST", "/inloggen/code", "/inloggen/code", anyone),
        row("GET", "/inloggen/instellen", "/inloggen/instellen", anyone),
        row("POST", "/inloggen/instellen", "/inloggen/instellen", anyone),
        row("GET", "/uitnodiging/{token}", "/uitnodiging/00", anyone),
        row("POST", "/uitnodiging/{token}", "/uitnodiging/00", anyone),
        row(
            "GET",
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            anyone,
        ),
        row(
            "POST",
            "/wachtwoord-vergeten",
            "/wachtwoord-vergeten",
            anyone,
        ),
        row("GET", "/herstel/{token}", "/herstel/00", anyone),
        row("POST", "/herstel/{token}", "/herstel/00", anyone),
        // The beheerder's pages.
        row("GET", "/beheer/gebruikers", "/beheer/gebruikers", beheerder),
        row(
            "POST",
            "/beheer/gebruikers",
            "/beheer/gebruikers",
            beheerder,
        ),
        row(
            "GET",
            "/beheer/gebruikers/{id}",
            "/beheer/gebruikers/u-onbekend",
            beheerder,
        ),
        row(
            "POST",
            "/beheer/gebruikers/{id}",
            "/beheer/gebruikers/u-onbekend",
            beheerder,
        ),
        row(
            "POST",
            "/beheer/gebruikers/{id}/deactiveren",
            "/beheer/gebruikers/u-onbekend/deactiveren",
            beheerder,
        ),
        row(
            "POST",
            "/beheer/gebruikers/{id}/activeren",
            "/beheer/gebruikers/u-onbekend/activeren",
            beheerder,
        ),
        row(
            "POST",
            "/beheer/gebruikers/{id}/link",
            "/beheer/gebruikers/u-onbekend/link",
            beheerder,
        ),
        row("GET", "/beheer/teams", "/beheer/teams", beheerder),
        row("POST", "/beheer/teams", "/beheer/teams", beheerder),
        row(
            "GET",
            "/beheer/teams/{id}",
            "/beheer/teams/team-onbekend",
            beheerder,
        ),
        row(
            "POST",
            "/beheer/teams/{id}",
            "/beheer/teams/team-onbekend",
            beheerder,
        ),
        row("GET", "/beheer/gebieden", "/beheer/gebieden", beheerder),
        row("POST", "/beheer/gebieden", "/beheer/gebieden", beheerder),
        row("GET", "/beheer/mail", "/beheer/mail", beheerder),
        // The functionaris gegevensbescherming's.
        row("GET", "/toegangslog", "/toegangslog", privacy),
        row("GET", "/toegangslog/export", "/toegangslog/export", privacy),
        // Signed in: every role.
        row("GET", "/werk", "/werk", signed_in),
        row("GET", "/werk/activiteit", "/werk/activiteit", signed_in),
        team_row("GET", "/werk/teams/{id}", "/werk/teams/{team}"),
        // The inbox: the team's teamlid members (the steunpunt consultant, the district team).
        team_role_row(
            "GET",
            "/werk/teams/{id}/verwijzingen",
            "/werk/teams/{team}/verwijzingen",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "GET",
            "/werk/teams/{id}/verwijzingen/{ref}",
            "/werk/teams/{team}/verwijzingen/r-onbekend",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "POST",
            "/werk/teams/{id}/verwijzingen/{ref}/stap",
            "/werk/teams/{team}/verwijzingen/r-onbekend/stap",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "POST",
            "/werk/teams/{id}/verwijzingen/{ref}/toewijzen",
            "/werk/teams/{team}/verwijzingen/r-onbekend/toewijzen",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "POST",
            "/werk/teams/{id}/verwijzingen/{ref}/notitie",
            "/werk/teams/{team}/verwijzingen/r-onbekend/notitie",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "GET",
            "/werk/teams/{id}/verwijzingen/{ref}/doorsturen",
            "/werk/teams/{team}/verwijzingen/r-onbekend/doorsturen",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "POST",
            "/werk/teams/{id}/verwijzingen/{ref}/doorsturen",
            "/werk/teams/{team}/verwijzingen/r-onbekend/doorsturen",
            &["consulent", "wijkteam"],
        ),
        team_role_row(
            "GET",
            "/werk/teams/{id}/verwijzingen/{ref}/inzage",
            "/werk/teams/{team}/verwijzingen/r-onbekend/inzage",
            &["consulent", "wijkteam"],
        ),
        row(
            "GET",
            "/werk/verwijzingen/{ref}",
            "/werk/verwijzingen/r-onbekend",
            verwijzer,
        ),
        row("GET", "/werk/verwijzen", "/werk/verwijzen", verwijzer),
        row("POST", "/werk/verwijzen", "/werk/verwijzen", verwijzer),
        row("GET", "/werk/verwijzingen", "/werk/verwijzingen", verwijzer),
        // Editing the social map: redacteuren (an organisation's only its own records: a 404
        // for the steunpunt's service here), and the steunpunt's review.
        row("GET", "/werk/kaart", "/werk/kaart", redacteur),
        row("GET", "/werk/kaart/aanbod/{id}", edit, redacteur),
        row("POST", "/werk/kaart/aanbod/{id}", edit, redacteur),
        row(
            "POST",
            "/werk/kaart/aanbod/{id}/gecontroleerd",
            "/werk/kaart/aanbod/onbekend/gecontroleerd",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/aanbod/{id}/geschiedenis",
            "/werk/kaart/aanbod/onbekend/geschiedenis",
            redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/aanbod/{id}/geschiedenis/{seq}",
            "/werk/kaart/aanbod/onbekend/geschiedenis/1",
            redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/aanbod/{id}/geschiedenis/{seq}/terugzetten",
            "/werk/kaart/aanbod/onbekend/geschiedenis/1/terugzetten",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/organisaties/{id}",
            "/werk/kaart/organisaties/onbekend",
            redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/organisaties/{id}",
            "/werk/kaart/organisaties/onbekend",
            redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/organisaties/{id}/geschiedenis",
            "/werk/kaart/organisaties/onbekend/geschiedenis",
            redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/organisaties/{id}/geschiedenis/{seq}",
            "/werk/kaart/organisaties/onbekend/geschiedenis/1",
            redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/organisaties/{id}/geschiedenis/{seq}/terugzetten",
            "/werk/kaart/organisaties/onbekend/geschiedenis/1/terugzetten",
            steunpunt_redacteur,
        ),
        row("GET", "/werk/kaart/tabel", "/werk/kaart/tabel", redacteur),
        row("POST", "/werk/kaart/tabel", "/werk/kaart/tabel", redacteur),
        row(
            "GET",
            "/werk/kaart/tabel/sociale-kaart.csv",
            "/werk/kaart/tabel/sociale-kaart.csv",
            redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/controle",
            "/werk/kaart/controle",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/indelingen",
            "/werk/kaart/indelingen",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/indelingen/{taxonomy}",
            taxonomy,
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/indelingen/{taxonomy}",
            taxonomy,
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/indelingen/{taxonomy}/nieuw",
            new_term,
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/indelingen/{taxonomy}/nieuw",
            new_term,
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/indelingen/{taxonomy}/termen/{term}",
            term,
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/indelingen/{taxonomy}/termen/{term}",
            term,
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/zoekwoorden",
            "/werk/kaart/zoekwoorden",
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/zoekwoorden/{list}",
            "/werk/kaart/zoekwoorden/synoniemen",
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/zoekwoorden/{list}/standaard",
            "/werk/kaart/zoekwoorden/synoniemen/standaard",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/voorstellen",
            "/werk/kaart/voorstellen",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/voorstellen/{id}",
            "/werk/kaart/voorstellen/v-onbekend",
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/voorstellen/{id}",
            "/werk/kaart/voorstellen/v-onbekend",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/meldingen",
            "/werk/kaart/meldingen",
            steunpunt_redacteur,
        ),
        row(
            "GET",
            "/werk/kaart/meldingen/{id}",
            "/werk/kaart/meldingen/m-onbekend",
            steunpunt_redacteur,
        ),
        row(
            "POST",
            "/werk/kaart/meldingen/{id}",
            "/werk/kaart/meldingen/m-onbekend",
            steunpunt_redacteur,
        ),
        // The municipality's figures.
        row("GET", "/werk/dashboard", "/werk/dashboard", only("beleid")),
        row(
            "GET",
            "/werk/dashboard/rapport",
            "/werk/dashboard/rapport",
            only("beleid"),
        ),
        row(
            "GET",
            "/werk/dashboard/{file}",
            "/werk/dashboard/signalen.csv",
            only("beleid"),
        ),
        // Signals: anyone signed in records and receives (for their own teams; unknown ids
        // are 404); the report is the beleidsmedewerker's.
        row("GET", "/werk/signalen", "/werk/signalen", signed_in),
        row(
            "GET",
            "/werk/signalen/nieuw",
            "/werk/signalen/nieuw",
            signed_in,
        ),
        row(
            "POST",
            "/werk/signalen/nieuw",
            "/werk/signalen/nieuw",
            signed_in,
        ),
        row(
            "GET",
            "/werk/signalen/{id}",
            "/werk/signalen/sig-onbekend",
            signed_in,
        ),
        row(
            "GET",
            "/werk/signalen/ontvangen",
            "/werk/signalen/ontvangen",
            signed_in,
        ),
        row(
            "POST",
            "/werk/signalen/ontvangen/groeperen",
            "/werk/signalen/ontvangen/groeperen",
            signed_in,
        ),
        row(
            "GET",
            "/werk/signalen/ontvangen/{id}",
            "/werk/signalen/ontvangen/sig-onbekend",
            signed_in,
        ),
        row(
            "POST",
            "/werk/signalen/ontvangen/{id}",
            "/werk/signalen/ontvangen/sig-onbekend",
            signed_in,
        ),
        row(
            "GET",
            "/werk/signalen/rapport",
            "/werk/signalen/rapport",
            only("beleid"),
        ),
        // Activities: the coördinator (the demo's consulent) only; the professionals' list for
        // every signed-in user.
        row(
            "GET",
            "/werk/activiteiten",
            "/werk/activiteiten",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/nieuw",
            "/werk/activiteiten/nieuw",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/nieuw",
            "/werk/activiteiten/nieuw",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/bereik",
            "/werk/activiteiten/bereik",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/{id}",
            "/werk/activiteiten/act-onbekend",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/{id}",
            "/werk/activiteiten/act-onbekend",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/{id}/volgend-jaar",
            "/werk/activiteiten/act-onbekend/volgend-jaar",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/{id}/datums/{key}",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/{id}/datums/{key}/aanwezig",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30/aanwezig",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/{id}/datums/{key}/vervalt",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30/vervalt",
            only("consulent"),
        ),
        row(
            "POST",
            "/werk/activiteiten/{id}/datums/{key}/verplaatsen",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30/verplaatsen",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/{id}/datums/{key}/deelnemers.csv",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30/deelnemers.csv",
            only("consulent"),
        ),
        row(
            "GET",
            "/werk/activiteiten/{id}/datums/{key}/bewijs/{registration}",
            "/werk/activiteiten/act-onbekend/datums/2027-03-16T09:30/bewijs/reg-onbekend",
            only("consulent"),
        ),
        row("GET", "/werk/scholing", "/werk/scholing", signed_in),
        row(
            "POST",
            "/werk/scholing/groep",
            "/werk/scholing/groep",
            signed_in,
        ),
        row(
            "GET",
            "/werk/scholing/{id}",
            "/werk/scholing/act-onbekend",
            signed_in,
        ),
        row(
            "POST",
            "/werk/scholing/{id}/aanmelden",
            "/werk/scholing/act-onbekend/aanmelden",
            signed_in,
        ),
        Row {
            ends_session: true,
            ..row("POST", "/uitloggen", "/uitloggen", signed_in)
        },
        Row {
            ends_session: true,
            ..row("POST", "/uitloggen/overal", "/uitloggen/overal", signed_in)
        },
    ]
}

/// (method, path) of every route the web crate registers with `.route(…)` outside its tests.
fn routes_in_sources() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap();
            for call in text.split(".route(").skip(1) {
                let Some(route) = call.split('"').nth(1) else {
                    continue;
                };
                // The handlers of this call: up to the next builder step.
                let end = [".route(", ".layer(", ".merge(", ".fallback("]
                    .iter()
                    .filter_map(|m| call.find(m))
                    .min()
                    .unwrap_or(call.len());
                let handlers = &call[..end];
                for (method, marker) in [("GET", "get("), ("POST", "post(")] {
                    if handlers.contains(marker) {
                        found.insert((method.to_string(), route.to_string()));
                    }
                }
            }
        }
    }
    found
}

async fn routes_of_the_api(app: &TestApp) -> BTreeSet<(String, String)> {
    let doc = app.get("/api/openapi.json").await.json();
    let mut found = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            found.insert((method.to_uppercase(), path.clone()));
        }
    }
    found
}

fn outcome(status: StatusCode, location: Option<&str>) -> Expect {
    if status == StatusCode::FORBIDDEN {
        Forbidden
    } else if status == StatusCode::SEE_OTHER
        && location.is_some_and(|l| l.starts_with("/inloggen?terug="))
    {
        SignIn
    } else {
        Allowed
    }
}

async fn browser_for(app: &TestApp, who: Option<&str>) -> Browser {
    let b = app.browser();
    if let Some(user) = who {
        sign_in_demo(&b, user).await;
    }
    b
}

/// A form token of this browser's session.
async fn token(b: &Browser, who: Option<&str>) -> String {
    let page = b
        .get(if who.is_some() { "/werk" } else { "/inloggen" })
        .await;
    csrf(&page.body)
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    // Every browser here comes from one address: no budgets for it.
    let web = kapstok_web::state::WebConfig {
        writes_per_minute: 100_000,
        sign_in_attempts: 100_000,
        contact_requests: 100_000,
        ..Default::default()
    };
    let app = TestApp::init()
        .with_demo()
        .with_web_config(web)
        .build()
        .await;
    let table = table();
    let listed: BTreeSet<(String, String)> = table
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    let mut existing = routes_in_sources();
    existing.extend(routes_of_the_api(&app).await);
    let unlisted: Vec<_> = existing.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "routes the table does not list: {unlisted:?}"
    );
    let gone: Vec<_> = listed.difference(&existing).collect();
    assert!(
        gone.is_empty(),
        "the table lists routes that do not exist: {gone:?}"
    );

    // Each demo account's own team, and a team it is not in.
    let users = app.store.users().await.unwrap();
    let teams = app.store.teams().await.unwrap();
    let team_of = |who: Option<&str>, case: TeamCase| -> String {
        let mine: Vec<String> = who
            .and_then(|w| {
                users
                    .iter()
                    .find(|u| u.email.as_str() == format!("{w}@demo.kapstok.nl"))
            })
            .map(|u| u.memberships.iter().map(|m| m.team.to_string()).collect())
            .unwrap_or_default();
        match case {
            TeamCase::Own if !mine.is_empty() => mine[0].clone(),
            // A visitor has no team: any will do.
            _ => teams
                .iter()
                .map(|t| t.id.to_string())
                .find(|t| !mine.contains(t))
                .expect("a team the user is not in"),
        }
    };
    let mut failures = Vec::new();
    for who in ACTORS {
        let mut b = browser_for(&app, who).await;
        for r in &table {
            let cases: &[TeamCase] = if r.team_bound {
                &[TeamCase::Own, TeamCase::Other]
            } else {
                &[TeamCase::NotBound]
            };
            for &case in cases {
                let url = if r.team_bound {
                    r.example.replace("{team}", &team_of(who, case))
                } else {
                    r.example.to_string()
                };
                let reply = if r.method == "GET" {
                    b.get(&url).await
                } else {
                    let t = token(&b, who).await;
                    b.post(&url, &[("csrf", &t)]).await
                };
                let got = outcome(
                    reply.status,
                    reply.headers.get("location").and_then(|v| v.to_str().ok()),
                );
                let want = (r.expect)(who, case);
                if got != want {
                    failures.push(format!(
                        "{} {url} as {} ({case:?}): {got:?} ({}), expected {want:?}",
                        r.method,
                        who.unwrap_or("visitor"),
                        reply.status
                    ));
                }
                assert!(
                    !reply.status.is_server_error(),
                    "{} {url} as {who:?}: {}",
                    r.method,
                    reply.status
                );
            }
            // Signed out: in again for the rows after (the end-session rows come last, as a
            // demo account can sign in only twice within one 30-second code).
            if r.ends_session && !std::ptr::eq(r, table.last().unwrap()) {
                b = browser_for(&app, who).await;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
