//! Instantly to store: every tenant's workspace copied, resumable, incremental and fair.

pub mod sanitize;
