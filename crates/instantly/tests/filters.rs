//! The simulator's list filters return exactly the matching subset, as the client asks for it.

mod support;

use std::collections::HashSet;

use chrono::Duration;
use instantly::{EmailQuery, EmailType, LeadQuery, SortOrder, interest, ue_type};
use instantly_sim::Scale;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_filters_select_exactly_the_matching_emails() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let all = collect(client.emails(EmailQuery::default())).await;
    assert!(
        all.windows(2)
            .all(|w| w[0].timestamp_created >= w[1].timestamp_created),
        "newest first by default"
    );

    let received = collect(client.emails(EmailQuery {
        email_type: Some(EmailType::Received),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        received.len(),
        all.iter()
            .filter(|e| e.ue_type == Some(ue_type::RECEIVED))
            .count()
    );
    assert!(
        received
            .iter()
            .all(|e| e.ue_type == Some(ue_type::RECEIVED))
    );

    let unread = collect(client.emails(EmailQuery {
        is_unread: Some(true),
        ..Default::default()
    }))
    .await;
    assert_eq!(unread.len() as u64, client.unread_count().await.unwrap());
    assert!(unread.iter().all(|e| e.is_unread == Some(1)));

    let threads: HashSet<_> = all.iter().map(|e| e.thread_id.clone()).collect();
    let latest = collect(client.emails(EmailQuery {
        latest_of_thread: Some(true),
        ..Default::default()
    }))
    .await;
    assert_eq!(latest.len(), threads.len(), "one email per thread");

    let thread = received[0].thread_id.clone().unwrap();
    let conversation = collect(client.emails(EmailQuery {
        search: Some(format!("thread:{thread}")),
        sort_order: Some(SortOrder::Asc),
        ..Default::default()
    }))
    .await;
    let expected: Vec<_> = all
        .iter()
        .rev()
        .filter(|e| e.thread_id.as_deref() == Some(&thread))
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(
        conversation
            .iter()
            .map(|e| e.id.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert!(
        conversation[0].ue_type == Some(ue_type::SENT_FROM_CAMPAIGN),
        "a thread starts with a campaign step"
    );

    let lead = received[0].lead.clone().unwrap();
    let by_lead = collect(client.emails(EmailQuery {
        search: Some(lead.clone()),
        ..Default::default()
    }))
    .await;
    assert!(
        !by_lead.is_empty()
            && by_lead
                .iter()
                .all(|e| e.lead.as_deref() == Some(lead.as_str()))
    );

    let (newest, oldest) = (
        all[0].timestamp_created,
        all[all.len() - 1].timestamp_created,
    );
    let middle = oldest + (newest - oldest) / 2;
    let window = EmailQuery {
        min_timestamp_created: Some(middle),
        max_timestamp_created: Some(middle + Duration::days(7)),
        ..Default::default()
    };
    let windowed = collect(client.emails(window)).await;
    let expected = all
        .iter()
        .filter(|e| {
            e.timestamp_created >= middle && e.timestamp_created <= middle + Duration::days(7)
        })
        .count();
    assert_eq!(windowed.len(), expected);

    let campaign = all[0].campaign_id.clone();
    let by_campaign = collect(client.emails(EmailQuery {
        campaign_id: campaign.clone(),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        by_campaign.len(),
        all.iter().filter(|e| e.campaign_id == campaign).count()
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_filters_select_exactly_the_matching_leads() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let all = collect(client.leads(LeadQuery::default())).await;
    let statuses: HashSet<Option<i64>> = all.iter().map(|l| l.lt_interest_status).collect();
    assert!(
        statuses.len() >= 6,
        "many interest statuses are represented: {statuses:?}"
    );

    let interested = collect(client.leads(LeadQuery {
        filter: Some("FILTER_LEAD_INTERESTED".into()),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        interested.len(),
        all.iter()
            .filter(|l| l.lt_interest_status == Some(interest::INTERESTED))
            .count()
    );

    let campaign = all.iter().find_map(|l| l.campaign.clone()).unwrap();
    let in_campaign = collect(client.leads(LeadQuery {
        campaign: Some(campaign.clone()),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        in_campaign.len(),
        all.iter()
            .filter(|l| l.campaign.as_ref() == Some(&campaign))
            .count()
    );

    let list = all
        .iter()
        .find_map(|l| l.list_id.clone())
        .expect("some leads sit in lists");
    let in_list = collect(client.leads(LeadQuery {
        list_id: Some(list.clone()),
        ..Default::default()
    }))
    .await;
    assert_eq!(
        in_list.len(),
        all.iter()
            .filter(|l| l.list_id.as_ref() == Some(&list))
            .count()
    );

    let picked: Vec<String> = all.iter().step_by(7).map(|l| l.id.clone()).collect();
    let by_id = collect(client.leads(LeadQuery {
        ids: picked.clone(),
        ..Default::default()
    }))
    .await;
    assert_eq!(by_id.into_iter().map(|l| l.id).collect::<Vec<_>>(), picked);

    let email = all[3].email.clone().unwrap();
    let by_contact = collect(client.leads(LeadQuery {
        contacts: vec![email.clone()],
        ..Default::default()
    }))
    .await;
    assert_eq!(by_contact.len(), 1);
    assert_eq!(by_contact[0].email.as_deref(), Some(email.as_str()));
    sim.shutdown().await;
}
