//! The connection page's sync table. Every word a person reads about sync streams lives here:
//! stream names, progress, times and the run state.

use chrono::{DateTime, Utc};

use crate::sync::status::{StreamStatus, SyncStatus};

/// A stream's name in plain words; unknown streams keep their technical name.
pub fn stream_label(stream: &str) -> &str {
    match stream {
        "workspace" => "Workspace details",
        "campaigns" => "Campaigns",
        "mailboxes" => "Sending accounts",
        "lead_lists" => "Lead lists",
        "lead_labels" => "Lead labels",
        "custom_tags" => "Tags",
        "custom_tag_mappings" => "Tag assignments",
        "campaign_analytics" => "Campaign analytics",
        "mailbox_analytics" => "Sending account analytics",
        "emails" => "Unibox messages",
        "leads" => "Leads",
        "leads_reconcile" => "Lead reconciliation",
        other => other,
    }
}

/// A moment shown both as words ("3 minutes ago") and as a machine-readable time.
pub struct Moment {
    pub iso: String,
    pub words: String,
}

impl Moment {
    fn past(at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let seconds = (now - at).num_seconds();
        let words = if seconds < 5 {
            "just now".to_owned()
        } else {
            format!("{} ago", span(seconds))
        };
        Self::new(at, words)
    }

    fn future(at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let seconds = (at - now).num_seconds();
        let words = if seconds < 5 {
            "now".to_owned()
        } else {
            format!("in {}", span(seconds))
        };
        Self::new(at, words)
    }

    fn new(at: DateTime<Utc>, words: String) -> Self {
        Self {
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            words,
        }
    }
}

/// One row of the table.
pub struct StreamRow {
    pub label: String,
    pub stored: String,
    pub last_success: Option<Moment>,
    pub progress: String,
    pub error: Option<String>,
    pub error_at: Option<Moment>,
}

impl StreamRow {
    fn new(stream: &StreamStatus, now: DateTime<Utc>) -> Self {
        Self {
            label: stream_label(&stream.stream).to_owned(),
            stored: stream.stored.map_or_else(|| "—".to_owned(), thousands),
            last_success: stream.last_success_at.map(|at| Moment::past(at, now)),
            progress: progress(stream),
            error: stream.last_error.clone(),
            error_at: stream.last_error_at.map(|at| Moment::past(at, now)),
        }
    }
}

/// What the page shows about a tenant's sync.
pub struct SyncView {
    /// A worker holds the tenant's sync right now.
    pub running: bool,
    /// When the next cycle is due; none when sync is stopped.
    pub next_run: Option<Moment>,
    pub rows: Vec<StreamRow>,
    /// Some stream has succeeded or failed at least once.
    pub started: bool,
}

impl SyncView {
    pub fn new(status: &SyncStatus, now: DateTime<Utc>) -> Self {
        Self {
            running: status.running,
            next_run: status.next_run_at.map(|at| Moment::future(at, now)),
            rows: status
                .streams
                .iter()
                .map(|s| StreamRow::new(s, now))
                .collect(),
            started: status
                .streams
                .iter()
                .any(|s| s.last_success_at.is_some() || s.last_error_at.is_some()),
        }
    }
}

/// The first-pass progress of a stream in words.
fn progress(stream: &StreamStatus) -> String {
    match (stream.backfilled, stream.estimated_total) {
        (true, _) => "complete".to_owned(),
        (false, Some(total)) if total > 0 => {
            let percent = (stream.done.clamp(0, total) * 100) / total;
            format!(
                "{} / {} ({percent}%)",
                thousands(stream.done),
                thousands(total)
            )
        }
        (false, _) if stream.done > 0 => format!("{} so far", thousands(stream.done)),
        (false, _) => "not started".to_owned(),
    }
}

/// "45 seconds", "1 minute", "3 hours", "2 days".
fn span(seconds: i64) -> String {
    let (amount, unit) = match seconds {
        i64::MIN..60 => (seconds.max(0), "second"),
        60..3_600 => (seconds / 60, "minute"),
        3_600..86_400 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let plural = if amount == 1 { "" } else { "s" };
    format!("{amount} {unit}{plural}")
}

/// 1234567 → "1,234,567".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(name: &str) -> StreamStatus {
        StreamStatus {
            stream: name.into(),
            stored: None,
            last_success_at: None,
            last_error: None,
            last_error_at: None,
            cursor: None,
            backfilled: false,
            done: 0,
            estimated_total: None,
        }
    }

    #[test]
    fn counts_and_spans_read_naturally() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1_000), "-1,000");
        assert_eq!(span(1), "1 second");
        assert_eq!(span(59), "59 seconds");
        assert_eq!(span(120), "2 minutes");
        assert_eq!(span(3_600), "1 hour");
        assert_eq!(span(3 * 86_400), "3 days");
    }

    #[test]
    fn progress_says_complete_a_fraction_or_not_started() {
        let mut s = stream("leads");
        assert_eq!(progress(&s), "not started");
        s.done = 1_500;
        assert_eq!(progress(&s), "1,500 so far");
        s.estimated_total = Some(3_000);
        assert_eq!(progress(&s), "1,500 / 3,000 (50%)");
        s.backfilled = true;
        assert_eq!(progress(&s), "complete");
    }

    #[test]
    fn the_view_names_streams_and_the_run_state() {
        let now = Utc::now();
        let mut emails = stream("emails");
        emails.stored = Some(42);
        emails.last_success_at = Some(now - chrono::Duration::minutes(3));
        let status = SyncStatus {
            next_run_at: Some(now + chrono::Duration::seconds(90)),
            running: false,
            streams: vec![emails, stream("mystery")],
        };
        let view = SyncView::new(&status, now);
        assert_eq!(view.next_run.as_ref().unwrap().words, "in 1 minute");
        assert!(view.started);
        assert_eq!(view.rows[0].label, "Unibox messages");
        assert_eq!(view.rows[0].stored, "42");
        assert_eq!(
            view.rows[0].last_success.as_ref().unwrap().words,
            "3 minutes ago"
        );
        assert_eq!(view.rows[1].label, "mystery");
        assert_eq!(view.rows[1].stored, "—");
        let idle = SyncView::new(
            &SyncStatus {
                streams: vec![],
                ..status
            },
            now,
        );
        assert!(!idle.started);
    }
}
