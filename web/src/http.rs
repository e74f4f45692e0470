//! The HTTP side: tiny_http accepts, each request is handled on its own thread, and an event
//! stream is written straight to the connection (tiny_http would buffer a chunked body) until the
//! session stops being live or the browser goes away.

use crate::server::{security_headers, Body, Req, Server};
use crate::tls::Material;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Request bodies beyond this are refused (a WebAuthn response is a few kB).
const MAX_BODY: u64 = 64 * 1024;

/// Listens on `listen`, with TLS when given its material.
pub fn bind(listen: SocketAddr, tls: Option<&Material>) -> Result<tiny_http::Server, String> {
    match tls {
        None => tiny_http::Server::http(listen),
        Some(m) => tiny_http::Server::https(
            listen,
            tiny_http::SslConfig {
                certificate: m.cert_pem.clone(),
                private_key: m.key_pem.clone(),
            },
        ),
    }
    .map_err(|e| format!("cannot listen on {listen}: {e}"))
}

/// Answers requests until the listener fails.
pub fn serve(server: Arc<Server>, http: tiny_http::Server) {
    for request in http.incoming_requests() {
        let server = server.clone();
        std::thread::spawn(move || handle(&server, request));
    }
}

fn handle(server: &Server, mut request: tiny_http::Request) {
    let mut body = Vec::new();
    let _ = request.as_reader().take(MAX_BODY).read_to_end(&mut body);
    let url = request.url();
    let req = Req {
        method: request.method().as_str().to_string(),
        path: url.split('?').next().unwrap_or("/").to_string(),
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str().to_string(), h.value.as_str().to_string()))
            .collect(),
        body,
        ip: request.remote_addr().map(|a| a.ip()).unwrap_or([0, 0, 0, 0].into()),
    };
    let resp = server.handle(&req);
    // Method, path and status only: never a cookie, a token or a body.
    eprintln!("speckle web: {} {} {} from {}", req.method, req.path, resp.status, req.ip);
    let headers = security_headers(server.tls);
    match resp.body {
        Body::Bytes(b) => {
            let mut r = tiny_http::Response::from_data(b).with_status_code(resp.status);
            let mut add = |k: &str, v: &str| {
                if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                    r.add_header(h);
                }
            };
            add("Content-Type", resp.content_type);
            for (k, v) in headers {
                add(k, v);
            }
            if let Some(c) = &resp.set_cookie {
                add("Set-Cookie", c);
            }
            let _ = request.respond(r);
        }
        Body::Stream(sid) => stream(server, request.into_writer(), &sid, &headers),
    }
}

/// Server-sent events: each snapshot as a `snapshot` event, a comment after each second of silence, and
/// an end as soon as the session locks, expires or logs out (the page then asks to unlock).
fn stream(server: &Server, mut w: Box<dyn Write + Send>, sid: &str, headers: &[(&str, &str)]) {
    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    if w.write_all(head.as_bytes()).and_then(|_| w.flush()).is_err() {
        return;
    }
    let mut seen = 0;
    loop {
        if !server.stream_live(sid) {
            let _ = w.write_all(b"event: locked\ndata: {}\n\n").and_then(|_| w.flush());
            return;
        }
        let msg = match server.dash.wait_newer(seen, Duration::from_secs(1)) {
            Some((seq, json)) => {
                seen = seq;
                format!("event: snapshot\ndata: {json}\n\n")
            }
            None => ": idle\n\n".to_string(),
        };
        if w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
}
