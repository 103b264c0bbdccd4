//! Kapstok on PostgreSQL as a deployment runs it: several `kapstok serve` processes on one
//! database, the command line with `--database`, and `kapstok backup` through `pg_dump`.

use crate::cli::kapstok;
use crate::hardening::{
    all_find_new_service_within_two_seconds, finds_new_service, new_service_file,
};
use crate::support::Kapstok;
use crate::support::postgres::fresh_database;

#[test]
fn two_servers_on_one_database_both_show_an_import_within_two_seconds() {
    let url = fresh_database();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The first loads the demo into the empty database; the second finds it there.
    let first = Kapstok::new(a.path()).serve(&["--database", &url]);
    let second = Kapstok::new(b.path()).serve(&["--database", &url, "--no-demo"]);
    for addr in [&first.addr, &second.addr] {
        let page = crate::support::raw_http(
            addr,
            "GET /api/services?per_page=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        assert!(page.contains("\"total_items\":152"), "{addr}: {page}");
    }
    let file = new_service_file(a.path(), &["--database", &url]);
    assert!(!finds_new_service(&first.addr) && !finds_new_service(&second.addr));
    // Imported by a third process; neither server is told, both see it.
    let (ok, _, err) = kapstok(
        a.path(),
        &["import", "hsds", file.to_str().unwrap(), "--database", &url],
    );
    assert!(ok, "{err}");
    all_find_new_service_within_two_seconds(&[&first.addr, &second.addr]);
    // Nothing was written beside the database: the data folders stay empty.
    for dir in [a.path(), b.path()] {
        assert!(!dir.join("kapstok.db").exists());
    }
}

#[test]
fn the_command_line_works_on_postgres_and_backup_is_a_pg_dump_archive() {
    let url = fresh_database();
    let dir = tempfile::tempdir().unwrap();
    let on = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", url.as_str()]);
        kapstok(dir.path(), &all)
    };
    let (ok, out, err) = on(&["demo"]);
    assert!(ok && out.contains("152 diensten"), "{out}{err}");
    let (ok, out, _) = on(&["reindex"]);
    assert!(ok && out.contains("152 diensten"), "{out}");
    let archive = dir.path().join("kapstok.dump");
    let (ok, out, err) = on(&["backup", archive.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("Kopie gemaakt"), "{out}");
    let bytes = std::fs::read(&archive).unwrap();
    assert!(
        bytes.starts_with(b"PGDMP"),
        "a pg_dump custom-format archive"
    );
    // Restored into another database, it holds the same map.
    let restored = fresh_database();
    let out = crate::support::postgres::restore(&archive, &restored);
    assert!(out.is_ok(), "{out:?}");
    let (ok, out, _) = kapstok(dir.path(), &["reindex", "--database", &restored]);
    assert!(ok && out.contains("152 diensten"), "restored: {out}");
    // A bad URL gets a message naming the option, and never shows the password.
    let (ok, _, err) = kapstok(
        dir.path(),
        &["reindex", "--database", "mysql://u:geheim@h/db"],
    );
    assert!(
        !ok && err.contains("--database") && !err.contains("geheim"),
        "{err}"
    );
    let (ok, _, err) = kapstok(
        dir.path(),
        &[
            "reindex",
            "--database",
            "postgres://kapstok:geheim@127.0.0.1:1/nergens",
        ],
    );
    assert!(
        !ok && err.contains("kan de database") && !err.contains("geheim"),
        "{err}"
    );
}
