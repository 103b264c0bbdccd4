//! The municipality's dashboard on both backends: the demo's referrals per area with small
//! counts suppressed, the chart as an image beside the same figures, every table as CSV for
//! Dutch Excel with the same suppressed cells, mistakes in the period named; others get 403.

use crate::sign_in::sign_in_demo;
use crate::support::{Backend, TestApp};
use axum::http::StatusCode;

#[tokio::test]
async fn the_municipality_sees_figures_without_a_person() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo_referrals()
            .build()
            .await;
        let b = format!("{backend:?}");
        let beleid = app.browser();
        sign_in_demo(&beleid, "beleid").await;
        let page = beleid
            .get("/werk/dashboard?van=01-01-2020&tot=31-12-2030")
            .await;
        assert_eq!(page.status, StatusCode::OK, "{b}: {}", page.body);
        assert!(
            page.body.contains("Verwijzingen per gebied en reden"),
            "{b}"
        );
        assert!(
            page.body.contains("role=\"img\""),
            "{b}: the chart is an image"
        );
        assert!(page.body.contains("witte vlek"), "{b}: coverage");
        // The demo's few referrals: small counts are suppressed, no carer's name is there.
        let section = page
            .body
            .split("id=\"verwijzingen-reden\"")
            .nth(1)
            .and_then(|s| s.split("<section").next())
            .unwrap();
        let small_on_page = section.matches("&#60; 5").count();
        assert!(small_on_page > 0, "{b}: {section}");
        for name in ["Henk de Vries", "de Vries"] {
            assert!(!page.body.contains(name), "{b}: {name}");
        }
        let csv = beleid
            .get("/werk/dashboard/verwijzingen-reden.csv?van=01-01-2020&tot=31-12-2030")
            .await;
        assert_eq!(csv.status, StatusCode::OK, "{b}");
        assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"), "{b}: BOM");
        assert!(
            csv.body.contains("01-01-2020 – 31-12-2030"),
            "{b}: Dutch dates"
        );
        assert!(
            csv.body.contains(";Totaal;") || csv.body.contains("Totaal;"),
            "{b}"
        );
        assert_eq!(
            csv.body.matches("< 5").count(),
            small_on_page,
            "{b}: the CSV shows what the page shows"
        );
        assert_eq!(
            csv.body.matches('•').count(),
            section.matches('•').count(),
            "{b}"
        );
        // Mistakes.
        let bad = beleid.get("/werk/dashboard?van=gisteren").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{b}");
        assert!(bad.body.contains("href=\"#van\""), "{b}");
        assert_eq!(
            beleid.get("/werk/dashboard/onzin.csv").await.status,
            StatusCode::NOT_FOUND,
            "{b}"
        );
        assert_eq!(
            beleid
                .get("/werk/dashboard/signalen.csv?tot=morgen")
                .await
                .status,
            StatusCode::BAD_REQUEST,
            "{b}"
        );
        let poh = app.browser();
        sign_in_demo(&poh, "poh").await;
        assert_eq!(
            poh.get("/werk/dashboard").await.status,
            StatusCode::FORBIDDEN,
            "{b}"
        );
    }
}

/// A year's referrals written straight into the database as the verwijsroute leaves them, 80
/// in each area and 80 without one, so that no count in the referral tables is under 5 and
/// every figure shows: reasons, sources and outcomes in turn; taken on within hours (on time)
/// or after ten days (late); some still waiting since 2025 (late), some withdrawn before anyone
/// took them on (neither); sent in March, April or May 2025.
struct Made {
    area: Option<&'static str>,
    month: usize,
    term: usize,
    /// Minutes to taking on, and to closing.
    acknowledged: Option<u32>,
    closed: Option<u32>,
}

const AREAS: [Option<&str>; 7] = [
    Some("emmen-noord"),
    Some("emmen-zuid"),
    Some("emmen-centrum-oost"),
    Some("de-monden"),
    Some("de-blokken"),
    Some("de-velden"),
    None,
];
const REASONS: [&str; 8] = [
    "overbelasting",
    "respijt",
    "informatie-advies",
    "praktische-hulp",
    "emotionele-steun",
    "financieel",
    "werk-zorg",
    "jonge-mantelzorger",
];
const OUTCOMES: [&str; 5] = [
    "hulp-geregeld",
    "advies-gegeven",
    "wil-geen-hulp",
    "geen-ondersteuning-nodig",
    "niet-bereikbaar",
];

fn year_of_referrals() -> (Vec<String>, Vec<Made>) {
    let mut sql = Vec::new();
    let mut made = Vec::new();
    let mut n = 0;
    for area in AREAS {
        let mut values = Vec::new();
        for i in 0..80usize {
            n += 1;
            let month = i % 3;
            // Monday 3 March, 7 April, 5 May 2025 at 09:00 UTC.
            let day = ["2025-03-03", "2025-04-07", "2025-05-05"][month];
            let sent = format!("{day}T09:00:00.000Z");
            let at = |minutes: u32| {
                let t: kapstok_domain::calendar::Timestamp = sent.parse().unwrap();
                kapstok_domain::calendar::stored(
                    t + kapstok_domain::calendar::SignedDuration::from_mins(minutes.into()),
                )
            };
            let (state, outcome, acknowledged, closed, term) = if i % 6 < 5 {
                let ack = if i % 2 == 0 {
                    60 * (i as u32 % 10 + 1)
                } else {
                    10 * 1440
                };
                let close = ack + 1440 * (i as u32 % 20 + 1);
                (
                    "completed",
                    Some(OUTCOMES[i % 6]),
                    Some(ack),
                    Some(close),
                    if i % 2 == 0 { 0 } else { 1 },
                )
            } else if i % 4 < 2 {
                ("requested", None, None, None, 1)
            } else {
                ("cancelled", None, None, Some(30), 2)
            };
            let q = |v: Option<String>| v.map_or("NULL".to_string(), |v| format!("'{v}'"));
            values.push(format!(
                "('rt-{n}', 'T-{n}', 2025, {}, (SELECT id FROM teams ORDER BY id LIMIT 1), '{}', '{state}', '{}', {}, 'p-{n}', {}, '{sent}', '{sent}', {}, {})",
                9000 + n,
                if i % 2 == 0 { "verwijzer" } else { "zelf" },
                REASONS[i % 8],
                q(outcome.map(String::from)),
                q(area.map(String::from)),
                q(acknowledged.map(at)),
                q(closed.map(at)),
            ));
            made.push(Made {
                area,
                month,
                term,
                acknowledged,
                closed: acknowledged.and(closed),
            });
        }
        sql.push(format!(
            "INSERT INTO referrals (id, reference, year, number, team_id, source, state, reason, outcome, person, area_code, created_at, sent_at, accepted_at, closed_at) VALUES {}",
            values.join(", ")
        ));
    }
    (sql, made)
}

/// Nearest rank, by sorting: the value with at least `p` % at or below it.
fn rank(mut v: Vec<u32>, p: usize) -> u32 {
    v.sort_unstable();
    v[(v.len() * p).div_ceil(100) - 1]
}

fn days(minutes: u32) -> String {
    let tenths = (u64::from(minutes) * 10 + 720) / 1440;
    format!("{},{}", tenths / 10, tenths % 10)
}

fn row<'a>(csv: &'a str, label: &str) -> Vec<&'a str> {
    csv.lines()
        .find(|l| l.starts_with(&format!("{label};")))
        .unwrap_or_else(|| panic!("no row {label} in {csv}"))
        .split(';')
        .collect()
}

#[tokio::test]
async fn lead_times_terms_and_months_follow_every_change() {
    for backend in Backend::ALL {
        let app = TestApp::init()
            .with_backend(backend)
            .with_demo()
            .build()
            .await;
        let b = format!("{backend:?}");
        let beleid = app.browser();
        sign_in_demo(&beleid, "beleid").await;
        let q = "?van=01-03-2025&tot=31-05-2025";
        let csv = |table: &'static str| {
            let beleid = &beleid;
            async move {
                let r = beleid
                    .get(&format!("/werk/dashboard/verwijzingen-{table}.csv{q}"))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{table}");
                assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"), "{table}: BOM");
                r.body
            }
        };
        // Read once: the figures are in memory from here on, and must follow what is written.
        assert_eq!(
            row(&csv("doorlooptijd").await, "Emmen-Zuid")[1],
            "< 5",
            "{b}"
        );
        let (inserts, made) = year_of_referrals();
        for sql in &inserts {
            app.raw_sql(sql).await.unwrap();
        }
        let zuid: Vec<&Made> = made
            .iter()
            .filter(|m| m.area == Some("emmen-zuid"))
            .collect();
        let count = |f: &dyn Fn(&Made) -> bool| zuid.iter().filter(|m| f(m)).count().to_string();
        let term = csv("termijn").await;
        let expected: Vec<String> = (0..3).map(|t| count(&|m| m.term == t)).collect();
        assert_eq!(row(&term, "Emmen-Zuid")[1..=3], expected, "{b}: {term}");
        assert_eq!(row(&term, "Emmen-Zuid")[4], "80", "{b}");
        let months = csv("maand").await;
        let expected: Vec<String> = (0..3)
            .map(|m| made.iter().filter(|x| x.month == m).count().to_string())
            .collect();
        assert_eq!(
            row(&months, "Alle gebieden")[1..=3],
            expected,
            "{b}: {months}"
        );
        assert_eq!(row(&months, "Totaal")[4], "560", "{b}");
        // Lead times, against sorting by hand.
        let acks: Vec<u32> = zuid.iter().filter_map(|m| m.acknowledged).collect();
        let closes: Vec<u32> = zuid.iter().filter_map(|m| m.closed).collect();
        let on_time = zuid.iter().filter(|m| m.term == 0).count();
        let late = zuid.iter().filter(|m| m.term == 1).count();
        let timing = csv("doorlooptijd").await;
        assert_eq!(
            row(&timing, "Emmen-Zuid")[1..],
            [
                days(rank(acks.clone(), 50)),
                days(rank(acks.clone(), 90)),
                "< 5".to_string(),
                days(rank(closes.clone(), 50)),
                days(rank(closes.clone(), 90)),
                "< 5".to_string(),
                format!(
                    "{} %",
                    (late * 100 + (on_time + late) / 2) / (on_time + late)
                ),
            ],
            "{b}: {timing}"
        );
        let all: Vec<u32> = made.iter().filter_map(|m| m.acknowledged).collect();
        assert_eq!(row(&timing, "Totaal")[1], days(rank(all, 50)), "{b}");
        // The ones still waiting are taken on in time after all: the next read shows it.
        app.raw_sql(
            "UPDATE referrals SET state = 'accepted', accepted_at = sent_at WHERE state = 'requested' AND area_code = 'emmen-zuid'",
        )
        .await
        .unwrap();
        let waiting = zuid
            .iter()
            .filter(|m| m.term == 1 && m.acknowledged.is_none())
            .count();
        let term = csv("termijn").await;
        assert_eq!(
            row(&term, "Emmen-Zuid")[1..=2],
            [
                (on_time + waiting).to_string(),
                (late - waiting).to_string()
            ],
            "{b}: {term}"
        );
        // Some deleted (entered in error and removed): the month's count follows.
        app.raw_sql("DELETE FROM referrals WHERE id IN ('rt-81', 'rt-84')")
            .await
            .unwrap();
        let months = csv("maand").await;
        assert_eq!(row(&months, "Totaal")[4], "558", "{b}: {months}");
        // The page holds the same figures, with the line chart; the report has no form.
        let page = beleid.get(&format!("/werk/dashboard{q}")).await;
        assert!(
            page.body
                .contains("id=\"grafiek-maanden-title\">Verwijzingen per maand<"),
            "{b}"
        );
        assert!(
            page.body
                .contains("Doorlooptijd van verwijzingen per gebied"),
            "{b}"
        );
        assert!(
            page.body.contains("/werk/dashboard/rapport?van=01-03-2025"),
            "{b}"
        );
        let report = beleid.get(&format!("/werk/dashboard/rapport{q}")).await;
        assert_eq!(report.status, StatusCode::OK, "{b}");
        assert!(
            !report
                .body
                .contains("<form method=\"get\" action=\"/werk/dashboard\""),
            "{b}"
        );
        assert!(!report.body.contains(".csv?"), "{b}: no downloads in print");
        assert!(
            report
                .body
                .contains("Verwijzingen per maand, alle gebieden"),
            "{b}"
        );
    }
}
