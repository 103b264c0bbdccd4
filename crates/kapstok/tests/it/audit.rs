//! The first beheerder from the command line, and `kapstok audit verify` finding a row that
//! someone with access to the database changed behind Kapstok's back, on both backends.

use crate::support::test_app::raw_sql;
use crate::support::{Backend, Kapstok};

#[test]
fn the_first_beheerder_is_invited_from_the_cli_and_tampering_with_the_log_is_found() {
    for backend in Backend::ALL {
        let dir = tempfile::tempdir().unwrap();
        let db = backend.fresh_database(dir.path());
        let url = match &db {
            kapstok_store_sql::Database::Sqlite(p) => format!("sqlite:{}", p.display()),
            kapstok_store_sql::Database::Postgres(u) => u.clone(),
        };
        let k = Kapstok::new(dir.path());
        let run = |args: &[&str]| {
            let mut all = vec!["--database", url.as_str()];
            all.extend(args);
            k.run(&all)
        };
        let add = [
            "user",
            "add",
            "--email",
            "Bea@Emmen.nl",
            "--name",
            "Bea Beheer",
            "--role",
            "beheerder",
            "--team",
            "Gemeente Emmen",
        ];
        let out = run(&add);
        assert!(out.ok, "{backend:?}: {}", out.stderr);
        let link = out
            .stdout
            .lines()
            .find(|l| l.starts_with("http://127.0.0.1:8080/uitnodiging/"))
            .unwrap_or_else(|| panic!("{}", out.stdout));
        assert_eq!(link.rsplit('/').next().unwrap().len(), 64, "{link}");
        assert!(out.stdout.contains("72 uur"), "{}", out.stdout);

        // The same address again, an unknown role, a bad address: refused, nothing changes.
        let again = run(&add);
        assert!(
            !again.ok && again.stderr.contains("er is al een account"),
            "{}",
            again.stderr
        );
        let bad_role = run(&[
            "user",
            "add",
            "--email",
            "x@emmen.nl",
            "--name",
            "X",
            "--role",
            "admin",
            "--team",
            "T",
        ]);
        assert!(
            !bad_role.ok && bad_role.stderr.contains("onbekende rol"),
            "{}",
            bad_role.stderr
        );
        let bad_email = run(&[
            "user",
            "add",
            "--email",
            "geen-adres",
            "--name",
            "X",
            "--role",
            "teamlid",
            "--team",
            "Gemeente Emmen",
        ]);
        assert!(
            !bad_email.ok && bad_email.stderr.contains("geen e-mailadres"),
            "{}",
            bad_email.stderr
        );
        let list = run(&["user", "list"]);
        assert!(list.ok, "{}", list.stderr);
        assert_eq!(list.stdout.lines().count(), 1, "{}", list.stdout);
        assert!(
            list.stdout
                .contains("bea@emmen.nl  Bea Beheer  beheerder in Gemeente Emmen"),
            "{}",
            list.stdout
        );

        // A password from standard input, checked by the same rules.
        let mut weak = k.command(&[
            "--database",
            &url,
            "user",
            "add",
            "--email",
            "fg@emmen.nl",
            "--name",
            "Fenna",
            "--role",
            "privacy",
            "--team",
            "Gemeente Emmen",
            "--password-stdin",
        ]);
        let out = pipe(&mut weak, "wachtwoord\n");
        assert!(!out.0 && out.2.contains("minstens 12 tekens"), "{}", out.2);
        let mut good = k.command(&[
            "--database",
            &url,
            "user",
            "add",
            "--email",
            "fg@emmen.nl",
            "--name",
            "Fenna",
            "--role",
            "privacy",
            "--team",
            "Gemeente Emmen",
            "--password-stdin",
        ]);
        let out = pipe(&mut good, "een lange zin als wachtwoord\n");
        assert!(out.0, "{}", out.2);

        // The team, Bea, her link, Fenna with her password: four entries, one chain.
        let verify = run(&["audit", "verify"]);
        assert!(verify.ok, "{backend:?}: {}", verify.stderr);
        assert!(
            verify.stdout.contains("in orde: 4 regels"),
            "{}",
            verify.stdout
        );

        // Someone with the database drops the guard and changes entry 2.
        let tamper = match backend {
            Backend::Sqlite => {
                "DROP TRIGGER access_log_no_update; UPDATE access_log SET origin = 'elders' WHERE seq = 2"
            }
            Backend::Postgres => {
                "ALTER TABLE access_log DISABLE TRIGGER access_log_no_change; UPDATE access_log SET origin = 'elders' WHERE seq = 2"
            }
        };
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(raw_sql(&db, tamper))
            .unwrap();
        let verify = run(&["audit", "verify"]);
        assert!(!verify.ok, "{backend:?}: {}", verify.stdout);
        assert!(
            verify.stderr.contains("beschadigd bij regel 2"),
            "{}",
            verify.stderr
        );
        assert!(verify.stderr.contains("gewijzigd"), "{}", verify.stderr);
    }
}

/// Runs a command with `input` on its standard input: (success, stdout, stderr).
fn pipe(command: &mut std::process::Command, input: &str) -> (bool, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Rows are kept for their term, then removed; the rest of the chain still checks, the term is
/// at least a year, and the database refuses to remove younger rows.
#[tokio::test]
async fn rows_past_their_term_go_and_the_rest_of_the_chain_still_checks() {
    use kapstok_domain::audit::{Action, NewEntry, RecordKind};
    for backend in Backend::ALL {
        let app = crate::support::TestApp::init()
            .with_backend(backend)
            .build()
            .await;
        let store = &app.store;
        for (n, at) in [
            "2019-01-01T10:00:00.000Z",
            "2019-06-01T10:00:00.000Z",
            "2026-11-30T10:00:00.000Z",
        ]
        .iter()
        .enumerate()
        {
            let mut e = NewEntry::new(at.to_string(), Action::View, RecordKind::Account, true);
            e.person = Some(format!("p{n}"));
            store.append(&e).await.unwrap();
        }
        let check =
            kapstok_app::AuditCheck::grant(store.clone(), &kapstok_app::Actor::console_operator())
                .unwrap();
        assert_eq!(
            check.retention_days().await.unwrap(),
            1826,
            "{backend:?}: five years by default"
        );
        assert_eq!(check.set_retention_days(100).await.unwrap(), Err(365));
        let e = app
            .raw_sql("UPDATE access_log_retention SET keep_days = 10")
            .await
            .unwrap_err();
        assert!(
            e.to_string().to_lowercase().contains("check"),
            "{backend:?}: {e}"
        );
        // The 2019 rows are past even the five-year default; last week's row is not.
        assert_eq!(
            check.purge().await.unwrap(),
            2,
            "{backend:?}: the 2019 rows are past five years"
        );
        check.set_retention_days(365).await.unwrap().unwrap();
        assert_eq!(
            check.purge().await.unwrap(),
            0,
            "nothing else is a year old"
        );
        let left = store.entries_after(0, 100).await.unwrap();
        assert_eq!(left.first().unwrap().seq, 3, "{backend:?}");
        let c = check.verify().await.unwrap().unwrap();
        assert_eq!(
            c.first_seq,
            Some(3),
            "the oldest remaining row anchors the chain"
        );
        assert_eq!(
            c.checked, 3,
            "the row, the purge's own entry, the term's change"
        );
        // A young row cannot be removed, term or not.
        let e = app
            .raw_sql("DELETE FROM access_log WHERE seq = 3")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("retention"), "{backend:?}: {e}");
    }
}
