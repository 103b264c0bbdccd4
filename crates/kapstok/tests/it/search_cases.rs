//! Dutch search over the demo social map: stemming, diacritics, compounds, typos, synonyms,
//! facets and distance order, each with the results a carer would expect.

use kapstok_demo::emmen;
use kapstok_domain::geo::{GeoData, Postcode};
use kapstok_search::{Index, SearchConfig, SearchQuery, build_index};
use std::collections::HashSet;
use std::sync::OnceLock;

struct Demo {
    index: Index,
    geo: GeoData,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let geo = GeoData::new(emmen::postcodes(), emmen::areas(), emmen::area_postcodes());
        let index = build_index(
            &kapstok_demo::emmen_directory(),
            &geo,
            &SearchConfig::default(),
        );
        Demo { index, geo }
    })
}

pub fn demo_index() -> &'static Index {
    &demo().index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 500,
        ..SearchQuery::default()
    }
}

/// Names of all matches, best first.
fn names(q: &SearchQuery) -> Vec<String> {
    demo()
        .index
        .search(q)
        .hits
        .iter()
        .map(|h| h.doc.name().to_string())
        .collect()
}

fn find(text: &str) -> Vec<String> {
    names(&query(text))
}

fn assert_finds(text: &str, expected: &str) {
    let found = find(text);
    assert!(
        found.iter().any(|n| n.contains(expected)),
        "'{text}' should find '{expected}', found {found:?}"
    );
}

fn assert_first(text: &str, expected: &str) {
    let found = find(text);
    assert!(
        found.first().is_some_and(|n| n.contains(expected)),
        "'{text}' should rank '{expected}' first, found {found:?}"
    );
}

fn ids(q: &SearchQuery) -> HashSet<String> {
    demo()
        .index
        .search(q)
        .hits
        .iter()
        .map(|h| h.doc.id().to_string())
        .collect()
}

fn near(pc: &str) -> kapstok_domain::geo::GeoPoint {
    demo()
        .geo
        .locate(&Postcode::parse(pc).unwrap())
        .unwrap()
        .point
}

fn with_filter(mut q: SearchQuery, key: &str, values: &[&str]) -> SearchQuery {
    q.filters
        .push((key.into(), values.iter().map(|v| v.to_string()).collect()));
    q
}

// --- stemming ---

#[test]
fn plural_and_singular_find_the_same_services() {
    assert_eq!(ids(&query("mantelzorgers")), ids(&query("mantelzorger")));
    assert!(find("mantelzorgers").len() > 40);
}

#[test]
fn mantelzorgers_finds_the_distance_group() {
    assert_finds("mantelzorgers", "mantelzorg op afstand");
}

#[test]
fn plural_course_finds_a_course() {
    assert_finds("cursussen dementie", "Cursus Omgaan met dementie");
}

#[test]
fn volunteers_finds_volunteer_respite() {
    assert_finds("vrijwilligers", "Vrijwillige respijtzorg thuis");
}

#[test]
fn meetings_plural_finds_singular() {
    assert_finds("bijeenkomsten ouders", "Oudergroep");
}

// --- diacritics and case ---

#[test]
fn financiele_without_diaeresis_finds_financial_regulations_first() {
    assert_first("financiele regelingen", "financiële regelingen");
}

#[test]
fn client_support_without_and_with_diaeresis() {
    assert_first("clientondersteuning", "cliëntondersteuning");
    assert_eq!(
        ids(&query("Cliëntondersteuning")),
        ids(&query("clientondersteuning"))
    );
}

#[test]
fn cafe_finds_alzheimer_cafe() {
    assert_finds("cafe", "Alzheimer Café");
}

#[test]
fn materiele_hulp_finds_the_basic_function() {
    assert_finds("materiele hulp", "Uitleen van hulpmiddelen");
}

// --- compounds ---

#[test]
fn split_compound_finds_the_compound() {
    assert_finds("dag besteding", "Dagbesteding ouderen");
    assert_eq!(ids(&query("dag besteding")), ids(&query("dagbesteding")));
}

#[test]
fn compound_finds_many_day_programmes() {
    assert!(find("dagbesteding").len() >= 10);
}

#[test]
fn lotgenoten_finds_peer_contact() {
    assert_finds(
        "lotgenoten",
        "Lotgenotengroep partners van mensen met hersenletsel",
    );
    assert_finds("lotgenoten", "Mantelzorgcafé");
}

#[test]
fn compound_parts_of_a_cafe() {
    assert_finds("mantelzorg cafe", "Mantelzorgcafé Schoonebeek");
}

#[test]
fn compound_query_does_not_match_scattered_parts() {
    // "logeeropvang" holds "opvang", a text mentions "dagen": that is no "dagopvang".
    let found = find("dagbesteding dementie");
    assert!(
        !found
            .iter()
            .any(|n| n == "Logeeropvang Zorggroep Veenhorst"),
        "{found:?}"
    );
}

// --- typos ---

#[test]
fn missing_letter_is_forgiven() {
    let r = demo().index.search(&query("dagbestedng"));
    assert!(r.total >= 10, "{}", r.total);
    assert!(
        r.corrections
            .iter()
            .any(|(typed, used)| typed == "dagbestedng" && used == "dagbesteding"),
        "{:?}",
        r.corrections
    );
}

#[test]
fn swapped_letters_are_forgiven() {
    assert_eq!(ids(&query("mantelzrog")), ids(&query("mantelzorg")));
    assert_eq!(ids(&query("alzhiemer")), ids(&query("alzheimer")));
}

#[test]
fn typo_in_alzheimer() {
    assert_finds("alzheimr", "Alzheimer Café");
}

#[test]
fn typo_in_respijtzorg() {
    assert_finds("respijtorg", "Vrijwillige respijtzorg thuis");
}

#[test]
fn short_unknown_words_are_not_guessed() {
    let r = demo().index.search(&query("wmp"));
    assert_eq!(r.total, 0);
    assert_eq!(r.unknown_words, vec!["wmp".to_string()]);
}

#[test]
fn nonsense_gives_nothing_and_says_which_word() {
    let r = demo().index.search(&query("dementie xyzzyq"));
    assert_eq!(r.total, 0);
    assert_eq!(r.unknown_words, vec!["xyzzyq".to_string()]);
}

// --- synonyms ---

#[test]
fn oppas_finds_respite_at_home() {
    assert_finds("oppas", "Vrijwillige respijtzorg thuis");
    assert!(!find("oppas").iter().any(|n| n.contains("Klussendienst")));
}

#[test]
fn dagopvang_finds_day_programmes() {
    assert_finds("dagopvang", "Dagbesteding voor mensen met dementie");
}

#[test]
fn memory_problems_find_dementia_support() {
    assert_finds("geheugenproblemen", "Casemanager dementie");
}

#[test]
fn english_young_carers() {
    assert_finds("young carers", "JMZ-club");
}

#[test]
fn pgb_finds_budget_help_first() {
    assert_first("pgb", "persoonsgebonden budget");
}

#[test]
fn huishoudelijke_hulp_finds_household_support() {
    assert_finds(
        "huishoudelijke hulp",
        "Huishoudelijke ondersteuning via de Wmo",
    );
}

// --- facets ---

#[test]
fn a_facet_narrows_to_its_value_and_matches_its_count() {
    let all = demo().index.search(&query("dementie"));
    let expected = all
        .facets
        .iter()
        .find(|f| f.key == "functie")
        .unwrap()
        .values
        .iter()
        .find(|v| v.code == "respijtzorg")
        .unwrap()
        .count;
    let filtered =
        demo()
            .index
            .search(&with_filter(query("dementie"), "functie", &["respijtzorg"]));
    assert_eq!(filtered.total as u32, expected);
    assert!(filtered.total < all.total);
    assert!(filtered.hits.iter().all(|h| {
        demo()
            .index
            .facet_values_of(h.doc, "functie")
            .any(|(code, _)| code == "respijtzorg")
    }));
}

#[test]
fn two_facets_combine_with_and() {
    let respite = ids(&with_filter(query(""), "functie", &["respijtzorg"]));
    let both = ids(&with_filter(
        with_filter(query(""), "functie", &["respijtzorg"]),
        "gebied",
        &["de-blokken"],
    ));
    assert!(!both.is_empty());
    assert!(both.len() < respite.len());
    assert!(both.is_subset(&respite));
}

#[test]
fn values_of_one_facet_combine_with_or() {
    let a = ids(&with_filter(query(""), "functie", &["educatie"]));
    let b = ids(&with_filter(
        query(""),
        "functie",
        &["financiele-tegemoetkoming"],
    ));
    let either = ids(&with_filter(
        query(""),
        "functie",
        &["educatie", "financiele-tegemoetkoming"],
    ));
    assert_eq!(either, a.union(&b).cloned().collect());
}

#[test]
fn counts_of_a_selected_facet_ignore_its_own_selection() {
    let r = demo()
        .index
        .search(&with_filter(query(""), "functie", &["educatie"]));
    let functie = r.facets.iter().find(|f| f.key == "functie").unwrap();
    assert!(
        functie
            .values
            .iter()
            .find(|v| v.code == "educatie")
            .unwrap()
            .selected
    );
    assert!(
        functie
            .values
            .iter()
            .find(|v| v.code == "respijtzorg")
            .unwrap()
            .count
            > 0,
        "other values stay countable"
    );
}

#[test]
fn target_group_filter_without_words() {
    let found = names(&with_filter(
        query(""),
        "doelgroep",
        &["jonge-mantelzorgers"],
    ));
    assert!(found.len() >= 4, "{found:?}");
    assert!(
        found.iter().all(|n| n.contains("ongerenwerk")
            || n.contains("JMZ")
            || n.contains("Jonge mantelzorgers")),
        "{found:?}"
    );
}

#[test]
fn every_area_has_offers() {
    let r = demo().index.search(&query(""));
    let gebied = r.facets.iter().find(|f| f.key == "gebied").unwrap();
    assert_eq!(gebied.values.len(), 6);
    assert!(
        gebied.values.iter().all(|v| v.count >= 10),
        "{:?}",
        gebied.values
    );
}

// --- distance ---

#[test]
fn klazienaveen_day_programmes_come_first_from_7891() {
    let mut q = query("dagbesteding dementie");
    q.near = Some(near("7891"));
    let r = demo().index.search(&q);
    let first: Vec<_> = r.hits.iter().take(3).collect();
    assert!(
        first.iter().all(|h| h.place == Some("Klazienaveen")),
        "{:?}",
        first
            .iter()
            .map(|h| (h.doc.name(), h.place))
            .collect::<Vec<_>>()
    );
    let distances: Vec<f64> = r.hits.iter().filter_map(|h| h.distance_km).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances[0] < 1.0);
}

#[test]
fn nearest_first_without_words() {
    let mut q = query("");
    q.near = Some(near("7761"));
    let r = demo().index.search(&q);
    assert_eq!(r.hits[0].place, Some("Schoonebeek"));
}

#[test]
fn radius_keeps_only_close_offers() {
    let mut q = query("");
    q.near = Some(near("7891"));
    q.radius_km = Some(3.0);
    let r = demo().index.search(&q);
    assert!(r.total > 3);
    assert!(
        r.hits
            .iter()
            .all(|h| h.distance_km.is_some_and(|d| d <= 3.0))
    );
}

#[test]
fn offers_without_an_address_come_after_located_ones() {
    let mut q = query("respijtzorg");
    q.near = Some(near("7811"));
    let r = demo().index.search(&q);
    let first_unlocated = r
        .hits
        .iter()
        .position(|h| h.distance_km.is_none())
        .expect("some respite is at home");
    assert!(
        r.hits[first_unlocated..]
            .iter()
            .all(|h| h.distance_km.is_none())
    );
}

// --- paging and odd input ---

#[test]
fn pages_do_not_overlap_and_cover_everything() {
    let total = demo().index.search(&query("")).total;
    let mut seen = HashSet::new();
    let mut offset = 0;
    while offset < total {
        let q = SearchQuery {
            offset,
            limit: 20,
            ..SearchQuery::default()
        };
        for h in demo().index.search(&q).hits {
            assert!(
                seen.insert(h.doc.id().to_string()),
                "{} twice",
                h.doc.name()
            );
        }
        offset += 20;
    }
    assert_eq!(seen.len(), total);
}

#[test]
fn stop_words_alone_find_nothing_and_say_so() {
    // Words that all fall away must not widen the search to everything (issue 9).
    let r = demo().index.search(&query("de het een"));
    assert_eq!(r.total, 0);
    assert_eq!(r.unknown_words, vec!["de het een".to_string()]);
}

#[test]
fn prefix_search_as_you_type() {
    let q = SearchQuery {
        text: "dagbest".into(),
        prefix: true,
        limit: 50,
        ..SearchQuery::default()
    };
    assert!(demo().index.search(&q).total >= 10);
}

/// Nearest first over many matches walks the grid outward and stops early; it must give the
/// same page as weighing every match (asked for by a page as large as the total).
#[test]
fn nearest_first_by_grid_rings_equals_weighing_every_match() {
    let pc4: Vec<kapstok_demo::synthetic::Pc4> =
        csv::Reader::from_path(crate::support::shared("geo/nl-pc4.csv"))
            .expect("../shared/geo/nl-pc4.csv")
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    r[0].to_string(),
                    r[1].parse().unwrap(),
                    r[2].parse().unwrap(),
                )
            })
            .collect();
    let national = kapstok_demo::synthetic::national(10_000, &pc4);
    let geo = GeoData::new(
        national.postcodes.clone(),
        national.areas.clone(),
        national.area_postcodes.clone(),
    );
    let index = build_index(&national.directory, &geo, &SearchConfig::default());
    for (k, (_, lat, lon)) in pc4.iter().step_by(409).enumerate() {
        for text in ["", "dagbesteding", "mantelzorgers", "hulp"] {
            let mut q = query(text);
            q.near = Some(kapstok_domain::geo::GeoPoint::new(*lat, *lon).unwrap());
            q.limit = 20;
            q.offset = 20 * (k % 2);
            let page = index.search(&q);
            let mut all = q.clone();
            all.offset = 0;
            all.limit = page.total.max(1);
            let every = index.search(&all);
            let expected: Vec<&str> = every
                .hits
                .iter()
                .skip(q.offset)
                .take(20)
                .map(|h| h.doc.id())
                .collect();
            let got: Vec<&str> = page.hits.iter().map(|h| h.doc.id()).collect();
            assert!(
                page.total > 16 * 40,
                "{text}: enough matches for the ring walk"
            );
            assert_eq!(got, expected, "{text} near {lat},{lon}");
        }
    }
}
