//! Lead settings, tags, state and the timeline's own reads, written once for both backends in
//! the tenant's scope; each change and its audit entry in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use uuid::Uuid;

use super::audit::audit_args;
use super::jobs::replace_live_job;
use super::leads::{AuthorColumns, change_one};
use crate::domain::{TenantId, UserId};
use crate::leads::PageCursor;
use crate::leads::settings::LeadSettings;
use crate::leads::state::{
    Change, LatestReply, LeadRecord, LeadStateStore, LeadThread, Source, StateWrite, Stored,
};
use crate::leads::tags::Tag;
use crate::leads::timeline::{Message, TimelineStore};
use crate::store::db::{Args, Param, Scope, SqlBacked};
use crate::store::lead_state_sql as q;
use crate::store::{NewAuditEntry, Result, StoreError, sql};

#[async_trait]
impl<S: SqlBacked> LeadStateStore for S {
    #[tracing::instrument(name = "store.lead_settings", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_settings(&self, tenant: TenantId) -> Result<Option<LeadSettings>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let row: Option<SettingsRow> = tx
            .fetch_optional(q::SETTINGS, Args::new().bind(tenant))
            .await?;
        Ok(row.and_then(SettingsRow::into_settings))
    }

    #[tracing::instrument(name = "store.put_lead_settings", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn put_lead_settings(
        &self,
        tenant: TenantId,
        settings: &LeadSettings,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(&settings.currency)
            .bind(settings.time_zone.name())
            .bind(i64::from(settings.day_starts))
            .bind(i64::from(settings.day_ends))
            .bind(i64::from(settings.workdays))
            .bind(settings.instantly_writes)
            .bind(settings.updated_at.unwrap_or_else(Utc::now));
        change_one(self, tenant, q::PUT_SETTINGS, args, entry).await
    }

    #[tracing::instrument(name = "store.lead_tags", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_tags(&self, tenant: TenantId) -> Result<Vec<Tag>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<TagRow> = tx.fetch_all(q::TAGS, Args::new().bind(tenant)).await?;
        let mut tags: Vec<Tag> = rows.into_iter().map(TagRow::into_tag).collect();
        tags.sort_by_cached_key(|t| (t.name.to_lowercase(), t.id));
        Ok(tags)
    }

    #[tracing::instrument(name = "store.insert_lead_tag", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn insert_lead_tag(
        &self,
        tenant: TenantId,
        tag: &Tag,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(tag.id)
            .bind(&tag.name)
            .bind(&tag.colour)
            .bind(tag.created_at);
        change_one(self, tenant, q::INSERT_TAG, args, entry).await
    }

    #[tracing::instrument(name = "store.update_lead_tag", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn update_lead_tag(
        &self,
        tenant: TenantId,
        tag: &Tag,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let args = Args::new()
            .bind(tenant)
            .bind(tag.id)
            .bind(&tag.name)
            .bind(&tag.colour);
        change_one(self, tenant, q::UPDATE_TAG, args, entry).await
    }

    #[tracing::instrument(name = "store.delete_lead_tag", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn delete_lead_tag(
        &self,
        tenant: TenantId,
        id: Uuid,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        tx.execute(q::UNLINK_TAG, Args::new().bind(tenant).bind(id))
            .await?;
        if tx
            .execute(q::DELETE_TAG, Args::new().bind(tenant).bind(id))
            .await?
            != 1
        {
            return Err(StoreError::NotFound);
        }
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }

    #[tracing::instrument(name = "store.lead_state", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_state(&self, tenant: TenantId, lead_email: &str) -> Result<Stored> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let key = || Args::new().bind(tenant).bind(lead_email);
        let row: Option<StateRow> = tx.fetch_optional(q::STATE, key()).await?;
        let tags: Vec<Uuid> = tx.scalars(q::TAG_LINKS, key()).await?;
        let status: Vec<Option<i64>> = tx.scalars(q::INSTANTLY_STATUS, key()).await?;
        let mut stored = row.map(StateRow::into_stored).unwrap_or_default();
        stored.tags = tags;
        stored.instantly_status = status.into_iter().flatten().next();
        Ok(stored)
    }

    #[tracing::instrument(name = "store.lead_records", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_records(
        &self,
        tenant: TenantId,
        lead_email: &str,
    ) -> Result<(Vec<LeadRecord>, Vec<LeadThread>)> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let key = || Args::new().bind(tenant).bind(lead_email);
        let records: Vec<LeadRecord> = tx.fetch_all(q::LEAD_RECORDS, key()).await?;
        let threads: Vec<LeadThread> = tx.fetch_all(q::LEAD_THREADS, key()).await?;
        Ok((records, threads))
    }

    #[tracing::instrument(name = "store.latest_replies", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn latest_replies(&self, tenant: TenantId, lead_email: &str) -> Result<Vec<LatestReply>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(lead_email);
        tx.fetch_all(q::LATEST_REPLIES, args).await
    }

    #[tracing::instrument(name = "store.put_lead_state", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn put_lead_state(
        &self,
        tenant: TenantId,
        write: &StateWrite<'_>,
        entry: &NewAuditEntry,
    ) -> Result<()> {
        let StateWrite {
            lead_email, state, ..
        } = *write;
        let now = write.changes.first().map_or_else(Utc::now, |c| c.at);
        let (stage, source, reason) = match &state.stage {
            Some((id, source, reason)) => (Some(*id), Some(source.as_str()), reason.clone()),
            None => (None, None, None),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), true).await?;
        let args = Args::new()
            .bind(tenant)
            .bind(lead_email)
            .bind(stage)
            .bind(source)
            .bind(&reason)
            .bind(state.value_cents)
            .bind(state.owner)
            .bind(now);
        tx.execute(q::PUT_STATE, args).await?;
        let key = || Args::new().bind(tenant).bind(lead_email);
        tx.execute(q::UNLINK_TAGS, key()).await?;
        for tag in &state.tags {
            tx.execute(q::LINK_TAG, key().bind(*tag).bind(now)).await?;
        }
        for change in write.changes {
            tx.execute(q::INSERT_CHANGE, change_args(tenant, change))
                .await?;
        }
        if let Some(positive) = write.positive {
            tx.execute(q::SET_REPLIES_POSITIVE, key().bind(positive))
                .await?;
        }
        if let Some(job) = &write.send {
            replace_live_job(&mut tx, tenant, job).await?;
        }
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
        tx.commit().await
    }
}

#[async_trait]
impl<S: SqlBacked> TimelineStore for S {
    #[tracing::instrument(name = "store.lead_messages", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_messages(
        &self,
        tenant: TenantId,
        lead_email: &str,
        before: Option<&(DateTime<Utc>, String)>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let args = Args::new().bind(tenant).bind(lead_email);
        let (statement, args) = match before {
            None => (q::MESSAGES, args),
            Some((at, id)) => (
                q::MESSAGES_BEFORE,
                args.bind(message_time(*at, id)).bind(id.as_str()),
            ),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<MessageRow> = tx.fetch_all(statement, args.bind(i64::from(limit))).await?;
        Ok(rows.into_iter().map(MessageRow::into_message).collect())
    }

    #[tracing::instrument(name = "store.lead_changes", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn lead_changes(
        &self,
        tenant: TenantId,
        lead_email: &str,
        all_fields: bool,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<Vec<Change>> {
        let args = Args::new().bind(tenant).bind(lead_email).bind(all_fields);
        let (statement, args) = match after {
            None => (q::CHANGES, args),
            Some(cursor) => (q::CHANGES_AFTER, args.bind(cursor.at).bind(cursor.id)),
        };
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let rows: Vec<ChangeRow> = tx.fetch_all(statement, args.bind(i64::from(limit))).await?;
        Ok(rows
            .into_iter()
            .filter_map(ChangeRow::into_change)
            .collect())
    }
}

/// A message cursor's time as the sync tables keep it (to the millisecond, text on SQLite).
/// Past another kind's event (an empty id) it is rounded up, so that a message of the same
/// millisecond but earlier than a microsecond-precise event still comes after it.
fn message_time(at: DateTime<Utc>, id: &str) -> Param {
    let at = if id.is_empty() {
        at.duration_round_up(TimeDelta::milliseconds(1))
            .unwrap_or(at)
    } else {
        at
    };
    Param::SyncTime(at)
}

fn change_args(tenant: TenantId, change: &Change) -> Args {
    Args::new()
        .bind(tenant)
        .bind(change.id)
        .bind(&change.lead_email)
        .bind(change.actor.as_ref().map(|a| a.user_id))
        .bind(change.source.as_str())
        .bind(change.field.as_str())
        .bind(&change.from)
        .bind(&change.to)
        .bind(&change.reason)
        .bind(change.at)
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    currency: String,
    time_zone: String,
    day_starts: i64,
    day_ends: i64,
    workdays: i64,
    instantly_writes: bool,
    updated_at: DateTime<Utc>,
}

impl SettingsRow {
    /// `None` for a zone this build's time-zone database does not know.
    fn into_settings(self) -> Option<LeadSettings> {
        Some(LeadSettings {
            currency: self.currency,
            time_zone: self.time_zone.parse().ok()?,
            day_starts: u16::try_from(self.day_starts).ok()?,
            day_ends: u16::try_from(self.day_ends).ok()?,
            workdays: u8::try_from(self.workdays).ok()?,
            instantly_writes: self.instantly_writes,
            updated_at: Some(self.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct TagRow {
    tag_id: Uuid,
    name: String,
    colour: String,
    created_at: DateTime<Utc>,
}

impl TagRow {
    fn into_tag(self) -> Tag {
        Tag {
            id: self.tag_id,
            name: self.name,
            colour: self.colour,
            created_at: self.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StateRow {
    stage_id: Option<Uuid>,
    stage_source: Option<String>,
    stage_reason: Option<String>,
    value_cents: Option<i64>,
    owner_id: Option<UserId>,
}

impl StateRow {
    fn into_stored(self) -> Stored {
        let source = self.stage_source.as_deref().and_then(Source::from_name);
        Stored {
            stage: self
                .stage_id
                .zip(source)
                .map(|(id, s)| (id, s, self.stage_reason)),
            value_cents: self.value_cents,
            owner: self.owner_id,
            tags: Vec::new(),
            instantly_status: None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    change_id: Uuid,
    lead_email: String,
    #[sqlx(flatten)]
    actor: AuthorColumns,
    source: String,
    field: String,
    from_value: Option<String>,
    to_value: Option<String>,
    reason: Option<String>,
    at: DateTime<Utc>,
}

impl ChangeRow {
    fn into_change(self) -> Option<Change> {
        Some(Change {
            id: self.change_id,
            lead_email: self.lead_email,
            actor: self.actor.into_author(),
            source: Source::from_name(&self.source)?,
            field: self.field,
            from: self.from_value,
            to: self.to_value,
            from_label: None,
            to_label: None,
            reason: self.reason,
            at: self.at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    instantly_id: String,
    thread_id: String,
    direction: String,
    from_address: Option<String>,
    subject: String,
    preview: String,
    timestamp_created: DateTime<Utc>,
}

impl MessageRow {
    fn into_message(self) -> Message {
        Message {
            id: self.instantly_id,
            thread_id: self.thread_id,
            direction: self.direction,
            from_address: self.from_address,
            subject: self.subject,
            preview: self.preview,
            at: self.timestamp_created,
        }
    }
}
