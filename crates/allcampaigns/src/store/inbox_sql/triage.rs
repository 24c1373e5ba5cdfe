//! Triage statements: each writes our own row of a thread (read, done, snoozed, owner), never
//! the synced one.

use crate::inbox::Triage;
use crate::store::db::Param;

/// The stored snooze of a thread, unless a reply has reopened it since.
pub const SNOOZED_UNTIL: &str = "SELECT g.snoozed_until FROM thread_triage g \
     JOIN threads t ON t.tenant_id = g.tenant_id AND t.thread_id = g.thread_id \
     WHERE g.tenant_id = $1 AND g.thread_id = $2 AND t.received_count <= g.snoozed_through";

/// A triage change of one thread: `$1` tenant, `$2` thread, `$3` now, `$4` who, and `$5` the
/// value of a change that carries one ([`triage_value`]). Inserts the triage row from the
/// thread's row, so a thread that is not the tenant's changes nothing.
pub fn triage(change: Triage) -> &'static str {
    match change {
        Triage::Read => TRIAGE_READ,
        Triage::Unread => TRIAGE_UNREAD,
        Triage::Done => TRIAGE_DONE,
        Triage::Undone => TRIAGE_UNDONE,
        Triage::Snooze { .. } => TRIAGE_SNOOZE,
        Triage::Unsnooze => TRIAGE_UNSNOOZE,
        Triage::Assign { .. } => TRIAGE_ASSIGN,
    }
}

/// The value `$5` of a triage statement, for the changes that carry one.
pub fn triage_value(change: Triage) -> Option<Param> {
    match change {
        Triage::Snooze { until } => Some(Param::SyncTime(until)),
        Triage::Assign { owner } => Some(owner.into()),
        _ => None,
    }
}

macro_rules! triage_sql {
    ($columns:literal, $values:literal, $set:literal) => {
        concat!(
            "INSERT INTO thread_triage (tenant_id, thread_id, updated_at, updated_by, ",
            $columns,
            ") SELECT t.tenant_id, t.thread_id, $3, $4, ",
            $values,
            " FROM threads t WHERE t.tenant_id = $1 AND t.thread_id = $2 \
             ON CONFLICT (tenant_id, thread_id) DO UPDATE SET updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by, ",
            $set
        )
    };
}

const TRIAGE_READ: &str = triage_sql!(
    "read_through, marked_unread",
    "t.received_count, false",
    "read_through = excluded.read_through, marked_unread = false"
);
const TRIAGE_UNREAD: &str = triage_sql!(
    "marked_unread",
    "true",
    "read_through = NULL, marked_unread = true"
);
const TRIAGE_DONE: &str = triage_sql!(
    "done_at, done_through",
    "$3, t.received_count",
    "done_at = excluded.done_at, done_through = excluded.done_through, \
     snoozed_until = NULL, snoozed_through = NULL"
);
// Clearing needs no inserted value: a new row takes the defaults (`marked_unread` is named
// only because the list of columns may not be empty).
const TRIAGE_UNDONE: &str = triage_sql!(
    "marked_unread",
    "false",
    "done_at = NULL, done_through = NULL"
);
const TRIAGE_SNOOZE: &str = triage_sql!(
    "snoozed_until, snoozed_through",
    "$5, t.received_count",
    "snoozed_until = excluded.snoozed_until, snoozed_through = excluded.snoozed_through, \
     done_at = NULL, done_through = NULL"
);
const TRIAGE_UNSNOOZE: &str = triage_sql!(
    "marked_unread",
    "false",
    "snoozed_until = NULL, snoozed_through = NULL"
);
const TRIAGE_ASSIGN: &str = triage_sql!("owner_id", "$5", "owner_id = excluded.owner_id");
