//! Delivery through an SMTP server with lettre.
//!
//! `ALLCAMPAIGNS_SMTP_URL` grammar:
//! - `smtp://host[:port]`: no TLS, for a local relay (port 25 by default);
//! - `smtp://[user:pass@]host[:port]?tls=starttls` (or `tls=required`): STARTTLS, refused if
//!   the server does not offer it (port 587 by default);
//! - `smtps://[user:pass@]host[:port]`: TLS from the first byte (port 465 by default).
//!
//! The user name and password are percent-decoded, and are only sent over TLS. The URL and the
//! password never appear in errors or logs (SEC-05): errors name the server as `host:port`.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};

use super::Mail;

const SETTING: &str = "ALLCAMPAIGNS_SMTP_URL";

/// Limit for each SMTP step; below the default request time limit, since invitations are sent
/// while the inviting request waits.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`: all of the URL that errors and logs may show.
    server: String,
    /// Forms of the password scrubbed from error texts, in case a server echoes one.
    secrets: Vec<SecretString>,
}

impl SmtpMailer {
    /// Must run inside a Tokio runtime: the connection pool starts a task there.
    pub fn new(url: &SecretString, mail_from: &str) -> anyhow::Result<Self> {
        let endpoint = Endpoint::parse(url)?;
        let from = mail_from.parse::<Mailbox>().map_err(|e| {
            anyhow!(
                "ALLCAMPAIGNS_MAIL_FROM: `{mail_from}` is not a mail address like \
                 `Name <name@example.com>`: {e}"
            )
        })?;
        Ok(Self {
            server: endpoint.server(),
            secrets: endpoint.secrets(),
            transport: endpoint.transport()?,
            from,
        })
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => Err(anyhow!(redacted(
                format!("SMTP delivery through {} failed: {error}", self.server),
                &self.secrets,
            ))),
        }
    }

    /// A multipart/alternative message with the text and HTML versions.
    fn message(&self, mail: Mail) -> anyhow::Result<Message> {
        let to = mail.to.parse::<Mailbox>().map_err(|e| {
            anyhow!(
                "cannot mail `{}`: not a valid recipient address ({e})",
                mail.to
            )
        })?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .context("cannot build the mail message")
    }
}

/// Replaces every non-empty secret in `text`.
fn redacted(mut text: String, secrets: &[SecretString]) -> String {
    for secret in secrets {
        let secret = secret.expose_secret();
        if !secret.is_empty() {
            text = text.replace(secret, "[redacted]");
        }
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    Plain,
    StartTls,
    ImplicitTls,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Self::Plain => 25,
            Self::StartTls => 587,
            Self::ImplicitTls => 465,
        }
    }
}

/// What `ALLCAMPAIGNS_SMTP_URL` says, checked.
struct Endpoint {
    host: String,
    port: u16,
    security: Security,
    user: Option<String>,
    password: Option<SecretString>,
    /// The password as written in the URL (percent-encoded), to scrub as well.
    raw_password: Option<SecretString>,
}

impl Endpoint {
    fn parse(url: &SecretString) -> anyhow::Result<Self> {
        // `url::ParseError` never quotes its input, so this error holds no secret.
        let url =
            Url::parse(url.expose_secret()).map_err(|e| anyhow!("{SETTING}: not a URL ({e})"))?;
        let security = security(&url)?;
        if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
            bail!("{SETTING}: expected smtp://host:port or smtps://host:port, with no path");
        }
        let (user, password) = credentials(&url)?;
        if password.is_some() && security == Security::Plain {
            bail!(
                "{SETTING}: a user name and password are only sent over TLS: use smtps://… or \
                 smtp://…?tls=starttls"
            );
        }
        Ok(Self {
            host: host(&url)?,
            port: url.port().unwrap_or(security.default_port()),
            security,
            user,
            password,
            raw_password: url.password().map(|p| SecretString::from(p.to_string())),
        })
    }

    fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn secrets(&self) -> Vec<SecretString> {
        [&self.password, &self.raw_password]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    fn transport(&self) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .timeout(Some(STEP_TIMEOUT));
        let tls = || {
            TlsParameters::new(self.host.clone())
                .map_err(|e| anyhow!("{SETTING}: cannot set up TLS for {}: {e}", self.server()))
        };
        builder = match self.security {
            Security::Plain => builder.tls(Tls::None),
            Security::StartTls => builder.tls(Tls::Required(tls()?)),
            Security::ImplicitTls => builder.tls(Tls::Wrapper(tls()?)),
        };
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(builder.build())
    }
}

fn security(url: &Url) -> anyhow::Result<Security> {
    let mut tls = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tls" if tls.is_none() => tls = Some(value.into_owned()),
            "tls" => bail!("{SETTING}: `tls` is given twice"),
            other => bail!("{SETTING}: unknown parameter `{other}` (only `tls` is understood)"),
        }
    }
    match (url.scheme(), tls.as_deref()) {
        ("smtp", None) => Ok(Security::Plain),
        ("smtp", Some("starttls" | "required")) => Ok(Security::StartTls),
        ("smtp", Some(other)) => bail!(
            "{SETTING}: `tls={other}` is not understood; use tls=starttls, or smtps:// for TLS \
             from the first byte"
        ),
        ("smtps", None) => Ok(Security::ImplicitTls),
        ("smtps", Some(_)) => bail!("{SETTING}: smtps:// is always TLS; drop the `tls` parameter"),
        (other, _) => bail!("{SETTING}: unsupported scheme `{other}`; use smtp:// or smtps://"),
    }
}

fn host(url: &Url) -> anyhow::Result<String> {
    match url.host() {
        Some(Host::Domain(name)) => Ok(name.to_string()),
        Some(Host::Ipv4(address)) => Ok(address.to_string()),
        Some(Host::Ipv6(address)) => Ok(address.to_string()),
        None => bail!("{SETTING}: names no host"),
    }
}

/// The percent-decoded user name and password, both or neither.
fn credentials(url: &Url) -> anyhow::Result<(Option<String>, Option<SecretString>)> {
    match (url.username(), url.password()) {
        ("", None) => Ok((None, None)),
        ("", Some(_)) => bail!("{SETTING}: has a password but no user name"),
        (_, None) => bail!("{SETTING}: has a user name but no password (user:password@host)"),
        (user, Some(password)) => {
            let user =
                percent_decoded(user).with_context(|| format!("{SETTING}: the user name"))?;
            let password =
                percent_decoded(password).with_context(|| format!("{SETTING}: the password"))?;
            Ok((Some(user), Some(SecretString::from(password))))
        }
    }
}

/// Decodes `%XX` escapes; the result must be UTF-8. The error never quotes the input.
fn percent_decoded(text: &str) -> anyhow::Result<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = bytes
            .get(index + 1..index + 3)
            .filter(|hex| bytes[index] == b'%' && hex.iter().all(u8::is_ascii_hexdigit));
        match escape {
            Some(hex) => {
                let hex = std::str::from_utf8(hex).expect("hex digits are ASCII");
                decoded.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).map_err(|_| anyhow!("is not UTF-8 once percent-decoded"))
}

#[cfg(test)]
mod tests;
