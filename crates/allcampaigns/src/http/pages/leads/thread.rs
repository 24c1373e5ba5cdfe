//! Lead work beside an inbox thread: the lead panel, the reply form with our replies not yet
//! gone (each with Undo while its window is open) and the thread's speed-to-reply.

use chrono::Utc;

use super::local_time;
use super::panel::{self, LeadPanel, Viewer};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::{AppError, AppResult};
use crate::http::pages::inbox::rows::thread_path;
use crate::leads::replies::rules;
use crate::leads::{settings, speed};
use crate::services::Services;
use crate::text::{LeadTexts, Texts};

pub struct ReplyView {
    pub state: &'static str,
    pub html: String,
    pub sends_at: String,
    /// Where its Undo posts, while it may still be undone.
    pub undo_action: Option<String>,
}

pub struct ReplyPanel {
    pub action: String,
    /// The thread's page, which its forms come back to.
    pub back: String,
    pub items: Vec<ReplyView>,
    pub zone: String,
}

pub struct SpeedView {
    pub replied: String,
    pub touched: Option<String>,
}

pub struct ThreadWork {
    pub panel: LeadPanel,
    pub reply: Option<ReplyPanel>,
    pub speed: Option<SpeedView>,
}

/// The thread's lead work, or `None` when the thread names no lead the client knows.
pub async fn load(
    app: &AppState,
    access: &TenantAccess,
    thread_id: &str,
    lead: Option<&str>,
    back: String,
    w: &LeadTexts,
    t: &Texts,
) -> AppResult<Option<ThreadWork>> {
    let Some(lead) = lead else { return Ok(None) };
    let thread = Some(thread_id.to_owned());
    let viewer = Viewer {
        access,
        back,
        thread,
        w,
        t,
    };
    let (panel, _) = match panel::load(app, viewer, lead).await {
        Ok(loaded) => loaded,
        Err(AppError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let (reply, speed) = if access.role.can_work_leads() {
        (
            Some(replies(app, access, thread_id, panel.back.clone(), w).await?),
            speed_of(app, access, thread_id, w).await?,
        )
    } else {
        (None, None)
    };
    Ok(Some(ThreadWork {
        panel,
        reply,
        speed,
    }))
}

async fn replies(
    app: &AppState,
    access: &TenantAccess,
    thread_id: &str,
    back: String,
    w: &LeadTexts,
) -> AppResult<ReplyPanel> {
    let services = Services::of(app);
    let zone = settings::load(&services, access).await?.time_zone;
    let action = format!("{}/replies", thread_path(access.tenant, thread_id));
    let now = Utc::now();
    let items = rules::list(&services, access, thread_id)
        .await?
        .into_iter()
        .map(|reply| ReplyView {
            state: (w.reply_state)(reply.state.as_str()),
            sends_at: (w.sends_at)(&local_time(reply.send_at, zone)),
            undo_action: reply
                .undo_until()
                .filter(|until| *until > now)
                .map(|_| format!("{action}/{}/cancel", reply.id)),
            html: reply.html,
        })
        .collect();
    Ok(ReplyPanel {
        action,
        back,
        items,
        zone: zone.name().to_owned(),
    })
}

/// The thread's first positive reply and how soon it was touched; none when it had none.
async fn speed_of(
    app: &AppState,
    access: &TenantAccess,
    thread_id: &str,
    w: &LeadTexts,
) -> AppResult<Option<SpeedView>> {
    let services = Services::of(app);
    let touch = match speed::of_thread(&services, access, thread_id).await {
        Ok(touch) => touch,
        Err(AppError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    if !touch.positive {
        return Ok(None);
    }
    let zone = settings::load(&services, access).await?.time_zone;
    let touched = match (touch.wall_seconds, touch.business_seconds) {
        (Some(wall), Some(business)) => {
            Some((w.speed_touched)(&(w.span)(wall), &(w.span)(business)))
        }
        _ => None,
    };
    Ok(Some(SpeedView {
        replied: (w.speed_replied)(&local_time(touch.replied_at, zone)),
        touched,
    }))
}
