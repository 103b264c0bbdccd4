//! Test harness: `TestApp` (the real router in-process, or on a socket, over any backend), the
//! real binary (`binary`), and small helpers for what responses hold.

pub mod binary;
pub mod browser;
pub mod postgres;
pub mod smtp;
pub mod test_app;

pub use binary::Kapstok;
pub use browser::{Browser, csrf, location};
pub use test_app::{Backend, Reply, TestApp};

use std::path::PathBuf;

/// `../shared` beside the repository, where the real postcode tables and HSDS schemas live.
pub fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(path)
}

/// A demo service id by its name and organisation.
pub fn demo_service_id(org: &str, offer: &str) -> String {
    kapstok_demo::id(&format!("service:{org}:{offer}"))
}

/// Sends one raw HTTP/1.1 request (with `Connection: close`) and returns the whole response.
pub fn raw_http(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("receive");
    out
}

/// Names of the results listed on a page, in order.
pub fn result_names(html: &str) -> Vec<String> {
    html.split("<li class=\"result\">")
        .skip(1)
        .filter_map(|chunk| {
            let start = chunk.find("\">")? + 2;
            let end = chunk[start..].find("</a>")? + start;
            Some(chunk[start..end].to_string())
        })
        .collect()
}
