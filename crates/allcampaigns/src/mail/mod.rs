//! Outgoing mail. With `ALLCAMPAIGNS_SMTP_URL` set, messages go through that SMTP server. With
//! none configured, messages that carry a link are written to the log with a line saying so, so
//! one person can use the product with no mail server.

mod messages;
mod smtp;

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Config;

pub use messages::Mention;
pub use smtp::SmtpMailer;

/// One message, in text and HTML; see `messages.rs` for the mails the product sends.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    /// Prints each message to the log (the default without `ALLCAMPAIGNS_SMTP_URL`).
    Log,
    /// Hands each message to a test's inbox.
    Capture(mpsc::UnboundedSender<Mail>),
    /// Delivers each message through the configured SMTP server.
    Smtp(Arc<SmtpMailer>),
}

impl Mailer {
    /// SMTP when `ALLCAMPAIGNS_SMTP_URL` is set, the log otherwise.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let Some(url) = &config.smtp_url else {
            tracing::warn!(
                "no SMTP server is configured (ALLCAMPAIGNS_SMTP_URL): sign-in links and \
                 invitations are written to the log"
            );
            return Ok(Self::Log);
        };
        let mailer = SmtpMailer::new(url, &config.mail_from)?;
        tracing::info!(server = mailer.server(), "outgoing mail goes through SMTP");
        Ok(Self::Smtp(Arc::new(mailer)))
    }

    pub fn capture() -> (Self, mpsc::UnboundedReceiver<Mail>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Self::Capture(sender), receiver)
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        match self {
            Self::Log => {
                tracing::warn!(
                    to = %mail.to,
                    subject = %mail.subject,
                    "no SMTP server is configured (ALLCAMPAIGNS_SMTP_URL); the message follows:\n{}",
                    mail.text
                );
                Ok(())
            }
            Self::Capture(inbox) => inbox
                .send(mail)
                .map_err(|_| anyhow::anyhow!("test inbox closed")),
            Self::Smtp(smtp) => smtp.send(mail).await,
        }
    }
}
