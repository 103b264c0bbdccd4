//! A real SMTP server for the mail tests: Python's aiosmtpd (as `.ci/run` installs it) on a
//! free loopback port, delivering into a maildir the test reads back. Stopped when dropped.

use std::path::PathBuf;

pub struct Smtp {
    child: std::process::Child,
    pub port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    pub fn start() -> Smtp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir(maildir.path().join(sub)).unwrap();
        }
        // The first Python with aiosmtpd (Debian's python3-aiosmtpd, or one where pip put it).
        let python = ["python3", "/usr/bin/python3"]
            .into_iter()
            .find(|p| {
                std::process::Command::new(p)
                    .args(["-c", "import aiosmtpd"])
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .expect(
                "a python3 with aiosmtpd (Debian: apt install python3-aiosmtpd; or pip install aiosmtpd)",
            );
        let mut child = std::process::Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs (install python3-aiosmtpd)");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).ok();
                panic!(
                    "aiosmtpd did not start ({status}): {err} (Debian: apt install python3-aiosmtpd)"
                );
            }
            assert!(started.elapsed().as_secs() < 20, "aiosmtpd did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Smtp {
            child,
            port,
            maildir,
        }
    }

    /// Settings that send through this server.
    pub fn config(&self) -> kapstok_app::mail::MailConfig {
        kapstok_app::mail::MailConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", self.port)),
            from: Some("Kapstok Emmen <kapstok@emmen.test>".into()),
        }
    }

    fn delivered(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.maildir.path().join("new"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    /// The raw messages delivered, once there are at least `n` (waiting up to 5 s).
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..100 {
            if self.delivered().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut paths = self.delivered();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}
