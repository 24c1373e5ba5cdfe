//! A client's own tags for leads, each with a colour. Every member but a client representative
//! reads them (tags are the agency's working words); owners and admins add, rename, recolour
//! and delete them; anyone who may change a lead puts them on it ([`super::state`]). Deleting a
//! tag takes it off every lead; the leads' history keeps its name.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::input::{self, invalid};
use super::pipeline::colour;
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// The most tags one client has.
pub const MAX_TAGS: usize = 200;
const MAX_NAME_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`, lower-case.
    pub colour: String,
    pub created_at: DateTime<Utc>,
}

/// A tag to add, or what to change of one (absent fields stay).
#[derive(Debug, Clone, Default)]
pub struct TagInput {
    pub name: Option<String>,
    pub colour: Option<String>,
}

/// The client's tags by name; 403 to a client representative.
pub async fn list(services: &Services<'_>, access: &TenantAccess) -> AppResult<Vec<Tag>> {
    reading(access)?;
    Ok(services.store.lead_tags(access.tenant).await?)
}

pub async fn add(
    services: &Services<'_>,
    access: &TenantAccess,
    input: TagInput,
) -> AppResult<Tag> {
    access.require_admin()?;
    let tags = services.store.lead_tags(access.tenant).await?;
    if tags.len() >= MAX_TAGS {
        return Err(invalid(
            "name",
            format!("a tag beyond {MAX_TAGS}"),
            "at most 200 tags per client (delete one first)",
        ));
    }
    let tag = Tag {
        id: Uuid::now_v7(),
        name: unique_name(&tags, None, input.name.as_deref().unwrap_or_default())?,
        colour: input
            .colour
            .as_deref()
            .map_or(Ok("#6366f1".into()), colour)?,
        created_at: Utc::now().trunc_subsecs(6),
    };
    let entry = entry(
        access,
        AuditAction::TagAdded,
        &tag,
        json!({"name": tag.name}),
    );
    services
        .store
        .insert_lead_tag(access.tenant, &tag, &entry)
        .await?;
    Ok(tag)
}

pub async fn change(
    services: &Services<'_>,
    access: &TenantAccess,
    tag_id: &str,
    input: TagInput,
) -> AppResult<Tag> {
    access.require_admin()?;
    let tags = services.store.lead_tags(access.tenant).await?;
    let before = find_in(&tags, tag_id)?;
    let mut tag = before.clone();
    if let Some(name) = &input.name {
        tag.name = unique_name(&tags, Some(tag.id), name)?;
    }
    if let Some(value) = &input.colour {
        tag.colour = colour(value)?;
    }
    let details = json!({"name": tag.name, "was_name": before.name, "colour": tag.colour});
    let entry = entry(access, AuditAction::TagChanged, &tag, details);
    services
        .store
        .update_lead_tag(access.tenant, &tag, &entry)
        .await?;
    Ok(tag)
}

pub async fn delete(services: &Services<'_>, access: &TenantAccess, tag_id: &str) -> AppResult<()> {
    access.require_admin()?;
    let tags = services.store.lead_tags(access.tenant).await?;
    let tag = find_in(&tags, tag_id)?;
    let entry = entry(
        access,
        AuditAction::TagDeleted,
        tag,
        json!({"name": tag.name}),
    );
    services
        .store
        .delete_lead_tag(access.tenant, tag.id, &entry)
        .await?;
    Ok(())
}

/// The tag `tag_id` among `tags`; 404 for any other id.
pub fn find_in<'t>(tags: &'t [Tag], tag_id: &str) -> AppResult<&'t Tag> {
    let id: Uuid = tag_id.trim().parse().map_err(|_| AppError::NotFound)?;
    tags.iter().find(|t| t.id == id).ok_or(AppError::NotFound)
}

fn reading(access: &TenantAccess) -> AppResult<()> {
    if access.role == Role::Client {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

fn unique_name(tags: &[Tag], except: Option<Uuid>, name: &str) -> AppResult<String> {
    let others = tags.iter().filter(|t| Some(t.id) != except);
    input::unique_name(
        name,
        MAX_NAME_CHARS,
        others.map(|t| t.name.as_str()),
        "a name of 1 to 40 characters without control characters",
        "a name no other tag of this client has",
    )
}

fn entry(
    access: &TenantAccess,
    action: AuditAction,
    tag: &Tag,
    details: serde_json::Value,
) -> crate::store::NewAuditEntry {
    let actor = Some(access.current.user.id);
    audit::entry(actor, action, Some(tag.id.to_string()), details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str) -> Tag {
        Tag {
            id: Uuid::now_v7(),
            name: name.into(),
            colour: "#000000".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn names_are_unique_in_any_case_and_colours_checked() {
        let tags = [tag("Hot"), tag("Budget")];
        assert_eq!(unique_name(&tags, None, " Warm ").unwrap(), "Warm");
        assert!(unique_name(&tags, None, "hot").is_err());
        assert_eq!(unique_name(&tags, Some(tags[0].id), "HOT").unwrap(), "HOT");
        assert!(unique_name(&tags, None, &"x".repeat(41)).is_err());
        assert!(unique_name(&tags, None, "").is_err());
        assert!(find_in(&tags, "nope").is_err());
        assert_eq!(
            find_in(&tags, &tags[1].id.to_string()).unwrap().name,
            "Budget"
        );
    }
}
