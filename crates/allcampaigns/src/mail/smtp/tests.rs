use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Endpoint, Security, SmtpMailer, redacted};
use crate::mail::Mail;

const PASSWORD: &str = "p@ss/w:rd";
const ENCODED_PASSWORD: &str = "p%40ss%2Fw%3Ard";

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_string())
}

fn endpoint(url: &str) -> anyhow::Result<Endpoint> {
    Endpoint::parse(&secret(url))
}

fn refusal(url: &str) -> String {
    match endpoint(url) {
        Ok(_) => panic!("{url} was accepted"),
        Err(error) => format!("{error:#}"),
    }
}

fn mail_to(address: &str) -> Mail {
    Mail {
        to: address.into(),
        subject: "Hello".into(),
        text: "Hello".into(),
        html: "<p>Hello</p>".into(),
    }
}

#[test]
fn each_form_of_the_url_picks_its_security_and_default_port() {
    for (url, server, security) in [
        ("smtp://127.0.0.1:2525", "127.0.0.1:2525", Security::Plain),
        ("smtp://relay.local", "relay.local:25", Security::Plain),
        (
            "smtp://mail.example?tls=starttls",
            "mail.example:587",
            Security::StartTls,
        ),
        (
            "smtp://mail.example:2587?tls=required",
            "mail.example:2587",
            Security::StartTls,
        ),
        (
            "smtps://mail.example",
            "mail.example:465",
            Security::ImplicitTls,
        ),
        ("smtps://[::1]:4650", "[::1]:4650", Security::ImplicitTls),
    ] {
        let endpoint = endpoint(url).unwrap();
        assert_eq!(endpoint.server(), server, "{url}");
        assert_eq!(endpoint.security, security, "{url}");
        assert!(
            endpoint.user.is_none() && endpoint.password.is_none(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn credentials_come_percent_decoded_from_the_userinfo() {
    let endpoint = endpoint(&format!(
        "smtps://mail%40corp.example:{ENCODED_PASSWORD}@smtp.example"
    ))
    .unwrap();
    assert_eq!(endpoint.user.as_deref(), Some("mail@corp.example"));
    assert_eq!(
        endpoint.password.as_ref().unwrap().expose_secret(),
        PASSWORD
    );
    assert!(endpoint.transport().is_ok());
}

#[test]
fn unclear_or_unsafe_urls_are_refused_without_quoting_the_password() {
    for (url, expected) in [
        (
            format!("smtp://user:{ENCODED_PASSWORD}@mail.example"),
            "only sent over TLS",
        ),
        (
            "smtp://mail.example?tls=opportunistic".into(),
            "tls=starttls",
        ),
        (
            "smtp://mail.example?tls=starttls&tls=required".into(),
            "twice",
        ),
        (
            "smtp://mail.example?auth=plain".into(),
            "unknown parameter `auth`",
        ),
        ("smtps://mail.example?tls=starttls".into(), "always TLS"),
        ("smtp://mail.example/helo.example".into(), "no path"),
        ("smtps://user@mail.example".into(), "no password"),
        (
            format!("smtps://:{ENCODED_PASSWORD}@mail.example"),
            "no user name",
        ),
        ("smtps://user:%FF@mail.example".into(), "not UTF-8"),
        ("imap://mail.example".into(), "unsupported scheme"),
    ] {
        let message = refusal(&url);
        assert!(message.starts_with("ALLCAMPAIGNS_SMTP_URL: "), "{message}");
        assert!(message.contains(expected), "{url}: {message}");
        assert!(!message.contains(PASSWORD) && !message.contains(ENCODED_PASSWORD));
    }
}

#[test]
fn every_form_of_a_secret_is_redacted_and_empty_ones_are_ignored() {
    let text = format!("535 bad password {PASSWORD} (sent as {ENCODED_PASSWORD})");
    let cleaned = redacted(
        text,
        &[secret(PASSWORD), secret(ENCODED_PASSWORD), secret("")],
    );
    assert_eq!(cleaned, "535 bad password [redacted] (sent as [redacted])");
}

#[tokio::test]
async fn the_sender_and_recipients_must_be_mail_addresses() {
    let url = secret("smtp://127.0.0.1:2525");
    let error = SmtpMailer::new(&url, "not an address").err().unwrap();
    assert!(
        error.to_string().starts_with("ALLCAMPAIGNS_MAIL_FROM: "),
        "{error}"
    );
    let mailer = SmtpMailer::new(&url, "All Campaigns <noreply@localhost>").unwrap();
    let error = mailer.message(mail_to("ana@@example.com")).unwrap_err();
    assert!(error.to_string().contains("ana@@example.com"), "{error}");
}

#[tokio::test]
async fn a_message_has_text_and_html_alternatives() {
    let mailer = SmtpMailer::new(&secret("smtp://127.0.0.1:2525"), "Desk <desk@example.com>");
    let message = mailer.unwrap().message(mail_to("ana@example.com")).unwrap();
    let text = String::from_utf8(message.formatted()).unwrap();
    for expected in [
        "From: Desk <desk@example.com>",
        "To: ana@example.com",
        "Content-Type: multipart/alternative",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
}

/// A server that turns every client away with a reply quoting the password, as a careless
/// server might.
async fn server_that_quotes(reply: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.read(&mut [0; 512]).await;
        }
    });
    port
}

#[tokio::test]
async fn a_delivery_error_names_the_server_but_never_the_url_or_password() {
    let port = server_that_quotes(format!("554 no service for {PASSWORD}\r\n")).await;
    let url = format!("smtp://mailer:{ENCODED_PASSWORD}@127.0.0.1:{port}?tls=starttls");
    let mailer = SmtpMailer::new(&secret(&url), "Desk <desk@example.com>").unwrap();
    let error = format!(
        "{:#}",
        mailer.send(mail_to("ana@example.com")).await.unwrap_err()
    );
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(
        error.contains("554") && error.contains("[redacted]"),
        "{error}"
    );
    for leak in [PASSWORD, ENCODED_PASSWORD, "smtp://", "mailer:"] {
        assert!(!error.contains(leak), "{leak} in {error}");
    }
}
