//! The search box and filter form: each field's value as the list's query holds it, and the
//! choices of each `<select>`.

use super::query::ListQuery;
use super::rows::Client;
use crate::domain::UserId;
use crate::inbox::InboxView;
use crate::text::InboxTexts;

pub struct Filters {
    pub q: String,
    pub campaign: String,
    pub mailbox: String,
    pub tag: String,
    pub from: String,
    pub to: String,
    pub clients: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub owners: Vec<Choice>,
    pub unread: Vec<Choice>,
    /// Whether any filter or search narrows the list.
    pub filtered: bool,
    /// The same tab without filters.
    pub clear_href: String,
}

impl Filters {
    /// `team`: the members of the one client the list is narrowed to, if it is.
    pub fn new(
        query: &ListQuery,
        clients: &[Client],
        team: &[(UserId, String)],
        view: InboxView,
        t: &InboxTexts,
    ) -> Self {
        let text = |name: &str| query.get(name).unwrap_or_default().to_owned();
        Self {
            q: text("q"),
            campaign: text("campaign"),
            mailbox: text("mailbox"),
            tag: text("tag"),
            from: text("from"),
            to: text("to"),
            clients: client_choices(clients, query, t),
            stages: stage_choices(query, t),
            owners: owner_choices(query, team, t),
            unread: unread_choices(query, t),
            filtered: query.is_filtered(),
            clear_href: ListQuery::default()
                .with("view", Some(view.as_str()))
                .href("/inbox"),
        }
    }
}

/// A choice of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: impl Into<String>, label: impl Into<String>, current: Option<&str>) -> Self {
        let value = value.into();
        Self {
            selected: current == Some(value.as_str()),
            label: label.into(),
            value,
        }
    }
}

fn client_choices(clients: &[Client], query: &ListQuery, t: &InboxTexts) -> Vec<Choice> {
    let current = query.get("tenant");
    std::iter::once(Choice::new("", t.any_client, current))
        .chain(
            clients
                .iter()
                .map(|c| Choice::new(c.id.to_string(), c.name.clone(), current)),
        )
        .collect()
}

fn stage_choices(query: &ListQuery, t: &InboxTexts) -> Vec<Choice> {
    let current = query.get("stage");
    std::iter::once(Choice::new("", t.any_stage, current))
        .chain(
            [1, 2, 3, 4, 0, -1, -2, -3, -4]
                .into_iter()
                .map(|s| Choice::new(s.to_string(), (t.stage_name)(Some(s)), current)),
        )
        .collect()
}

/// Anyone, me, nobody, and the team of the one client the list shows (a person chosen
/// before stays listed).
fn owner_choices(query: &ListQuery, team: &[(UserId, String)], t: &InboxTexts) -> Vec<Choice> {
    let current = query.get("owner");
    let mut choices = vec![
        Choice::new("", t.anyone, current),
        Choice::new("me", t.me, current),
        Choice::new("none", t.nobody, current),
    ];
    choices.extend(
        team.iter()
            .map(|(id, name)| Choice::new(id.to_string(), name.clone(), current)),
    );
    if let Some(other) = current.filter(|v| !choices.iter().any(|c| c.value == *v)) {
        choices.push(Choice::new(other, other, current));
    }
    choices
}

fn unread_choices(query: &ListQuery, t: &InboxTexts) -> Vec<Choice> {
    let current = query.get("unread");
    vec![
        Choice::new("", t.unread_any, current),
        Choice::new("true", t.unread_only, current),
        Choice::new("false", t.read_only, current),
    ]
}
