//! Connections over real TCP (security review finding 8): a client must send its request head
//! within the header timeout, idle connections are closed, and a cap on open connections
//! makes new ones wait rather than fail.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use allcampaigns::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestDb, spawn_app};

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);

fn with_short_header_timeout(db: &TestDb) -> Config {
    let mut config = db.config.clone();
    config.header_read_timeout = HEADER_TIMEOUT;
    config
}

/// Reads until the server closes the connection; how long that took, or `None` past `limit`.
async fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_8_a_half_sent_request_is_closed_within_the_header_timeout() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(with_short_header_timeout(&db)).await;
    let mut half = TcpStream::connect(app.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let closed = time_until_closed(&mut half, HEADER_TIMEOUT + Duration::from_secs(1)).await;
    assert!(
        closed.is_some(),
        "still open after the header timeout + 1 s"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_8_a_silent_connection_and_an_idle_keep_alive_one_are_closed() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(with_short_header_timeout(&db)).await;
    let mut silent = TcpStream::connect(app.addr).await.unwrap();
    let mut kept = TcpStream::connect(app.addr).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; 17];
    kept.read_exact(&mut answer).await.unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    let limit = HEADER_TIMEOUT + Duration::from_secs(1);
    assert!(
        time_until_closed(&mut silent, limit).await.is_some(),
        "silent"
    );
    assert!(
        time_until_closed(&mut kept, limit).await.is_some(),
        "idle keep-alive"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_8_idle_sockets_do_not_keep_new_requests_out() {
    let db = TestDb::sqlite().await;
    let mut config = with_short_header_timeout(&db);
    config.header_read_timeout = Duration::from_secs(60);
    let app = spawn_app(config).await;
    let mut idle = Vec::new();
    for _ in 0..50 {
        idle.push(TcpStream::connect(app.addr).await.unwrap());
    }
    let started = Instant::now();
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(idle);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finding_8_past_the_connection_cap_new_connections_wait_and_are_served() {
    let db = TestDb::sqlite().await;
    let mut config = with_short_header_timeout(&db);
    config.max_connections = 3;
    let app = spawn_app(config).await;
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(app.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The cap is full of silent sockets; the next request waits until they are cut.
    let started = Instant::now();
    assert_eq!(status(app.addr).await, Some(200));
    let waited = started.elapsed();
    assert!(
        waited < HEADER_TIMEOUT + Duration::from_secs(2),
        "{waited:?}"
    );
    // And the server still answers normally afterwards.
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.stop().await;
}

/// One `GET /healthz` on a fresh connection; `None` if it was not answered in 5 s.
async fn status(addr: SocketAddr) -> Option<u16> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.ok()?;
        response.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .ok()
        .flatten()
}
