//! A throwaway PostgreSQL cluster for the whole test run: Debian's `initdb` and `pg_ctl` into a
//! temp dir, on a free loopback port, started once; every test gets its own database. When
//! PostgreSQL cannot be started the tests that need it fail, with the reason; they are never
//! skipped. A small watchdog stops the cluster and removes its files once the test run ends.
//!
//! `initdb` refuses to run as root; as root the cluster runs as the `postgres` user that
//! Debian's package creates.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Cluster {
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The URL of a new, empty database on the run's cluster.
pub fn fresh_database() -> String {
    let cluster = match CLUSTER.get_or_init(Cluster::start) {
        Ok(c) => c,
        Err(e) => panic!("PostgreSQL could not be started for the tests: {e}"),
    };
    let name = format!(
        "kapstok_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let out = cluster
        .command("createdb")
        .args(["-h", "127.0.0.1", "-p", &cluster.port.to_string()])
        .args(["-U", "kapstok", &name])
        .output()
        .expect("createdb runs");
    assert!(
        out.status.success(),
        "createdb {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("postgres://kapstok@127.0.0.1:{}/{name}", cluster.port)
}

impl Cluster {
    fn start() -> Result<Cluster, String> {
        let bin = bin_dir()?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("kapstok-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if as_postgres {
            run(Command::new("chown").arg("postgres").arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Cluster {
            bin,
            port,
            as_postgres,
        };
        let data = dir.join("data");
        run(cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", "kapstok", "--auth=trust", "--encoding=UTF8"])
            .args(["--locale=C.UTF-8", "--no-sync"]))?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        run(cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]))
        .map_err(|e| {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            format!("{e}\n{log}")
        })?;
        cluster.watch(&dir, &data)?;
        Ok(cluster)
    }

    /// A PostgreSQL tool, as the `postgres` user when the tests run as root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Stops the cluster and removes its files after this test process has gone.
    fn watch(&self, dir: &Path, data: &Path) -> Result<(), String> {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; '{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = data.display(),
            dir = dir.display(),
        );
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", &script]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", &script]);
            c
        };
        c.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("watchdog: {e}"))
    }
}

/// `KAPSTOK_TEST_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` (Debian), else `PATH`.
fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("KAPSTOK_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    let on_path = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match on_path {
        Some(initdb) => Ok(PathBuf::from(initdb)
            .parent()
            .expect("initdb lives in a folder")
            .to_path_buf()),
        None => Err("no initdb found: install Debian's `postgresql` package \
                     (apt-get install postgresql) or set KAPSTOK_TEST_PG_BIN"
            .into()),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `pg_restore` of a `kapstok backup` archive into the database at `url`.
pub fn restore(archive: &Path, url: &str) -> Result<(), String> {
    let bin = match CLUSTER.get() {
        Some(Ok(c)) => c.bin.clone(),
        _ => return Err("no cluster".into()),
    };
    // A client like any other: run as the test's own user, which can read the archive.
    run(Command::new(bin.join("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname", url])
        .arg(archive))
}
