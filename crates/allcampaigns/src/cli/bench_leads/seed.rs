//! What the lead benchmark reads: the first client's lead with the most replies among its
//! recently updated ones, given notes until its timeline holds the events asked for (once: a
//! later run finds them), and the end of the speed-to-reply periods (now, or the end of the day
//! asked). A data set's replies are nobody's work yet, so seven in ten positive first replies
//! are given a first touch by the caller, waits spread from a minute to days (once), for the
//! report to have durations to read.

use anyhow::Context;
use chrono::{Duration, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use super::super::bench_inbox::Caller;
use super::Picks;
use crate::audit::{self, AuditAction};
use crate::leads::list::{OwnerFilter, TenantFilter};
use crate::leads::speed::{Measure, Touch, TouchKind};
use crate::leads::{Author, Note, markdown};
use crate::store::DynStore;

/// More than any lead's timeline in the data sets.
const ALL: u32 = 100_000;

pub(super) async fn prepare(
    store: &DynStore,
    caller: &Caller,
    events: u32,
    until: Option<chrono::NaiveDate>,
) -> anyhow::Result<Picks> {
    let tenant = caller.tenants[0];
    let replied = TenantFilter {
        campaign: None,
        stage: None,
        owner: OwnerFilter::Any,
        tag: None,
        replied: Some(true),
        text: None,
    };
    let leads = store.listed_leads(tenant, &replied, None, 200).await?;
    let lead = leads
        .iter()
        .filter_map(|l| Some((l.reply_count, l.email.as_deref()?.to_lowercase())))
        .max()
        .map(|(_, email)| email)
        .context("the first client has no lead that replied: build a data set first")?;
    let messages = store.lead_messages(tenant, &lead, None, ALL).await?.len();
    let mut notes = store
        .lead_notes(tenant, &lead, true, None, ALL)
        .await?
        .len();
    let wanted = (events as usize).saturating_sub(messages);
    while notes < wanted {
        add_note(store, caller, tenant, &lead, notes).await?;
        notes += 1;
    }
    touch_replies(store, caller).await?;
    let to = match until {
        Some(day) => (day + chrono::Days::new(1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc(),
        None => Utc::now(),
    };
    Ok(Picks {
        tenant,
        lead,
        messages,
        notes,
        to,
    })
}

async fn add_note(
    store: &DynStore,
    caller: &Caller,
    tenant: crate::domain::TenantId,
    lead: &str,
    n: usize,
) -> anyhow::Result<()> {
    let body = format!("Benchmark note {n}: **called**, left a _voicemail_.");
    let now = Utc::now().trunc_subsecs(6) - Duration::minutes(n as i64);
    let note = Note {
        id: Uuid::now_v7(),
        lead_email: lead.to_owned(),
        author: Some(Author {
            user_id: caller.user,
            display_name: String::new(),
            email: String::new(),
            role: None,
        }),
        html: markdown::render(&body),
        body,
        shared: n.is_multiple_of(2),
        created_at: now,
        updated_at: now,
    };
    let details = json!({"lead_email": lead, "shared": note.shared, "by": "lead benchmark"});
    let target = Some(note.id.to_string());
    let entry = audit::entry(Some(caller.user), AuditAction::NoteAdded, target, details);
    store.insert_lead_note(tenant, &note, &entry).await?;
    Ok(())
}

/// Touches seven in ten of the positive first replies nobody touched, unless some are touched
/// already (a later run). Waits grow from a minute to about five days with the reply's place.
async fn touch_replies(store: &DynStore, caller: &Caller) -> anyhow::Result<()> {
    let now = Utc::now().date_naive() + chrono::Days::new(1);
    let counts = store
        .speed_counts(&caller.tenants, now - chrono::Days::new(3_650), now)
        .await?;
    if counts.iter().any(|c| c.measure == Measure::Wall) {
        return Ok(());
    }
    for &tenant in &caller.tenants {
        let waiting = store.awaiting_first_touch(&[tenant], u32::MAX).await?;
        for (i, reply) in waiting.iter().enumerate().filter(|(i, _)| i % 10 < 7) {
            let wall_seconds = 60 * (1_i64 << (i % 13)) + (i % 97) as i64 * 7;
            let touch = Touch {
                at: reply.replied_at + Duration::seconds(wall_seconds),
                by: caller.user,
                kind: TouchKind::Call,
                wall_seconds,
                business_seconds: wall_seconds / 3,
            };
            store.record_touch(tenant, &reply.thread_id, &touch).await?;
        }
    }
    Ok(())
}
