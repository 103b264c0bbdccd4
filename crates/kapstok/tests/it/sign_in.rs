//! Signing in as a user does it, through the real router: password, second factor, setting one
//! up from an invitation, recovery codes, throttling, links that expired or were used, sessions
//! that end (sign out, everywhere, deactivation), and refused forms from elsewhere.

use crate::support::{Backend, Browser, TestApp, csrf, location};
use axum::http::StatusCode;
use kapstok_app::{AccountAdmin, Actor};
use kapstok_domain::account::{Membership, Role};
use kapstok_store::LinkPurpose;

const DEMO_PASSWORD: &str = kapstok_demo::accounts::DEMO_PASSWORD;

/// The demo's code for an account, as its sign-in page shows it.
fn shown_code(html: &str) -> String {
    html.split("<strong><code>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("no demo code on the page: {html}"))
        .to_string()
}

/// Signs in a demo account all the way.
pub async fn sign_in_demo(b: &Browser, user: &str) {
    let page = b.get("/inloggen").await;
    let email = format!("{user}@demo.kapstok.nl");
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", &email),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    if location(&r) == "/inloggen/code" {
        let page = b.get("/inloggen/code").await;
        let r = b
            .post(
                "/inloggen/code",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("code", &shown_code(&page.body)),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
}

/// The TOTP key as the setup page shows it for typing in (in groups of four).
fn shown_secret(html: &str) -> String {
    html.split("class=\"secret\"><code>")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("no key on the page: {html}"))
        .split_whitespace()
        .collect()
}

fn admin(app: &TestApp) -> AccountAdmin {
    AccountAdmin::grant(app.store.clone(), &Actor::console_operator()).unwrap()
}

#[tokio::test]
async fn a_demo_user_signs_in_with_two_factors_and_out_again() {
    let app = TestApp::init().with_demo().build().await;
    let b = app.browser();
    // A signed-in page sends a visitor to the sign-in page and back afterwards.
    let r = b.get("/werk").await;
    assert_eq!(location(&r), "/inloggen?terug=%2Fwerk");
    let page = b.get("/inloggen?terug=%2Fwerk").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("beheerder@demo.kapstok.nl") && page.body.contains(DEMO_PASSWORD),
        "the demo names its accounts"
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    let before = b
        .cookie("kapstok_sessie")
        .expect("a session for the form token");
    let token = csrf(&page.body);

    // A wrong password: one answer for everything, the address kept, the password not.
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "beheerder@demo.kapstok.nl"),
                ("password", "fout wachtwoord!"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body
            .contains("Inloggen lukt niet met dit e-mailadres en wachtwoord"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"beheerder@demo.kapstok.nl\"")
            && !r.body.contains("fout wachtwoord")
    );
    let unknown = b
        .post(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "niemand@demo.kapstok.nl"),
                ("password", "fout wachtwoord!"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let message = |body: &str| {
        body.split("role=\"alert\"")
            .nth(1)
            .unwrap_or("")
            .split("</div>")
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        message(&unknown.body),
        message(&r.body),
        "an unknown address gets the same answer"
    );

    // The right password: the second step, under a new session id.
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "Beheerder@Demo.Kapstok.nl"),
                ("password", DEMO_PASSWORD),
                ("terug", "/werk"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/inloggen/code");
    assert_ne!(b.cookie("kapstok_sessie").unwrap(), before, "id rotated");
    assert_eq!(
        b.get("/werk").await.status,
        StatusCode::SEE_OTHER,
        "not signed in before the code"
    );
    let page = b.get("/inloggen/code").await;
    let code = shown_code(&page.body);
    assert_eq!(code.len(), 6);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = b
        .post(
            "/inloggen/code",
            &[("csrf", &csrf(&page.body)), ("code", wrong)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("klopt niet"), "{}", r.body);
    let r = b
        .post(
            "/inloggen/code",
            &[("csrf", &csrf(&page.body)), ("code", &code)],
        )
        .await;
    assert_eq!(location(&r), "/werk");
    let home = b.get("/werk").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.body.contains("Bea Beheer (demo)")
            && home.body.contains("Beheerder, <a href=\"/werk/teams/")
            && home.body.contains(">Gemeente Emmen</a>")
    );
    assert_eq!(home.headers["cache-control"], "no-store");
    let set = home.headers["set-cookie"].to_str().unwrap().to_string();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1800"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http here: {set}");

    // The same code again, in another browser: a code counts once.
    let other = app.browser();
    let page = other.get("/inloggen").await;
    other
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "beheerder@demo.kapstok.nl"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    let page = other.get("/inloggen/code").await;
    let r = other
        .post(
            "/inloggen/code",
            &[("csrf", &csrf(&page.body)), ("code", &code)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a replayed code is refused"
    );

    // Signing out ends the session: its cookie no longer signs anyone in.
    let signed_in_cookie = b.cookie("kapstok_sessie").unwrap();
    let r = b.post("/uitloggen", &[("csrf", &csrf(&home.body))]).await;
    assert_eq!(location(&r), "/inloggen?afgemeld=1");
    let again = app.browser();
    again.set_cookie("kapstok_sessie", &signed_in_cookie);
    assert_eq!(again.get("/werk").await.status, StatusCode::SEE_OTHER);
    assert!(
        b.get("/inloggen?afgemeld=1")
            .await
            .body
            .contains("U bent uitgelogd")
    );
}

#[tokio::test]
async fn an_invited_colleague_chooses_a_password_and_sets_up_two_factors() {
    for backend in Backend::ALL {
        let app = TestApp::init().with_backend(backend).build().await;
        let admin = admin(&app);
        let team = admin
            .team_named("Sociaal Wijkteam De Velden")
            .await
            .unwrap();
        let invited = admin
            .add_user(
                "wim@wijkteam.nl",
                "Wim Wijkteam",
                vec![Membership {
                    team,
                    role: Role::Verwijzer,
                }],
            )
            .await
            .unwrap()
            .unwrap();
        let b = app.browser();
        let link = format!("/uitnodiging/{}", invited.token);
        let page = b.get(&link).await;
        assert_eq!(page.status, StatusCode::OK, "{backend:?}: {}", page.body);
        assert!(page.body.contains("Welkom, Wim Wijkteam"));
        let token = csrf(&page.body);
        for (password, again, message) in [
            ("kort", "kort", "te kort"),
            ("1qaz2wsx3edc", "1qaz2wsx3edc", "veel gebruikt"),
            (
                "wim@wijkteam.nl",
                "wim@wijkteam.nl",
                "e-mailadres is geen goed wachtwoord",
            ),
            ("een heel goede zin", "een andere zin", "niet gelijk"),
        ] {
            let r = b
                .post(
                    &link,
                    &[
                        ("csrf", &token),
                        ("password", password),
                        ("password2", again),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{password}");
            assert!(r.body.contains(message), "{password}: {}", r.body);
        }
        let r = b
            .post(
                &link,
                &[
                    ("csrf", &token),
                    ("password", " een heel goede zin "),
                    ("password2", " een heel goede zin "),
                ],
            )
            .await;
        assert_eq!(location(&r), "/inloggen?welkom=1", "{}", r.body);
        // Used once; after that the link does not work.
        let used = b.get(&link).await;
        assert_eq!(used.status, StatusCode::GONE);
        assert!(used.body.contains("Deze link werkt niet"));
        assert_eq!(
            b.get("/uitnodiging/niet-eens-een-token").await.status,
            StatusCode::GONE
        );

        // First sign-in: the password (with its spaces), then setting up the second factor.
        let page = b.get("/inloggen?welkom=1").await;
        assert!(page.body.contains("Uw wachtwoord is ingesteld"));
        let r = b
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "wim@wijkteam.nl"),
                    ("password", "een heel goede zin"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "the spaces belong to the password"
        );
        let r = b
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "wim@wijkteam.nl"),
                    ("password", " een heel goede zin "),
                ],
            )
            .await;
        assert_eq!(location(&r), "/inloggen/instellen");
        assert_eq!(
            location(&b.get("/inloggen/code").await),
            "/inloggen/instellen"
        );
        let setup = b.get("/inloggen/instellen").await;
        assert!(
            setup.body.contains("<svg") && setup.body.contains("authenticator"),
            "{}",
            setup.body
        );
        let secret = shown_secret(&setup.body);
        assert_eq!(secret.len(), 32, "{secret}");
        let again = b.get("/inloggen/instellen").await;
        assert_eq!(
            shown_secret(&again.body),
            secret,
            "the same secret on a reload"
        );
        let r = b
            .post(
                "/inloggen/instellen",
                &[("csrf", &csrf(&setup.body)), ("code", "123")],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let code = kapstok_app::accounts::current_code(&secret, "wim@wijkteam.nl").unwrap();
        let r = b
            .post(
                "/inloggen/instellen",
                &[("csrf", &csrf(&setup.body)), ("code", &code)],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let codes: Vec<String> = r
            .body
            .split("<li><code>")
            .skip(1)
            .map(|c| c.split('<').next().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 10, "{}", r.body);
        let home = b.get("/werk").await;
        assert!(
            home.body.contains(">Sociaal Wijkteam De Velden</a>")
                && home.body.contains("Verwijzer, <a")
                && home.body.contains("herstelcodes: 10"),
            "{}",
            home.body
        );

        // Signing out everywhere; then a recovery code instead of the phone, once.
        let r = b
            .post("/uitloggen/overal", &[("csrf", &csrf(&home.body))])
            .await;
        assert_eq!(location(&r), "/inloggen?afgemeld=1");
        for (n, expect) in [(0, StatusCode::SEE_OTHER), (1, StatusCode::BAD_REQUEST)] {
            let b = app.browser();
            let page = b.get("/inloggen").await;
            let r = b
                .post(
                    "/inloggen",
                    &[
                        ("csrf", &csrf(&page.body)),
                        ("email", "wim@wijkteam.nl"),
                        ("password", " een heel goede zin "),
                    ],
                )
                .await;
            assert_eq!(location(&r), "/inloggen/code");
            let page = b.get("/inloggen/code").await;
            assert!(
                !page.body.contains("Demo:"),
                "no codes shown outside the demo"
            );
            let r = b
                .post(
                    "/inloggen/code",
                    &[
                        ("csrf", &csrf(&page.body)),
                        ("code", &codes[0].to_uppercase()),
                    ],
                )
                .await;
            assert_eq!(r.status, expect, "recovery code, use {n}");
        }
        let b2 = app.browser();
        let page = b2.get("/inloggen").await;
        b2.post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "wim@wijkteam.nl"),
                ("password", " een heel goede zin "),
            ],
        )
        .await;
        let page = b2.get("/inloggen/code").await;
        let r = b2
            .post(
                "/inloggen/code",
                &[("csrf", &csrf(&page.body)), ("code", &codes[1])],
            )
            .await;
        assert_eq!(location(&r), "/werk");
        assert!(b2.get("/werk").await.body.contains("herstelcodes: 8"));
    }
}

#[tokio::test]
async fn failures_pause_an_account_and_an_address_and_forms_from_elsewhere_are_refused() {
    let app = TestApp::init().with_demo().build().await;
    let b = app.browser();
    let page = b.get("/inloggen").await;
    let token = csrf(&page.body);
    let attempt = |password: &'static str| {
        let token = token.clone();
        let b = &b;
        async move {
            b.post(
                "/inloggen",
                &[
                    ("csrf", &token),
                    ("email", "redactie@demo.kapstok.nl"),
                    ("password", password),
                ],
            )
            .await
            .status
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("helemaal verkeerd").await, StatusCode::BAD_REQUEST);
    }
    // Paused: the right password does not help for a quarter of an hour.
    assert_eq!(attempt(DEMO_PASSWORD).await, StatusCode::BAD_REQUEST);
    // The address has used its ten attempts at once: it waits too, whatever the account.
    for _ in 0..4 {
        attempt("helemaal verkeerd").await;
    }
    let r = b
        .post(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "beleid@demo.kapstok.nl"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("te vaak"));

    // No token, or another session's: refused, nothing happens. (A new app: in these tests
    // every browser comes from the same address, which has used its attempts.)
    let app = TestApp::init().with_demo().build().await;
    let fresh = app.browser();
    let r = fresh
        .post(
            "/inloggen",
            &[
                ("email", "beleid@demo.kapstok.nl"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    fresh.get("/inloggen").await;
    let r = fresh
        .post(
            "/inloggen",
            &[
                ("csrf", &token),
                ("email", "beleid@demo.kapstok.nl"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another session's token");
    // A role without personal data signs in with the password alone.
    let page = fresh.get("/inloggen").await;
    let r = fresh
        .post(
            "/inloggen",
            &[
                ("csrf", &csrf(&page.body)),
                ("email", "beleid@demo.kapstok.nl"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(location(&r), "/werk");
    let home = fresh.get("/werk").await;
    assert!(home.body.contains("Tweestapsverificatie staat uit"));
    let r = fresh.post("/uitloggen", &[("csrf", "0000")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        fresh.get("/werk").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

#[tokio::test]
async fn a_deactivated_users_session_ends_at_once_and_expired_links_are_refused() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = app.browser();
        sign_in_demo(&b, "wijkteam").await;
        assert_eq!(b.get("/werk").await.status, StatusCode::OK);
        let admin = admin(&app);
        let wim = admin
            .users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.email.as_str() == "wijkteam@demo.kapstok.nl")
            .unwrap();
        admin.deactivate(&wim.id).await.unwrap();
        assert_eq!(
            location(&b.get("/werk").await),
            "/inloggen?terug=%2Fwerk",
            "{backend:?}"
        );
        // Nor can they sign in again.
        let page = b.get("/inloggen").await;
        let r = b
            .post(
                "/inloggen",
                &[
                    ("csrf", &csrf(&page.body)),
                    ("email", "wijkteam@demo.kapstok.nl"),
                    ("password", DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // A link past its 72 hours.
        let old = "ab".repeat(32);
        let mut e = kapstok_domain::audit::NewEntry::new(
            "2026-01-01T00:00:00.000Z".into(),
            kapstok_domain::audit::Action::Create,
            kapstok_domain::audit::RecordKind::Account,
            true,
        );
        e.user_role = Some("operator".into());
        let poh = admin
            .users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.email.as_str() == "poh@demo.kapstok.nl")
            .unwrap();
        app.store
            .create_link(
                &kapstok_app::accounts::secret_hash(&old),
                &poh.id,
                LinkPurpose::Invitation,
                1_000,
                &e,
            )
            .await
            .unwrap();
        assert_eq!(
            b.get(&format!("/uitnodiging/{old}")).await.status,
            StatusCode::GONE
        );
        // The absolute term: a session from 13 hours ago is over whatever happened since.
        let since = time::OffsetDateTime::now_utc().unix_timestamp() - 13 * 3600;
        assert!(
            app.state
                .app()
                .signed_in(&poh.id, since, "127.0.0.1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            app.state
                .app()
                .signed_in(&poh.id, since + 2 * 3600, "127.0.0.1")
                .await
                .unwrap()
                .is_some()
        );
    }
}

/// The real program at the most verbose log level: signing in (password, code) and an
/// invitation leave no address, password, code, session id, form token or link in its log.
#[test]
fn nothing_personal_or_secret_reaches_the_logs_when_signing_in() {
    use crate::support::raw_http;
    let dir = tempfile::tempdir().unwrap();
    let k = crate::support::Kapstok::new(dir.path());
    let invite = k.run(&[
        "user",
        "add",
        "--email",
        "nieuw@emmen.nl",
        "--name",
        "Nieuwe Collega",
        "--role",
        "teamlid",
        "--team",
        "Steunpunt",
    ]);
    assert!(invite.ok, "{}", invite.stderr);
    let link_token = invite.stdout.rsplit('/').next().unwrap().trim().to_string();
    let mut command = k.command(&["serve", "--listen", "127.0.0.1:0"]);
    command
        .env("RUST_LOG", "trace")
        .stderr(std::fs::File::create(dir.path().join("log.txt")).unwrap());
    let mut server = crate::support::binary::start(command);
    let addr = server.addr.clone();
    let header = |response: &str, name: &str| -> Option<String> {
        response
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .map(|l| l.split_once(':').unwrap().1.trim().to_string())
    };
    let get = |path: &str, cookie: &str| {
        raw_http(
            &addr,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            ),
        )
    };
    let post = |path: &str, cookie: &str, body: &str| {
        raw_http(
            &addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nSec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let cookie_of = |response: &str| {
        header(response, "set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let page = get("/inloggen", "");
    let mut cookie = cookie_of(&page);
    let token = csrf(&page);
    let email = "beheerder%40demo.kapstok.nl";
    let r = post(
        "/inloggen",
        &cookie,
        &format!("csrf={token}&email={email}&password={DEMO_PASSWORD}"),
    );
    assert!(r.starts_with("HTTP/1.1 303"), "{r}");
    cookie = cookie_of(&r);
    let page = get("/inloggen/code", &cookie);
    let code = shown_code(&page);
    let r = post(
        "/inloggen/code",
        &cookie,
        &format!("csrf={}&code={code}", csrf(&page)),
    );
    assert!(r.starts_with("HTTP/1.1 303"), "{r}");
    let signed_in = cookie_of(&r);
    let home = get("/werk", &signed_in);
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    let invitation = get(&format!("/uitnodiging/{link_token}"), "");
    assert!(invitation.starts_with("HTTP/1.1 200"), "{invitation}");
    // An activity's cancel link is a secret too.
    let _ = get("/activiteiten/afmelden/geheimeafmeldcode0123", "");
    server.kill();
    let logged = std::fs::read_to_string(dir.path().join("log.txt")).unwrap();
    assert!(
        logged.contains("/inloggen/code") && logged.contains("/uitnodiging/…"),
        "requests are logged"
    );
    let session_id = |c: &str| c.split_once('=').unwrap().1.to_string();
    for secret in [
        "beheerder@demo".to_string(),
        "beheerder%40demo".to_string(),
        DEMO_PASSWORD.to_string(),
        "geheimeafmeldcode0123".to_string(),
        format!("code={code}"),
        token.clone(),
        session_id(&cookie),
        session_id(&signed_in),
        link_token.clone(),
        "nieuw@emmen.nl".to_string(),
        "Bea Beheer".to_string(),
    ] {
        assert!(!logged.contains(&secret), "'{secret}' is in the log");
    }
}

/// A role that needs two factors, given to someone signed in with a password only, ends that
/// session; a page a role does not open is refused and the refusal is in the log.
#[tokio::test]
async fn a_new_role_that_needs_two_factors_ends_a_password_only_session() {
    let app = TestApp::init().with_demo().build().await;
    let ruud = app.browser();
    sign_in_demo(&ruud, "redactie").await;
    assert!(
        ruud.get("/werk")
            .await
            .body
            .contains("Tweestapsverificatie staat uit")
    );
    assert_eq!(
        ruud.get("/beheer/gebruikers").await.status,
        StatusCode::FORBIDDEN
    );
    let admin = admin(&app);
    let user = admin
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email.as_str() == "redactie@demo.kapstok.nl")
        .unwrap();
    let mut roles = user.memberships.clone();
    roles.push(Membership {
        team: roles[0].team.clone(),
        role: Role::Teamlid,
    });
    admin
        .set_memberships(&user.id, &roles)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        location(&ruud.get("/werk").await),
        "/inloggen?terug=%2Fwerk"
    );

    let fg = app.browser();
    sign_in_demo(&fg, "privacy").await;
    let page = fg
        .get(&format!("/toegangslog?persoon=&gebruiker={}", user.id))
        .await;
    assert!(
        page.body.contains("account: /beheer/gebruikers") && page.body.contains("nee, geweigerd"),
        "{}",
        page.body
    );
}
