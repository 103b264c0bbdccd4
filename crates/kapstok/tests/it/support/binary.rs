//! The real `kapstok` binary, the one helper every test that runs it uses: commands that run to
//! the end, and servers that are killed when the test ends.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `kapstok --data-dir DIR …` for one data folder.
pub struct Kapstok {
    data: PathBuf,
}

/// The output of a command that ran to the end.
pub struct Output {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// A running `kapstok serve`; killed (SIGKILL) when dropped.
pub struct Running {
    pub child: Child,
    /// `127.0.0.1:port`, as the server printed it.
    pub addr: String,
}

impl Kapstok {
    pub fn new(data: &Path) -> Self {
        Kapstok {
            data: data.to_path_buf(),
        }
    }

    /// The command, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kapstok"));
        c.arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .env("RUST_LOG", "warn");
        c
    }

    /// Runs a command to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("kapstok runs");
        Output {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `kapstok serve` on a free loopback port (unless `args` name `--listen`), once it answers.
    pub fn serve(&self, args: &[&str]) -> Running {
        let mut all = vec!["serve"];
        if !args.contains(&"--listen") {
            all.extend(["--listen", "127.0.0.1:0"]);
        }
        all.extend(args);
        start(self.command(&all))
    }
}

/// Starts a server command and waits for the address it prints.
pub fn start(mut command: Command) -> Running {
    use std::io::BufRead;
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("kapstok starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in the first line: {line:?}"))
        .to_string();
    Running { child, addr }
}

impl Running {
    /// SIGKILL, and wait until it is gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}
