//! The connection page's sync table: stream names, progress, times and the run state, worded
//! by the person's language ([`SyncTexts`]).

use chrono::{DateTime, Utc};

use crate::sync::status::{StreamStatus, SyncStatus};
use crate::text::{SyncTexts, Texts, Unit};

/// A moment shown both as words ("3 minutes ago") and as a machine-readable time.
pub struct Moment {
    pub iso: String,
    pub words: String,
}

impl Moment {
    fn past(at: DateTime<Utc>, now: DateTime<Utc>, t: &SyncTexts) -> Self {
        let seconds = (now - at).num_seconds();
        let words = if seconds < 5 {
            t.just_now.to_owned()
        } else {
            (t.ago)(&span(seconds, t))
        };
        Self::new(at, words)
    }

    fn future(at: DateTime<Utc>, now: DateTime<Utc>, t: &SyncTexts) -> Self {
        let seconds = (at - now).num_seconds();
        let words = if seconds < 5 {
            t.now.to_owned()
        } else {
            (t.within)(&span(seconds, t))
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
    fn new(stream: &StreamStatus, now: DateTime<Utc>, texts: &Texts) -> Self {
        let t = &texts.sync;
        Self {
            label: (t.stream)(stream.stream).to_owned(),
            stored: stream
                .stored
                .map_or_else(|| t.nothing_stored.to_owned(), |n| thousands(n, t)),
            last_success: stream.last_success_at.map(|at| Moment::past(at, now, t)),
            progress: progress(stream, t),
            error: stream.last_error.as_deref().map(|e| texts.stored_fault(e)),
            error_at: stream.last_error_at.map(|at| Moment::past(at, now, t)),
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
    pub fn new(status: &SyncStatus, now: DateTime<Utc>, texts: &Texts) -> Self {
        let t = &texts.sync;
        Self {
            running: status.running,
            next_run: status.next_run_at.map(|at| Moment::future(at, now, t)),
            rows: status
                .streams
                .iter()
                .map(|s| StreamRow::new(s, now, texts))
                .collect(),
            started: status
                .streams
                .iter()
                .any(|s| s.last_success_at.is_some() || s.last_error_at.is_some()),
        }
    }
}

/// The first-pass progress of a stream in words.
fn progress(stream: &StreamStatus, t: &SyncTexts) -> String {
    match (stream.backfilled, stream.estimated_total) {
        (true, _) => t.complete.to_owned(),
        (false, Some(total)) if total > 0 => {
            let percent = (stream.done.clamp(0, total) * 100) / total;
            (t.of_total)(&thousands(stream.done, t), &thousands(total, t), percent)
        }
        (false, _) if stream.done > 0 => (t.so_far)(&thousands(stream.done, t)),
        (false, _) => t.not_started.to_owned(),
    }
}

/// "45 seconds", "1 minute", "3 hours", "2 days": the largest whole unit.
fn span(seconds: i64, t: &SyncTexts) -> String {
    let (amount, unit) = match seconds {
        i64::MIN..60 => (seconds.max(0), Unit::Second),
        60..3_600 => (seconds / 60, Unit::Minute),
        3_600..86_400 => (seconds / 3_600, Unit::Hour),
        _ => (seconds / 86_400, Unit::Day),
    };
    (t.span)(amount, unit)
}

/// 1234567 → "1,234,567" (the language's digit group separator).
fn thousands(n: i64, t: &SyncTexts) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(t.digit_group);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stream;
    use crate::text::Lang;

    const EN: &SyncTexts = &Lang::En.texts().sync;

    fn stream(stream: Stream) -> StreamStatus {
        StreamStatus {
            stream,
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
        assert_eq!(thousands(0, EN), "0");
        assert_eq!(thousands(999, EN), "999");
        assert_eq!(thousands(1_234_567, EN), "1,234,567");
        assert_eq!(thousands(-1_000, EN), "-1,000");
        assert_eq!(span(1, EN), "1 second");
        assert_eq!(span(59, EN), "59 seconds");
        assert_eq!(span(120, EN), "2 minutes");
        assert_eq!(span(3_600, EN), "1 hour");
        assert_eq!(span(3 * 86_400, EN), "3 days");
    }

    #[test]
    fn progress_says_complete_a_fraction_or_not_started() {
        let mut s = stream(Stream::Leads);
        assert_eq!(progress(&s, EN), "not started");
        s.done = 1_500;
        assert_eq!(progress(&s, EN), "1,500 so far");
        s.estimated_total = Some(3_000);
        assert_eq!(progress(&s, EN), "1,500 / 3,000 (50%)");
        s.backfilled = true;
        assert_eq!(progress(&s, EN), "complete");
    }

    #[test]
    fn the_view_names_streams_and_the_run_state() {
        let now = Utc::now();
        let mut emails = stream(Stream::Emails);
        emails.stored = Some(42);
        emails.last_success_at = Some(now - chrono::Duration::minutes(3));
        let status = SyncStatus {
            next_run_at: Some(now + chrono::Duration::seconds(90)),
            running: false,
            streams: vec![emails, stream(Stream::LeadsReconcile)],
        };
        let view = SyncView::new(&status, now, Lang::En.texts());
        assert_eq!(view.next_run.as_ref().unwrap().words, "in 1 minute");
        assert!(view.started);
        assert_eq!(view.rows[0].label, "Unibox messages");
        assert_eq!(view.rows[0].stored, "42");
        assert_eq!(
            view.rows[0].last_success.as_ref().unwrap().words,
            "3 minutes ago"
        );
        assert_eq!(view.rows[1].label, "Lead reconciliation");
        assert_eq!(view.rows[1].stored, "—");
        let idle = SyncView::new(
            &SyncStatus {
                streams: vec![],
                ..status
            },
            now,
            Lang::En.texts(),
        );
        assert!(!idle.started);
    }
}
