//! The simulator's analytics agree with each other and with the emails it serves.

mod support;

use instantly::{CampaignAnalyticsQuery, DateRange, EmailQuery, EmailType, ue_type};
use instantly_sim::Scale;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_analytics_view_adds_up_to_the_same_sent_and_received_emails() {
    let sim = simulator(Scale::Small, 1, false).await;
    let client = client(&sim, 0);
    let emails = collect(client.emails(EmailQuery::default())).await;
    let sent = emails
        .iter()
        .filter(|e| e.ue_type == Some(ue_type::SENT_FROM_CAMPAIGN))
        .count() as i64;
    let received = collect(client.emails(EmailQuery {
        email_type: Some(EmailType::Received),
        ..Default::default()
    }))
    .await;
    let auto = received
        .iter()
        .filter(|e| e.is_auto_reply == Some(1))
        .count() as i64;

    let all_time = CampaignAnalyticsQuery::default();
    let campaigns = client.campaign_analytics(&all_time).await.unwrap();
    assert_eq!(
        campaigns.iter().map(|c| c.emails_sent_count).sum::<i64>(),
        sent
    );
    assert_eq!(
        campaigns
            .iter()
            .map(|c| c.reply_count_automatic.unwrap_or(0))
            .sum::<i64>(),
        auto
    );

    let overview = client.campaign_analytics_overview(&all_time).await.unwrap();
    assert_eq!(overview.emails_sent_count, Some(sent));

    let range = DateRange::default();
    let daily = client.campaign_daily_analytics(None, range).await.unwrap();
    assert_eq!(daily.iter().map(|d| d.sent.unwrap_or(0)).sum::<i64>(), sent);
    let steps = client
        .campaign_steps_analytics(None, range, true)
        .await
        .unwrap();
    assert_eq!(steps.iter().map(|s| s.sent).sum::<i64>(), sent);
    assert!(steps.iter().all(|s| s.opportunities.is_some()));

    let whole_history = DateRange {
        start: "2026-01-01".parse().ok(),
        end: "2026-12-31".parse().ok(),
    };
    let mailboxes = client
        .account_daily_analytics(&[], whole_history)
        .await
        .unwrap();
    assert_eq!(mailboxes.iter().map(|d| d.sent).sum::<i64>(), sent);

    let leads = collect(client.leads(Default::default())).await;
    let opens: i64 = leads.iter().map(|l| l.email_open_count).sum();
    assert_eq!(
        overview.open_count,
        Some(opens),
        "overview opens are all opens"
    );
    sim.shutdown().await;
}
