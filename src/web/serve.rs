//! The viewer over HTTP: a small synchronous server (tiny_http) answering GET and HEAD for the
//! routes of [`crate::render::routes`] and nothing else.
//!
//! Hardening, because archived pages are hostile and a browser on the same machine is a
//! confused deputy: every answer carries a Content-Security-Policy that forbids scripts, frames,
//! plugins and inline styles; the request path is parsed into a [`Route`], never joined to a file
//! path; on a loopback address, requests whose `Host` is not a loopback name are refused (DNS
//! rebinding). The archive is reopened for each request, so pages show changes recorded while
//! the server runs.

use super::page;
use crate::archive::{Archive, ArchiveError};
use crate::render::routes::Route;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

/// Sent with every answer. `script-src 'none'`: no script can run in the viewer, whatever an
/// archived page holds.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The server can't start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("can't listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("HTTP server: {0}")]
    Server(String),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

/// A server bound to its address, not yet answering.
pub struct Server {
    http: tiny_http::Server,
    addr: SocketAddr,
    archive: PathBuf,
}

impl Server {
    /// Listens on `addr` (port 0 picks a free port) for the archive at `archive`, which is
    /// opened once here to check that it is one.
    pub fn bind(addr: &str, archive: &Path) -> Result<Server, ServeError> {
        let root = Archive::open(archive)?.root().to_owned();
        let listener = TcpListener::bind(addr).map_err(|source| ServeError::Bind {
            addr: addr.to_owned(),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: addr.to_owned(),
            source,
        })?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| ServeError::Server(e.to_string()))?;
        Ok(Server {
            http,
            addr,
            archive: root,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers requests, one at a time, until the process ends. A request that fails is
    /// answered with an error status; `on_error` hears about it.
    pub fn run(&self, mut on_error: impl FnMut(&str, &ArchiveError)) -> Result<(), ServeError> {
        loop {
            let request = self
                .http
                .recv()
                .map_err(|e| ServeError::Server(e.to_string()))?;
            let url = request.url().to_owned();
            let (status, page) = match self.answer(&request) {
                Ok(answer) => answer,
                Err(e) => {
                    on_error(&url, &e);
                    (
                        500,
                        plain("The archive could not be read; see the server's log.\n"),
                    )
                }
            };
            let mut response = tiny_http::Response::from_data(page.body).with_status_code(status);
            for (name, value) in [
                ("Content-Type", page.content_type),
                ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Frame-Options", "DENY"),
                ("Cross-Origin-Opener-Policy", "same-origin"),
                ("Cache-Control", "no-cache"),
            ] {
                if let Ok(header) = tiny_http::Header::from_bytes(name, value) {
                    response.add_header(header);
                }
            }
            if status == 405
                && let Ok(header) = tiny_http::Header::from_bytes("Allow", "GET, HEAD")
            {
                response.add_header(header);
            }
            // A client that went away is not the server's problem.
            let _ = request.respond(response);
        }
    }

    fn answer(&self, request: &tiny_http::Request) -> Result<(u16, super::Page), ArchiveError> {
        if !matches!(
            request.method(),
            tiny_http::Method::Get | tiny_http::Method::Head
        ) {
            return Ok((405, plain("Only GET and HEAD.\n")));
        }
        if self.addr.ip().is_loopback() && !loopback_host(request) {
            return Ok((
                421,
                plain("This viewer answers only to a loopback host name.\n"),
            ));
        }
        let path = request.url().split(['?', '#']).next().unwrap_or("");
        let Some(route) = Route::parse(path) else {
            return Ok((404, plain("Not found.\n")));
        };
        let archive = Archive::open(&self.archive)?;
        Ok(match page(&archive, &route)? {
            Some(page) => (200, page),
            None => (404, plain("Not found in this archive.\n")),
        })
    }
}

fn plain(text: &str) -> super::Page {
    super::Page {
        content_type: "text/plain; charset=utf-8",
        body: text.as_bytes().to_vec(),
    }
}

/// Whether the request's `Host` names this machine (`localhost`, `127.x.x.x`, `[::1]`), so that
/// a page on another site can't reach the viewer through a rebound DNS name.
fn loopback_host(request: &tiny_http::Request) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        // HTTP/1.0 clients may send none; browsers always do.
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
