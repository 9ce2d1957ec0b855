//! The HTTP messages inside `request` and `response` records (`application/http`).
//!
//! palimpsest keeps a body as the HTTP client gave it: without chunked framing, decompressed.
//! A record must hold a message whose headers describe its bytes, so when the answer had a
//! `content-encoding` or a `transfer-encoding`, [`response_block`] keeps those headers and the
//! `content-length` as `x-palimpsest-orig-<name>` (where they were) and gives the bytes'
//! `content-length`; [`parse_response`] undoes exactly that. A message written by another tool
//! holds the bytes as they came over the wire: its chunks are joined and its body
//! decompressed (gzip, deflate, br) as the HTTP client would have done.

use crate::archive::capture::{Exchange, status_line};
use std::io::Read;

/// The prefix of the headers [`response_block`] rewrote.
const ORIG: &str = "x-palimpsest-orig-";
/// Headers that describe the bytes on the wire rather than the body kept.
const FRAMING: [&str; 3] = ["content-length", "content-encoding", "transfer-encoding"];

/// An HTTP message in a record that can't be read.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The status line or headers can't be read.
    #[error("not an HTTP message: {0}")]
    Parse(String),
    /// The body's framing or compression is broken or unknown.
    #[error("the body can't be decoded ({0})")]
    Body(String),
}

/// A response read from a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `HTTP/1.1`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The headers, names in lower case, as the server sent them.
    pub headers: Vec<(String, String)>,
    /// The body, unchunked and decompressed.
    pub body: Vec<u8>,
}

/// The block of a `response` record: the answer's status line and headers and `body`. An
/// answer of HTTP/2 or 3 is written with an HTTP/1.1 status line, as other tools do, and the
/// record names the protocol in `WARC-Protocol`.
pub fn response_block(exchange: &Exchange, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 1024);
    let version = match exchange.version.as_str() {
        v @ ("HTTP/1.0" | "HTTP/1.1") => v,
        _ => "HTTP/1.1",
    };
    out.extend_from_slice(status_line(version, exchange.status).as_bytes());
    out.extend_from_slice(b"\r\n");
    let rewrite = exchange
        .headers
        .iter()
        .any(|(n, _)| n == "content-encoding" || n == "transfer-encoding");
    for (name, value) in &exchange.headers {
        if rewrite && FRAMING.contains(&name.as_str()) {
            out.extend_from_slice(ORIG.as_bytes());
        }
        push_header(&mut out, name, value);
    }
    if rewrite {
        push_header(&mut out, "content-length", &body.len().to_string());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The block of a `request` record: the request line and headers as sent (`host` first).
pub fn request_block(exchange: &Exchange) -> Vec<u8> {
    let url = &exchange.url;
    let mut target = url.path().to_owned();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let mut out = format!("GET {target} HTTP/1.1\r\n").into_bytes();
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    };
    push_header(&mut out, "host", &host);
    for (name, value) in &exchange.request_headers {
        push_header(&mut out, name, value);
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// The headers of a request block, names in lower case, without `host` (the URL has it).
pub fn parse_request_headers(block: &[u8]) -> Result<Vec<(String, String)>, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut request = httparse::Request::new(&mut headers);
    request
        .parse(block)
        .map_err(|e| HttpError::Parse(e.to_string()))?;
    Ok(header_list(request.headers)
        .into_iter()
        .filter(|(n, _)| n != "host")
        .collect())
}

/// Reads the response in a record's block.
pub fn parse_response(block: &[u8]) -> Result<Response, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut response = httparse::Response::new(&mut headers);
    let status = response
        .parse(block)
        .map_err(|e| HttpError::Parse(e.to_string()))?;
    let httparse::Status::Complete(head) = status else {
        return Err(HttpError::Parse("the headers are cut off".into()));
    };
    let version = match response.version {
        Some(0) => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let status = response.code.unwrap_or_default();
    let mut headers = header_list(response.headers);
    let body = &block[head..];
    let ours = headers.iter().any(|(n, _)| n.starts_with(ORIG));
    let body = if ours {
        // Written by `response_block`: the body is as kept; the headers go back as received.
        if let Some(i) = headers.iter().rposition(|(n, _)| n == "content-length") {
            headers.remove(i);
        }
        for (name, _) in &mut headers {
            if let Some(orig) = name.strip_prefix(ORIG) {
                *name = orig.to_owned();
            }
        }
        body.to_vec()
    } else {
        decode_body(&headers, body)?
    };
    Ok(Response {
        version: version.to_owned(),
        status,
        headers,
        body,
    })
}

fn header_list(headers: &[httparse::Header]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| {
            let value = match std::str::from_utf8(h.value) {
                Ok(v) => v.to_owned(),
                Err(_) => h.value.iter().map(|&b| char::from(b)).collect(),
            };
            (h.name.to_ascii_lowercase(), value)
        })
        .collect()
}

/// The body as the HTTP client gives it: chunks joined, then decompressed.
fn decode_body(headers: &[(String, String)], wire: &[u8]) -> Result<Vec<u8>, HttpError> {
    let header = |name: &str| {
        headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut body = if header("transfer-encoding").contains("chunked") {
        dechunk(wire)?
    } else {
        wire.to_vec()
    };
    let encodings = header("content-encoding");
    // Applied in order, so undone last first.
    for coding in encodings.split(',').map(str::trim).rev() {
        body = match coding {
            "" | "identity" => body,
            "gzip" | "x-gzip" => read_all(flate2::read::MultiGzDecoder::new(&body[..]))?,
            "deflate" => read_all(flate2::read::ZlibDecoder::new(&body[..]))?,
            "br" => read_all(brotli_decompressor::Decompressor::new(&body[..], 4096))?,
            other => return Err(HttpError::Body(format!("content-encoding {other}"))),
        };
    }
    Ok(body)
}

fn read_all(mut reader: impl Read) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    let limit = crate::config::MAX_PAGE_BYTES as u64;
    (&mut reader)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| HttpError::Body(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(HttpError::Body(format!("larger than {limit} bytes")));
    }
    Ok(out)
}

/// Joins the chunks of a chunked body; a body cut off ends where it was cut, as recorded.
fn dechunk(mut wire: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::with_capacity(wire.len());
    loop {
        let (start, size) = match httparse::parse_chunk_size(wire) {
            Ok(httparse::Status::Complete(found)) => found,
            Ok(httparse::Status::Partial) => return Ok(out),
            Err(_) => return Err(HttpError::Body("malformed chunked framing".into())),
        };
        if size == 0 {
            return Ok(out);
        }
        let rest = &wire[start..];
        let size = usize::try_from(size).unwrap_or(usize::MAX).min(rest.len());
        out.extend_from_slice(&rest[..size]);
        wire = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            url: url::Url::parse("http://news.test:8080/a?b=c").unwrap(),
            request_headers: vec![("user-agent".into(), "p/1".into())],
            version: "HTTP/2".into(),
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_decoded_body_gets_headers_that_describe_it_and_reads_back() {
        let e = exchange(&[
            ("content-type", "text/html"),
            ("content-encoding", "gzip"),
            ("content-length", "20"),
        ]);
        let block = response_block(&e, b"<p>hi</p>");
        let text = String::from_utf8(block.clone()).unwrap();
        assert_eq!(
            text,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nx-palimpsest-orig-content-encoding: \
             gzip\r\nx-palimpsest-orig-content-length: 20\r\ncontent-length: 9\r\n\r\n<p>hi</p>"
        );
        let read = parse_response(&block).unwrap();
        assert_eq!(read.headers, e.headers);
        assert_eq!(read.body, b"<p>hi</p>");
        let plain = exchange(&[("content-length", "2")]);
        let block = response_block(&plain, b"ok");
        assert_eq!(block, b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assert_eq!(parse_response(&block).unwrap().headers, plain.headers);
        let request = request_block(&e);
        assert_eq!(
            request,
            b"GET /a?b=c HTTP/1.1\r\nhost: news.test:8080\r\nuser-agent: p/1\r\n\r\n"
        );
        assert_eq!(parse_request_headers(&request).unwrap(), e.request_headers);
    }

    #[test]
    fn wire_bytes_are_unchunked_and_decompressed() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html>compressed</html>").unwrap();
        let gz = gz.finish().unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n\
             5\r\n"
                .to_vec();
        block.extend_from_slice(&gz[..5]);
        block.extend_from_slice(format!("\r\n{:x};ext=1\r\n", gz.len() - 5).as_bytes());
        block.extend_from_slice(&gz[5..]);
        block.extend_from_slice(b"\r\n0\r\n\r\n");
        let read = parse_response(&block).unwrap();
        assert_eq!(read.body, b"<html>compressed</html>");
        assert_eq!(read.headers[0], ("content-encoding".into(), "gzip".into()));
        let bad = b"HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\n\r\nxx";
        assert!(parse_response(bad).is_err());
    }
}
