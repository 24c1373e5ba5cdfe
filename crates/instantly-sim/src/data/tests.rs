use std::collections::HashSet;

use super::leads::MsgKind;
use super::rng::{DATA_END_MS, Kind};
use super::{Scale, build_workspaces};

#[test]
fn lead_ids_sort_in_creation_order_so_cursors_can_be_compared() {
    let w = &build_workspaces(3, Scale::Small, 2)[1];
    let ids: Vec<String> = (0..w.lead_count).map(|i| w.lead_id(i)).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(w.lead_index_of(&ids[17], Kind::Lead), Some(17));
    assert_eq!(
        w.lead_index_of(&w.thread_id(17), Kind::Lead),
        None,
        "a thread id is not a lead id"
    );
}

#[test]
fn every_email_id_decodes_back_to_its_place_in_the_index() {
    let w = &build_workspaces(3, Scale::Small, 1)[0];
    assert!(w.emails.windows(2).all(|pair| pair[0] < pair[1]));
    for key in w.emails.iter().step_by(7) {
        assert_eq!(w.email_key_of(&w.email_id(*key)), Some(*key));
        let lead = w.lead_now(key.lead);
        assert_eq!(lead.plan.msgs[usize::from(key.pos)].ts, key.ts);
    }
    assert!(w.emails.iter().all(|k| k.ts < DATA_END_MS));
}

#[test]
fn lead_emails_map_back_to_their_lead() {
    let w = &build_workspaces(3, Scale::Small, 1)[0];
    for index in (0..w.lead_count).step_by(11) {
        let email = w.lead_email(&w.lead_core(index));
        assert_eq!(w.lead_index_by_email(&email.to_uppercase()), Some(index));
    }
    assert_eq!(
        w.lead_index_by_email("someone.else.3@nowhere.example"),
        None
    );
}

#[test]
fn threads_cover_every_interest_status_and_kind_of_email() {
    let w = &build_workspaces(3, Scale::Small, 1)[0];
    let (mut interests, mut kinds) = (HashSet::new(), HashSet::new());
    for index in 0..w.lead_count {
        let plan = w.plan(&w.lead_core(index));
        interests.insert(plan.interest);
        kinds.extend(plan.msgs.iter().map(|m| format!("{:?}", m.kind)));
    }
    assert_eq!(
        interests.len(),
        10,
        "nine statuses and plain leads: {interests:?}"
    );
    let expected = [
        MsgKind::Step,
        MsgKind::Reply,
        MsgKind::AutoReply,
        MsgKind::Bounce,
        MsgKind::Manual,
    ];
    assert!(
        expected.iter().all(|k| kinds.contains(&format!("{k:?}"))),
        "{kinds:?}"
    );
}

#[test]
fn the_scales_generate_about_the_documented_volumes() {
    let total: u32 = build_workspaces(3, Scale::Medium, 3)
        .iter()
        .map(|w| w.lead_count)
        .sum();
    assert!((49_000..=50_000).contains(&total), "{total}");
    let emails: usize = build_workspaces(3, Scale::Medium, 3)
        .iter()
        .map(|w| w.emails.len())
        .sum();
    assert!(
        (130_000..=170_000).contains(&emails),
        "about three emails per lead: {emails}"
    );
}
