//! Writing audit entries. A failure to write one is logged loudly but does not undo the action
//! it records (the action already happened).
//!
//! An entry written while a request is served carries that request's id (the `x-request-id`
//! its response and log lines carry): `http` runs each request inside [`in_request`], and the
//! writers here read it back, so the rules need not pass it along. Entries from the command
//! line, the workers and tasks spawned off a request carry none.

use std::future::Future;

use serde_json::Value;

use crate::domain::{TenantId, UserId};
use crate::store::DynStore;
use crate::store::{NewAuditEntry, UserAuditEntry};

/// What an audit entry records. `as_str` gives the name stored in the `action` column, which
/// the audit page shows and filters by; those names never change (stored rows keep them).
/// The `connection.*` names predate "the Instantly link" and stay for that reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    TenantCreated,
    TenantUpdated,
    TenantDeleted,
    MemberInvited,
    MemberJoined,
    MemberRoleChanged,
    MemberRemoved,
    InvitationWithdrawn,
    InvitationNotSent,
    InvitationRefusedSenderLostRole,
    InvitationAcceptedExistingMember,
    ConnectionKeyAdded,
    ConnectionKeyReplaced,
    ConnectionKeyRemoved,
    ConnectionNeedsAttention,
    SyncRequested,
    JobRetried,
    JobCancelled,
    InstallAdminGranted,
    InstallAdminRevoked,
    ApiTokenCreated,
    ApiTokenRevoked,
    ApiTokenRevokedAll,
    ProfileUpdated,
    SignInSucceeded,
    SignInBurstRefused,
    SignOut,
    SignOutEverywhere,
    KeyRotated,
    ThreadRead,
    ThreadUnread,
    ThreadDone,
    ThreadUndone,
    ThreadSnoozed,
    ThreadUnsnoozed,
    ThreadAssigned,
    ViewCreated,
    ViewUpdated,
    ViewDeleted,
    SenderAttached,
    LeadMadeFromReply,
    NoteAdded,
    NoteEdited,
    NoteDeleted,
    CallLogged,
    StageAdded,
    StageChanged,
    LeadChanged,
    TagAdded,
    TagChanged,
    TagDeleted,
    LeadSettingsChanged,
    ReplyQueued,
    ReplyCancelled,
    ReplySent,
    ReplyNotConfirmed,
    ReplyFailed,
    ReplyConfirmed,
    SignatureChanged,
    ReminderSet,
    ReminderCancelled,
    InboundHookCreated,
    InboundHookRemoved,
}

impl AuditAction {
    pub const ALL: [Self; 63] = [
        Self::TenantCreated,
        Self::TenantUpdated,
        Self::TenantDeleted,
        Self::MemberInvited,
        Self::MemberJoined,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::InvitationWithdrawn,
        Self::InvitationNotSent,
        Self::InvitationRefusedSenderLostRole,
        Self::InvitationAcceptedExistingMember,
        Self::ConnectionKeyAdded,
        Self::ConnectionKeyReplaced,
        Self::ConnectionKeyRemoved,
        Self::ConnectionNeedsAttention,
        Self::SyncRequested,
        Self::JobRetried,
        Self::JobCancelled,
        Self::InstallAdminGranted,
        Self::InstallAdminRevoked,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::ApiTokenRevokedAll,
        Self::ProfileUpdated,
        Self::SignInSucceeded,
        Self::SignInBurstRefused,
        Self::SignOut,
        Self::SignOutEverywhere,
        Self::KeyRotated,
        Self::ThreadRead,
        Self::ThreadUnread,
        Self::ThreadDone,
        Self::ThreadUndone,
        Self::ThreadSnoozed,
        Self::ThreadUnsnoozed,
        Self::ThreadAssigned,
        Self::ViewCreated,
        Self::ViewUpdated,
        Self::ViewDeleted,
        Self::SenderAttached,
        Self::LeadMadeFromReply,
        Self::NoteAdded,
        Self::NoteEdited,
        Self::NoteDeleted,
        Self::CallLogged,
        Self::StageAdded,
        Self::StageChanged,
        Self::LeadChanged,
        Self::TagAdded,
        Self::TagChanged,
        Self::TagDeleted,
        Self::LeadSettingsChanged,
        Self::ReplyQueued,
        Self::ReplyCancelled,
        Self::ReplySent,
        Self::ReplyNotConfirmed,
        Self::ReplyFailed,
        Self::ReplyConfirmed,
        Self::SignatureChanged,
        Self::ReminderSet,
        Self::ReminderCancelled,
        Self::InboundHookCreated,
        Self::InboundHookRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenantCreated => "tenant.created",
            Self::TenantUpdated => "tenant.updated",
            Self::TenantDeleted => "tenant.deleted",
            Self::MemberInvited => "member.invited",
            Self::MemberJoined => "member.joined",
            Self::MemberRoleChanged => "member.role_changed",
            Self::MemberRemoved => "member.removed",
            Self::InvitationWithdrawn => "invitation.withdrawn",
            Self::InvitationNotSent => "invitation.not_sent",
            Self::InvitationRefusedSenderLostRole => "invitation.refused_sender_lost_role",
            Self::InvitationAcceptedExistingMember => "invitation.accepted_existing_member",
            Self::ConnectionKeyAdded => "connection.key_added",
            Self::ConnectionKeyReplaced => "connection.key_replaced",
            Self::ConnectionKeyRemoved => "connection.key_removed",
            Self::ConnectionNeedsAttention => "connection.needs_attention",
            Self::SyncRequested => "sync.requested",
            Self::JobRetried => "job.retried",
            Self::JobCancelled => "job.cancelled",
            Self::InstallAdminGranted => "install_admin.granted",
            Self::InstallAdminRevoked => "install_admin.revoked",
            Self::ApiTokenCreated => "api_token.created",
            Self::ApiTokenRevoked => "api_token.revoked",
            Self::ApiTokenRevokedAll => "api_token.revoked_all",
            Self::ProfileUpdated => "profile.updated",
            Self::SignInSucceeded => "sign_in.succeeded",
            Self::SignInBurstRefused => "sign_in.burst_refused",
            Self::SignOut => "sign_out",
            Self::SignOutEverywhere => "sign_out.everywhere",
            Self::KeyRotated => "key.rotated",
            Self::ThreadRead => "thread.read",
            Self::ThreadUnread => "thread.unread",
            Self::ThreadDone => "thread.done",
            Self::ThreadUndone => "thread.undone",
            Self::ThreadSnoozed => "thread.snoozed",
            Self::ThreadUnsnoozed => "thread.unsnoozed",
            Self::ThreadAssigned => "thread.assigned",
            Self::ViewCreated => "view.created",
            Self::ViewUpdated => "view.updated",
            Self::ViewDeleted => "view.deleted",
            Self::SenderAttached => "lead.address_attached",
            Self::LeadMadeFromReply => "lead.made_from_reply",
            Self::NoteAdded => "lead.note_added",
            Self::NoteEdited => "lead.note_edited",
            Self::NoteDeleted => "lead.note_deleted",
            Self::CallLogged => "lead.call_logged",
            Self::StageAdded => "pipeline.stage_added",
            Self::StageChanged => "pipeline.stage_changed",
            Self::LeadChanged => "lead.changed",
            Self::TagAdded => "lead_tag.added",
            Self::TagChanged => "lead_tag.changed",
            Self::TagDeleted => "lead_tag.deleted",
            Self::LeadSettingsChanged => "lead_settings.changed",
            Self::ReplyQueued => "lead.reply_queued",
            Self::ReplyCancelled => "lead.reply_cancelled",
            Self::ReplySent => "lead.reply_sent",
            Self::ReplyNotConfirmed => "lead.reply_not_confirmed",
            Self::ReplyFailed => "lead.reply_failed",
            Self::ReplyConfirmed => "lead.reply_confirmed",
            Self::SignatureChanged => "mailbox.signature_changed",
            Self::ReminderSet => "thread.reminder_set",
            Self::ReminderCancelled => "thread.reminder_cancelled",
            Self::InboundHookCreated => "inbound_hook.created",
            Self::InboundHookRemoved => "inbound_hook.removed",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

tokio::task_local! {
    static REQUEST_ID: Option<String>;
}

/// The longest request id recorded. Clients may send their own `x-request-id`, so one that is
/// long or not plain visible ASCII is left out of the audit trail rather than stored.
const MAX_REQUEST_ID: usize = 128;

/// Runs `work` (a request being served) so that audit entries written in it carry `request_id`.
pub async fn in_request<F: Future>(request_id: Option<String>, work: F) -> F::Output {
    let request_id = request_id
        .filter(|id| id.len() <= MAX_REQUEST_ID && id.bytes().all(|b| b.is_ascii_graphic()));
    REQUEST_ID.scope(request_id, work).await
}

/// The id of the request being served, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}

/// A tenant entry for `append_audit` or a store method that writes its entry in its own
/// transaction, with the current request's id.
pub fn entry(
    actor: Option<UserId>,
    action: AuditAction,
    target: Option<String>,
    details: Value,
) -> NewAuditEntry {
    NewAuditEntry {
        actor,
        action: action.as_str().into(),
        target,
        details,
        request_id: current_request_id(),
    }
}

pub async fn record(
    store: &DynStore,
    tenant: TenantId,
    actor: UserId,
    action: AuditAction,
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
    action: AuditAction,
    target: Option<String>,
    details: Value,
) {
    let entry = entry(actor, action, target, details);
    if let Err(error) = store.append_audit(tenant, &entry).await {
        tracing::error!(error = %error, action = action.as_str(), "could not write the audit log");
    }
}

/// An entry made by the product itself (no person acted), such as sync finding a key refused.
pub async fn record_system(
    store: &DynStore,
    tenant: TenantId,
    action: AuditAction,
    details: Value,
) {
    record_by(store, tenant, None, action, None, details).await;
}

/// An entry about a person rather than a tenant (sign-ins, tokens, deleted tenants).
pub async fn record_user(store: &DynStore, user: UserId, action: AuditAction, details: Value) {
    let entry = UserAuditEntry {
        user_id: Some(user),
        action: action.as_str().into(),
        details,
        request_id: current_request_id(),
    };
    if let Err(error) = store.append_user_audit(&entry).await {
        tracing::error!(error = %error, action = action.as_str(), "could not write the audit log");
    }
}

/// An entry about an address with no account, or about no one (such as an IP refused at the
/// sign-in limit). Never put the address itself in `details`.
pub async fn record_without_user(store: &DynStore, action: AuditAction, details: Value) {
    let entry = UserAuditEntry {
        user_id: None,
        action: action.as_str().into(),
        details,
        request_id: current_request_id(),
    };
    if let Err(error) = store.append_user_audit(&entry).await {
        tracing::error!(error = %error, action = action.as_str(), "could not write the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn each_action_has_its_own_stored_name() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::TenantCreated.as_str(), "tenant.created");
        assert_eq!(
            AuditAction::ConnectionKeyAdded.as_str(),
            "connection.key_added"
        );
    }
}
