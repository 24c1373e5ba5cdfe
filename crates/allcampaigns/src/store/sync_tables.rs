//! The shape of every table sync writes, and the SQL generated from it for each backend.
//! One description means the SQLite and PostgreSQL statements cannot drift apart. The text is
//! built from these constants only (never from input), anew for every page written
//! (`sync_sql::statement`): about 20 µs for the largest table in a debug build, beside the
//! page's transaction, so it is not cached.

use super::sync::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Real,
    Bool,
    /// An instant (ISO 8601 text in the JSON).
    Time,
    /// A calendar day, `YYYY-MM-DD`.
    Day,
}

pub struct Shape {
    pub name: &'static str,
    /// The conflict key after `tenant_id`.
    pub key: &'static [&'static str],
    /// Every other column the sync writes, `fingerprint` among them.
    pub columns: &'static [(&'static str, Kind)],
    /// Whether rows are marked deleted rather than removed.
    pub soft_delete: bool,
}

use Kind::*;

const ID: &[&str] = &["instantly_id"];

pub fn shape(table: Table) -> Shape {
    let (name, key, columns, soft_delete): (_, &'static [&'static str], _, _) = match table {
        Table::Campaigns => ("campaigns", ID, CAMPAIGNS, true),
        Table::CampaignSteps => (
            "campaign_steps",
            &["campaign_id", "step", "variant"],
            STEPS,
            false,
        ),
        Table::CampaignTotals => ("campaign_totals", &["campaign_id"], TOTALS, false),
        Table::CampaignDaily => ("campaign_daily", &["campaign_id", "day"], DAILY, false),
        Table::CampaignStepTotals => (
            "campaign_step_totals",
            &["campaign_id", "step", "variant"],
            STEP_TOTALS,
            false,
        ),
        Table::Mailboxes => ("mailboxes", ID, MAILBOXES, true),
        Table::MailboxDaily => ("mailbox_daily", &["mailbox", "day"], MAILBOX_DAILY, false),
        Table::WarmupDaily => ("warmup_daily", &["mailbox", "day"], WARMUP_DAILY, false),
        Table::LeadLists => ("lead_lists", ID, LEAD_LISTS, true),
        Table::LeadLabels => ("lead_labels", ID, LEAD_LABELS, true),
        Table::CustomTags => ("custom_tags", ID, CUSTOM_TAGS, true),
        Table::CustomTagMappings => ("custom_tag_mappings", ID, TAG_MAPPINGS, true),
        Table::Leads => ("leads", ID, LEADS, true),
        Table::Messages => ("messages", ID, MESSAGES, false),
        Table::SyncStreams => ("sync_streams", &["stream"], SYNC_STREAMS, false),
    };
    Shape {
        name,
        key,
        columns,
        soft_delete,
    }
}

pub const ALL_TABLES: [Table; 14] = [
    Table::Campaigns,
    Table::CampaignSteps,
    Table::CampaignTotals,
    Table::CampaignDaily,
    Table::CampaignStepTotals,
    Table::Mailboxes,
    Table::MailboxDaily,
    Table::WarmupDaily,
    Table::LeadLists,
    Table::LeadLabels,
    Table::CustomTags,
    Table::CustomTagMappings,
    Table::Leads,
    Table::Messages,
];

const SYNC_STREAMS: &[(&str, Kind)] = &[
    ("cursor", Text),
    ("watermark", Time),
    ("backfilled", Bool),
    ("done", Int),
    ("estimated_total", Int),
    ("last_success_at", Time),
    ("last_error", Text),
    ("last_error_at", Time),
    ("reconciled_at", Time),
    ("next_run_at", Time),
    ("updated_at", Time),
];

const FP: (&str, Kind) = ("fingerprint", Int);

const CAMPAIGNS: &[(&str, Kind)] = &[
    ("name", Text),
    ("status", Int),
    ("daily_limit", Real),
    ("schedule", Text),
    ("mailboxes", Text),
    ("timestamp_created", Time),
    ("timestamp_updated", Time),
    FP,
];
const STEPS: &[(&str, Kind)] = &[
    ("kind", Text),
    ("delay", Real),
    ("subject", Text),
    ("body", Text),
    ("disabled", Bool),
];
const TOTALS: &[(&str, Kind)] = &[
    ("leads", Int),
    ("contacted", Int),
    ("sent", Int),
    ("opened_unique", Int),
    ("replied_unique", Int),
    ("clicked_unique", Int),
    ("bounced", Int),
    ("unsubscribed", Int),
    ("completed", Int),
    ("opportunities", Int),
    ("opportunity_value", Real),
    FP,
];
const DAILY: &[(&str, Kind)] = &[
    ("sent", Int),
    ("contacted", Int),
    ("opened", Int),
    ("opened_unique", Int),
    ("replied", Int),
    ("replied_unique", Int),
    ("clicked", Int),
    ("clicked_unique", Int),
    ("opportunities", Int),
    FP,
];
const STEP_TOTALS: &[(&str, Kind)] = &[
    ("sent", Int),
    ("opened_unique", Int),
    ("replied_unique", Int),
    ("clicked_unique", Int),
    ("opportunities", Int),
    FP,
];
const MAILBOXES: &[(&str, Kind)] = &[
    ("first_name", Text),
    ("last_name", Text),
    ("status", Int),
    ("warmup_status", Int),
    ("warmup_score", Real),
    ("daily_limit", Real),
    ("provider_code", Int),
    ("timestamp_created", Time),
    FP,
];
const MAILBOX_DAILY: &[(&str, Kind)] = &[
    ("sent", Int),
    ("bounced", Int),
    ("contacted", Int),
    ("opened_unique", Int),
    ("replied_unique", Int),
    ("clicked_unique", Int),
    FP,
];
const WARMUP_DAILY: &[(&str, Kind)] = &[
    ("sent", Int),
    ("received", Int),
    ("landed_inbox", Int),
    ("landed_spam", Int),
    FP,
];
const LEAD_LISTS: &[(&str, Kind)] = &[("name", Text), ("timestamp_created", Time), FP];
const LEAD_LABELS: &[(&str, Kind)] = &[
    ("label", Text),
    ("interest_status", Int),
    ("interest_label", Text),
    ("description", Text),
    FP,
];
const CUSTOM_TAGS: &[(&str, Kind)] = &[("label", Text), ("description", Text), FP];
const TAG_MAPPINGS: &[(&str, Kind)] = &[
    ("tag_id", Text),
    ("resource_id", Text),
    ("resource_type", Int),
    FP,
];
const LEADS: &[(&str, Kind)] = &[
    ("email", Text),
    ("first_name", Text),
    ("last_name", Text),
    ("company_name", Text),
    ("company_domain", Text),
    ("job_title", Text),
    ("phone", Text),
    ("website", Text),
    ("personalization", Text),
    ("custom_variables", Text),
    ("status", Int),
    ("interest_status", Int),
    ("campaign_id", Text),
    ("list_id", Text),
    ("open_count", Int),
    ("reply_count", Int),
    ("click_count", Int),
    ("replied_step", Int),
    ("replied_variant", Int),
    ("timestamp_created", Time),
    ("timestamp_updated", Time),
    ("last_contact_at", Time),
    ("last_open_at", Time),
    ("last_reply_at", Time),
    ("last_click_at", Time),
    ("interest_changed_at", Time),
    FP,
];
const MESSAGES: &[(&str, Kind)] = &[
    ("thread_id", Text),
    ("lead_id", Text),
    ("lead_email", Text),
    ("campaign_id", Text),
    ("mailbox", Text),
    ("direction", Text),
    ("ue_type", Int),
    ("from_address", Text),
    ("from_name", Text),
    ("to_addresses", Text),
    ("cc_addresses", Text),
    ("subject", Text),
    ("body_text", Text),
    ("body_html", Text),
    ("blocked_remote", Bool),
    ("attachments", Text),
    ("step", Text),
    ("is_unread", Bool),
    ("is_auto_reply", Bool),
    ("interest_status", Int),
    ("timestamp_created", Time),
    ("message_id", Text),
    FP,
];

impl Shape {
    fn all_columns(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.key
            .iter()
            .copied()
            .chain(self.columns.iter().map(|(c, _)| *c))
    }

    fn has_fingerprint(&self) -> bool {
        self.columns.iter().any(|(c, _)| *c == "fingerprint")
    }

    fn key_kind(&self, column: &str) -> Kind {
        match column {
            "step" | "variant" if self.name == "campaign_steps" => Int,
            "day" => Day,
            _ => Text,
        }
    }

    /// `ON CONFLICT … DO UPDATE`: only a changed (or deleted) row is rewritten.
    fn conflict_clause(&self) -> String {
        let mut sets: Vec<String> = self
            .columns
            .iter()
            .map(|(c, _)| format!("{c} = excluded.{c}"))
            .collect();
        let mut guards = Vec::new();
        if self.has_fingerprint() {
            guards.push(format!("{}.fingerprint <> excluded.fingerprint", self.name));
        }
        if self.soft_delete {
            sets.push("deleted_at = NULL".into());
            guards.push(format!("{}.deleted_at IS NOT NULL", self.name));
        }
        let guard = if guards.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", guards.join(" OR "))
        };
        format!(
            "ON CONFLICT (tenant_id, {}) DO UPDATE SET {}{guard}",
            self.key.join(", "),
            sets.join(", ")
        )
    }

    /// SQLite: rows from `json_each($2)`, fields read with `->>`.
    pub fn sqlite_upsert(&self) -> String {
        let columns: Vec<&str> = self.all_columns().collect();
        let values: Vec<String> = columns.iter().map(|c| format!("value ->> '{c}'")).collect();
        format!(
            "INSERT INTO {} (tenant_id, {}) SELECT $1, {} FROM json_each($2) WHERE true {}",
            self.name,
            columns.join(", "),
            values.join(", "),
            self.conflict_clause()
        )
    }

    /// PostgreSQL: rows from `jsonb_to_recordset($2)`, typed by the declared kinds.
    pub fn postgres_upsert(&self) -> String {
        let typed: Vec<String> = self
            .key
            .iter()
            .map(|c| (*c, self.key_kind(c)))
            .chain(self.columns.iter().copied())
            .map(|(c, kind)| format!("{c} {}", pg_type(kind)))
            .collect();
        let columns: Vec<&str> = self.all_columns().collect();
        format!(
            "INSERT INTO {name} (tenant_id, {cols}) SELECT $1, {cols} \
             FROM jsonb_to_recordset($2) AS r({typed}) {conflict}",
            name = self.name,
            cols = columns.join(", "),
            typed = typed.join(", "),
            conflict = self.conflict_clause()
        )
    }
}

fn pg_type(kind: Kind) -> &'static str {
    match kind {
        Text => "text",
        Int => "bigint",
        Real => "double precision",
        Bool => "boolean",
        Time => "timestamptz",
        Day => "date",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_fingerprint_or_is_rewritten_whole() {
        for table in ALL_TABLES {
            let shape = shape(table);
            assert!(
                shape.has_fingerprint() || table == Table::CampaignSteps,
                "{} has no fingerprint",
                shape.name
            );
        }
    }

    #[test]
    fn generated_upserts_name_every_column_once() {
        let sql = shape(Table::Leads).sqlite_upsert();
        assert_eq!(sql.matches("value ->> 'email'").count(), 1);
        assert!(sql.contains("ON CONFLICT (tenant_id, instantly_id)"));
        assert!(sql.contains("WHERE leads.fingerprint <> excluded.fingerprint"));
        let sql = shape(Table::CampaignDaily).postgres_upsert();
        assert!(sql.contains("day date"));
        assert!(sql.contains("ON CONFLICT (tenant_id, campaign_id, day)"));
    }
}
