//! The leads list's read of one client, its statement built from the filters asked (each a
//! bound parameter), written once for both backends.

use async_trait::async_trait;

use crate::domain::TenantId;
use crate::leads::list::{LeadListStore, ListCursor, ListedLead, OwnerFilter, TenantFilter};
use crate::store::Result;
use crate::store::db::{Args, Param, Scope, SqlBacked};

const SELECT: &str = "SELECT l.tenant_id, l.instantly_id, l.email, l.first_name, l.last_name, \
     l.company_name, l.campaign_id, l.interest_status, l.reply_count, l.last_reply_at, \
     l.timestamp_updated, s.stage_id, s.value_cents, s.owner_id FROM leads l \
     LEFT JOIN lead_states s ON s.tenant_id = l.tenant_id AND s.lead_email = lower(l.email) \
     WHERE l.tenant_id = $1 AND l.deleted_at IS NULL";

/// A statement and its parameters, grown one condition at a time.
struct Statement {
    sql: String,
    args: Args,
}

impl Statement {
    /// Appends ` AND {condition}`, each `?` in it the next parameter, in order.
    fn and(&mut self, condition: &str, values: Vec<Param>) {
        self.sql.push_str(" AND ");
        let mut values = values.into_iter();
        for (i, part) in condition.split('?').enumerate() {
            if i > 0 {
                let value = values.next().expect("a value for each placeholder");
                let args = std::mem::take(&mut self.args);
                self.args = args.bind(value);
                self.sql.push_str(&format!("${}", self.args.len()));
            }
            self.sql.push_str(part);
        }
    }
}

fn statement(tenant: TenantId, filter: &TenantFilter, after: Option<&ListCursor>) -> Statement {
    let mut q = Statement {
        sql: SELECT.to_owned(),
        args: Args::new().bind(tenant),
    };
    if let Some(campaign) = &filter.campaign {
        q.and("l.campaign_id = ?", vec![campaign.as_str().into()]);
    }
    match filter.stage {
        Some((stage, Some(status))) => q.and(
            "(s.stage_id = ? OR (s.stage_id IS NULL AND l.interest_status = ?))",
            vec![stage.into(), status.into()],
        ),
        Some((stage, None)) => q.and("s.stage_id = ?", vec![stage.into()]),
        None => {}
    }
    match filter.owner {
        OwnerFilter::Any => {}
        OwnerFilter::Nobody => q.and("s.owner_id IS NULL", vec![]),
        OwnerFilter::User(user) => q.and("s.owner_id = ?", vec![user.into()]),
    }
    if let Some(tag) = filter.tag {
        q.and(
            "EXISTS (SELECT 1 FROM lead_tag_links k WHERE k.tenant_id = l.tenant_id \
             AND k.lead_email = lower(l.email) AND k.tag_id = ?)",
            vec![tag.into()],
        );
    }
    match filter.replied {
        Some(true) => q.and("l.reply_count > 0", vec![]),
        Some(false) => q.and("l.reply_count = 0", vec![]),
        None => {}
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", escape_like(text));
        q.and(
            "(lower(l.email) LIKE ? ESCAPE '\\' \
             OR lower(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')) \
                 LIKE ? ESCAPE '\\' \
             OR lower(coalesce(l.company_name, '')) LIKE ? ESCAPE '\\')",
            vec![
                pattern.clone().into(),
                pattern.clone().into(),
                pattern.into(),
            ],
        );
    }
    if let Some(cursor) = after {
        let at = Param::SyncTime(cursor.at);
        match tenant.as_uuid().cmp(&cursor.tenant) {
            // This client's rows of the cursor's instant come before the cursor's client's.
            std::cmp::Ordering::Greater => q.and("l.timestamp_updated < ?", vec![at]),
            std::cmp::Ordering::Less => q.and("l.timestamp_updated <= ?", vec![at]),
            std::cmp::Ordering::Equal => q.and(
                "(l.timestamp_updated < ? OR (l.timestamp_updated = ? AND l.instantly_id < ?))",
                vec![at.clone(), at, cursor.id.as_str().into()],
            ),
        }
    }
    q.sql
        .push_str(" ORDER BY l.timestamp_updated DESC, l.instantly_id DESC");
    q
}

/// `text` with LIKE's wildcards and its escape character taken literally.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl<S: SqlBacked> LeadListStore for S {
    #[tracing::instrument(name = "store.listed_leads", level = "debug", skip_all, fields(tenant = %tenant))]
    async fn listed_leads(
        &self,
        tenant: TenantId,
        filter: &TenantFilter,
        after: Option<&ListCursor>,
        limit: u32,
    ) -> Result<Vec<ListedLead>> {
        let mut q = statement(tenant, filter, after);
        q.sql.push_str(&format!(" LIMIT {limit}"));
        let mut tx = self.db().begin(Scope::Tenant(tenant), false).await?;
        tx.fetch_all(sqlx::AssertSqlSafe(q.sql), q.args).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_is_a_bound_parameter() {
        let filter = TenantFilter {
            campaign: Some("c1".into()),
            stage: Some((uuid::Uuid::nil(), Some(1))),
            owner: OwnerFilter::Nobody,
            tag: None,
            replied: Some(true),
            text: Some("50%_off".into()),
        };
        let q = statement(TenantId::new(), &filter, None);
        assert!(q.sql.contains("l.campaign_id = $2"), "{}", q.sql);
        assert!(
            q.sql
                .contains("s.stage_id = $3 OR (s.stage_id IS NULL AND l.interest_status = $4)")
        );
        assert!(q.sql.contains("LIKE $5") && q.sql.contains("LIKE $7"));
        assert_eq!(q.args.len(), 7);
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
