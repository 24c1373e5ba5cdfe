//! Email HTML made safe once, at ingest.
