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

        // Team, Bea, her link, Fenna, her (unused) link, her password: six entries, one chain.
        let verify = run(&["audit", "verify"]);
        assert!(verify.ok, "{backend:?}: {}", verify.stderr);
        assert!(
            verify.stdout.contains("in orde: 6 regels"),
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
