//! Our own records of reply senders, written once for both backends: what a thread's senders
//! are read in one transaction; each change and its audit entry in another, the entry only
//! when the change was new.

use std::collections::HashMap;

use async_trait::async_trait;

use super::audit::audit_args;
use crate::domain::TenantId;
use crate::inbox::senders::{Attachment, KnownSenders, OwnLead, SenderStore};
use crate::store::db::{Args, Scope, SqlBacked, Tx};
use crate::store::senders_sql as q;
use crate::store::{NewAuditEntry, Result, sql};

#[async_trait]
impl<S: SqlBacked> SenderStore for S {
    #[tracing::instrument(name = "store.known_senders", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn known_senders(
        &self,
        tenant: TenantId,
        thread_id: &str,
        lead_email: Option<&str>,
        addresses: &[String],
    ) -> Result<KnownSenders> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        let args = Args::new().bind(tenant).bind(thread_id);
        let names: Vec<(String, String)> = tx.fetch_all(q::MESSAGE_NAMES, args).await?;
        let attached: Vec<String> = match lead_email {
            Some(lead) => {
                let args = Args::new().bind(tenant).bind(lead);
                tx.scalars(q::ATTACHED, args).await?
            }
            None => Vec::new(),
        };
        let mut own_leads = HashMap::new();
        for address in addresses {
            if let Some(lead) = own_lead_in(&mut tx, tenant, address).await? {
                own_leads.insert(lead.email, lead.name);
            }
        }
        Ok(KnownSenders {
            names: names.into_iter().collect(),
            attached: attached.into_iter().collect(),
            own_leads,
        })
    }

    #[tracing::instrument(name = "store.attach_address", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn attach_address(
        &self,
        tenant: TenantId,
        attachment: &Attachment,
        entry: &NewAuditEntry,
    ) -> Result<bool> {
        let args = Args::new()
            .bind(tenant)
            .bind(&attachment.lead_email)
            .bind(&attachment.address)
            .bind(&attachment.thread_id)
            .bind(attachment.by)
            .bind(attachment.at);
        insert_audited(self, tenant, q::INSERT_ATTACHED, args, entry).await
    }

    #[tracing::instrument(name = "store.add_own_lead", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn add_own_lead(
        &self,
        tenant: TenantId,
        lead: &OwnLead,
        entry: &NewAuditEntry,
    ) -> Result<bool> {
        let args = Args::new()
            .bind(tenant)
            .bind(&lead.email)
            .bind(&lead.name)
            .bind(&lead.thread_id)
            .bind(lead.created_by)
            .bind(lead.created_at);
        insert_audited(self, tenant, q::INSERT_OWN_LEAD, args, entry).await
    }

    async fn own_lead(&self, tenant: TenantId, email: &str) -> Result<Option<OwnLead>> {
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        own_lead_in(&mut tx, tenant, email).await
    }
}

async fn own_lead_in(tx: &mut Tx, tenant: TenantId, email: &str) -> Result<Option<OwnLead>> {
    let args = Args::new().bind(tenant).bind(email);
    tx.fetch_optional(q::OWN_LEAD, args).await
}

/// Inserts a row unless it is there, and writes the audit entry only when it was not.
async fn insert_audited<S: SqlBacked>(
    store: &S,
    tenant: TenantId,
    statement: &'static str,
    args: Args,
    entry: &NewAuditEntry,
) -> Result<bool> {
    let mut tx = store.db().begin(Scope::Tenant(tenant), true).await?;
    let inserted = tx.execute(statement, args).await? > 0;
    if inserted {
        tx.execute(sql::INSERT_AUDIT, audit_args(tenant, entry))
            .await?;
    }
    tx.commit().await?;
    Ok(inserted)
}
