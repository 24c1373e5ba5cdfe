//! Time moves in the simulator (`tick`) and an incremental sync picks up exactly the changes:
//! new replies through the `min_timestamp_created` watermark, interest and mailbox changes by
//! rereading, and analytics that stay consistent with the messages.

mod support;

use std::collections::HashSet;

use instantly::{CampaignAnalyticsQuery, EmailQuery, SortOrder};
use instantly_sim::{Scale, TickRequest};
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_sync_after_a_tick_sees_exactly_the_new_replies_and_changes() {
    let sim = simulator(Scale::Small, 2, false).await;
    let workspace = sim.workspaces()[1].clone();
    let client = client(&sim, 1);
    let oldest_first = EmailQuery {
        sort_order: Some(SortOrder::Asc),
        ..EmailQuery::default()
    };
    let synced = collect(client.emails(oldest_first.clone())).await;
    let watermark = synced.iter().map(|e| e.timestamp_created).max().unwrap();
    let known: HashSet<String> = synced.into_iter().map(|e| e.id).collect();

    let request = TickRequest {
        workspace_id: Some(workspace.id.clone()),
        new_replies: 6,
        status_changes: 6,
        mailbox_changes: 3,
        clicks: 2,
        ..TickRequest::default()
    };
    let report = sim.tick(&request);
    let changes = &report.workspaces[0];
    assert_eq!(changes.new_emails.len(), 6);

    let delta = EmailQuery {
        min_timestamp_created: Some(watermark),
        ..oldest_first
    };
    let fresh: Vec<String> = collect(client.emails(delta))
        .await
        .into_iter()
        .map(|e| e.id)
        .filter(|id| !known.contains(id))
        .collect();
    let expected: Vec<String> = changes.new_emails.iter().map(|e| e.id.clone()).collect();
    assert_eq!(fresh, expected);

    for change in &changes.status_changes {
        assert_eq!(
            client
                .lead(&change.lead_id)
                .await
                .unwrap()
                .lt_interest_status,
            change.to
        );
    }
    for click in &changes.clicks {
        assert!(client.lead(&click.lead_id).await.unwrap().email_click_count > 0);
    }
    for change in &changes.mailbox_changes {
        assert_eq!(
            client.account(&change.email).await.unwrap().status,
            Some(change.to)
        );
    }

    let truth = sim.truth(&workspace.id).unwrap();
    let unread = client.unread_count().await.unwrap();
    assert_eq!(unread, truth["emails"]["unread"].as_u64().unwrap());
    let new_email = client.email(&expected[0]).await.unwrap();
    assert_eq!(new_email.is_unread, Some(1));
    assert!(
        client
            .mark_thread_read(new_email.thread_id.as_deref().unwrap())
            .await
            .unwrap()
    );
    assert_eq!(client.email(&expected[0]).await.unwrap().is_unread, Some(0));
    assert!(client.unread_count().await.unwrap() < unread);

    let analytics = client
        .campaign_analytics(&CampaignAnalyticsQuery::default())
        .await
        .unwrap();
    let sent: i64 = analytics.iter().map(|a| a.emails_sent_count).sum();
    let received: i64 = analytics
        .iter()
        .map(|a| a.reply_count + a.reply_count_automatic.unwrap_or(0) + a.bounced_count)
        .sum();
    let by_type = &truth["emails"]["by_type"];
    assert_eq!(sent, by_type["sent_from_campaign"].as_i64().unwrap());
    assert_eq!(received, by_type["received"].as_i64().unwrap());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_generates_the_same_data_and_the_same_ticks() {
    let (a, b) = (
        simulator(Scale::Small, 2, false).await,
        simulator(Scale::Small, 2, false).await,
    );
    assert_eq!(a.workspaces(), b.workspaces());
    let id = &a.workspaces()[0].id;
    assert_eq!(a.truth(id), b.truth(id));
    let tick = TickRequest {
        new_replies: 3,
        status_changes: 3,
        mailbox_changes: 1,
        clicks: 1,
        ..Default::default()
    };
    let (report_a, report_b) = (a.tick(&tick), b.tick(&tick));
    assert_eq!(
        serde_json::to_value(report_a).unwrap(),
        serde_json::to_value(report_b).unwrap()
    );
    assert_eq!(a.truth(id), b.truth(id));
    a.shutdown().await;
    b.shutdown().await;
}
