//! Activities end to end on both backends, with a real SMTP server: the demo coördinator
//! publishes a yearly training for Wmo consultants with 12 places, 13 people register (the 13th
//! waits), one cancels by the personal link (the 13th moves up and is mailed), the feed carries
//! it, attendance is marked, exported for Excel and certified; reminders go two days before and
//! participants' details are erased after the term, the counts staying.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, TestApp, csrf, location};
use axum::http::StatusCode;
use kapstok_app::{Actor, Clock};
use kapstok_domain::calendar::Timestamp;

/// The personal cancel link on a "you are registered" page.
fn cancel_link(html: &str) -> String {
    html.split("http://kapstok.test/activiteiten/afmelden/")
        .nth(1)
        .and_then(|r| r.split(['"', '<']).next())
        .map(|t| format!("/activiteiten/afmelden/{t}"))
        .unwrap_or_else(|| panic!("no cancel link: {html}"))
}

/// The registration ids on a date's page (its attendance boxes).
fn registration_ids(html: &str) -> Vec<String> {
    html.split("name=\"aanwezig\" value=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(str::to_string)
        .collect()
}

const DATE_KEY: &str = "2027-03-16T09:30";

#[tokio::test]
async fn a_coordinator_fills_a_yearly_training_and_the_waiting_list_moves_up() {
    for backend in Backend::ALL {
        let smtp = crate::support::smtp::Smtp::start();
        let clock = Clock::fixed("2026-12-07T10:00:00Z".parse::<Timestamp>().unwrap());
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_mail(smtp.config())
            .with_clock(clock.clone())
            // Thirteen registrations and the coördinator's forms within a minute.
            .with_web_config(kapstok_web::state::WebConfig {
                writes_per_minute: 1_000,
                ..Default::default()
            })
            .build()
            .await;
        let b = format!("{backend:?}");
        let coordinator = app.browser();
        sign_in_demo(&coordinator, "consulent").await;

        // A form with mistakes: each named, nothing saved.
        let form = coordinator.get("/werk/activiteiten/nieuw").await;
        assert_eq!(form.status, StatusCode::OK, "{b}: {}", form.body);
        let token = csrf(&form.body);
        let r = coordinator
            .post(
                "/werk/activiteiten/nieuw",
                &[
                    ("csrf", &token),
                    ("kind", "scholing-wmo-zorgloket"),
                    ("capacity", "twaalf"),
                    ("location_id", "bestaat-niet"),
                    ("date", "31-02-2027"),
                    ("starts", "9:30"),
                    ("ends", "12:30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        for anchor in ["#title", "#audience", "#capacity", "#date", "#location_id"] {
            assert!(
                r.body.contains(&format!("href=\"{anchor}\"")),
                "{b}: {anchor}"
            );
        }
        assert!(r.body.contains("value=\"twaalf\""), "{b}: kept as typed");
        assert!(
            !app.get("/activiteiten").await.body.contains("Wmo-scholing"),
            "{b}"
        );

        // The training: yearly, 12 places, published.
        let r = coordinator
            .post(
                "/werk/activiteiten/nieuw",
                &[
                    ("csrf", &token),
                    ("kind", "scholing-wmo-zorgloket"),
                    ("title", "Wmo-scholing: mantelzorg herkennen"),
                    ("description", "Voor Wmo-consulenten; ook het Zorgloket."),
                    ("audience", "wmo-consulent"),
                    ("area", ""),
                    ("address", "Raadhuisplein 1, Emmen"),
                    ("date", "16-03-2027"),
                    ("starts", "9:30"),
                    ("ends", "12:30"),
                    ("repeat", "jaarlijks"),
                    ("repeat_count", "3"),
                    ("capacity", "12"),
                    ("points", "2"),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let edit = location(&r);
        let id = edit
            .trim_start_matches("/werk/activiteiten/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let page = coordinator.get(&edit).await;
        assert!(
            page.body
                .contains("value=\"Wmo-scholing: mantelzorg herkennen\""),
            "{b}"
        );
        assert!(page.body.contains("dinsdag 16 maart 2027"), "{b}");
        assert!(page.body.contains("donderdag 16 maart 2028"), "{b}: yearly");

        // Publicly listed for Wmo consultants, with its places.
        let list = app.get("/activiteiten?doelgroep=wmo-consulent").await;
        assert_eq!(list.status, StatusCode::OK, "{b}");
        assert!(
            list.body.contains("Wmo-scholing: mantelzorg herkennen"),
            "{b}"
        );
        assert!(list.body.contains("Nog vrije plaatsen: 12"), "{b}");
        assert!(
            list.body
                .contains("webcal://kapstok.test/agenda/doelgroep/wmo-consulent.ics"),
            "{b}"
        );
        assert!(
            !app.get("/activiteiten?doelgroep=mantelzorgers")
                .await
                .body
                .contains("Wmo-scholing"),
            "{b}"
        );

        // A registration with mistakes changes nothing.
        let public = format!("/activiteiten/{id}/aanmelden");
        let r = app
            .post_form(&public, &format!("datum={DATE_KEY}&name=&email=geen-adres"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(
            r.body.contains("href=\"#name\"") && r.body.contains("href=\"#email\""),
            "{b}"
        );

        // Thirteen register: twelve places, the thirteenth waits.
        let mut links = Vec::new();
        for n in 1..=13 {
            let r = app
                .post_form(
                    &public,
                    &format!(
                        "datum={DATE_KEY}&name=Deelnemer+{n}&email=deelnemer{n}%40example.org"
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {n}: {}", r.body);
            let waiting = r.body.contains("wachtlijst");
            assert_eq!(waiting, n == 13, "{b}: {n}");
            links.push(cancel_link(&r.body));
        }
        // The same address again (a double click): the first registration stands.
        let again = app
            .post_form(
                &public,
                &format!("datum={DATE_KEY}&name=Deelnemer+2&email=deelnemer2%40example.org"),
            )
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(again.body.contains("al aangemeld"), "{b}");
        let mails = smtp.wait_for(13).await;
        assert_eq!(mails.len(), 13, "{b}");
        let first = mails
            .iter()
            .find(|m| m.contains("deelnemer1@example.org"))
            .expect("the first confirmation");
        assert!(first.contains("text/calendar"), "{b}: {first}");
        assert!(first.contains("activiteit.ics"), "{b}");
        let page = app.get(&format!("/activiteiten/{id}")).await;
        assert!(page.body.contains("Vol: u komt op de wachtlijst"), "{b}");

        // The first cancels by the link; the thirteenth moves up and is mailed.
        let confirm = app.get(&links[0]).await;
        assert_eq!(confirm.status, StatusCode::OK, "{b}");
        assert!(confirm.body.contains("Ja, meld mij af"), "{b}");
        let r = app.post_form(&links[0], "").await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        assert!(r.body.contains("U bent afgemeld"), "{b}");
        let again = app.post_form(&links[0], "").await;
        assert!(again.body.contains("al afgemeld"), "{b}: once");
        assert_eq!(
            app.get("/activiteiten/afmelden/onbekend").await.status,
            StatusCode::NOT_FOUND
        );
        let mails = smtp.wait_for(14).await;
        let moved = mails
            .iter()
            .find(|m| m.contains("deelnemer13@example.org") && m.contains("plaats voor u"))
            .unwrap_or_else(|| panic!("{b}: the thirteenth is told: {mails:?}"));
        assert!(moved.contains("Wmo-scholing"), "{b}");
        let outbox = app.store.outbox(50).await.unwrap();
        assert!(
            outbox
                .iter()
                .any(|m| m.to == "deelnemer13@example.org" && m.subject.contains("plaats voor u")),
            "{b}: in the outbox"
        );

        // The date's list: 12 places, nobody waiting; opening it is in the access log.
        let date = format!("/werk/activiteiten/{id}/datums/{DATE_KEY}");
        let list = coordinator.get(&date).await;
        assert_eq!(list.status, StatusCode::OK, "{b}: {}", list.body);
        assert!(list.body.contains("Deelnemer 13"), "{b}");
        assert!(list.body.contains("12 / 12"), "{b}: {}", list.body);
        let log = app.store.entries_after(0, 100_000).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.entry.record_kind == "registration" && e.entry.action == "view"),
            "{b}: the view is logged"
        );

        // Attendance: three were there; a certificate for one, the list for Excel.
        let ids = registration_ids(&list.body);
        assert_eq!(ids.len(), 12, "{b}");
        let token = csrf(&list.body);
        let r = coordinator
            .post(
                &format!("{date}/aanwezig"),
                &[
                    ("csrf", &token),
                    ("aanwezig", &ids[0]),
                    ("aanwezig", &ids[1]),
                    ("aanwezig", &ids[2]),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let list = coordinator.get(&date).await;
        assert_eq!(list.body.matches("checked").count(), 3, "{b}");
        // Who attended cannot cancel afterwards.
        let late = app.get(&links[1]).await;
        assert!(
            late.body.contains("Afmelden kan niet meer"),
            "{b}: {}",
            late.body
        );
        assert!(
            app.post_form(&links[1], "")
                .await
                .body
                .contains("Afmelden kan niet meer"),
            "{b}"
        );
        let pdf = coordinator.get(&format!("{date}/bewijs/{}", ids[0])).await;
        assert_eq!(pdf.status, StatusCode::OK, "{b}");
        assert!(pdf.bytes.starts_with(b"%PDF"), "{b}");
        let not_there = coordinator.get(&format!("{date}/bewijs/{}", ids[5])).await;
        assert_eq!(
            not_there.status,
            StatusCode::NOT_FOUND,
            "{b}: only who attended"
        );
        let csv = coordinator.get(&format!("{date}/deelnemers.csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{b}");
        assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"), "{b}: BOM for Excel");
        assert!(
            csv.body.contains("Deelnemer 2;16-03-2027 09:30")
                || csv.body.contains(";16-03-2027 09:30;Deelnemer 2;"),
            "{b}: {}",
            csv.body
        );
        assert!(csv.body.contains(";aanwezig;"), "{b}");

        // Raising the capacity gives a waiting person the place.
        let r = app
            .post_form(
                &public,
                &format!("datum={DATE_KEY}&name=Laatkomer&phone=0591+123456"),
            )
            .await;
        assert!(r.body.contains("wachtlijst"), "{b}");
        let form = coordinator.get(&edit).await;
        let stored = app.store.activity(&id).await.unwrap().unwrap();
        let mut fields = kapstok_domain::activity_form::activity_values(&stored);
        crate::map_editing::set(&mut fields, "capacity", "13");
        fields.push(("csrf".into(), csrf(&form.body)));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = coordinator
            .post(&format!("/werk/activiteiten/{id}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        assert!(
            location(&r).ends_with("klaar=doorgeschoven"),
            "{b}: {}",
            location(&r)
        );

        // An edit that would drop a date people registered for is refused.
        let mut moved_start = kapstok_domain::activity_form::activity_values(&stored);
        crate::map_editing::set(&mut moved_start, "date", "17-03-2027");
        moved_start.push(("csrf".into(), csrf(&form.body)));
        let pairs: Vec<(&str, &str)> = moved_start
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = coordinator
            .post(&format!("/werk/activiteiten/{id}"), &pairs)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(r.body.contains("Verplaats die datum"), "{b}");

        // The feed: the date local with its zone, a stable UID; cancelling it says so.
        let feed = app.get("/agenda/doelgroep/wmo-consulent.ics").await;
        assert_eq!(feed.status, StatusCode::OK, "{b}");
        assert!(
            feed.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let uid = format!("UID:{id}-20270316T0930@kapstok");
        assert!(feed.body.contains(&uid), "{b}: {}", feed.body);
        assert!(
            feed.body
                .contains("DTSTART;TZID=Europe/Amsterdam:20270316T093000"),
            "{b}"
        );
        assert!(feed.body.contains("BEGIN:VTIMEZONE"), "{b}");
        let next = format!("/werk/activiteiten/{id}/datums/2028-03-16T09:30");
        let page = coordinator.get(&next).await;
        assert_eq!(page.status, StatusCode::OK, "{b}");
        let r = coordinator
            .post(&format!("{next}/vervalt"), &[("csrf", &csrf(&page.body))])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        let feed = app.get("/agenda/doelgroep/wmo-consulent.ics").await;
        let cancelled = feed
            .body
            .split("BEGIN:VEVENT")
            .find(|e| e.contains(&format!("UID:{id}-20280316T0930@kapstok")))
            .expect("the cancelled date stays in the feed");
        assert!(cancelled.contains("STATUS:CANCELLED"), "{b}");
        assert!(!cancelled.contains("SEQUENCE:0"), "{b}: raised");

        // Next year's edition: a copy 52 weeks on, not yet published.
        let form = coordinator.get(&edit).await;
        let r = coordinator
            .post(
                &format!("/werk/activiteiten/{id}/volgend-jaar"),
                &[("csrf", &csrf(&form.body))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        let copy = coordinator.get(&location(&r)).await;
        assert!(
            copy.body.contains("dinsdag 14 maart 2028"),
            "{b}: same weekday"
        );
        assert!(
            !copy.body.contains("name=\"published\" value=\"1\" checked"),
            "{b}"
        );

        // Reach: counts only.
        let reach = coordinator
            .get("/werk/activiteiten/bereik?van=01-01-2027&tot=31-12-2027")
            .await;
        assert_eq!(reach.status, StatusCode::OK, "{b}");
        assert!(reach.body.contains("Wmo-consulenten"), "{b}");
        assert!(!reach.body.contains("Deelnemer"), "{b}: no names");

        // Two days before: a reminder to each place, once; after the term the details go.
        clock.set("2027-03-14T12:00:00Z".parse().unwrap());
        let jobs = app
            .state
            .app()
            .activity_jobs(&Actor::console_operator())
            .unwrap();
        let done = jobs.run().await.unwrap();
        // Every place with an e-mail address: not the three marked present above, nor the one
        // who gave a phone number only.
        assert_eq!(done.reminded, 9, "{b}");
        assert_eq!(jobs.run().await.unwrap().reminded, 0, "{b}: once");
        clock.set("2027-06-20T12:00:00Z".parse().unwrap());
        let done = jobs.run().await.unwrap();
        assert!(done.erased >= 14, "{b}: {done:?}");
        let list = coordinator.get(&date).await;
        assert!(!list.body.contains("Deelnemer 13"), "{b}: erased");
        let reach = coordinator
            .get("/werk/activiteiten/bereik?van=01-01-2027&tot=31-12-2027")
            .await;
        assert!(
            reach.body.contains("<td>14</td><td>3</td>"),
            "{b}: counts stay: {}",
            reach.body
        );

        // Others may not; a professional registers with their account.
        let poh = app.browser();
        sign_in_demo(&poh, "poh").await;
        assert_eq!(
            poh.get("/werk/activiteiten").await.status,
            StatusCode::FORBIDDEN,
            "{b}"
        );
        assert_eq!(poh.get(&date).await.status, StatusCode::FORBIDDEN, "{b}");
        let mine = poh.get("/werk/scholing").await;
        assert_eq!(mine.status, StatusCode::OK, "{b}");
        // The practice nurse chooses their group; their group's activities come first. A code
        // not on the list changes nothing.
        let r = poh
            .post(
                "/werk/scholing/groep",
                &[("csrf", &csrf(&mine.body)), ("groep", "wmo-consulent")],
            )
            .await;
        assert_eq!(location(&r), "/werk/scholing?klaar=groep", "{b}");
        let mine = poh.get("/werk/scholing").await;
        assert!(mine.body.contains("Voor uw beroepsgroep"), "{b}");
        let first = mine.body.split("Andere activiteiten").next().unwrap();
        assert!(
            first.contains("Wmo-scholing"),
            "{b}: the Wmo training first"
        );
        let r = poh
            .post(
                "/werk/scholing/groep",
                &[("csrf", &csrf(&mine.body)), ("groep", "onzin")],
            )
            .await;
        assert_eq!(location(&r), "/werk/scholing?klaar=onbekend", "{b}");
        let mine = poh.get("/werk/scholing?klaar=onbekend").await;
        assert!(mine.body.contains("kennen we niet"), "{b}");
        assert!(
            mine.body.contains("Voor uw beroepsgroep (Wmo"),
            "{b}: unchanged"
        );
    }
}

/// The first Python with the `icalendar` package (Debian's python3-icalendar, or pip's).
fn python_with_icalendar() -> &'static str {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import icalendar"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("a python3 with icalendar (Debian: apt install python3-icalendar; or pip install icalendar)")
}

/// Checks calendar files with Python's `icalendar`, an independent parser: every event has a
/// UID (unique), a DTSTART in Europe/Amsterdam; prints `UID start-in-UTC STATUS` per event.
fn parse_with_python(files: &[std::path::PathBuf]) -> String {
    const SCRIPT: &str = r#"
import sys, email, datetime
from icalendar import Calendar
out = []
for path in sys.argv[1:]:
    raw = open(path, 'rb').read()
    if path.endswith('.eml'):
        msg = email.message_from_bytes(raw)
        parts = [p.get_payload(decode=True) for p in msg.walk() if p.get_content_type() == 'text/calendar']
        assert len(parts) == 1, 'one calendar attachment'
        raw = parts[0]
    cal = Calendar.from_ical(raw)
    assert [c for c in cal.walk('VTIMEZONE')], 'a VTIMEZONE'
    uids = set()
    for e in cal.walk('VEVENT'):
        uid = str(e['UID'])
        assert uid not in uids, 'unique UID ' + uid
        uids.add(uid)
        start = e['DTSTART']
        assert start.params['TZID'] == 'Europe/Amsterdam', start.params
        utc = start.dt.astimezone(datetime.timezone.utc)
        out.append('%s %s %s %s' % (path.rsplit('.', 1)[1], uid, utc.strftime('%Y-%m-%dT%H:%MZ'), e.get('STATUS')))
print('\n'.join(out))
"#;
    let out = std::process::Command::new(python_with_icalendar())
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "icalendar refused a file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn feeds_and_attachments_read_in_an_independent_parser_across_dst() {
    for backend in Backend::ALL {
        let smtp = crate::support::smtp::Smtp::start();
        let clock = Clock::fixed("2027-01-10T10:00:00Z".parse::<Timestamp>().unwrap());
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_mail(smtp.config())
            .with_clock(clock)
            .build()
            .await;
        let b = format!("{backend:?}");
        let coordinator = app.browser();
        sign_in_demo(&coordinator, "consulent").await;
        let form = coordinator.get("/werk/activiteiten/nieuw").await;
        // A venue from the social map: the first one the form offers.
        let venue = form
            .body
            .split("id=\"location_id\"")
            .nth(1)
            .and_then(|r| r.split("<option value=\"").nth(2))
            .and_then(|r| r.split_once("\">"))
            .map(|(id, rest)| (id.to_string(), rest.split('<').next().unwrap().to_string()))
            .expect("the form offers the map's locations");
        // A monthly café at 19:30 from February to May 2027: summer time starts on 28 March.
        let r = coordinator
            .post(
                "/werk/activiteiten/nieuw",
                &[
                    ("csrf", &csrf(&form.body)),
                    ("kind", "mantelzorgcafe"),
                    ("title", "Mantelzorgcafé; thee, koffie en een verhaal"),
                    ("audience", "mantelzorgers"),
                    ("area", "de-velden"),
                    ("location_id", &venue.0),
                    ("date", "25-02-2027"),
                    ("starts", "19:30"),
                    ("ends", "21:00"),
                    ("repeat", "maandelijks"),
                    ("repeat_count", "4"),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let id = location(&r)
            .trim_start_matches("/werk/activiteiten/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        // April's date does not take place.
        let april = format!("/werk/activiteiten/{id}/datums/2027-04-25T19:30");
        let page = coordinator.get(&april).await;
        let r = coordinator
            .post(&format!("{april}/vervalt"), &[("csrf", &csrf(&page.body))])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}");
        // A registration: its confirmation carries the date.
        let r = app
            .post_form(
                &format!("/activiteiten/{id}/aanmelden"),
                "datum=2027-03-25T19:30&name=%3DHYPERLINK(%22x%22)&email=els%40example.org",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        let mail = smtp.wait_for(1).await.pop().expect("the confirmation");
        let page = app.get(&format!("/activiteiten/{id}")).await;
        assert!(
            page.body.contains(&venue.1),
            "{b}: the venue's name and address"
        );
        // The same date written another way is the same date.
        let r = app
            .post_form(
                &format!("/activiteiten/{id}/aanmelden"),
                "datum=2027-3-25T19:30&name=Piet&phone=0591+123456",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
        let march = format!("/werk/activiteiten/{id}/datums/2027-03-25T19:30");
        let list = coordinator.get(&march).await;
        assert!(list.body.contains("Piet"), "{b}: on the date's list");
        // A name typed as a formula stays text in Excel.
        let csv = coordinator.get(&format!("{march}/deelnemers.csv")).await;
        assert!(csv.body.contains(";\"'=HYPERLINK("), "{b}: {}", csv.body);

        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (name, url) in [
            ("all.ics", "/agenda/activiteiten.ics".to_string()),
            (
                "audience.ics",
                "/agenda/doelgroep/mantelzorgers.ics".to_string(),
            ),
            ("area.ics", "/agenda/gebied/de-velden.ics".to_string()),
            ("one.ics", format!("/activiteiten/{id}/agenda.ics")),
        ] {
            let r = app.get(&url).await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {url}");
            let path = dir.path().join(name);
            std::fs::write(&path, &r.bytes).unwrap();
            files.push(path);
        }
        let org = app
            .store
            .map_frame()
            .await
            .unwrap()
            .organizations
            .into_iter()
            .find(|o| o.name == "Steunpunt Mantelzorg De Kapstok")
            .unwrap();
        let r = app
            .get(&format!("/agenda/organisatie/{}.ics", org.id))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}");
        let path = dir.path().join("organisation.ics");
        std::fs::write(&path, &r.bytes).unwrap();
        files.push(path);
        let path = dir.path().join("mail.eml");
        std::fs::write(&path, &mail).unwrap();
        files.push(path);
        let parsed = parse_with_python(&files);

        let uid = |d: &str| format!("{id}-{d}@kapstok");
        // Winter time (UTC+1) before 28 March, summer time (UTC+2) after: 19:30 both times.
        assert!(
            parsed.contains(&format!(
                "ics {} 2027-02-25T18:30Z CONFIRMED",
                uid("20270225T1930")
            )),
            "{b}: {parsed}"
        );
        assert!(
            parsed.contains(&format!(
                "ics {} 2027-03-25T18:30Z CONFIRMED",
                uid("20270325T1930")
            )),
            "{b}: {parsed}"
        );
        assert!(
            parsed.contains(&format!(
                "ics {} 2027-04-25T17:30Z CANCELLED",
                uid("20270425T1930")
            )),
            "{b}: {parsed}"
        );
        assert!(
            parsed.contains(&format!(
                "ics {} 2027-05-25T17:30Z CONFIRMED",
                uid("20270525T1930")
            )),
            "{b}: {parsed}"
        );
        assert!(
            parsed.contains(&format!(
                "eml {} 2027-03-25T18:30Z CONFIRMED",
                uid("20270325T1930")
            )),
            "{b}: the attachment: {parsed}"
        );
        // Moving the date tells who registered.
        let r = coordinator
            .post(
                &format!("{march}/verplaatsen"),
                &[
                    ("csrf", &csrf(&list.body)),
                    ("date", "26-03-2027"),
                    ("starts", "19:30"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.body);
        let mails = smtp.wait_for(2).await;
        assert!(
            mails
                .iter()
                .any(|m| m.contains("Nieuwe datum") && m.contains("els@example.org")),
            "{b}: {mails:?}"
        );
        // The café is not in the organisation's feed (it has none) nor for other areas.
        let other = app.get("/agenda/gebied/emmen-noord.ics").await;
        assert!(!other.body.contains(&id), "{b}");
        assert_eq!(
            app.get("/agenda/doelgroep/onbekend.ics").await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );
    }
}

/// Thirteen people press "Aanmelden" at the same moment for twelve places, as thirteen
/// concurrent requests: twelve places and one on the waiting list, on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_never_overfill_a_date() {
    use kapstok_domain::activity::{Activity, Schedule, parse_local};
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .with_web_config(kapstok_web::state::WebConfig {
                writes_per_minute: 1_000,
                ..Default::default()
            })
            .build()
            .await;
        let b = format!("{backend:?}");
        let start = parse_local("2030-06-04T09:30").unwrap();
        let end = parse_local("2030-06-04T12:30").unwrap();
        let activity = Activity {
            id: "act-concurrent".into(),
            kind: "scholing-wmo-zorgloket".into(),
            title: "Laatste plaats".into(),
            audiences: vec!["wmo-consulent".into()],
            schedule: Some(Schedule::once(start, end).unwrap()),
            capacity: Some(12),
            published: true,
            updated_at: "2026-12-07T10:00:00.000Z".into(),
            ..Activity::default()
        };
        let log = kapstok_domain::audit::NewEntry::new(
            "2026-12-07T10:00:00.000Z".into(),
            kapstok_domain::audit::Action::Create,
            kapstok_domain::audit::RecordKind::Activity,
            true,
        );
        app.store.save_activity(&activity, &log).await.unwrap();
        let mut tasks = Vec::new();
        for n in 0..13 {
            let visitor = app.visitor();
            tasks.push(tokio::spawn(async move {
                visitor
                    .post_form(
                        "/activiteiten/act-concurrent/aanmelden",
                        &format!(
                            "datum=2030-06-04T09:30&name=Persoon+{n}&email=p{n}%40example.org"
                        ),
                    )
                    .await
            }));
        }
        let mut waiting = 0;
        for t in tasks {
            let r = t.await.unwrap();
            assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.body);
            waiting += usize::from(r.body.contains("wachtlijst"));
        }
        assert_eq!(waiting, 1, "{b}: one waits");
        let listed = app
            .store
            .registrations("act-concurrent", "2030-06-04T09:30")
            .await
            .unwrap();
        assert_eq!(
            listed.iter().filter(|r| r.state.takes_place()).count(),
            12,
            "{b}"
        );
    }
}
