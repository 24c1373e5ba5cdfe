//! How many times each master key has sealed (RELIABILITY SEC-03).
//!
//! Every seal draws a random 96-bit nonce. NIST SP 800-38D (section 8.3) allows at most 2^32
//! seals under one key with random nonces: past that, two seals sharing a nonce becomes likely
//! enough to matter, and a shared nonce gives away the XOR of two plaintexts and lets forgeries
//! through. Each key therefore counts its seals and raises an alarm far below the limit, at
//! [`SEAL_ALARM`] (2^30), leaving three quarters of the budget to rotate in.
//!
//! The count is what the database held when this process last wrote or read it (the
//! `encryption_keys.seals` column, which every process adds to) plus the seals this process
//! made since; `keys::save_seal_counts` moves the latter into the database right after each
//! place that seals. A crash between a seal and that save loses those few seals, which the
//! margin below 2^32 absorbs many times over.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Seals per key after which the alarm fires: 2^30, a quarter of NIST SP 800-38D's 2^32.
pub const SEAL_ALARM: u64 = 1 << 30;

/// One key's count of seals.
#[derive(Default)]
pub(super) struct SealCount {
    /// The total the database answered last.
    stored: AtomicU64,
    /// Seals made by this process and not yet added to the database.
    unsaved: AtomicU64,
    /// Whether this process has already raised the alarm for this key (once is enough).
    alarmed: AtomicBool,
}

impl SealCount {
    pub(super) fn total(&self) -> u64 {
        self.stored
            .load(Ordering::Relaxed)
            .saturating_add(self.unsaved.load(Ordering::Relaxed))
    }

    pub(super) fn add_one(&self, key_id: u32, alarm: u64) {
        self.unsaved.fetch_add(1, Ordering::Relaxed);
        self.check(key_id, alarm);
    }

    /// Takes the unsaved seals, for the caller to add to the database.
    pub(super) fn take_unsaved(&self) -> u64 {
        self.unsaved.swap(0, Ordering::Relaxed)
    }

    /// Gives back seals that could not be saved, to be saved next time.
    pub(super) fn keep_unsaved(&self, seals: u64) {
        self.unsaved.fetch_add(seals, Ordering::Relaxed);
    }

    /// Records the database's total. Two saves may answer out of order; the larger total is
    /// the later one, since counts only grow.
    pub(super) fn stored(&self, key_id: u32, total: u64, alarm: u64) {
        self.stored.fetch_max(total, Ordering::Relaxed);
        self.check(key_id, alarm);
    }

    fn check(&self, key_id: u32, alarm: u64) {
        let total = self.total();
        if total >= alarm && !self.alarmed.swap(true, Ordering::Relaxed) {
            tracing::error!(
                key_id,
                seals = total,
                alarm,
                "master key {key_id} has sealed {total} secrets, past the alarm at {alarm} \
                 (NIST SP 800-38D allows 2^32 seals with random nonces): run \
                 `allcampaigns keys rotate` so new secrets are sealed with a new key"
            );
        }
    }
}

/// What `keys status` and the metrics show for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealStatus {
    pub key_id: u32,
    pub seals: u64,
    /// The count has reached the alarm: rotate.
    pub alarm: bool,
}
