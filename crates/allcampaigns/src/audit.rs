//! Writing audit entries. A failure to write one is logged loudly but does not undo the action
//! it records (the action already happened).

use serde_json::Value;

use crate::domain::{TenantId, UserId};
use crate::store::DynStore;
use crate::store::{NewAuditEntry, UserAuditEntry};

pub async fn record(
    store: &DynStore,
    tenant: TenantId,
    actor: UserId,
    action: &str,
    target: Option<String>,
    details: Value,
) {
    record_by(store, tenant, Some(actor), action, target, details).await;
}

/// A tenant entry whose actor may be no one (the command line).
pub async fn record_by(
    store: &DynStore,
    tenant: TenantId,
    actor: Option<UserId>,
    action: &str,
    target: Option<String>,
    details: Value,
) {
    let entry = NewAuditEntry {
        actor,
        action: action.into(),
        target,
        details,
        request_id: None,
    };
    if let Err(error) = store.append_audit(tenant, &entry).await {
        tracing::error!(error = %error, action, "could not write the audit log");
    }
}

/// An entry made by the product itself (no person acted), such as sync finding a key refused.
pub async fn record_system(store: &DynStore, tenant: TenantId, action: &str, details: Value) {
    let entry = NewAuditEntry {
        actor: None,
        action: action.into(),
        target: None,
        details,
        request_id: None,
    };
    if let Err(error) = store.append_audit(tenant, &entry).await {
        tracing::error!(error = %error, action, "could not write the audit log");
    }
}

/// An entry about a person rather than a tenant (sign-ins, tokens, deleted tenants).
pub async fn record_user(store: &DynStore, user: UserId, action: &str, details: Value) {
    let entry = UserAuditEntry {
        user_id: Some(user),
        action: action.into(),
        details,
        request_id: None,
    };
    if let Err(error) = store.append_user_audit(&entry).await {
        tracing::error!(error = %error, action, "could not write the audit log");
    }
}

/// An entry about an address with no account, or about no one (such as an IP refused at the
/// sign-in limit). Never put the address itself in `details`.
pub async fn record_without_user(store: &DynStore, action: &str, details: Value) {
    let entry = UserAuditEntry {
        user_id: None,
        action: action.into(),
        details,
        request_id: None,
    };
    if let Err(error) = store.append_user_audit(&entry).await {
        tracing::error!(error = %error, action, "could not write the audit log");
    }
}
