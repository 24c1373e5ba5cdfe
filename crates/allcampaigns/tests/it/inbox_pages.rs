//! Keyset pages while replies arrive: random interleavings of page reads and new threads (many
//! tied to the minute, within and across tenants, before and after the cursor). Every thread
//! there at the start is seen exactly once, none twice, in the list order. Both backends.

use std::collections::HashSet;

use allcampaigns::domain::TenantId;
use allcampaigns::inbox::{Cursor, InboxView, ThreadFilter};
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::helpers::TestDb;
use crate::inbox_fixture::tenant;
use crate::inbox_seed::{Msg, start, write};
use crate::on_both_backends;

on_both_backends!(keyset_pages_neither_skip_nor_repeat_while_new_threads_arrive);

/// A new thread at a minute drawn from a narrow range, so times tie often.
fn thread(rng: &mut StdRng, tenants: &[TenantId], name: String) -> Msg {
    let tenant = tenants[rng.random_range(0..tenants.len())];
    let mut m = Msg::new(tenant, &name, &format!("{name}-m"), rng.random_range(0..12));
    m.lead = Some(format!("{name}@example.com"));
    m
}

async fn keyset_pages_neither_skip_nor_repeat_while_new_threads_arrive(db: TestDb) {
    let store = db.store().await;
    let tenants = vec![tenant(&store, "A").await, tenant(&store, "B").await];
    let mut rng = StdRng::seed_from_u64(12);
    let mut serial = 0;
    let mut name = || {
        serial += 1;
        format!("t{serial:04}")
    };
    let initial: Vec<Msg> = (0..60)
        .map(|_| thread(&mut rng, &tenants, name()))
        .collect();
    write(&store, &initial, &[]).await;
    let all = ThreadFilter {
        view: InboxView::All,
        ..ThreadFilter::default()
    };
    let now = start() + Duration::days(1);
    let mut known: HashSet<(TenantId, String)> = initial
        .iter()
        .map(|m| (m.tenant, m.thread.clone()))
        .collect();
    for round in 0..12 {
        let required = known.clone();
        let mut seen: Vec<(TenantId, String)> = Vec::new();
        let mut last: Option<Cursor> = None;
        let mut cursor: Option<Cursor> = None;
        loop {
            let limit = rng.random_range(1..=7);
            let page = store
                .threads(&tenants, &all, cursor.as_ref(), limit, now)
                .await
                .unwrap();
            for row in &page.items {
                if let Some(last) = &last {
                    let at = (row.last_message_at, row.tenant_id, row.thread_id.as_str());
                    assert!(last.admits(at.0, at.1, at.2), "round {round}: out of order");
                }
                last = Some(row.cursor());
                seen.push((row.tenant_id, row.thread_id.clone()));
            }
            let arrivals: Vec<Msg> = (0..rng.random_range(0..3))
                .map(|_| thread(&mut rng, &tenants, name()))
                .collect();
            write(&store, &arrivals, &[]).await;
            known.extend(arrivals.iter().map(|m| (m.tenant, m.thread.clone())));
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let unique: HashSet<&(TenantId, String)> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "round {round}: a thread repeated");
        let missed: Vec<_> = required.iter().filter(|k| !unique.contains(k)).collect();
        assert!(missed.is_empty(), "round {round}: skipped {missed:?}");
        assert!(
            unique.iter().all(|k| known.contains(*k)),
            "round {round}: unknown thread"
        );
    }
    assert!(
        known.len() > 80,
        "threads arrived meanwhile: {}",
        known.len()
    );
}
