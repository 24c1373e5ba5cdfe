//! The opaque keyset cursor: the last row's `(last_message_at, tenant_id, thread_id)`, as
//! base64url JSON. The list is ordered by that triple, descending, so a cursor names a place
//! in the order that stays put while threads are added or move up.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::domain::TenantId;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "a")]
    pub at: DateTime<Utc>,
    #[serde(rename = "t")]
    pub tenant: TenantId,
    #[serde(rename = "h")]
    pub thread: String,
}

/// Cursors longer than this are refused unread.
const MAX_ENCODED: usize = 1024;

/// A keyset cursor as the opaque text a client passes back: base64url JSON.
pub fn encode_token<T: Serialize>(cursor: &T) -> String {
    let json = serde_json::to_vec(cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The cursor of a token [`encode_token`] made; `None` for anything else, or for text longer
/// than `max_len`, which is refused unread.
pub fn decode_token<T: DeserializeOwned>(text: &str, max_len: usize) -> Option<T> {
    if text.len() > max_len {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl Cursor {
    pub fn encode(&self) -> String {
        encode_token(self)
    }

    /// `None` for anything that is not a cursor this code made.
    pub fn decode(text: &str) -> Option<Self> {
        decode_token(text, MAX_ENCODED)
    }

    /// Whether a row at `(at, tenant, thread)` belongs after this cursor in the list order
    /// (newest first; ties by tenant, then thread, both descending in byte order).
    pub fn admits(&self, at: DateTime<Utc>, tenant: TenantId, thread: &str) -> bool {
        (at, tenant, thread.as_bytes()) < (self.at, self.tenant, self.thread.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        let cursor = Cursor {
            at: "2026-11-30T10:00:00.123Z".parse().unwrap(),
            tenant: TenantId::new(),
            thread: "thread-ä".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for garbage in ["", "x", "!!!!", &"A".repeat(2000), "e30"] {
            assert_eq!(Cursor::decode(garbage), None, "{garbage:?}");
        }
    }
}
