//! Outgoing mail. With no SMTP server configured, messages that carry a link are written to the
//! log with a line saying so, so one person can use the product with no mail server.

use tokio::sync::mpsc;

/// One message, in text and HTML.
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
}

impl Mailer {
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
        }
    }
}
