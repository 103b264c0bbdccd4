//! The read-model snapshot: a restart loads it instead of rebuilding; a stale or damaged one is
//! never served, but rebuilt from the database and saved again.

use crate::cli::kapstok;
use crate::hardening::{finds_new_service, new_service_file};
use crate::support::{Kapstok, raw_http};

fn total(addr: &str) -> String {
    let page = raw_http(
        addr,
        "GET /api/services?per_page=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    page.split("\"total_items\":")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or("?")
        .to_string()
}

#[test]
fn a_restart_uses_a_current_snapshot_and_rebuilds_a_stale_or_damaged_one() {
    let data = tempfile::tempdir().unwrap();
    let snapshot = data.path().join("readmodel.snapshot");
    let k = Kapstok::new(data.path());
    {
        let server = k.serve(&[]);
        assert_eq!(total(&server.addr), "152");
    }
    let saved = std::fs::read(&snapshot).expect("the first start saves a snapshot");
    assert!(saved.starts_with(b"KAPSTOK-READMODEL-"));

    // A current snapshot is used as it is: the file is not written again.
    let modified = std::fs::metadata(&snapshot).unwrap().modified().unwrap();
    {
        let server = k.serve(&[]);
        assert_eq!(total(&server.addr), "152");
    }
    assert_eq!(
        std::fs::metadata(&snapshot).unwrap().modified().unwrap(),
        modified
    );

    // Stale: the database moved on while no server ran. The new service is found.
    let file = new_service_file(data.path(), &[]);
    let (ok, _, err) = kapstok(data.path(), &["import", "hsds", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    {
        let server = k.serve(&[]);
        assert!(
            finds_new_service(&server.addr),
            "a stale snapshot was served"
        );
        assert_eq!(total(&server.addr), "153");
    }

    // Damaged: a flipped byte in the middle, or a cut-off file. Rebuilt, saved whole again.
    for damage in [0, 1] {
        let mut bytes = std::fs::read(&snapshot).unwrap();
        if damage == 0 {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x55;
        } else {
            bytes.truncate(bytes.len() / 3);
        }
        std::fs::write(&snapshot, &bytes).unwrap();
        let server = k.serve(&[]);
        assert_eq!(total(&server.addr), "153", "damage {damage}");
        assert!(finds_new_service(&server.addr));
        drop(server);
        let again = std::fs::read(&snapshot).unwrap();
        assert_ne!(again, bytes, "damage {damage}: saved again");
    }

    // --no-snapshot keeps none.
    std::fs::remove_file(&snapshot).unwrap();
    {
        let server = k.serve(&["--no-snapshot"]);
        assert_eq!(total(&server.addr), "153");
    }
    assert!(!snapshot.exists());
}
