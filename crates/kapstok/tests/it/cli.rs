//! The `kapstok` command as an administrator uses it.

use crate::support::Kapstok;
use crate::support::shared;

/// Runs the real binary to the end: (success, standard output, standard error).
pub fn kapstok(data_dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Kapstok::new(data_dir).run(args);
    (out.ok, out.stdout, out.stderr)
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, _) = kapstok(dir.path(), &["--help"]);
    assert!(ok);
    for c in ["serve", "import", "export", "reindex", "demo", "backup"] {
        assert!(out.contains(c), "{c}");
    }
}

#[test]
fn postcode_tables_import_and_bad_rows_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pc6 = shared("geo/emmen-pc6.csv");
    let (ok, out, err) = kapstok(dir.path(), &["import", "postcodes", pc6.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("3274 postcodes ingelezen"), "{out}");
    let pc4 = shared("geo/nl-pc4.csv");
    let (ok, out, _) = kapstok(dir.path(), &["import", "postcodes", pc4.to_str().unwrap()]);
    assert!(ok && out.contains("4073 postcodes"), "{out}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "pc4,lat,lon\n7811,52.78,6.89\nabcd,52.1,6.1\n7812,52.7,x\n",
    )
    .unwrap();
    let (ok, _, err) = kapstok(dir.path(), &["import", "postcodes", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("niets veranderd"), "{err}");
    assert!(
        err.contains("regel 3: 'abcd' is geen geldige postcode"),
        "{err}"
    );
    assert!(err.contains("regel 4: ongeldige coördinaten"), "{err}");
}

#[test]
fn demo_export_reindex_and_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = kapstok(dir.path(), &["demo"]);
    assert!(ok, "{err}");
    assert!(out.contains("152 diensten"), "{out}");
    let file = dir.path().join("export.json");
    let (ok, _, err) = kapstok(dir.path(), &["export", "hsds", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["services"].as_array().unwrap().len(), 152);
    let (ok, out, _) = kapstok(dir.path(), &["reindex"]);
    assert!(ok && out.contains("152 diensten"), "{out}");
    let backup = dir.path().join("kopie.db");
    let (ok, _, err) = kapstok(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(ok, "{err}");
    let restored = dir.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    std::fs::copy(&backup, restored.join("kapstok.db")).unwrap();
    let (ok, out, _) = kapstok(&restored, &["reindex"]);
    assert!(
        ok && out.contains("152 diensten"),
        "restored copy works: {out}"
    );
    let (ok, _, err) = kapstok(dir.path(), &["backup", backup.to_str().unwrap()]);
    assert!(!ok && err.contains("bestaat al"), "{err}");
}

#[test]
fn a_missing_file_gets_a_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = kapstok(dir.path(), &["import", "hsds", "/nergens/bestand.json"]);
    assert!(!ok);
    assert!(
        err.contains("kan /nergens/bestand.json niet lezen"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

/// A deployment's first own account switches the demo's accounts (published password) off.
#[test]
fn the_first_real_account_deactivates_the_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = kapstok(dir.path(), &["demo"]);
    assert!(ok, "{err}");
    let (_, list, _) = kapstok(dir.path(), &["user", "list"]);
    assert!(
        list.contains("beheerder@demo.kapstok.nl") && !list.contains("gedeactiveerd"),
        "{list}"
    );
    let (ok, out, err) = kapstok(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "bea@emmen.nl",
            "--name",
            "Bea",
            "--role",
            "beheerder",
            "--team",
            "Gemeente Emmen",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("8 demo-accounts") && out.contains("gedeactiveerd"),
        "{out}"
    );
    let (_, list, _) = kapstok(dir.path(), &["user", "list"]);
    assert_eq!(list.matches("(gedeactiveerd)").count(), 8, "{list}");
}
