//! The beheerder's pages, the outbox and real SMTP, password reset, and the access log as the
//! functionaris gegevensbescherming and a user see it, through the real router.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, Browser, TestApp, csrf, location};
use axum::http::StatusCode;

/// The link in a mail body.
fn link_in(body: &str, path: &str) -> String {
    let start = body
        .find(path)
        .unwrap_or_else(|| panic!("no {path} link in: {body}"));
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// The newest mail on the outbox page, as text.
async fn newest_mail(b: &Browser) -> String {
    let page = b.get("/beheer/mail").await;
    assert_eq!(page.status, StatusCode::OK);
    page.body
        .split("<article class=\"mail\">")
        .nth(1)
        .unwrap_or_else(|| panic!("no mail: {}", page.body))
        .split("</article>")
        .next()
        .unwrap()
        .replace("&#x2F;", "/")
        .replace("&#x3D;", "=")
}

async fn team_field(b: &Browser, team: &str, role: &str) -> String {
    let page = b.get("/beheer/teams").await;
    let team_id = page
        .body
        .split("href=\"/beheer/teams/")
        .skip(1)
        .find(|c| c.split('<').next().unwrap().contains(team))
        .unwrap_or_else(|| panic!("no team {team}"))
        .split('"')
        .next()
        .unwrap()
        .to_string();
    format!("r-{team_id}-{role}")
}

#[tokio::test]
async fn a_beheerder_invites_a_colleague_changes_roles_and_deactivates() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = app.browser();
        sign_in_demo(&b, "beheerder").await;
        let page = b.get("/beheer/gebruikers").await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}");
        assert!(page.body.contains("Carla Consulent (demo)"));
        let token = csrf(&page.body);
        let field = team_field(&b, "Sociaal Wijkteam De Velden", "teamlid").await;

        // Bad input: a message in Dutch, the form kept, nothing made.
        for (email, name, role, message) in [
            (
                "geen-adres",
                "Nina",
                Some(field.as_str()),
                "geldig e-mailadres",
            ),
            (
                "nina@wijkteam.nl",
                "",
                Some(field.as_str()),
                "Vul een naam in",
            ),
            ("nina@wijkteam.nl", "Nina", None, "minstens één rol"),
            (
                "poh@demo.kapstok.nl",
                "Petra",
                Some(field.as_str()),
                "al een account",
            ),
        ] {
            let mut fields = vec![("csrf", token.as_str()), ("email", email), ("name", name)];
            if let Some(r) = role {
                fields.push((r, "1"));
            }
            let r = b.post("/beheer/gebruikers", &fields).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{email}/{name}");
            assert!(r.body.contains(message), "{message}: {}", r.body);
        }
        let r = b
            .post(
                "/beheer/gebruikers",
                &[
                    ("csrf", &token),
                    ("email", "Nina@Wijkteam.nl"),
                    ("name", "Nina Nieuw"),
                    (&field, "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("staat bij Uitgaande mail"),
            "no SMTP here: {}",
            r.body
        );

        // The mail is in the outbox; its link works once.
        let mail = newest_mail(&b).await;
        assert!(
            mail.contains("nina@wijkteam.nl") && mail.contains("Beste Nina Nieuw"),
            "{mail}"
        );
        let link = link_in(&mail, "http://kapstok.test/uitnodiging/");
        let path = link.trim_start_matches("http://kapstok.test");
        let nina = app.browser();
        let page = nina.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let r = nina
            .post(
                path,
                &[
                    ("csrf", &csrf(&page.body)),
                    ("password", "nina kiest een zin"),
                    ("password2", "nina kiest een zin"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/inloggen?welkom=1");

        // Roles in teams: the user's page shows and changes them.
        let list = b.get("/beheer/gebruikers").await;
        let nina_href = list
            .body
            .split("href=\"/beheer/gebruikers/")
            .skip(1)
            .find(|c| c.contains("Nina Nieuw"))
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let user_path = format!("/beheer/gebruikers/{nina_href}");
        let page = b.get(&user_path).await;
        assert!(
            page.body.contains(&format!(
                "id=\"{field}\" name=\"{field}\" value=\"1\" checked"
            )),
            "{}",
            page.body
        );
        let verwijzer = field.replace("-teamlid", "-verwijzer");
        let r = b
            .post(&user_path, &[("csrf", &token), (&verwijzer, "1")])
            .await;
        assert_eq!(location(&r), format!("{user_path}?klaar=rollen"));
        let page = b.get(&location(&r)).await;
        assert!(page.body.contains("De rollen zijn opgeslagen"));
        assert!(
            page.body
                .contains(&format!("name=\"{verwijzer}\" value=\"1\" checked"))
        );
        let r = b.post(&user_path, &[("csrf", &token)]).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "no roles at all is refused"
        );

        // Deactivating ends Nina's session at once.
        let page = nina.get("/inloggen").await;
        let r = nina
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "nina@wijkteam.nl"),
                    ("password", "nina kiest een zin"),
                ],
            )
            .await;
        assert_eq!(
            location(&r),
            "/inloggen/instellen",
            "a verwijzer sets up two factors"
        );
        let r = b
            .post(&format!("{user_path}/deactiveren"), &[("csrf", &token)])
            .await;
        assert_eq!(location(&r), format!("{user_path}?klaar=gedeactiveerd"));
        assert!(b.get(&user_path).await.body.contains("gedeactiveerd"));
        let r = nina.get("/inloggen/instellen").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "a pending sign-in has no session to end yet"
        );
        let page = nina.get("/inloggen").await;
        let r = nina
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "nina@wijkteam.nl"),
                    ("password", "nina kiest een zin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "deactivated: no sign-in");
        let r = b
            .post(&format!("{user_path}/activeren"), &[("csrf", &token)])
            .await;
        assert_eq!(location(&r), format!("{user_path}?klaar=geactiveerd"));

        // A beheerder cannot lock themselves out.
        let list = b.get("/beheer/gebruikers").await;
        let own = list
            .body
            .split("href=\"/beheer/gebruikers/")
            .skip(1)
            .find(|c| c.contains("Bea Beheer"))
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = b
            .post(
                &format!("/beheer/gebruikers/{own}"),
                &[("csrf", &token), (&field, "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("eigen rol als beheerder"));
        let r = b
            .post(
                &format!("/beheer/gebruikers/{own}/deactiveren"),
                &[("csrf", &token)],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            b.get("/beheer/gebruikers/u-bestaat-niet").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            b.get("/beheer/gebruikers/%3Cscript%3E").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn teams_and_areas_are_kept_from_their_pages() {
    let app = TestApp::init().with_demo().build().await;
    let b = app.browser();
    sign_in_demo(&b, "beheerder").await;
    let page = b.get("/beheer/teams").await;
    let token = csrf(&page.body);
    let r = b
        .post(
            "/beheer/teams",
            &[("csrf", &token), ("name", "Gemeente Emmen")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("al een team met deze naam"));
    let r = b
        .post("/beheer/teams", &[("csrf", &token), ("name", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = b
        .post(
            "/beheer/teams",
            &[("csrf", &token), ("name", "Welzijn De Monden")],
        )
        .await;
    let team = location(&r);
    assert!(team.starts_with("/beheer/teams/team-"), "{team}");
    let r = b
        .post(
            &team,
            &[
                ("csrf", &token),
                ("area", "de-monden"),
                ("area", "bestaat-niet"),
            ],
        )
        .await;
    assert_eq!(location(&r), format!("{team}?klaar=1"));
    let page = b.get(&location(&r)).await;
    assert!(
        page.body.contains("value=\"de-monden\" checked"),
        "{}",
        page.body
    );
    assert!(b.get("/beheer/teams").await.body.contains("De Monden"));

    // Areas from CSV: a broken file changes nothing, a good one replaces them all.
    let page = b.get("/beheer/gebieden").await;
    assert!(page.body.contains("Emmen-Noord"));
    let r = b
        .post(
            "/beheer/gebieden",
            &[
                ("csrf", &token),
                (
                    "csv",
                    "area_code,area_name,municipality,postcode\nnoord,Noord,Emmen,abcd\n",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("regel 2") && r.body.contains("niets veranderd"),
        "{}",
        r.body
    );
    let r = b
        .post(
            "/beheer/gebieden",
            &[
                ("csrf", &token),
                ("csv", "area_code,area_name,municipality,postcode\n"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        b.get("/beheer/gebieden").await.body.contains("Emmen-Noord"),
        "unchanged"
    );
    let csv = "area_code,area_name,municipality,postcode\nnoord,Emmen Noord en Oost,Emmen,7811\nnoord,Emmen Noord en Oost,Emmen,7812\nzuid,Emmen Zuid,Emmen,7823\n";
    let r = b
        .post("/beheer/gebieden", &[("csrf", &token), ("csv", csv)])
        .await;
    assert_eq!(location(&r), "/beheer/gebieden?klaar=1");
    let page = b.get("/beheer/gebieden?klaar=1").await;
    assert!(
        page.body.contains("Emmen Noord en Oost") && !page.body.contains("Emmen-Noord"),
        "{}",
        page.body
    );
    // The public site shows the new areas at once.
    assert!(
        app.get("/gebieden")
            .await
            .body
            .contains("Emmen Noord en Oost")
    );
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_without_telling_who_has_an_account() {
    let app = TestApp::init().with_demo().build().await;
    // Signed in elsewhere before the reset: that session ends with the new password.
    let elsewhere = app.browser();
    sign_in_demo(&elsewhere, "redactie").await;
    assert_eq!(elsewhere.get("/werk").await.status, StatusCode::OK);
    let b = app.browser();
    let page = b.get("/wachtwoord-vergeten").await;
    let token = csrf(&page.body);
    let known = b
        .post(
            "/wachtwoord-vergeten",
            &[("csrf", &token), ("email", "redactie@demo.kapstok.nl")],
        )
        .await;
    let unknown = b
        .post(
            "/wachtwoord-vergeten",
            &[("csrf", &token), ("email", "niemand@demo.kapstok.nl")],
        )
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let said = |body: &str| {
        body.split("role=\"status\">")
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert!(!said(&known.body).is_empty());
    assert_eq!(said(&known.body), said(&unknown.body), "the same answer");
    let bad = b
        .post(
            "/wachtwoord-vergeten",
            &[("csrf", &token), ("email", "geen adres")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let admin = app.browser();
    sign_in_demo(&admin, "beheerder").await;
    let mail = newest_mail(&admin).await;
    assert!(
        mail.contains("redactie@demo.kapstok.nl") && mail.contains("1 uur geldig"),
        "{mail}"
    );
    let link = link_in(&mail, "http://kapstok.test/herstel/");
    let path = link.trim_start_matches("http://kapstok.test");
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Nieuw wachtwoord kiezen"));
    let r = b
        .post(
            path,
            &[
                ("csrf", &csrf(&page.body)),
                ("password", "1qaz2wsx3edc"),
                ("password2", "1qaz2wsx3edc"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "common");
    let r = b
        .post(
            path,
            &[
                ("csrf", &csrf(&page.body)),
                ("password", "een nieuw redactiewachtwoord"),
                ("password2", "een nieuw redactiewachtwoord"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/inloggen?hersteld=1");
    assert_eq!(b.get(path).await.status, StatusCode::GONE, "used");
    assert_eq!(
        elsewhere.get("/werk").await.status,
        StatusCode::SEE_OTHER,
        "ended"
    );
    let page = b.get("/inloggen?hersteld=1").await;
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "redactie@demo.kapstok.nl"),
                ("password", kapstok_demo::accounts::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "the old password is gone"
    );
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "redactie@demo.kapstok.nl"),
                ("password", "een nieuw redactiewachtwoord"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/werk");
}

#[tokio::test]
async fn the_privacy_officer_filters_and_exports_the_log_and_looking_is_logged() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        // Something to find: a refused sign-in, and the beheerder at work.
        let other = app.browser();
        let page = other.get("/inloggen").await;
        other
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "poh@demo.kapstok.nl"),
                    ("password", "verkeerd verkeerd"),
                ],
            )
            .await;
        let admin = app.browser();
        sign_in_demo(&admin, "beheerder").await;
        admin.get("/beheer/mail").await;

        let fg = app.browser();
        sign_in_demo(&fg, "privacy").await;
        let page = fg.get("/toegangslog").await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}: {}", page.body);
        assert!(
            page.body.contains("nee, geweigerd"),
            "the refused sign-in is listed"
        );
        assert!(
            page.body.contains("Bea Beheer (demo)"),
            "who acted, by name"
        );
        let refused = fg.get("/toegangslog?actie=sign_in").await;
        assert!(
            refused.body.contains("aanmelden") && !refused.body.contains("<td>bekeken</td>"),
            "{}",
            refused.body
        );
        let today = time::OffsetDateTime::now_utc().date().to_string();
        let period = fg
            .get(&format!("/toegangslog?van={today}&tot={today}"))
            .await;
        assert_eq!(period.status, StatusCode::OK);
        let none = fg.get("/toegangslog?van=2020-01-01&tot=2020-01-02").await;
        assert!(
            none.body.contains(">0 regels<") || none.body.contains("0 regels"),
            "{}",
            none.body
        );
        let bad = fg.get("/toegangslog?van=gisteren&actie=weggooien").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("2026-12-01") && bad.body.contains("Onbekende handeling"));

        let csv = fg.get("/toegangslog/export?actie=sign_in").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            csv.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("toegangslog.csv")
        );
        let mut lines = csv.body.lines();
        assert_eq!(
            lines.next().unwrap(),
            "seq,at,user_id,user_role,team_id,on_behalf_of,action,record_kind,record_id,person,origin,permitted,hash"
        );
        assert!(lines.clone().count() >= 3, "{}", csv.body);
        assert!(lines.all(|l| l.contains(",sign_in,")), "{}", csv.body);
        assert_eq!(
            fg.get("/toegangslog/export?van=morgen").await.status,
            StatusCode::BAD_REQUEST
        );

        // Looking and exporting are in the log, as the privacy officer, about the log.
        let page = fg.get("/toegangslog?actie=export").await;
        assert!(
            page.body.contains("geëxporteerd") && page.body.contains("toegangslog: action=sign_in"),
            "{}",
            page.body
        );
        let page = fg.get("/toegangslog?actie=view").await;
        assert!(
            page.body.contains("Functionaris gegevensbescherming")
                && page.body.contains("toegangslog: all"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("mail: outbox"),
            "the beheerder's look at the outbox"
        );

        // A user's own page: what they did.
        let own = admin.get("/werk/activiteit").await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(
            own.body.contains("aanmelden") && own.body.contains("mail: outbox"),
            "{}",
            own.body
        );
    }
}

/// Mail through a real SMTP server (Python's aiosmtpd, as `.ci/run` installs it), read back
/// from its mailbox; and a server that is not there: the mail stays in the outbox, unsent.
#[tokio::test]
async fn invitations_go_out_over_smtp() {
    let server = crate::support::smtp::Smtp::start();
    let mail = server.config();
    let app = TestApp::init().with_demo().with_mail(mail).build().await;
    let b = app.browser();
    sign_in_demo(&b, "beheerder").await;
    let page = b.get("/beheer/gebruikers").await;
    let field = team_field(&b, "Zorgloket gemeente Emmen", "verwijzer").await;
    let r = b
        .post(
            "/beheer/gebruikers",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "wmo@emmen.test"),
                ("name", "Willem Wmo"),
                (&field, "1"),
            ],
        )
        .await;
    assert!(
        r.body.contains("De mail is verstuurd"),
        "{}",
        r.body.split("<main").nth(1).unwrap_or(&r.body)
    );
    let arrived = server.wait_for(1).await;
    drop(server);
    assert_eq!(arrived.len(), 1, "one mail arrived");
    let raw = &arrived[0];
    assert!(
        raw.contains("To: wmo@emmen.test")
            && raw.contains("From: \"Kapstok Emmen\" <kapstok@emmen.test>")
            || raw.contains("From: Kapstok Emmen <kapstok@emmen.test>"),
        "{raw}"
    );
    assert!(
        raw.contains("Subject: ") && raw.contains("http://kapstok.test/uitnodiging/"),
        "{raw}"
    );
    let kept = newest_mail(&b).await;
    assert!(
        kept.contains("wmo@emmen.test") && kept.contains("verstuurd"),
        "{kept}"
    );

    // The server is gone now: the next mail is kept, unsent, and the page says so.
    let page = b.get("/beheer/gebruikers").await;
    let r = b
        .post(
            "/beheer/gebruikers",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "wmo2@emmen.test"),
                ("name", "Wanda Wmo"),
                (&field, "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("nam de mail niet aan"), "{}", r.body);
    let kept = newest_mail(&b).await;
    assert!(
        kept.contains("wmo2@emmen.test") && kept.contains("alleen hier bewaard"),
        "{kept}"
    );
}
