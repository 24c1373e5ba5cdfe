//! Notes and calls on a lead, written once for both backends, in the tenant's scope; each
//! change and its audit entry (its target the note's or call's id) in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::audit::audit_args;
use crate::domain::{TenantId, UserId};
use crate::leads::{Author, Call, CallOutcome, LeadStore, Note, PageCursor};
use crate::store::db::{Args, Scope, SqlBacked};
use crate::store::leads_sql as q;
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> LeadStore for S {
    #[tracing::instrument(name = "store.lead_address", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_address(&self, tenant: TenantId, instantly_id: &str) -> Result<Option<String>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(instantly_id);
        let found: Vec<Option<String>> = tx.scalars(q::LEAD_ADDRESS, args).await?;
        Ok(found.into_iter().flatten().next())
    }

    #[tracing::instrument(name = "store.is_known_lead", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn is_known_lead(&self, tenant: TenantId, address: &str, as_given: &str) -> Result<bool> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(address).bind(as_given);
        if tx.scalar(q::IS_KNOWN_LEAD, args).await? {
            return Ok(true);
        }
        let args = Args::new().bind(tenant).bind(address);
        tx.scalar(q::IS_KNOWN_LEAD_ANY_CASE, args).await
    }

    #[tracing::instrument(name = "store.lead_notes", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_notes(
        &self,
        tenant: TenantId,
        lead_email: &str,
        internal_too: bool,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Note>> {
        let args = Args::new().bind(tenant).bind(lead_email).bind(internal_too);
        let (statement, args) = match after {
            None => (q::NOTES, args),
            Some(cursor) => (q::NOTES_AFTER, args.bind(cursor.at).bind(cursor.id)),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<NoteRow> = tx.fetch_all(statement, args.bind(i64::from(limit))).await?;
        Ok(rows.into_iter().map(NoteRow::into_note).collect())
    }

    #[tracing::instrument(name = "store.lead_note", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_note(
        &self,
        tenant: TenantId,
        lead_email: &str,
        id: Uuid,
    ) -> Result<Option<Note>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(lead_email).bind(id);
        let row: Option<NoteRow> = tx.fetch_optional(q::NOTE, args).await?;
        Ok(row.map(NoteRow::into_note))
    }

    #[tracing::instrument(name = "store.insert_lead_note", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(note.id)
            .bind(&note.lead_email)
            .bind(author_id(note.author.as_ref()))
            .bind(&note.body)
            .bind(&note.html)
            .bind(note.shared)
            .bind(note.created_at);
        change_one(self, tenant, q::INSERT_NOTE, args, entry).await
    }

    #[tracing::instrument(name = "store.update_lead_note", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn update_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(&note.lead_email)
            .bind(note.id)
            .bind(&note.body)
            .bind(&note.html)
            .bind(note.shared)
            .bind(note.updated_at);
        change_one(self, tenant, q::UPDATE_NOTE, args, entry).await
    }

    #[tracing::instrument(name = "store.delete_lead_note", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn delete_lead_note(
        &self,
        tenant: TenantId,
        note: &Note,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(&note.lead_email)
            .bind(note.id);
        change_one(self, tenant, q::DELETE_NOTE, args, entry).await
    }

    #[tracing::instrument(name = "store.lead_calls", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_calls(
        &self,
        tenant: TenantId,
        lead_email: &str,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Call>> {
        let args = Args::new().bind(tenant).bind(lead_email);
        let (statement, args) = match after {
            None => (q::CALLS, args),
            Some(cursor) => (q::CALLS_AFTER, args.bind(cursor.at).bind(cursor.id)),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<CallRow> = tx.fetch_all(statement, args.bind(i64::from(limit))).await?;
        Ok(rows.into_iter().filter_map(CallRow::into_call).collect())
    }

    #[tracing::instrument(name = "store.lead_call", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_call(
        &self,
        tenant: TenantId,
        lead_email: &str,
        id: Uuid,
    ) -> Result<Option<Call>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(lead_email).bind(id);
        let row: Option<CallRow> = tx.fetch_optional(q::CALL, args).await?;
        Ok(row.and_then(CallRow::into_call))
    }

    #[tracing::instrument(name = "store.insert_lead_call", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_lead_call(
        &self,
        tenant: TenantId,
        call: &Call,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(call.id)
            .bind(&call.lead_email)
            .bind(author_id(call.author.as_ref()))
            .bind(call.at)
            .bind(call.duration_seconds)
            .bind(call.outcome.as_str())
            .bind(&call.notes)
            .bind(&call.notes_html)
            .bind(call.call_back_at)
            .bind(call.created_at);
        change_one(self, tenant, q::INSERT_CALL, args, entry).await
    }
}

fn author_id(author: Option<&Author>) -> Option<UserId> {
    author.map(|a| a.user_id)
}

/// Changes exactly one row and writes the audit entry, or changes nothing (`NotFound`).
pub(super) async fn change_one<S: SqlBacked>(
    store: &S,
    tenant: TenantId,
    statement: &'static str,
    args: Args,
    entry: &NewAuditEntry,
) -> Result<()> {
    let mut tx = store.db().begin(Scope::Tenant(tenant), true).await?;
    if tx.execute(statement, args).await? != 1 {
        return Err(StoreError::NotFound);
    }
    tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
        .await?;
    tx.commit().await
}

/// The author columns every note and call row carries.
#[derive(sqlx::FromRow)]
pub(super) struct AuthorColumns {
    author_id: Option<UserId>,
    author_name: Option<String>,
    author_email: Option<String>,
    author_role: Option<String>,
}

impl AuthorColumns {
    pub(super) fn into_author(self) -> Option<Author> {
        Some(Author {
            user_id: self.author_id?,
            display_name: self.author_name.unwrap_or_default(),
            email: self.author_email.unwrap_or_default(),
            role: self.author_role.and_then(|role| role.parse().ok()),
        })
    }
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    note_id: Uuid,
    lead_email: String,
    #[sqlx(flatten)]
    author: AuthorColumns,
    body: String,
    html: String,
    shared: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl NoteRow {
    fn into_note(self) -> Note {
        Note {
            id: self.note_id,
            lead_email: self.lead_email,
            author: self.author.into_author(),
            body: self.body,
            html: self.html,
            shared: self.shared,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CallRow {
    call_id: Uuid,
    lead_email: String,
    #[sqlx(flatten)]
    author: AuthorColumns,
    at: DateTime<Utc>,
    duration_seconds: i64,
    outcome: String,
    notes: Option<String>,
    notes_html: Option<String>,
    call_back_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl CallRow {
    /// `None` for an outcome this version does not know (the table's check admits none).
    fn into_call(self) -> Option<Call> {
        Some(Call {
            id: self.call_id,
            lead_email: self.lead_email,
            author: self.author.into_author(),
            at: self.at,
            duration_seconds: self.duration_seconds,
            outcome: CallOutcome::from_name(&self.outcome)?,
            notes: self.notes,
            notes_html: self.notes_html,
            call_back_at: self.call_back_at,
            created_at: self.created_at,
        })
    }
}
