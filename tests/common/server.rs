//! A small HTTP/1.1 server on 127.0.0.1 for tests: routes by path and query, answers with
//! whatever the test set for that path (status, headers, body, delay, framing), honours
//! `If-None-Match` against an `ETag` header, logs what it served and when each request came (and
//! how many it answered at once), and can change answers between
//! runs. Besides ordinary answers it can misbehave like a hostile server: no `Content-Length`, a
//! chunked body that never ends, or a body dripped one byte at a time. Bodies are sent as given,
//! so a test can serve pre-compressed bytes with its own `Content-Encoding`. It stops when
//! dropped (a connection still being served ends when the client hangs up).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (to test timeouts).
    pub delay: Duration,
    pub framing: Framing,
}

/// How the body is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// All at once, after a `Content-Length`.
    Length,
    /// Without a `Content-Length`: the body ends when the server closes the connection.
    Close,
    /// Chunked, the body sent again and again until the client hangs up.
    Endless,
    /// After a `Content-Length`, one byte per interval (slowloris).
    Drip(Duration),
}

impl Response {
    pub fn html(body: impl Into<Vec<u8>>) -> Response {
        Response::with_type("text/html", body)
    }

    pub fn with_type(content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            framing: Framing::Length,
        }
    }

    pub fn status(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: format!("status {status}").into_bytes(),
            delay: Duration::ZERO,
            framing: Framing::Length,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }

    pub fn framed(mut self, framing: Framing) -> Response {
        self.framing = framing;
        self
    }

    /// A redirect to `location`, sent as given.
    pub fn redirect(location: &str) -> Response {
        Response::status(302).with_header("Location", location)
    }
}

type Routes = Arc<Mutex<HashMap<String, Response>>>;

/// One request served.
#[derive(Clone, Debug)]
pub struct Served {
    pub path: String,
    pub status: u16,
    /// When its request line arrived.
    pub at: Instant,
}

/// What was served, and how many requests were being answered at once (now and at most).
#[derive(Default)]
struct Log {
    served: Mutex<Vec<Served>>,
    active: AtomicUsize,
    most_active: AtomicUsize,
}

pub struct Server {
    /// The loopback address it listens on (127.0.0.1 unless started with [`Server::start_at`]).
    pub ip: String,
    pub port: u16,
    routes: Routes,
    log: Arc<Log>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_at("127.0.0.1")
    }

    /// A server on another loopback address (`127.0.0.2`, ...), which URLs name as another host.
    pub fn start_at(ip: &str) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("bind {ip}: {e}"));
        let port = listener.local_addr().expect("local addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let (routes, log): (Routes, Arc<Log>) = Default::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (routes, log, stop) = (routes.clone(), log.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (routes, log) = (routes.clone(), log.clone());
                            std::thread::spawn(move || serve(stream, &routes, &log));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Server {
            ip: ip.to_owned(),
            port,
            routes,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}:{}{path}", self.ip, self.port)
    }

    /// Sets what `path` answers from now on.
    pub fn set(&self, path: &str, response: Response) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), response);
    }

    /// Makes `path` answer 404.
    pub fn remove(&self, path: &str) {
        self.routes.lock().unwrap().remove(path);
    }

    /// The requests served since the last call (path, status).
    pub fn take_log(&self) -> Vec<(String, u16)> {
        self.take_served()
            .into_iter()
            .map(|s| (s.path, s.status))
            .collect()
    }

    /// The requests served since the last call, in the order they came.
    pub fn take_served(&self) -> Vec<Served> {
        std::mem::take(&mut *self.log.served.lock().unwrap())
    }

    /// The most requests this server was answering at one time.
    pub fn most_at_once(&self) -> usize {
        self.log.most_active.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, routes: &Routes, log: &Log) {
    let mut request_line = String::new();
    let Some(at) = read_request_line(&stream, &mut request_line) else {
        return;
    };
    let active = log.active.fetch_add(1, Ordering::SeqCst) + 1;
    log.most_active.fetch_max(active, Ordering::SeqCst);
    answer(stream, &request_line, at, routes, log);
    log.active.fetch_sub(1, Ordering::SeqCst);
}

/// Reads the first line of a request; returns when it came.
fn read_request_line(stream: &TcpStream, line: &mut String) -> Option<Instant> {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    // One byte at a time, so that nothing of the headers is read into a buffer dropped here.
    let mut byte = [0u8];
    let mut reader = stream;
    while std::io::Read::read(&mut reader, &mut byte).ok()? == 1 {
        line.push(byte[0] as char);
        if byte[0] == b'\n' {
            return Some(Instant::now());
        }
    }
    None
}

fn answer(stream: TcpStream, request_line: &str, at: Instant, routes: &Routes, log: &Log) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("if-none-match")
                {
                    if_none_match = Some(value.trim().to_owned());
                }
            }
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let mut response = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Response::status(404));
    let etag = response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
        .map(|(_, v)| v.clone());
    if etag.is_some() && etag == if_none_match {
        response.status = 304;
        response.body.clear();
    }
    log.served.lock().unwrap().push(Served {
        path,
        status: response.status,
        at,
    });
    std::thread::sleep(response.delay);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", response.status);
    match response.framing {
        Framing::Length | Framing::Drip(_) => {
            head.push_str(&format!("Content-Length: {}\r\n", response.body.len()))
        }
        Framing::Close => {}
        Framing::Endless => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    // Write errors end the answer: the client hung up, which is what the hostile ones wait for.
    match response.framing {
        Framing::Length | Framing::Close => {
            let _ = stream.write_all(&response.body);
        }
        Framing::Endless => {
            let chunk = [
                format!("{:x}\r\n", response.body.len()).as_bytes(),
                &response.body,
                b"\r\n",
            ]
            .concat();
            while !response.body.is_empty() && stream.write_all(&chunk).is_ok() {}
        }
        Framing::Drip(interval) => {
            for byte in &response.body {
                if stream.write_all(std::slice::from_ref(byte)).is_err() {
                    return;
                }
                std::thread::sleep(interval);
            }
        }
    }
    let _ = stream.flush();
}
