//! Saved views on the inbox's pages: the sidebar's list under the Inbox (each view a link to
//! `/inbox?…` with its filter and search, and its count), saving the list's filter and search
//! from the page (`POST /inbox/views`), and deleting a view after a confirmation
//! (`POST /inbox/views/{view_id}/delete`, which asks first unless `confirm=1`). The rules are
//! the API's (`inbox::view_rules`): another person's private view and another client's shared
//! view are 404.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::query::ListQuery;
use super::rows::Client;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::{TenantId, UserId};
use crate::error::{AppError, AppResult};
use crate::http::pages::render;
use crate::http::pages::shell::{SavedViews, Section, SidebarView};
use crate::http::pages::ui::Ui;
use crate::inbox::InboxView;
use crate::inbox::view_rules::{self, ListedView, ViewInput};
use crate::inbox::views::{SavedView, ViewFilter, Visibility};
use crate::services::Services;
use crate::text::{Problem, Texts};

/// The person's views for the sidebar, and what the save form offers on this list.
///
/// What it costs, on the inbox's pages only: the person's clients, their private views and
/// their clients' shared views (three reads), then one count per view through the store's
/// capped count (`thread_count`: one transaction, one `COUNT` per client the view covers, each
/// stopping at 10,000 rows). At most `MAX_VIEWS` private views and as many shared per client.
pub async fn sidebar(
    state: &AppState,
    current: &CurrentUser,
    query: &ListQuery,
    clients: &[Client],
    t: &Texts,
) -> AppResult<SavedViews> {
    let listed = view_rules::list(&Services::of(state), current).await?;
    let here = key(query);
    let me = current.user.id;
    let items = listed
        .into_iter()
        .map(|ListedView { view, count }| {
            let link = link(&view);
            SidebarView {
                current: key(&link) == here,
                href: link.href("/inbox"),
                count: if count.capped {
                    (t.inbox.count_capped)(count.count)
                } else {
                    (t.inbox.count)(count.count)
                },
                shared: matches!(view.visibility, Visibility::Shared { .. }),
                delete_action: may_delete(&view, clients, me).then(|| delete_action(view.id)),
                name: view.name,
            }
        })
        .collect();
    Ok(SavedViews {
        items,
        share_with: share_with(query, clients),
    })
}

/// The inbox query a view stands for: its filter, and the client a shared view belongs to
/// (which its stored filter keeps implicit).
fn link(view: &SavedView) -> ListQuery {
    let f = &view.filter;
    let tenant = match view.visibility {
        Visibility::Shared { tenant, .. } => Some(tenant.to_string()),
        Visibility::Private { .. } => f.tenant.clone(),
    };
    let pairs = [
        ("tenant", &tenant),
        ("view", &f.view),
        ("q", &f.q),
        ("unread", &f.unread),
        ("owner", &f.owner),
        ("stage", &f.stage),
        ("campaign", &f.campaign),
        ("mailbox", &f.mailbox),
        ("tag", &f.tag),
        ("from", &f.from),
        ("to", &f.to),
    ];
    let mut raw = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if let Some(value) = value {
            raw.append_pair(name, value);
        }
    }
    ListQuery::parse(Some(&raw.finish()))
}

/// What makes two lists the same view: everything but the page, with the tab named.
fn key(query: &ListQuery) -> String {
    let query = query.with("cursor", None).with("limit", None);
    let tab = query
        .get("view")
        .unwrap_or(InboxView::Primary.as_str())
        .to_owned();
    query.with("view", Some(&tab)).encode()
}

/// The list's filter and search as a view keeps them (the page left out).
fn filter_of(query: &ListQuery) -> ViewFilter {
    let get = |name: &str| query.get(name).map(str::to_owned);
    ViewFilter {
        tenant: get("tenant"),
        view: get("view"),
        q: get("q"),
        unread: get("unread"),
        owner: get("owner"),
        stage: get("stage"),
        campaign: get("campaign"),
        mailbox: get("mailbox"),
        tag: get("tag"),
        from: get("from"),
        to: get("to"),
    }
}

/// As `view_rules` decides: a private view is its person's; a shared one its maker's while
/// they work leads there, or a client admin's.
fn may_delete(view: &SavedView, clients: &[Client], me: UserId) -> bool {
    match view.visibility {
        Visibility::Private { owner } => owner == me,
        Visibility::Shared { tenant, created_by } => clients
            .iter()
            .find(|client| client.id == tenant)
            .is_some_and(|client| {
                client.role.can_administer()
                    || (created_by == Some(me) && client.role.can_work_leads())
            }),
    }
}

/// The client the list is filtered on, when the person may share a view with its team.
fn share_with(query: &ListQuery, clients: &[Client]) -> Option<String> {
    let tenant: TenantId = query.get("tenant")?.parse().ok()?;
    clients
        .iter()
        .find(|client| client.id == tenant && client.role.can_work_leads())
        .map(|client| client.name.clone())
}

fn delete_action(id: Uuid) -> String {
    format!("/inbox/views/{id}/delete")
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    name: String,
    /// The list's query the form was on.
    #[serde(default)]
    back: String,
    #[serde(default)]
    shared: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox_view_save.html")]
struct SavePage {
    ui: Ui,
    csrf: String,
    /// The field at fault, named as the form labels it, and what is wrong.
    field: &'static str,
    message: String,
    name: String,
    shared: bool,
    share_with: Option<String>,
    back: String,
    cancel_href: String,
}

/// Saves the list's filter and search as a view, private or shared with the team of the one
/// client filtered on, and opens it; refused input shows the form again, naming the field.
pub async fn save(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<SaveForm>,
) -> AppResult<Response> {
    let query = ListQuery::parse(Some(&form.back));
    let shared = form.shared.as_deref() == Some("1");
    let created = match shared_tenant(&query, shared) {
        Ok(shared_with) => {
            let input = ViewInput {
                name: form.name.clone(),
                filter: filter_of(&query),
                shared_with,
            };
            view_rules::create(&Services::of(&state), &current, input).await
        }
        Err(error) => Err(error),
    };
    let (status, field, problem) = match created {
        Ok(view) => return Ok(Redirect::to(&link(&view).href("/inbox")).into_response()),
        Err(AppError::Invalid { field, problem }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, field, problem)
        }
        Err(AppError::BadParameter { parameter, problem }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, parameter, problem)
        }
        Err(AppError::Conflict(Problem::AlreadyExists)) => {
            (StatusCode::CONFLICT, "name", Problem::AlreadyExists)
        }
        Err(other) => return Err(other),
    };
    let ui = Ui::of_user(&state, &current)
        .await?
        .in_section(Section::Inbox);
    let v = &ui.t.views;
    let message = match problem {
        Problem::AlreadyExists => v.name_taken.to_owned(),
        problem => ui.t.say(&problem),
    };
    let page = SavePage {
        field: match field {
            "name" => v.field_name,
            "shared" => v.field_shared,
            _ => v.field_filter,
        },
        message,
        name: form.name,
        shared,
        share_with: share_with(&query, &super::clients(&state, &current).await?),
        back: query.encode(),
        cancel_href: query.href("/inbox"),
        csrf,
        ui,
    };
    Ok((status, render(&page)?).into_response())
}

/// The client a shared view is for: the one the list is filtered on.
fn shared_tenant(query: &ListQuery, shared: bool) -> AppResult<Option<TenantId>> {
    if !shared {
        return Ok(None);
    }
    let Some(tenant) = query.get("tenant") else {
        return Err(AppError::Invalid {
            field: "shared",
            problem: Problem::ViewShareNeedsClient,
        });
    };
    tenant.parse().map(Some).map_err(|_| AppError::NotFound)
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    back: String,
    #[serde(default)]
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox_view_delete.html")]
struct DeletePage {
    ui: Ui,
    csrf: String,
    name: String,
    action: String,
    back: String,
    cancel_href: String,
}

/// Asks first (naming the view), then deletes it with `confirm=1` and returns to the list.
pub async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
    Path(view_id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let id: Uuid = view_id.parse().map_err(|_| AppError::NotFound)?;
    let services = Services::of(&state);
    let back = ListQuery::parse(Some(&form.back)).with("cursor", None);
    if form.confirm.as_deref() == Some("1") {
        view_rules::delete(&services, &current, id).await?;
        return Ok(Redirect::to(&back.href("/inbox")).into_response());
    }
    let view = view_rules::find(&services, &current, id).await?;
    let ui = Ui::of_user(&state, &current)
        .await?
        .in_section(Section::Inbox);
    let page = DeletePage {
        ui,
        csrf,
        name: view.name,
        action: delete_action(id),
        back: back.encode(),
        cancel_href: back.href("/inbox"),
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_filter_links_back_to_the_same_view_whatever_the_page() {
        let page = ListQuery::parse(Some("q=price&cursor=abc&unread=true&limit=5"));
        let now = chrono::Utc::now();
        let view = SavedView {
            id: Uuid::now_v7(),
            name: "Unread pricing".into(),
            filter: filter_of(&page),
            visibility: Visibility::Private {
                owner: UserId::new(),
            },
            created_at: now,
            updated_at: now,
        };
        assert_eq!(link(&view).href("/inbox"), "/inbox?q=price&unread=true");
        assert_eq!(
            key(&link(&view)),
            key(&page),
            "Primary is the tab left implicit"
        );
        assert_ne!(key(&link(&view)), key(&page.with("view", Some("all"))));
    }

    #[test]
    fn a_shared_view_links_to_its_client() {
        let tenant = TenantId::new();
        let now = chrono::Utc::now();
        let view = SavedView {
            id: Uuid::now_v7(),
            name: "Team".into(),
            filter: ViewFilter {
                view: Some("all".into()),
                ..Default::default()
            },
            visibility: Visibility::Shared {
                tenant,
                created_by: None,
            },
            created_at: now,
            updated_at: now,
        };
        assert_eq!(
            link(&view).href("/inbox"),
            format!("/inbox?tenant={tenant}&view=all")
        );
    }
}
