//! Campaigns.

use axum::extract::Path;

use super::{ApiError, ApiResult, Duplicate, Params, Ws, after_cursor, ok, page};

pub async fn list(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let status = params.number("status")?;
    let search = params.get("search").map(str::to_lowercase);
    let tag_ids = params.all("tag_ids");
    let w = ws.sim.read(ws.index);
    let tagged = |id: &str| {
        tag_ids.is_empty()
            || w.mappings
                .iter()
                .any(|m| m.resource_id == id && tag_ids.contains(&w.tags[m.tag].id))
    };
    let matching: Vec<_> = w
        .campaigns
        .iter()
        .filter(|c| status.is_none_or(|s| c.status == s))
        .filter(|c| {
            search
                .as_ref()
                .is_none_or(|s| c.name.to_lowercase().contains(s))
        })
        .filter(|c| tagged(&c.id))
        .collect();
    let items = after_cursor(
        &matching,
        |c| &c.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    let items = items.map(|c| w.campaign_json(c)).collect();
    Ok(page(items, limit, |c| {
        c["id"].as_str().unwrap_or_default().to_owned()
    }))
}

pub async fn get_one(ws: Ws, Path(id): Path<String>) -> ApiResult {
    let w = ws.sim.read(ws.index);
    let campaign = w
        .campaigns
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(ApiError::not_found)?;
    ok(w.campaign_json(campaign))
}
