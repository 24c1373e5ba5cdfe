//! Who may read, write, change and delete which notes on a lead.
//!
//! Owners, admins and operators read every note of their client's leads and write internal or
//! shared ones. A client representative reads only shared notes (an internal note's id is 404
//! to them, as if it did not exist) and writes only shared ones: a note they write is shared,
//! and one they ask to keep internal (`shared: false`) is refused with 403 rather than shared
//! against their wish. A note is changed or deleted by its author, or by a client owner or
//! admin; anyone else gets 403. Each change writes one audit entry, in its transaction, naming
//! the lead and the note and never the body, which may hold personal data.

use chrono::{SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::speed::{self, TouchKind};
use super::{Author, Note, Page, PageCursor, input, lead_key, page};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::notifications::mentions;
use crate::services::Services;

/// A note to write.
#[derive(Debug, Clone)]
pub struct NoteInput {
    pub body: String,
    /// Absent: internal for the agency's roles, shared for a client representative.
    pub shared: Option<bool>,
}

/// What to change; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct NoteChange {
    pub body: Option<String>,
    pub shared: Option<bool>,
}

/// A page of the lead's notes the caller may see, newest first.
pub async fn list(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    after: Option<&PageCursor>,
    limit: u32,
) -> AppResult<Page<Note>> {
    let lead = lead_key::resolve(services, access.tenant, lead_id).await?;
    let internal_too = access.role.can_work_leads();
    let rows = services
        .store
        .lead_notes(access.tenant, &lead, internal_too, after, limit + 1)
        .await?;
    Ok(page(rows, limit, Note::cursor))
}

pub async fn create(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    input: NoteInput,
) -> AppResult<Note> {
    let shared = sharing(access, input.shared)?.unwrap_or(!access.role.can_work_leads());
    let lead_email = lead_key::resolve(services, access.tenant, lead_id).await?;
    let (body, html) = input::text("body", &input.body)?;
    let now = Utc::now().trunc_subsecs(6);
    let note = Note {
        id: Uuid::now_v7(),
        lead_email,
        author: Some(Author::acting(access)),
        body,
        html,
        shared,
        created_at: now,
        updated_at: now,
    };
    let details = json!({"lead_email": note.lead_email, "shared": shared});
    let entry = entry(access, AuditAction::NoteAdded, &note, details);
    services
        .store
        .insert_lead_note(access.tenant, &note, &entry)
        .await?;
    speed::touch(services, access, &note.lead_email, TouchKind::Note, now).await?;
    notify_mentions(services, access, &note, None).await;
    Ok(note)
}

/// The note is stored whatever becomes of its mentions: a failure is logged, not answered, so
/// the author does not write it twice.
async fn notify_mentions(
    services: &Services<'_>,
    access: &TenantAccess,
    note: &Note,
    before: Option<&Note>,
) {
    if let Err(error) = mentions::notify(services, access, note, before).await {
        tracing::warn!(error = %error, "could not notify a note's mentions");
    }
}

pub async fn update(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    note_id: &str,
    change: NoteChange,
) -> AppResult<Note> {
    let mut note = find_changeable(services, access, lead_id, note_id).await?;
    let before = note.clone();
    let was_shared = note.shared;
    if let Some(shared) = sharing(access, change.shared)? {
        note.shared = shared;
    }
    let body_changed = match change.body {
        Some(body) => {
            let (body, html) = input::text("body", &body)?;
            let changed = body != note.body;
            (note.body, note.html) = (body, html);
            changed
        }
        None => false,
    };
    note.updated_at = Utc::now().trunc_subsecs(6);
    let details = json!({
        "lead_email": note.lead_email,
        "shared": note.shared,
        "was_shared": was_shared,
        "body_changed": body_changed,
    });
    let entry = entry(access, AuditAction::NoteEdited, &note, details);
    services
        .store
        .update_lead_note(access.tenant, &note, &entry)
        .await?;
    notify_mentions(services, access, &note, Some(&before)).await;
    Ok(note)
}

pub async fn delete(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    note_id: &str,
) -> AppResult<()> {
    let note = find_changeable(services, access, lead_id, note_id).await?;
    let details = json!({"lead_email": note.lead_email, "shared": note.shared});
    let entry = entry(access, AuditAction::NoteDeleted, &note, details);
    services
        .store
        .delete_lead_note(access.tenant, &note, &entry)
        .await?;
    Ok(())
}

/// A note of the lead the caller sees; 404 for any other (an internal one for a client).
pub async fn find(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    note_id: &str,
) -> AppResult<Note> {
    let lead = lead_key::resolve(services, access.tenant, lead_id).await?;
    let id: Uuid = note_id.parse().map_err(|_| AppError::NotFound)?;
    services
        .store
        .lead_note(access.tenant, &lead, id)
        .await?
        .filter(|note| note.shared || access.role.can_work_leads())
        .ok_or(AppError::NotFound)
}

/// A note of the lead the caller sees (else 404) and may change (else 403).
async fn find_changeable(
    services: &Services<'_>,
    access: &TenantAccess,
    lead_id: &str,
    note_id: &str,
) -> AppResult<Note> {
    let note = find(services, access, lead_id, note_id).await?;
    if note.is_by(access.current.user.id) || access.role.can_administer() {
        Ok(note)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The sharing asked for, as this caller may ask it: a client representative writes shared
/// notes only.
fn sharing(access: &TenantAccess, asked: Option<bool>) -> AppResult<Option<bool>> {
    match asked {
        Some(false) if !access.role.can_work_leads() => Err(AppError::Forbidden),
        asked => Ok(asked),
    }
}

fn entry(
    access: &TenantAccess,
    action: AuditAction,
    note: &Note,
    details: serde_json::Value,
) -> crate::store::NewAuditEntry {
    let actor = Some(access.current.user.id);
    audit::entry(actor, action, Some(note.id.to_string()), details)
}
