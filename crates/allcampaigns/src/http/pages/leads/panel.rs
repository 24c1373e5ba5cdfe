//! The lead panel, shown beside a thread and on the lead page: the lead's stage (and where it
//! came from), value, owner and tags with a form for each, its notes and calls with their
//! forms, and the rules' label suggestions. Everything is read through `leads::*`; a client
//! representative gets the stage, the value and the shared notes, and may add a shared note.

use chrono::Utc;
use chrono_tz::Tz;

use super::{author_name, lead_path, local_input, local_time, person_name};
use crate::app::AppState;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::http::pages::inbox::rows::{When, thread_path};
use crate::leads::stages::Stage;
use crate::leads::state::{self, LeadPage, LeadState, Source};
use crate::leads::tags::Tag;
use crate::leads::{Call, CallOutcome, Note, calls, money, notes};
use crate::services::Services;
use crate::store::Member;
use crate::text::{LeadTexts, Texts};

/// Notes and calls the panel lists (the lead page's timeline holds the rest).
const SHOWN: u32 = 20;

pub struct StageShown {
    pub name: String,
    pub source: String,
    pub reason: Option<String>,
}

/// A live stage the stage form offers, with its key (1 to 9, the first nine).
pub struct StageChoice {
    pub id: String,
    pub name: String,
    pub key: Option<usize>,
    pub current: bool,
}

pub struct Choice {
    pub id: String,
    pub name: String,
    pub chosen: bool,
}

pub struct NoteView {
    pub author: String,
    pub when: When,
    /// Rendered by `leads::markdown`, which lets only safe markup through.
    pub html: String,
    pub shared: bool,
}

pub struct CallView {
    pub author: String,
    pub at: String,
    pub outcome: &'static str,
    pub minutes: String,
    pub notes_html: Option<String>,
}

pub struct SuggestionView {
    pub text: String,
    pub thread_href: String,
    /// The stage to set and the button's words, when the pipeline has one for the label.
    pub stage: Option<(String, String)>,
}

/// Where the panel's forms post.
pub struct Actions {
    pub state: String,
    pub notes: String,
    pub calls: String,
}

pub struct LeadPanel {
    pub lead: String,
    pub href: String,
    pub actions: Actions,
    /// The page the forms come back to.
    pub back: String,
    /// May change the lead and log calls (not a client representative).
    pub staff: bool,
    pub stage: Option<StageShown>,
    pub value: Option<String>,
    pub value_input: String,
    pub currency: String,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub stages: Vec<StageChoice>,
    pub tag_choices: Vec<Choice>,
    pub owners: Vec<Choice>,
    pub notes: Vec<NoteView>,
    pub calls: Vec<CallView>,
    pub suggestions: Vec<SuggestionView>,
    /// The client's time zone, which call and reply times are written in.
    pub zone: String,
    pub call_now: String,
    /// The thread a call back may snooze until the time to call.
    pub snooze_thread: Option<String>,
    pub outcomes: Vec<(&'static str, &'static str)>,
}

/// Who is looking, in words of which language, and where the forms come back to.
pub struct Viewer<'a> {
    pub access: &'a TenantAccess,
    pub back: String,
    /// The thread the panel is beside, which a call back may snooze.
    pub thread: Option<String>,
    pub w: &'a LeadTexts,
    pub t: &'a Texts,
}

/// What the panel shows besides the lead's state: read through the domain rules, the
/// agency's part (tags, members, calls) only for its roles.
#[derive(Default)]
struct Read {
    stages: Vec<Stage>,
    zone: Tz,
    notes: Vec<Note>,
    tags: Vec<Tag>,
    members: Vec<Member>,
    calls: Vec<Call>,
}

/// The panel of `lead_id` and what `state::page` read for it.
pub async fn load(
    app: &AppState,
    viewer: Viewer<'_>,
    lead_id: &str,
) -> AppResult<(LeadPanel, LeadPage)> {
    let services = Services::of(app);
    let access = viewer.access;
    let page = state::page(&services, access, lead_id).await?;
    let lead = page.state.lead_email.as_str();
    // The page read the client's pipeline, tags (the agency's roles only) and settings.
    let mut read = Read {
        stages: page.client.stages.clone(),
        zone: page.client.settings.time_zone,
        tags: page.client.tags.clone(),
        notes: notes::list(&services, access, lead, None, SHOWN)
            .await?
            .items,
        ..Read::default()
    };
    if access.role.can_work_leads() {
        read.members = app.store.members(access.tenant).await?;
        read.calls = calls::list(&services, access, lead, None, SHOWN)
            .await?
            .items;
    }
    Ok((build(&page, read, viewer), page))
}

fn build(page: &LeadPage, read: Read, viewer: Viewer) -> LeadPanel {
    let Viewer {
        access,
        back,
        thread,
        w,
        t,
    } = viewer;
    let current = &page.state;
    let href = lead_path(access.tenant, &current.lead_email);
    let now = Utc::now();
    let zone = read.zone;
    LeadPanel {
        actions: Actions {
            state: format!("{href}/state"),
            notes: format!("{href}/notes"),
            calls: format!("{href}/calls"),
        },
        stage: stage_shown(current, w),
        value: current
            .value_cents
            .map(|cents| format!("{} {}", money::decimal(cents), current.currency)),
        value_input: current.value_cents.map(money::decimal).unwrap_or_default(),
        currency: current.currency.clone(),
        owner: current
            .owner
            .as_ref()
            .map(|o| display(&o.display_name, &o.email)),
        tags: current.tags.iter().map(|t| t.name.clone()).collect(),
        stages: stage_choices(&read.stages, current),
        tag_choices: tag_choices(&read.tags, current),
        owners: owner_choices(&read.members, current),
        notes: read
            .notes
            .into_iter()
            .map(|note| NoteView {
                author: author_name(note.author.as_ref(), access.role, w),
                when: When::of(note.created_at, now, &t.inbox),
                html: note.html,
                shared: note.shared,
            })
            .collect(),
        calls: read
            .calls
            .into_iter()
            .map(|call| CallView {
                author: author_name(call.author.as_ref(), access.role, w),
                at: local_time(call.at, zone),
                outcome: (w.outcome)(call.outcome.as_str()),
                minutes: (w.minutes)(call.duration_seconds),
                notes_html: call.notes_html,
            })
            .collect(),
        suggestions: suggestions(access, page, w),
        zone: zone.name().to_owned(),
        call_now: local_input(now, zone),
        outcomes: CallOutcome::ALL
            .into_iter()
            .map(|o| (o.as_str(), (w.outcome)(o.as_str())))
            .collect(),
        lead: current.lead_email.clone(),
        href,
        back,
        snooze_thread: thread,
        staff: access.role.can_work_leads(),
    }
}

fn tag_choices(tags: &[Tag], state: &LeadState) -> Vec<Choice> {
    tags.iter()
        .map(|tag| Choice {
            id: tag.id.to_string(),
            name: tag.name.clone(),
            chosen: state.tags.iter().any(|t| t.id == tag.id),
        })
        .collect()
}

/// The agency's members, who may own a lead.
fn owner_choices(members: &[Member], state: &LeadState) -> Vec<Choice> {
    let owner = state.owner.as_ref().map(|o| o.user_id);
    members
        .iter()
        .filter(|m| m.role.can_work_leads())
        .map(|m| Choice {
            id: m.user_id.to_string(),
            name: person_name(m),
            chosen: owner == Some(m.user_id),
        })
        .collect()
}

fn stage_shown(state: &LeadState, w: &LeadTexts) -> Option<StageShown> {
    let (stage, source, reason) = state.stage.as_ref()?;
    let by = match source {
        Source::Person => w.source_person,
        Source::Rule => w.source_rule,
        Source::Instantly => w.source_instantly,
    };
    Some(StageShown {
        name: stage.name.clone(),
        source: (w.source)(by),
        reason: reason.as_deref().map(w.rule_reason),
    })
}

/// The live stages in order; the first nine have the keys 1 to 9.
fn stage_choices(stages: &[Stage], state: &LeadState) -> Vec<StageChoice> {
    let current = state.stage.as_ref().map(|(s, _, _)| s.id);
    stages
        .iter()
        .filter(|s| s.archived_at.is_none())
        .enumerate()
        .map(|(i, s)| StageChoice {
            id: s.id.to_string(),
            name: s.name.clone(),
            key: (i < 9).then_some(i + 1),
            current: current == Some(s.id),
        })
        .collect()
}

fn suggestions(access: &TenantAccess, page: &LeadPage, w: &LeadTexts) -> Vec<SuggestionView> {
    page.suggestions
        .iter()
        .map(|s| SuggestionView {
            text: (w.suggested)(
                (w.label_name)(s.suggestion.label.as_str()),
                &s.suggestion.reason,
            ),
            thread_href: thread_path(access.tenant, &s.thread_id),
            stage: s
                .stage
                .as_ref()
                .filter(|_| access.role.can_work_leads())
                .map(|stage| (stage.id.to_string(), (w.apply_suggestion)(&stage.name))),
        })
        .collect()
}

fn display(name: &str, email: &str) -> String {
    if name.trim().is_empty() {
        email.to_owned()
    } else {
        name.to_owned()
    }
}
