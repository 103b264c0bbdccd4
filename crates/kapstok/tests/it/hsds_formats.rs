//! HSDS as other directories publish it: every format `kapstok import hsds` detects (the
//! official examples import unchanged), and every format `kapstok export hsds` writes (valid
//! against the official schemas, and export → import → export identical).

use crate::support::{Backend, TestApp, shared};
use kapstok::config::ExportFormat;
use serde_json::Value;
use std::path::Path;

const EXAMPLE_SERVICE: &str = "ac148810-d857-441c-9679-408f346de14b";
const EXAMPLE_ORGANIZATION: &str = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";

fn schema(path: &str) -> Value {
    let text = std::fs::read_to_string(shared(path))
        .unwrap_or_else(|e| panic!("../shared/{path}: {e}; the HSDS schemas are test data"));
    serde_json::from_str(&text).expect("schema is JSON")
}

async fn export(app: &TestApp, format: ExportFormat, name: &str) -> std::path::PathBuf {
    let path = app.dir.path().join(name);
    kapstok::commands::export_hsds(&app.importer(), &path, format)
        .await
        .expect("export");
    path
}

/// A file, or every file of a package directory, as one comparable text.
fn contents(path: &Path) -> String {
    if path.is_dir() {
        let mut names: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                format!(
                    "== {}\n{}",
                    p.display(),
                    std::fs::read_to_string(p).unwrap()
                )
            })
            .map(|s| s.replace(&path.display().to_string(), ""))
            .collect()
    } else {
        std::fs::read_to_string(path).unwrap()
    }
}

#[tokio::test]
async fn the_official_hsds_examples_import_unchanged_and_a_second_time_update() {
    for backend in Backend::ALL {
        let app = TestApp::init().with_backend(backend).build().await;
        for example in [
            "hsds/examples/service_full.json",
            "hsds/examples/service_list.json",
            "hsds/examples/organization_full.json",
            "hsds/examples/csv",
            "hsds/examples/csv/datapackage.json",
        ] {
            let summary = kapstok::commands::import_hsds(&app.importer(), &shared(example))
                .await
                .unwrap_or_else(|e| panic!("{backend:?} {example}: {e:#}"));
            assert_eq!(summary.services, 1, "{example}");
            let stored = app.store.load_directory().await.unwrap();
            assert_eq!(
                stored.services.len(),
                1,
                "{backend:?} {example}: never duplicated"
            );
            assert_eq!(stored.organizations.len(), 1, "{backend:?} {example}");
            let service = &stored.services[0];
            assert_eq!(service.id, EXAMPLE_SERVICE);
            assert_eq!(service.organization_id, EXAMPLE_ORGANIZATION);
            assert_eq!(service.name, "Community Counselling");
        }
        let stored = app.store.load_directory().await.unwrap();
        // The nested organisation came along, merged by id, with its own fields.
        assert_eq!(stored.organizations[0].name, "Example Organization Inc.");
        // The example's position (100, 101) is nowhere on earth: kept without coordinates.
        let location = &stored.services[0].service_at_locations[0].location;
        assert_eq!(location.name.as_deref(), Some("MyCity Civic Center"));
        assert_eq!(location.latitude, None);
        // The nested term and its taxonomy (taxonomy_detail) arrived as records of their own.
        assert!(
            stored
                .taxonomy_terms
                .iter()
                .any(|t| t.id == "3f7b145d-84af-42d7-8fae-eaca714b02b2")
        );
        assert!(
            stored
                .taxonomies
                .iter()
                .any(|t| t.id == "5c4d79d7-cc55-470e-9f1f-8cad074e4892")
        );

        app.refresh().await;
        let page = app.get(&format!("/aanbod/{EXAMPLE_SERVICE}")).await;
        assert_eq!(page.status, 200, "{backend:?}");
        assert!(page.body.contains("Community Counselling"));
        assert!(page.body.contains("Example Organization Inc."));
    }
}

#[tokio::test]
async fn a_dry_run_tells_new_from_updated_and_refused_and_changes_nothing() {
    let app = TestApp::init().with_demo().build().await;
    let before = app.export().await;
    let own = export(&app, ExportFormat::Kapstok, "own.json").await;
    let run = kapstok::commands::dry_run_hsds(&app.importer(), &own)
        .await
        .expect("dry run");
    assert!(
        run.records.iter().all(|r| !r.new),
        "everything is there already"
    );
    assert_eq!(
        run.records.iter().filter(|r| r.kind == "service").count(),
        152
    );

    let example = shared("hsds/examples/service_full.json");
    let run = kapstok::commands::dry_run_hsds(&app.importer(), &example)
        .await
        .expect("dry run");
    let service = run
        .records
        .iter()
        .find(|r| r.kind == "service")
        .expect("the service");
    assert!(service.new);
    assert_eq!(service.name, "Community Counselling");
    assert!(
        run.warnings
            .iter()
            .any(|w| w.to_string().contains("no position on earth")),
        "{:?}",
        run.warnings
    );

    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
    doc["minimum_age"] = "twaalf".into();
    let bad = app.dir.path().join("bad.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    let err = kapstok::commands::dry_run_hsds(&app.importer(), &bad)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("1 probleem"), "{err}");
    assert_eq!(app.export().await, before, "a dry run stores nothing");
}

#[tokio::test]
async fn every_export_format_round_trips_identically_on_both_backends() {
    let source = TestApp::init().with_demo().build().await;
    for (format, name) in [
        (ExportFormat::Compiled, "compiled.json"),
        (ExportFormat::Ndjson, "services.ndjson"),
        (ExportFormat::Tabular, "package"),
    ] {
        let first = export(&source, format, name).await;
        for backend in Backend::ALL {
            let target = TestApp::init().with_backend(backend).build().await;
            let summary = kapstok::commands::import_hsds(&target.importer(), &first)
                .await
                .unwrap_or_else(|e| panic!("{backend:?} {name}: {e:#}"));
            assert_eq!(summary.services, 152, "{backend:?} {name}");
            let second = export(&target, format, name).await;
            assert!(
                contents(&first) == contents(&second),
                "{backend:?} {name}: export → import → export differs"
            );
            // Once more into the same database: updated, not duplicated.
            kapstok::commands::import_hsds(&target.importer(), &first)
                .await
                .expect("again");
            assert_eq!(
                target.store.load_directory().await.unwrap().services.len(),
                152
            );
        }
    }
}

#[tokio::test]
async fn compiled_and_ndjson_exports_validate_against_the_compiled_service_schema() {
    let app = TestApp::init().with_demo().build().await;
    let validator =
        jsonschema::validator_for(&schema("hsds/schema/compiled/service.json")).expect("compiles");
    let compiled = export(&app, ExportFormat::Compiled, "compiled.json").await;
    let array: Vec<Value> = serde_json::from_str(&contents(&compiled)).unwrap();
    let ndjson = export(&app, ExportFormat::Ndjson, "services.ndjson").await;
    let lines: Vec<Value> = contents(&ndjson)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record per line"))
        .collect();
    assert_eq!(array.len(), 152);
    assert_eq!(array, lines, "the same records, one per line");
    for record in &array {
        let errors: Vec<String> = validator
            .iter_errors(record)
            .take(3)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", record["id"]);
        assert_eq!(record["organization"]["id"], record["organization_id"]);
        let attribute = &record["attributes"][0];
        assert_eq!(
            attribute["taxonomy_term"]["id"],
            attribute["taxonomy_term_id"]
        );
        assert!(attribute["taxonomy_term"]["taxonomy_detail"]["name"].is_string());
    }
}

#[tokio::test]
async fn every_tabular_export_row_validates_against_the_hsds_table_schema() {
    let app = TestApp::init().with_demo().build().await;
    let tables = schema("hsds/schema/compiled/tabular.json");
    let package = export(&app, ExportFormat::Tabular, "package").await;
    let descriptor: Value =
        serde_json::from_str(&std::fs::read_to_string(package.join("datapackage.json")).unwrap())
            .unwrap();
    let resources = descriptor["resources"].as_array().unwrap();
    let mut checked = 0;
    for resource in resources {
        let name = resource["name"].as_str().unwrap();
        // The HSDS table written to the same file name as HSDS's own package uses.
        let file = resource["path"].as_str().unwrap();
        let mut table_schema = tables["properties"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| &t["items"])
            .find(|t| t["path"] == file)
            .unwrap_or_else(|| panic!("{file} is not an HSDS table"))
            .clone();
        // A row holds the table's own columns; the nested lists (by $ref) are other tables.
        table_schema["properties"]
            .as_object_mut()
            .unwrap()
            .retain(|_, p| p.get("$ref").is_none() && p["type"] != "array");
        let validator = jsonschema::validator_for(&table_schema).expect("compiles");
        let types: std::collections::HashMap<&str, &str> = resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["name"].as_str().unwrap(), f["type"].as_str().unwrap()))
            .collect();
        let path = package.join(resource["path"].as_str().unwrap());
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers = reader.headers().unwrap().clone();
        for row in reader.records() {
            let row = row.unwrap();
            let mut record = serde_json::Map::new();
            for (column, cell) in headers.iter().zip(row.iter()) {
                if cell.is_empty() || column.starts_with("kapstok_") {
                    continue;
                }
                let value = match types[column] {
                    "integer" => Value::from(cell.parse::<i64>().unwrap()),
                    "number" => Value::from(cell.parse::<f64>().unwrap()),
                    "boolean" => Value::from(cell == "true"),
                    _ => Value::from(cell),
                };
                record.insert(column.to_string(), value);
            }
            let record = Value::Object(record);
            let errors: Vec<String> = validator
                .iter_errors(&record)
                .take(3)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{name} {}: {errors:#?}", record["id"]);
            checked += 1;
        }
    }
    assert!(checked > 1_000, "{checked} rows");
}

#[tokio::test]
async fn bad_packages_and_documents_are_refused_with_the_row_and_change_nothing() {
    let app = TestApp::init().with_demo().build().await;
    let before = app.export().await;
    let package = export(&app, ExportFormat::Tabular, "package").await;

    let services = package.join("services.csv");
    let original = std::fs::read_to_string(&services).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let age = header.iter().position(|c| *c == "minimum_age").unwrap();
    let mut row: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[1].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    row[age] = "achttien".into();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(&row).unwrap();
    lines[1] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    std::fs::write(&services, lines.join("\n") + "\n").unwrap();
    let sal = package.join("service_at_location.csv");
    let text = std::fs::read_to_string(&sal).unwrap();
    let mut sal_lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let cols: Vec<String> = sal_lines[1].split(',').map(str::to_owned).collect();
    sal_lines[1] = format!("{},{},nergens,{}", cols[0], cols[1], cols[3..].join(","));
    std::fs::write(&sal, sal_lines.join("\n") + "\n").unwrap();
    let err = kapstok::commands::import_hsds(&app.importer(), &package)
        .await
        .expect_err("refused");
    assert!(err.to_string().starts_with("1 probleem"), "{err}");
    // Fix the number: then the location that is nowhere is the problem.
    std::fs::write(&services, &original).unwrap();
    let err = kapstok::commands::import_hsds(&app.importer(), &package)
        .await
        .expect_err("refused");
    assert!(err.to_string().starts_with("1 probleem"), "{err}");
    assert_eq!(app.export().await, before);

    // An empty directory is no package.
    let empty = app.dir.path().join("leeg");
    std::fs::create_dir(&empty).unwrap();
    let err = kapstok::commands::import_hsds(&app.importer(), &empty)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("geen HSDS-tabellen"), "{err}");

    // Two documents one after the other are only NDJSON when each is one record.
    let own = export(&app, ExportFormat::Kapstok, "own.json").await;
    let twice = app.dir.path().join("twice.json");
    let text = contents(&own);
    std::fs::write(&twice, format!("{text}\n{text}")).unwrap();
    assert!(
        kapstok::commands::import_hsds(&app.importer(), &twice)
            .await
            .is_err()
    );
    // A broken line in NDJSON names its line.
    let ndjson = export(&app, ExportFormat::Ndjson, "services.ndjson").await;
    let mut text = contents(&ndjson);
    text.insert_str(text.find('\n').unwrap() + 1, "{\"id\": kapot}\n");
    std::fs::write(&ndjson, text).unwrap();
    let checked = kapstok_domain::hsds::parse_directory_from(
        std::fs::File::open(&ndjson).unwrap(),
        &Default::default(),
    )
    .expect_err("refused");
    assert!(checked[0].message.contains("line 2"), "{checked:?}");
    assert_eq!(app.export().await, before);
}
