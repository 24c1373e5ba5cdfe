//! Server-rendered pages, one file per area.

pub mod home;
pub mod login;
pub mod members;
pub mod tenants;

use askama::Template;
use axum::response::Html;

use crate::error::AppResult;

pub fn render(page: &impl Template) -> AppResult<Html<String>> {
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
