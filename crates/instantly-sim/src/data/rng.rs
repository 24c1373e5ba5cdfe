//! Deterministic randomness: every generated value is a pure function of the seed and the
//! value's coordinates (workspace, kind, index), so any lead or email can be rebuilt on demand
//! without generating the ones before it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The instant the generated history ends ("now" for the data, before any tick).
pub const DATA_END_MS: i64 = 1_793_491_200_000; // 2026-11-01T00:00:00Z
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// SplitMix64's finalizer: a fast, well-mixed 64-bit hash step.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x51_7cc1_b727_220a, |acc, part| mix(acc ^ part))
}

/// A small generator seeded from coordinates.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(parts: &[u64]) -> Self {
        Rng(hash(parts))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low).max(1) as u64) as i64
    }

    pub fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// What an id names; stored in the id so a cursor can be decoded back to its item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Workspace = 1,
    Campaign = 2,
    Lead = 3,
    Email = 4,
    Thread = 5,
    List = 6,
    Tag = 7,
    Mapping = 8,
    Label = 9,
    Webhook = 10,
    User = 11,
    Step = 12,
}

/// A UUIDv7-shaped id: creation time in the first 48 bits, then the kind, a small `sub` number
/// and the index, with salt bits derived from the seed so ids differ between seeds.
pub fn make_id(seed: u64, ms: i64, kind: Kind, index: u32, sub: u8) -> Uuid {
    let salt = hash(&[seed, kind as u64, u64::from(index), u64::from(sub)]);
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(ms as u64).to_be_bytes()[2..]);
    b[6] = 0x70 | (kind as u8 & 0x0f);
    b[7] = salt as u8;
    b[8] = 0x80 | ((salt >> 8) as u8 & 0x3f);
    b[9] = sub;
    b[10..12].copy_from_slice(&(salt >> 16).to_be_bytes()[6..]);
    b[12..].copy_from_slice(&index.to_be_bytes());
    Uuid::from_bytes(b)
}

/// The parts of an id made by [`make_id`]: (ms, kind byte, index, sub). The caller checks it
/// by rebuilding the id.
pub fn parse_id(text: &str) -> Option<(i64, u8, u32, u8)> {
    let b = Uuid::parse_str(text).ok()?.into_bytes();
    let mut ms = [0u8; 8];
    ms[2..].copy_from_slice(&b[..6]);
    let index = u32::from_be_bytes([b[12], b[13], b[14], b[15]]);
    Some((u64::from_be_bytes(ms) as i64, b[6] & 0x0f, index, b[9]))
}

/// Instantly's timestamp format: ISO 8601, UTC, milliseconds, `Z`.
pub fn iso(ms: i64) -> String {
    let time = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn parse_iso(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

pub fn date_of_day(day: i64) -> String {
    let time = DateTime::<Utc>::from_timestamp_millis(day * DAY_MS).unwrap_or_default();
    time.format("%Y-%m-%d").to_string()
}

pub fn day_of_date(text: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day_of(
        date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_decode_back_to_their_parts() {
        let id = make_id(7, DATA_END_MS, Kind::Email, 123_456, 4);
        assert_eq!(id.get_version_num(), 7);
        let parsed = parse_id(&id.to_string()).unwrap();
        assert_eq!(parsed, (DATA_END_MS, Kind::Email as u8, 123_456, 4));
    }

    #[test]
    fn ids_differ_between_seeds() {
        let a = make_id(1, DATA_END_MS, Kind::Lead, 5, 0);
        assert_ne!(a, make_id(2, DATA_END_MS, Kind::Lead, 5, 0));
    }

    #[test]
    fn timestamps_have_milliseconds_and_a_z() {
        assert_eq!(iso(DATA_END_MS + 5), "2026-11-01T00:00:00.005Z");
        assert_eq!(parse_iso("2026-11-01T00:00:00.005Z"), Some(DATA_END_MS + 5));
        assert_eq!(date_of_day(day_of(DATA_END_MS)), "2026-11-01");
    }
}
