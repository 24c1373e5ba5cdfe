//! Placeholder; built out by the Instantly issue.
