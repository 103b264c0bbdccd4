//! A browser for the professional side's tests: keeps its cookies (the session), sends forms as
//! a browser on this site does, and finds the form token on the last page.

use super::test_app::Reply;
use axum::Router;
use axum::body::Body;
use axum::http::Request;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tower::ServiceExt;

pub struct Browser {
    router: Router,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    pub fn new(router: Router) -> Self {
        Browser {
            router,
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.into(), value.into());
    }

    pub async fn request(&self, mut request: Request<Body>) -> Reply {
        let jar = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !jar.is_empty() {
            request
                .headers_mut()
                .insert("cookie", jar.parse().expect("cookie"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all("set-cookie") {
            let text = set.to_str().expect("ascii cookie");
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            let gone = attrs.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            let mut jar = self.cookies.lock().unwrap();
            if gone {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().into(), value.trim().into());
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    /// A form sent from a page of this site.
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            body.append_pair(k, v);
        }
        self.request(
            Request::post(uri)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.finish()))
                .expect("request"),
        )
        .await
    }

    /// A form with a file (`multipart/form-data`) sent from a page of this site.
    pub async fn post_file(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file_name: &str,
        file: &[u8],
    ) -> Reply {
        let boundary = "kapstok-test-boundary-7f3a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.request(
            Request::post(uri)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}

/// The form token on a page.
pub fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no form token on the page: {html}"))
        .to_string()
}

/// The `Location` of a redirect.
pub fn location(reply: &Reply) -> String {
    reply
        .headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no redirect ({}): {}", reply.status, reply.body))
}
