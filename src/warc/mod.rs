//! WARC files (ISO 28500, WARC/1.1 and 1.0), the format web archives exchange captures in:
//! records written one gzip member each ([`Writer`]) and read back, compressed or not, from
//! any tool that writes them ([`Reader`]); [`export`] writes an archive's captures, [`import`]
//! replays another tool's.
//!
//! Written here rather than with a crate, after trying both that exist:
//! - `warc` 0.4 compresses a whole file as one gzip stream (web archive tools seek to a record
//!   by the offset of its own gzip member, which warcio and pywb index), writes its buffers
//!   with `Write::write` and drops what a short write leaves, computes no digest, and its
//!   `WarcReader::from_path` opens the file with `create(true)`, so reading a mistyped path
//!   makes an empty file.
//! - `warcat` 0.3 reads and writes records correctly, but brings 43 crates this project does
//!   not have (an embedded database, `redb`; md-5, sha2, sha3 and blake2; csv, ciborium,
//!   serde_with and its proc-macros), for a library its own documentation calls designed for
//!   its binary, with an API that may change.
//!
//! A record is a version line, named fields, a blank line, `Content-Length` bytes of block and
//! two line ends: the part of the standard read and written here is that, with `flate2` (gzip),
//! `sha1` (digests) and `httparse` (the HTTP messages inside blocks), all already used by the
//! project. The tests check what is written with warcio (`warcio check`, `warcio index`) and
//! read what wget writes.

pub mod export;
pub mod http;
pub mod import;

use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use std::io::{self, BufRead, BufReader, Read, Write};

/// A record to write: its type, its fields and its block. `WARC-Type`, `Content-Length` and
/// `WARC-Block-Digest` are added by [`Writer::write`].
#[derive(Debug, Clone)]
pub struct Record {
    /// `warcinfo`, `request`, `response`, `resource`, `metadata`, `revisit`…
    pub kind: &'static str,
    /// Named fields in the order written: `WARC-Record-ID`, `WARC-Date`, `WARC-Target-URI`…
    pub fields: Vec<(&'static str, String)>,
    /// The record's content.
    pub block: Vec<u8>,
}

/// Writes records as WARC/1.1, each in a gzip member of its own.
pub struct Writer<W: Write> {
    out: W,
    level: flate2::Compression,
    /// A buffer for a record's header, reused.
    head: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// A writer to `out` (give it a buffered writer: each record is written in a few calls).
    pub fn new(out: W) -> Writer<W> {
        Writer {
            out,
            // Level 1 writes a 50 KB page about three times as fast as the default level 6,
            // for a file about 15% larger.
            level: flate2::Compression::fast(),
            head: Vec::with_capacity(1024),
        }
    }

    /// Writes one record with its `WARC-Block-Digest`.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        self.head.clear();
        let head = &mut self.head;
        head.extend_from_slice(b"WARC/1.1\r\nWARC-Type: ");
        head.extend_from_slice(record.kind.as_bytes());
        head.extend_from_slice(b"\r\n");
        for (name, value) in &record.fields {
            write!(head, "{name}: {value}\r\n")?;
        }
        write!(
            head,
            "WARC-Block-Digest: {}\r\nContent-Length: {}\r\n\r\n",
            sha1_digest(&record.block),
            record.block.len()
        )?;
        let mut gz = flate2::write::GzEncoder::new(&mut self.out, self.level);
        gz.write_all(&self.head)?;
        gz.write_all(&record.block)?;
        gz.write_all(b"\r\n\r\n")?;
        gz.finish()?;
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// `sha1:<base32>`, the digest WARC tools write and check.
pub fn sha1_digest(bytes: &[u8]) -> String {
    format!("sha1:{}", base32(&Sha1::digest(bytes)))
}

/// RFC 4648 base32 (upper case, padded), as WARC digests are written.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < chars {
                out.push(ALPHABET[((n >> (35 - i * 5)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `<urn:uuid:…>` derived from `seed`: the same capture always gets the same id, so exporting
/// twice gives the same file.
pub fn record_id(seed: &str) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&blake3::hash(seed.as_bytes()).as_bytes()[..16]);
    // RFC 9562 version 8 (custom), variant 10.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `WARC-Date` as written: UTC, to the second.
pub fn warc_date(time: &DateTime<Utc>) -> String {
    crate::archive::format_time(time)
}

/// A WARC file that can't be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading failed (or the gzip stream is damaged).
    #[error("could not read the WARC file")]
    Io(#[from] io::Error),
    /// What was read is not a WARC record.
    #[error("record at byte {offset} of the uncompressed stream: {what}")]
    Malformed {
        /// Where in the uncompressed stream.
        offset: u64,
        /// What is wrong.
        what: String,
    },
}

/// A record's header as read: its version and fields.
#[derive(Debug, Clone)]
pub struct Header {
    /// `WARC/1.1`, `WARC/1.0`.
    pub version: String,
    /// Named fields in order, as read.
    pub fields: Vec<(String, String)>,
    /// The block's length.
    pub content_length: u64,
}

impl Header {
    /// The first value of field `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `WARC-Type`.
    pub fn kind(&self) -> &str {
        self.get("WARC-Type").unwrap_or("")
    }

    /// The `WARC-Date`, if it is one.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        let text = self.get("WARC-Date")?;
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// A record read: its header and, if it was wanted, its block.
pub type Next = (Header, Option<Vec<u8>>);

/// Reads records from a WARC file, gzip-compressed (one member per record, or the whole file in
/// one) or not.
pub struct Reader<R: io::Read> {
    input: BufReader<Input<R>>,
    /// Bytes read from the uncompressed stream, for error messages.
    offset: u64,
}

enum Input<R: io::Read> {
    Plain(BufReader<R>),
    Gzip(Box<flate2::read::MultiGzDecoder<BufReader<R>>>),
}

impl<R: io::Read> io::Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Plain(r) => r.read(buf),
            Input::Gzip(r) => r.read(buf),
        }
    }
}

/// The most bytes of a record's header: more is no WARC file.
const MAX_HEADER: usize = 1 << 20;

impl<R: io::Read> Reader<R> {
    /// Reads from `input`, which is gzip if it starts as gzip does.
    pub fn new(input: R) -> io::Result<Reader<R>> {
        let mut buffered = BufReader::with_capacity(64 * 1024, input);
        let input = if buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
            Input::Gzip(Box::new(flate2::read::MultiGzDecoder::new(buffered)))
        } else {
            Input::Plain(buffered)
        };
        Ok(Reader {
            input: BufReader::with_capacity(256 * 1024, input),
            offset: 0,
        })
    }

    /// The next record's header and, when `want` says so of the header, its block; a block not
    /// wanted is skipped without being kept. `None` at the end of the file.
    pub fn next_record(
        &mut self,
        want: impl FnOnce(&Header) -> bool,
    ) -> Option<Result<Next, ReadError>> {
        let header = match self.read_header() {
            Ok(Some(header)) => header,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let block = if want(&header) {
            let mut block = Vec::with_capacity(header.content_length.min(1 << 24) as usize);
            match io::Read::take(&mut self.input, header.content_length).read_to_end(&mut block) {
                Ok(_) => Some(block),
                Err(e) => return Some(Err(e.into())),
            }
        } else {
            match io::copy(
                &mut io::Read::take(&mut self.input, header.content_length),
                &mut io::sink(),
            ) {
                Ok(_) => None,
                Err(e) => return Some(Err(e.into())),
            }
        };
        let read = block
            .as_ref()
            .map_or(header.content_length, |b| b.len() as u64);
        if read < header.content_length {
            return Some(Err(self.malformed(format!(
                "the file ends inside a block of {} bytes",
                header.content_length
            ))));
        }
        self.offset += header.content_length;
        Some(Ok((header, block)))
    }

    fn malformed(&self, what: String) -> ReadError {
        ReadError::Malformed {
            offset: self.offset,
            what,
        }
    }

    /// Reads a line, without its line end; `None` at the end of the file.
    fn line(&mut self, buf: &mut Vec<u8>) -> Result<Option<String>, ReadError> {
        buf.clear();
        let n = io::Read::take(&mut self.input, MAX_HEADER as u64).read_until(b'\n', buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.offset += n as u64;
        while buf.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            buf.pop();
        }
        // Field values are UTF-8 in WARC/1.1; older tools wrote Latin-1 at times.
        Ok(Some(match std::str::from_utf8(buf) {
            Ok(text) => text.to_owned(),
            Err(_) => buf.iter().map(|&b| char::from(b)).collect(),
        }))
    }

    fn read_header(&mut self) -> Result<Option<Header>, ReadError> {
        let mut buf = Vec::new();
        // Records end with two line ends; tools differ in what else they leave between them.
        let version = loop {
            match self.line(&mut buf)? {
                None => return Ok(None),
                Some(line) if line.trim().is_empty() => continue,
                Some(line) => break line,
            }
        };
        if !version.starts_with("WARC/") {
            return Err(self.malformed(format!("{version:?} is not a WARC version line")));
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut size = 0;
        loop {
            let Some(line) = self.line(&mut buf)? else {
                return Err(self.malformed("the file ends inside a record's header".into()));
            };
            size += line.len();
            if size > MAX_HEADER {
                return Err(self.malformed("a record's header is larger than 1 MiB".into()));
            }
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                // A folded line continues the field before it.
                if let Some((_, value)) = fields.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                    continue;
                }
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(self.malformed(format!("{line:?} is not a named field")));
            };
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        let mut header = Header {
            version,
            fields,
            content_length: 0,
        };
        header.content_length = header
            .get("Content-Length")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| self.malformed("a record without a valid Content-Length".into()))?;
        Ok(Some(header))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY======");
        assert_eq!(base32(b"fo"), "MZXQ====");
        assert_eq!(base32(b"foob"), "MZXW6YQ=");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI======");
        // The digest warcio gives an empty block.
        assert_eq!(sha1_digest(b""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    }

    #[test]
    fn records_read_back_compressed_or_not() {
        let record = |n: usize| Record {
            kind: "resource",
            fields: vec![
                ("WARC-Record-ID", record_id(&n.to_string())),
                ("WARC-Target-URI", format!("http://news.test/{n}")),
                ("Content-Type", "text/plain".into()),
            ],
            block: format!("block {n}\r\n\r\nwith blank lines").into_bytes(),
        };
        let mut writer = Writer::new(Vec::new());
        for n in 0..3 {
            writer.write(&record(n)).unwrap();
        }
        let gzipped = writer.finish().unwrap();
        let mut plain = Vec::new();
        io::Read::read_to_end(
            &mut flate2::read::MultiGzDecoder::new(&gzipped[..]),
            &mut plain,
        )
        .unwrap();
        for bytes in [gzipped, plain] {
            let mut reader = Reader::new(&bytes[..]).unwrap();
            for n in 0..3 {
                let (header, block) = reader.next_record(|_| n != 1).unwrap().unwrap();
                assert_eq!(header.version, "WARC/1.1");
                assert_eq!(header.kind(), "resource");
                assert_eq!(
                    header.get("warc-target-uri"),
                    Some(&*format!("http://news.test/{n}"))
                );
                let expected = record(n).block;
                assert_eq!(
                    header.get("WARC-Block-Digest"),
                    Some(&*sha1_digest(&expected))
                );
                if n == 1 {
                    assert_eq!(block, None);
                } else {
                    assert_eq!(block, Some(expected));
                }
            }
            assert!(reader.next_record(|_| true).is_none());
        }
        let uuid = record_id("x");
        assert_eq!(uuid.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&uuid[24..25], "8");
    }
}
