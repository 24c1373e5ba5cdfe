//! The figures of a run and how they print: Markdown tables, ready for the README.

use std::fmt::Write;

use super::picks::Picks;
use super::server::Memory;
use super::timing::Stats;
use super::{Caller, Options};
use crate::config::Config;

/// One latency scenario: server time, loopback time, and its statements alone.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    pub goal_ms: f64,
    pub server: Stats,
    pub loopback: Stats,
    pub alone: Stats,
}

/// One `wrk` run.
#[derive(Debug, Clone)]
pub struct Throughput {
    pub name: String,
    pub goal_per_sec: f64,
    pub per_sec: f64,
    pub requests: u64,
    /// Non-2xx/3xx answers plus socket errors.
    pub errors: u64,
    pub memory: Memory,
}

/// Triage while a backfill writes.
#[derive(Debug, Clone)]
pub struct Backfill {
    pub server: Stats,
    pub loopback: Stats,
    /// Requests sent while the backfill was still writing.
    pub during: usize,
    pub rows_written: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub backend: &'static str,
    pub clients: usize,
    pub requests: u32,
    pub data: String,
    pub rows: Vec<Row>,
    pub throughput: Vec<Throughput>,
    pub backfill: Option<Backfill>,
    pub rss_after_latency: Memory,
    pub rss_end: Memory,
}

impl Report {
    pub(crate) fn new(config: &Config, caller: &Caller, options: &Options, picks: &Picks) -> Self {
        Self {
            backend: if config.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            },
            clients: caller.tenants.len(),
            requests: options.requests,
            data: picks.describe(),
            rows: Vec::new(),
            throughput: Vec::new(),
            backfill: None,
            rss_after_latency: Memory::default(),
            rss_end: Memory::default(),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Inbox on {} ({} clients, {} timed requests per scenario after 20 warm-up)\n{}\n",
            self.backend, self.clients, self.requests, self.data
        );
        out.push_str("| | server p50 | server p95 | loopback p95 | SQL alone p50 | SQL alone p95 | goal p95 |\n");
        out.push_str("|---|---|---|---|---|---|---|\n");
        for row in &self.rows {
            out.push_str(&row.line());
            out.push('\n');
        }
        if !self.throughput.is_empty() {
            out.push_str(
                "\n| at 64 connections | pages/s | requests | errors | VmRSS / VmHWM | goal |\n",
            );
            out.push_str("|---|---|---|---|---|---|\n");
            for t in &self.throughput {
                let _ = writeln!(
                    out,
                    "| {} | {:.0} | {} | {} | {:.0} / {:.0} MiB | ≥ {:.0}/s, 0 errors, ≤ 128 MiB |",
                    t.name,
                    t.per_sec,
                    t.requests,
                    t.errors,
                    Memory::mib(t.memory.rss_kib),
                    Memory::mib(t.memory.peak_kib),
                    t.goal_per_sec
                );
            }
        }
        if let Some(b) = &self.backfill {
            let _ = writeln!(
                out,
                "\nDone/undone while a backfill wrote ({} of {} requests during it; {} rows stored in \
                 {:.0} s): server p50 {:.2} ms, p95 {:.2} ms, max {:.1} ms; loopback p95 {:.2} ms \
                 (goal p95 ≤ 50 ms)",
                b.during,
                b.server.count,
                b.rows_written,
                b.seconds,
                b.server.p50,
                b.server.p95,
                b.server.max,
                b.loopback.p95
            );
        }
        let _ = writeln!(
            out,
            "\nServer memory: after the latency runs VmRSS {:.0} MiB; at the end VmRSS {:.0} MiB, \
             VmHWM {:.0} MiB",
            Memory::mib(self.rss_after_latency.rss_kib),
            Memory::mib(self.rss_end.rss_kib),
            Memory::mib(self.rss_end.peak_kib)
        );
        out
    }
}

impl Row {
    pub fn line(&self) -> String {
        format!(
            "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | ≤ {:.0} ms{} |",
            self.name,
            self.server.p50,
            self.server.p95,
            self.loopback.p95,
            self.alone.p50,
            self.alone.p95,
            self.goal_ms,
            if self.server.p95 <= self.goal_ms {
                ""
            } else {
                " **missed**"
            }
        )
    }
}
