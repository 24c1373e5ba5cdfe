//! Who may attach a reply's sender to the lead or make a lead of them, and what each does.
//! Reading a thread's senders takes any member; acting takes a role that works leads, like
//! triage (a client gets 403, another tenant's thread 404). Only a sender of a received
//! message of the thread who is not its lead may be acted on; a second click changes nothing
//! and writes no audit entry.

use chrono::Utc;
use serde_json::json;

use super::senders::{
    self, Attachment, MessageSender, OwnLead, SenderAction, SenderRelation, lead_key,
};
use super::{ThreadDetail, rules};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::live::LiveEvent;
use crate::services::Services;
use crate::text::Problem;

/// The sender of each message of a thread the caller has read, in order.
pub async fn thread_senders(
    services: &Services<'_>,
    tenant: TenantId,
    detail: &ThreadDetail,
) -> AppResult<Vec<Option<MessageSender>>> {
    let addresses = senders::sender_addresses(detail);
    let lead = lead_key(detail);
    let known = services
        .store
        .known_senders(
            tenant,
            &detail.summary.thread_id,
            lead.as_deref(),
            &addresses,
        )
        .await?;
    Ok(senders::senders(detail, &known))
}

/// Attaches `address` (the sender of a reply in the thread) to the thread's lead, or makes a
/// lead of our own of it. Answers whether anything changed.
pub async fn act(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    action: SenderAction,
    address: &str,
) -> AppResult<bool> {
    if !access.role.can_work_leads() {
        return Err(AppError::Forbidden);
    }
    let detail = rules::thread(services, access, thread_id).await?;
    let sender = chosen(services, access.tenant, &detail, address).await?;
    let Some(lead_email) = lead_key(&detail) else {
        return Err(not_a_sender(address));
    };
    let Some(address) = senders::normalize(&sender.address) else {
        return Err(not_a_sender(address));
    };
    let by = access.current.user.id;
    let at = Utc::now();
    let store = services.store;
    let changed = match action {
        SenderAction::Attach => {
            let details = json!({"address": address, "lead_email": lead_email});
            let entry = entry(access, AuditAction::SenderAttached, thread_id, details);
            let attachment = Attachment {
                lead_email,
                address,
                thread_id: thread_id.to_owned(),
                by,
                at,
            };
            store
                .attach_address(access.tenant, &attachment, &entry)
                .await?
        }
        SenderAction::NewLead => {
            let details = json!({"email": address, "name": sender.name});
            let entry = entry(access, AuditAction::LeadMadeFromReply, thread_id, details);
            let lead = OwnLead {
                email: address,
                name: sender.name.clone(),
                thread_id: thread_id.to_owned(),
                created_by: Some(by),
                created_at: at,
            };
            store.add_own_lead(access.tenant, &lead, &entry).await?
        }
    };
    if changed {
        announce(services, access.tenant, &detail).await;
    }
    Ok(changed)
}

/// The sender of a received message of the thread with this address who is not its lead.
async fn chosen(
    services: &Services<'_>,
    tenant: TenantId,
    detail: &ThreadDetail,
    address: &str,
) -> AppResult<MessageSender> {
    let wanted = senders::normalize(address).ok_or_else(|| not_a_sender(address))?;
    thread_senders(services, tenant, detail)
        .await?
        .into_iter()
        .flatten()
        .filter(|s| s.relation != SenderRelation::Lead)
        .find(|s| senders::normalize(&s.address).as_ref() == Some(&wanted))
        .ok_or_else(|| not_a_sender(address))
}

fn not_a_sender(address: &str) -> AppError {
    AppError::Invalid {
        field: "address",
        problem: Problem::NotExpected {
            input: address.chars().take(80).collect(),
            expected: "the address of a reply in this thread from someone other than the lead",
        },
    }
}

fn entry(
    access: &TenantAccess,
    action: AuditAction,
    thread_id: &str,
    details: serde_json::Value,
) -> crate::store::NewAuditEntry {
    let actor = Some(access.current.user.id);
    audit::entry(actor, action, Some(thread_id.to_owned()), details)
}

/// Open pages show this thread and the lead's other threads again: their senders changed.
async fn announce(services: &Services<'_>, tenant: TenantId, detail: &ThreadDetail) {
    let threads = std::iter::once(detail.summary.thread_id.clone())
        .chain(detail.other_threads.iter().map(|t| t.thread_id.clone()));
    let events = threads.map(|thread| LiveEvent::thread_changed(tenant, thread));
    services.live.publish_all(events.collect()).await;
}
