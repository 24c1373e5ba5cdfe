//! Workspace, lead lists, lead labels, custom tags and tag mappings.

use serde_json::Value;

use super::{ApiResult, Duplicate, Params, Ws, after_cursor, ok, page};

fn by_id(item: &Value) -> String {
    item["id"].as_str().unwrap_or_default().to_owned()
}

pub async fn workspace(ws: Ws) -> ApiResult {
    ok(ws.sim.read(ws.index).workspace_json())
}

pub async fn lead_lists(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let search = params.get("search").map(str::to_lowercase);
    let enrichment = params.flag("has_enrichment_task")?;
    let w = ws.sim.read(ws.index);
    let matching: Vec<_> = w
        .lists
        .iter()
        .filter(|l| {
            search
                .as_ref()
                .is_none_or(|s| l.name.to_lowercase().contains(s))
        })
        .filter(|l| enrichment.is_none_or(|e| l.has_enrichment_task == e))
        .collect();
    let items = after_cursor(
        &matching,
        |l| &l.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    Ok(page(items.map(|l| w.list_json(l)).collect(), limit, by_id))
}

pub async fn lead_labels(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let status = params.one_of("interest_status", &["positive", "neutral", "negative"])?;
    let search = params.get("search").map(str::to_lowercase);
    let w = ws.sim.read(ws.index);
    let matching: Vec<_> = w
        .labels
        .iter()
        .filter(|l| status.as_ref().is_none_or(|s| l.status_label == s))
        .filter(|l| {
            search
                .as_ref()
                .is_none_or(|s| l.label.to_lowercase().contains(s))
        })
        .collect();
    let items = after_cursor(
        &matching,
        |l| &l.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    Ok(page(items.map(|l| w.label_json(l)).collect(), limit, by_id))
}

pub async fn custom_tags(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let search = params.get("search").map(str::to_lowercase);
    let wanted = params.all("tag_ids");
    let resources = params.all("resource_ids");
    let w = ws.sim.read(ws.index);
    let on_resource = |tag: usize| {
        resources.is_empty()
            || w.mappings
                .iter()
                .any(|m| m.tag == tag && resources.contains(&m.resource_id))
    };
    let matching: Vec<_> = w
        .tags
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            search
                .as_ref()
                .is_none_or(|s| t.label.to_lowercase().contains(s))
        })
        .filter(|(_, t)| wanted.is_empty() || wanted.contains(&t.id))
        .filter(|(i, _)| on_resource(*i))
        .map(|(_, t)| t)
        .collect();
    let items = after_cursor(
        &matching,
        |t| &t.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    Ok(page(items.map(|t| w.tag_json(t)).collect(), limit, by_id))
}

pub async fn custom_tag_mappings(ws: Ws, params: Params, Duplicate(dup): Duplicate) -> ApiResult {
    let limit = params.limit()?;
    let resources = params.all("resource_ids");
    let w = ws.sim.read(ws.index);
    let matching: Vec<_> = w
        .mappings
        .iter()
        .filter(|m| resources.is_empty() || resources.contains(&m.resource_id))
        .collect();
    let items = after_cursor(
        &matching,
        |m| &m.id,
        params.get("starting_after"),
        limit,
        dup,
    );
    Ok(page(
        items.map(|m| w.mapping_json(m)).collect(),
        limit,
        by_id,
    ))
}
