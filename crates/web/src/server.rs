//! The HTTP server: binding with address reuse, a connection cap, timeouts for slow and idle
//! clients, and pages instead of bare answers for requests the router never sees.
//!
//! - **Header timeout** (hyper's `header_read_timeout`): a client has this long to send a complete
//!   request head, counted from when the server starts waiting for it. Half a request line or
//!   headers trickled one byte at a time are cut off.
//! - **Idle timeout** (shorter than the header timeout): a connection on which nothing moves
//!   while no request is being handled (an idle keep-alive connection, one that went silent
//!   mid-head), or whose client stops reading the answer, is closed.
//! - **Connection caps**: in all, and per client (an IPv6 client by its /64); beyond them a new
//!   connection gets a `503` page at once and is closed, so the process never runs out of file
//!   descriptors and one client cannot take every slot.
//! - Requests hyper refuses itself (malformed, head too large) would get a bare status line;
//!   [`Guarded`] replaces that answer by a full one with the security headers.

use crate::error::{api_json, page_html};
use crate::guard::SECURITY_HEADERS;
use crate::i18n::Lang;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// Limits on connections; see the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            max_connections: 512,
            max_connections_per_client: 64,
        }
    }
}

/// Most refusals (503 pages) being written at once; beyond it a connection is just closed.
const MAX_REFUSALS: usize = 32;

/// Largest request head (request line and headers); a larger one gets a 431 page.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Binds with `SO_REUSEADDR`, so a restart right after a crash does not trip over connections
/// still in `TIME_WAIT`; a port that another program really listens on still fails with
/// `AddrInUse`.
/// A port still held by a process that is being killed is retried for up to 2 s.
pub async fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match bind_once(addr) {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

fn bind_once(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Open connections per client, released when a connection ends.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

struct ClientSlot(Arc<PerClient>, IpAddr);

impl PerClient {
    fn take(self: &Arc<Self>, client: IpAddr, max: usize) -> Option<ClientSlot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(client).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(ClientSlot(self.clone(), client))
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = (self.0).0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves `app` until `shutdown` completes, then lets open requests finish (at most 10 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let per_client = Arc::new(PerClient::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEAD_BYTES);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or similar: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let slot = per_client.take(
            crate::guard::client_key(peer.ip()),
            limits.max_connections_per_client.max(1),
        );
        let (Ok(permit), Some(slot)) = (permits.clone().try_acquire_owned(), slot) else {
            if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse_busy(stream).await;
                    drop(refusal);
                });
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let conn = Arc::new(ConnState::default());
        let io = TokioIo::new(Guarded::new(stream, limits.idle_timeout, conn.clone()));
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let handling = Handling::start(&conn);
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await;
                drop(handling);
                response
            }
        });
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

/// A whole HTTP/1.1 response with the security headers and `Connection: close`, for answers the
/// server writes without the router.
pub fn raw_response(status: StatusCode, api: bool, extra_headers: &str) -> Vec<u8> {
    let (content_type, body) = if api {
        ("application/json", api_json(status))
    } else {
        ("text/html; charset=utf-8", page_html(status, Lang::Nl))
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\ncache-control: no-store\r\n{extra_headers}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    for (name, value) in &SECURITY_HEADERS {
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// A `503` page, then a short read of what the client sent (closing with unread data would
/// reset the connection before the client reads the page).
async fn refuse_busy(mut stream: TcpStream) {
    let bytes = raw_response(StatusCode::SERVICE_UNAVAILABLE, false, "retry-after: 5\r\n");
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
        let mut scratch = [0u8; 4096];
        let linger = tokio::time::sleep(Duration::from_millis(500));
        tokio::pin!(linger);
        loop {
            tokio::select! {
                read = stream.read(&mut scratch) => if matches!(read, Ok(0) | Err(_)) { break },
                _ = &mut linger => break,
            }
        }
    })
    .await;
}

/// What the service side of one connection tells its IO side: how many requests were handed to
/// the router, and how many are being handled now (idleness counts only between requests).
#[derive(Default)]
struct ConnState {
    dispatched: AtomicU64,
    handling: AtomicUsize,
}

/// Marks one request as being handled, for as long as it lives.
struct Handling(Arc<ConnState>);

impl Handling {
    fn start(conn: &Arc<ConnState>) -> Self {
        conn.dispatched.fetch_add(1, Ordering::AcqRel);
        conn.handling.fetch_add(1, Ordering::AcqRel);
        Handling(conn.clone())
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.handling.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection with an idle timer and a replacement for hyper's own bare error answers.
pub struct Guarded {
    stream: TcpStream,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    armed: bool,
    conn: Arc<ConnState>,
    /// Requests dispatched when data was last read: a write while no new request has been
    /// dispatched since can only be hyper answering that data itself.
    dispatched_at_read: u64,
    /// Whether the last request line read asked for the API (then errors are JSON).
    api: bool,
    /// A full answer being written instead of hyper's bare one, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
    lingering: bool,
}

/// How long a refused client's remaining bytes are read and dropped before closing.
const LINGER: Duration = Duration::from_secs(2);

impl Guarded {
    fn new(stream: TcpStream, idle: Duration, conn: Arc<ConnState>) -> Self {
        Guarded {
            stream,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            armed: false,
            conn,
            dispatched_at_read: 0,
            api: false,
            replacement: None,
            lingering: false,
        }
    }

    /// Notes where a request line that starts this chunk points (`GET /api/… HTTP/1.1`).
    fn sniff_request_line(&mut self, chunk: &[u8]) {
        let line = &chunk[..chunk.len().min(64)];
        let method_len = line.iter().take_while(|b| b.is_ascii_uppercase()).count();
        if method_len > 0 && line.get(method_len) == Some(&b' ') {
            let target = &line[method_len + 1..];
            self.api = target.starts_with(b"/api/") || target.starts_with(b"/api ");
        }
    }

    /// Whether `buf` is exactly one bodiless error head that did not come through the router
    /// (every router response carries the security headers); then the status to answer with.
    fn bare_error_head(buf: &[u8]) -> Option<StatusCode> {
        if !buf.starts_with(b"HTTP/1.") || buf.len() < 12 || buf.len() > 1024 {
            return None;
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
        if end + 4 != buf.len() {
            return None;
        }
        let head = &buf[..end];
        let marker = b"x-content-type-options";
        if head
            .windows(marker.len())
            .any(|w| w.eq_ignore_ascii_case(marker))
        {
            return None;
        }
        let code = std::str::from_utf8(&buf[9..12]).ok()?.parse::<u16>().ok()?;
        StatusCode::from_u16(code)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
    }

    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = &mut self.replacement {
            if *sent >= bytes.len() {
                break;
            }
            let n = ready!(Pin::new(&mut self.stream).poll_write(cx, &bytes[*sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *sent += n;
        }
        Poll::Ready(Ok(()))
    }

    fn linger(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.lingering {
            self.lingering = true;
            let deadline = Instant::now() + LINGER;
            self.timer.as_mut().reset(deadline);
        }
        let mut scratch = [0u8; 4096];
        loop {
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                Poll::Ready(_) => return Poll::Ready(()),
                Poll::Pending => {
                    return if self.timer.as_mut().poll(cx).is_ready() {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    };
                }
            }
        }
    }

    fn moved(&mut self) {
        self.armed = false;
    }

    /// Whether hyper is answering the data it read itself (a parse error), not a request.
    fn hyper_answers_itself(&self) -> bool {
        self.conn.handling.load(Ordering::Acquire) == 0
            && self.conn.dispatched.load(Ordering::Acquire) == self.dispatched_at_read
    }

    /// Called when a read would wait: counts idle time unless a request is being handled.
    fn idle_expired(&mut self, cx: &mut Context<'_>) -> bool {
        if self.conn.handling.load(Ordering::Acquire) > 0 {
            self.armed = false;
            return false;
        }
        self.waited_too_long(cx)
    }

    /// Arms the timer on the first wait since the last progress; true once it ran out.
    fn waited_too_long(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.armed {
            let deadline = Instant::now() + self.idle;
            self.timer.as_mut().reset(deadline);
            self.armed = true;
        }
        self.timer.as_mut().poll(cx).is_ready()
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.moved();
                    this.dispatched_at_read = this.conn.dispatched.load(Ordering::Acquire);
                    let chunk = buf.filled()[before..].to_vec();
                    this.sniff_request_line(&chunk);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if this.idle_expired(cx) {
                    Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "idle connection closed",
                    )))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacement.is_none()
            && this.hyper_answers_itself()
            && let Some(status) = Self::bare_error_head(buf)
        {
            this.replacement = Some((raw_response(status, this.api, ""), 0));
            // The bare answer counts as written; the full one goes out instead.
            let _ = this.drain(cx)?;
            this.moved();
            return Poll::Ready(Ok(buf.len()));
        }
        ready!(this.drain(cx))?;
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                this.moved();
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            // A client that stops reading holds the connection no longer than an idle one.
            Poll::Pending if this.waited_too_long(cx) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        Pin::new(&mut this.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
        if this.replacement.is_some() {
            // Lingering close: read what the client still sends (the rest of an oversized
            // head) for a moment, so closing does not reset the connection before the client
            // has read the answer.
            ready!(this.linger(cx));
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_bare_error_heads() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(
            Guarded::bare_error_head(bare),
            Some(StatusCode::BAD_REQUEST)
        );
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nmore";
        assert_eq!(
            Guarded::bare_error_head(with_body),
            None,
            "not exactly a head"
        );
        let ours = b"HTTP/1.1 404 Not Found\r\nx-content-type-options: nosniff\r\n\r\n";
        assert_eq!(Guarded::bare_error_head(ours), None);
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(Guarded::bare_error_head(ok), None);
        assert_eq!(Guarded::bare_error_head(b"<html>"), None);
    }

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (server, client)
    }

    /// Bytes that look like an error head are rewritten only when hyper answers unparsed data
    /// itself, never in the middle of a response to a dispatched request.
    #[tokio::test]
    async fn only_hyper_own_answers_are_rewritten() {
        use tokio::io::AsyncReadExt;
        let looks_bare = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";

        // A request was dispatched after the last read: this is (part of) its response.
        let (server, mut client) = pair().await;
        let conn = Arc::new(ConnState::default());
        let mut io = Guarded::new(server, Duration::from_secs(5), conn.clone());
        drop(Handling::start(&conn));
        io.write_all(looks_bare).await.unwrap();
        io.shutdown().await.unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, looks_bare, "passed through untouched");

        // Nothing dispatched since the data was read: hyper refuses it; a full page goes out.
        let (server, mut client) = pair().await;
        let conn = Arc::new(ConnState::default());
        let mut io = Guarded::new(server, Duration::from_secs(5), conn);
        io.write_all(looks_bare).await.unwrap();
        io.shutdown().await.unwrap();
        drop(io);
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        let got = String::from_utf8(got).unwrap();
        assert!(got.starts_with("HTTP/1.1 404 "), "{got}");
        assert!(got.contains("x-content-type-options: nosniff"));
        assert!(got.contains("<html lang=\"nl\""));
    }

    #[test]
    fn raw_responses_are_complete_pages() {
        let r =
            String::from_utf8(raw_response(StatusCode::from_u16(431).unwrap(), false, "")).unwrap();
        assert!(r.starts_with("HTTP/1.1 431 "));
        assert!(r.contains("content-security-policy: "));
        assert!(r.contains("<html lang=\"nl\""));
        let (head, body) = r.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let j = String::from_utf8(raw_response(StatusCode::BAD_REQUEST, true, "")).unwrap();
        assert!(j.contains("\"error\":\"bad_request\""));
    }
}
