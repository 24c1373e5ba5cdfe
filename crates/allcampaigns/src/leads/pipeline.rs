//! Who may read and change a client's pipeline, and what a change may be.
//!
//! Every member reads the pipeline (a client representative too: their leads' stages are
//! theirs to see); owners and admins add stages and rename, recolour, reorder, archive and
//! unarchive them. No stage is deleted. The defaults are seeded on the first read. Each change
//! writes one audit entry in its transaction (a stage's name is the agency's wording, not
//! personal data, so it is kept).

use chrono::{SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::input::{self, invalid};
use super::stages::{MAX_NAME_CHARS, MAX_STAGES, Sentiment, Stage, defaults};
use crate::audit::{self, AuditAction};
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A stage to add; a grey neutral one unless said otherwise.
#[derive(Debug, Clone, Default)]
pub struct StageInput {
    pub name: String,
    pub colour: Option<String>,
    pub sentiment: Option<String>,
}

/// What to change; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct StageChange {
    pub name: Option<String>,
    pub colour: Option<String>,
    pub sentiment: Option<String>,
    /// The stage's new place, from 0; the others keep their order around it.
    pub position: Option<i64>,
    pub archived: Option<bool>,
}

/// The tenant's stages in order, seeded with Instantly's statuses on the first read.
pub async fn list(services: &Services<'_>, access: &TenantAccess) -> AppResult<Vec<Stage>> {
    let stages = services.store.pipeline_stages(access.tenant).await?;
    if !stages.is_empty() {
        return Ok(stages);
    }
    let now = Utc::now().trunc_subsecs(6);
    services
        .store
        .seed_pipeline(access.tenant, &defaults(now))
        .await?;
    Ok(services.store.pipeline_stages(access.tenant).await?)
}

/// Where the stage `stage_id` is in `stages`; 404 when it is not there.
fn place_of(stages: &[Stage], stage_id: &str) -> AppResult<usize> {
    let id: Uuid = stage_id.trim().parse().map_err(|_| AppError::NotFound)?;
    stages
        .iter()
        .position(|s| s.id == id)
        .ok_or(AppError::NotFound)
}

pub async fn add(
    services: &Services<'_>,
    access: &TenantAccess,
    input: StageInput,
) -> AppResult<Stage> {
    managing(access)?;
    let stages = list(services, access).await?;
    if stages.len() >= MAX_STAGES {
        return Err(invalid(
            "name",
            format!("a stage beyond {MAX_STAGES}"),
            "at most 50 stages per client (archive one instead of adding)",
        ));
    }
    let name = unique_name(&stages, None, &input.name)?;
    let stage = Stage {
        id: Uuid::now_v7(),
        name,
        position: stages.iter().map(|s| s.position + 1).max().unwrap_or(0),
        colour: input
            .colour
            .as_deref()
            .map_or(Ok("#9ca3af".into()), colour)?,
        sentiment: input
            .sentiment
            .as_deref()
            .map_or(Ok(Sentiment::Neutral), sentiment)?,
        instantly_status: None,
        archived_at: None,
        created_at: Utc::now().trunc_subsecs(6),
    };
    let details = json!({"name": stage.name, "position": stage.position});
    let entry = entry(access, AuditAction::StageAdded, stage.id, details);
    services
        .store
        .insert_stage(access.tenant, &stage, &entry)
        .await?;
    Ok(stage)
}

pub async fn change(
    services: &Services<'_>,
    access: &TenantAccess,
    stage_id: &str,
    change: StageChange,
) -> AppResult<Stage> {
    managing(access)?;
    let mut stages = list(services, access).await?;
    let current = place_of(&stages, stage_id)?;
    let stage = stages.remove(current);
    let mut changed = stage.clone();
    if let Some(name) = &change.name {
        changed.name = unique_name(&stages, Some(stage.id), name)?;
    }
    if let Some(value) = &change.colour {
        changed.colour = colour(value)?;
    }
    if let Some(value) = &change.sentiment {
        changed.sentiment = sentiment(value)?;
    }
    if let Some(archived) = change.archived {
        changed.archived_at = match (archived, stage.archived_at) {
            (true, None) => Some(Utc::now().trunc_subsecs(6)),
            (true, kept) => kept,
            (false, _) => None,
        };
    }
    let target = match change.position {
        Some(position) => place_within(position, stages.len())?,
        None => current,
    };
    stages.insert(target, changed);
    let written = renumbered(stages, stage.id);
    let after = written
        .iter()
        .find(|s| s.id == stage.id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let details = details(&stage, &after);
    let entry = entry(access, AuditAction::StageChanged, stage.id, details);
    services
        .store
        .update_stages(access.tenant, &written, &entry)
        .await?;
    Ok(after)
}

/// Positions 0, 1, ... in the given order; answers the stages that must be written (those
/// whose position moved, and the changed one).
fn renumbered(stages: Vec<Stage>, changed: Uuid) -> Vec<Stage> {
    stages
        .into_iter()
        .zip(0..)
        .filter_map(|(mut stage, position)| {
            let moved = stage.position != position;
            stage.position = position;
            (moved || stage.id == changed).then_some(stage)
        })
        .collect()
}

fn details(before: &Stage, after: &Stage) -> serde_json::Value {
    json!({
        "name": after.name,
        "was_name": before.name,
        "colour": after.colour,
        "sentiment": after.sentiment.as_str(),
        "position": after.position,
        "was_position": before.position,
        "archived": after.archived_at.is_some(),
        "was_archived": before.archived_at.is_some(),
    })
}

fn managing(access: &TenantAccess) -> AppResult<()> {
    if access.role.can_administer() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// 0 to `others` (the count of the other stages): the new place among them.
fn place_within(position: i64, others: usize) -> AppResult<usize> {
    usize::try_from(position)
        .ok()
        .filter(|&place| place <= others)
        .ok_or_else(|| {
            invalid(
                "position",
                position.to_string(),
                "a place from 0 to the number of stages less one",
            )
        })
}

/// A trimmed name of 1 to 60 characters no other stage of the tenant has (in any case).
fn unique_name(stages: &[Stage], except: Option<Uuid>, name: &str) -> AppResult<String> {
    let others = stages.iter().filter(|s| Some(s.id) != except);
    input::unique_name(
        name,
        MAX_NAME_CHARS,
        others.map(|s| s.name.as_str()),
        "a name of 1 to 60 characters without control characters",
        "a name no other stage of this client has",
    )
}

/// Whether `value` is a colour as stored: `#rrggbb`, lower-case.
pub fn is_colour(value: &str) -> bool {
    value.len() == 7
        && value.starts_with('#')
        && value[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A colour as given, stored lower-case.
pub(super) fn colour(value: &str) -> AppResult<String> {
    let lower = value.trim().to_ascii_lowercase();
    if is_colour(&lower) {
        Ok(lower)
    } else {
        Err(invalid(
            "colour",
            value.chars().take(40).collect(),
            "a colour written #rrggbb, such as #22c55e",
        ))
    }
}

fn sentiment(value: &str) -> AppResult<Sentiment> {
    Sentiment::from_name(value.trim()).ok_or_else(|| {
        invalid(
            "sentiment",
            value.chars().take(40).collect(),
            "positive, neutral or negative",
        )
    })
}

fn entry(
    access: &TenantAccess,
    action: AuditAction,
    stage: Uuid,
    details: serde_json::Value,
) -> crate::store::NewAuditEntry {
    let actor = Some(access.current.user.id);
    audit::entry(actor, action, Some(stage.to_string()), details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of<T: std::fmt::Debug>(result: AppResult<T>) -> &'static str {
        match result {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn colours_are_hex_and_stored_lower_case() {
        assert_eq!(colour(" #A1B2C3 ").unwrap(), "#a1b2c3");
        for refused in [
            "", "#abc", "a1b2c3", "#a1b2c", "#a1b2c3d", "#g1b2c3", "#é1b2c3",
        ] {
            assert_eq!(field_of(colour(refused)), "colour", "{refused}");
        }
    }

    #[test]
    fn names_are_bounded_and_unique_in_any_case() {
        let stages = defaults(Utc::now());
        assert_eq!(unique_name(&stages, None, " Demo ").unwrap(), "Demo");
        let won = stages[3].id;
        assert_eq!(unique_name(&stages, Some(won), "won").unwrap(), "won");
        for refused in ["", "  ", "WON", "a\u{7}b", &"x".repeat(61)] {
            assert_eq!(field_of(unique_name(&stages, None, refused)), "name");
        }
    }

    #[test]
    fn places_and_sentiments_are_checked() {
        assert_eq!(place_within(0, 3).unwrap(), 0);
        assert_eq!(place_within(3, 3).unwrap(), 3);
        assert_eq!(field_of(place_within(4, 3)), "position");
        assert_eq!(field_of(place_within(-1, 3)), "position");
        assert_eq!(sentiment("negative").unwrap(), Sentiment::Negative);
        assert_eq!(field_of(sentiment("happy")), "sentiment");
    }

    #[test]
    fn a_reorder_writes_only_the_stages_that_moved() {
        let mut stages = defaults(Utc::now());
        let last = stages.pop().unwrap();
        let id = last.id;
        stages.insert(1, last);
        let written = renumbered(stages, id);
        let positions: Vec<_> = written.iter().map(|s| s.position).collect();
        assert_eq!(positions, (1..9).collect::<Vec<_>>());
        assert_eq!(written[0].id, id);
    }
}
