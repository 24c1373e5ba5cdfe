//! `/notifications`: the signed-in person's mentions and reminders across their clients,
//! newest first, unread ones marked, each with "Mark read", and "Mark all read". Read and
//! marked through `notifications::*`, as the JSON API does; another person's notification
//! answers 404. The top bar's count is `Ui::unread` (one read per page).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use chrono::Utc;
use uuid::Uuid;

use super::inbox::rows::{When, thread_path};
use super::leads::lead_path;
use super::render;
use super::ui::Ui;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfToken;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::notifications::{self, MAX_LIST, MENTION, Notification};
use crate::services::Services;
use crate::text::Texts;

pub struct NotificationView {
    /// The words before the link: who mentioned, or that a thread had no reply.
    pub lead_in: String,
    pub href: Option<String>,
    pub link: String,
    /// The note's first words, for a mention.
    pub excerpt: Option<String>,
    pub client: String,
    pub when: When,
    /// Where "Mark read" posts, while it is unread.
    pub read_action: Option<String>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ui: Ui,
    csrf: String,
    items: Vec<NotificationView>,
    any_unread: bool,
}

pub async fn page(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Html<String>> {
    let services = Services::of(&state);
    let found = notifications::list(&services, &current, false, MAX_LIST).await?;
    let mut ui = Ui::of_user(&state, &current).await?;
    ui.on_notifications = true;
    let memberships = current.memberships(&state.store).await?;
    let client_name = |id: TenantId| {
        memberships
            .iter()
            .find(|(tenant, _)| tenant.id == id)
            .map(|(tenant, _)| tenant.name.clone())
            .unwrap_or_default()
    };
    let now = Utc::now();
    let items: Vec<NotificationView> = found
        .into_iter()
        .map(|item| {
            let client = (ui.t.notify.in_client)(&client_name(item.tenant_id));
            view(item, client, now, ui.t)
        })
        .collect();
    render(&NotificationsPage {
        any_unread: items.iter().any(|item| item.read_action.is_some()),
        items,
        csrf,
        ui,
    })
}

fn view(
    item: Notification,
    client: String,
    now: chrono::DateTime<Utc>,
    t: &Texts,
) -> NotificationView {
    let n = &t.notify;
    let tenant = item.tenant_id;
    let read_action = item
        .read_at
        .is_none()
        .then(|| format!("/notifications/t/{tenant}/{}/read", item.notification_id));
    let when = When::of(item.created_at, now, &t.inbox);
    if item.kind == MENTION {
        let who = item
            .actor_name
            .as_deref()
            .filter(|name| !name.trim().is_empty());
        let lead = item.lead_email.unwrap_or_default();
        NotificationView {
            lead_in: (n.mentioned)(who.unwrap_or(n.teammate)),
            href: (!lead.is_empty()).then(|| lead_path(tenant, &lead)),
            link: lead,
            excerpt: Some(item.excerpt),
            client,
            when,
            read_action,
        }
    } else {
        let link = match item.excerpt.trim() {
            "" => n.the_thread.to_owned(),
            subject => subject.to_owned(),
        };
        NotificationView {
            lead_in: n.no_reply.to_owned(),
            href: item.thread_id.map(|thread| thread_path(tenant, &thread)),
            link,
            excerpt: item.lead_email,
            client,
            when,
            read_action,
        }
    }
}

pub async fn mark_read(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((tenant, id)): Path<(String, String)>,
) -> AppResult<Redirect> {
    let tenant: TenantId = tenant.parse().map_err(|_| AppError::NotFound)?;
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    notifications::mark_read(&Services::of(&state), &current, tenant, id).await?;
    Ok(Redirect::to("/notifications"))
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    current: CurrentUser,
) -> AppResult<Redirect> {
    notifications::mark_all_read(&Services::of(&state), &current).await?;
    Ok(Redirect::to("/notifications"))
}
