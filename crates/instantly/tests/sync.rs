//! The client pages through every list of the simulator to the end, at each scale, and ends
//! with exactly the simulator's ground truth.

mod support;

use std::collections::HashSet;

use instantly::{
    AccountQuery, CampaignQuery, EmailQuery, LabelQuery, LeadQuery, ListQuery, SortOrder,
    TagMappingQuery, TagQuery,
};
use instantly_sim::Scale;
use support::*;

/// Walks every list of every workspace; `both_orders` also walks the emails newest first.
async fn walk_everything(scale: Scale, both_orders: bool) {
    let sim = simulator(scale, 2, false).await;
    for (index, workspace) in sim.workspaces().iter().enumerate() {
        let client = client(&sim, index);
        let truth = sim.truth(&workspace.id).unwrap();
        assert_eq!(client.current_workspace().await.unwrap().id, workspace.id);

        let campaigns = collect(client.campaigns(CampaignQuery::default())).await;
        assert_eq!(
            campaigns.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            truth_ids(&truth, "campaigns")
        );
        let accounts = collect(client.accounts(AccountQuery::default())).await;
        let mut emails: Vec<String> = accounts.iter().map(|a| a.email.clone()).collect();
        emails.sort();
        let mut expected = truth_ids(&truth, "accounts");
        expected.sort();
        assert_eq!(emails, expected);

        let lists = collect(client.lead_lists(ListQuery::default())).await;
        assert_eq!(
            lists.len(),
            truth["lead_lists"]["count"].as_u64().unwrap() as usize
        );
        let labels = collect(client.lead_labels(LabelQuery::default())).await;
        assert_eq!(
            labels.len(),
            truth["lead_labels"]["count"].as_u64().unwrap() as usize
        );
        let tags = collect(client.custom_tags(TagQuery::default())).await;
        assert_eq!(
            tags.len(),
            truth["custom_tags"]["count"].as_u64().unwrap() as usize
        );
        let mappings = collect(client.custom_tag_mappings(TagMappingQuery::default())).await;
        assert_eq!(
            mappings.len(),
            truth["custom_tag_mappings"]["count"].as_u64().unwrap() as usize
        );

        let lead_ids = keys(client.leads(LeadQuery::default())).await;
        assert_eq!(
            lead_ids,
            truth_ids(&truth, "leads"),
            "leads come in id order, each once"
        );

        let query = EmailQuery {
            sort_order: Some(SortOrder::Asc),
            ..EmailQuery::default()
        };
        let emails = keys(client.emails(query)).await;
        assert_eq!(
            emails,
            truth_ids(&truth, "emails"),
            "emails come oldest first, each once"
        );
        if both_orders {
            let newest_first = keys(client.emails(EmailQuery::default())).await;
            assert_eq!(
                newest_first.iter().rev().cloned().collect::<Vec<_>>(),
                emails
            );
            assert_eq!(
                newest_first.iter().collect::<HashSet<_>>().len(),
                emails.len()
            );
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_is_paged_to_the_end_at_small_scale() {
    walk_everything(Scale::Small, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_is_paged_to_the_end_at_medium_scale() {
    walk_everything(Scale::Medium, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes: cargo test --release -p instantly --test sync -- --ignored"]
async fn every_list_is_paged_to_the_end_at_large_scale() {
    walk_everything(Scale::Large, false).await;
}
