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
