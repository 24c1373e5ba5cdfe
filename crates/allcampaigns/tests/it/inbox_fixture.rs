//! The inbox's seeded data set: three tenants, replies in Bulgarian and with accents, mixed
//! case, an auto-reply, a bounce, threads with only our sends, and a tagged campaign.

use allcampaigns::domain::{Email, TenantId, UserId};
use allcampaigns::store::{DynStore, TenantProfile};

use crate::inbox_seed::{Lead, Msg, tag, write};

pub struct Fixture {
    pub store: DynStore,
    pub tenants: Vec<TenantId>,
    pub user: UserId,
    pub messages: Vec<Msg>,
    pub leads: Vec<Lead>,
}

pub async fn tenant(store: &DynStore, name: &str) -> TenantId {
    let profile = TenantProfile {
        name: name.into(),
        ..Default::default()
    };
    store.create_tenant(None, &profile).await.unwrap().id
}

/// Three tenants: replies in Bulgarian and with accents, mixed case, an auto-reply, a bounce,
/// threads with only our sends; a tag on a campaign; a third tenant with the same words.
pub async fn fixture(store: DynStore) -> Fixture {
    let user = store
        .create_user(&Email::parse("ops@agency.example").unwrap(), "Ops")
        .await
        .unwrap()
        .id;
    let (a, b, c) = (
        tenant(&store, "A").await,
        tenant(&store, "B").await,
        tenant(&store, "C").await,
    );
    let lead = |tenant, id: &str, email: &str, first: &str, last: &str, company: &str| Lead {
        tenant,
        id: id.into(),
        email: email.into(),
        first: first.into(),
        last: last.into(),
        company: company.into(),
    };
    let leads = vec![
        lead(a, "la1", "ivan@acme.bg", "Иван", "Петров", "Акме ООД"),
        lead(
            a,
            "la2",
            "anna@angstrom.se",
            "Anna",
            "Ångström",
            "Ångström Labs",
        ),
        lead(c, "lc1", "ivan@other.bg", "Иван", "Иванов", "Друга"),
    ];
    let messages = messages(a, b, c);
    write(&store, &messages, &leads).await;
    tag(&store, a, "tag-vip", "VIP", "c2").await;
    Fixture {
        store,
        tenants: vec![a, b, c],
        user,
        messages,
        leads,
    }
}

fn messages(a: TenantId, b: TenantId, c: TenantId) -> Vec<Msg> {
    let mut all = Vec::new();
    let mut thread = |tenant, thread: &str, lead: &str, parts: Vec<(bool, &str, &str, i64)>| {
        for (i, (received, subject, body, minutes)) in parts.into_iter().enumerate() {
            let mut m = Msg::new(tenant, thread, &format!("{thread}-{i}"), minutes);
            m.lead = Some(lead.into());
            m.received = received;
            m.subject = subject.into();
            m.body = body.into();
            m.unread = received;
            all.push(m);
        }
    };
    let ivan = "ivan@acme.bg";
    thread(
        a,
        "a1",
        ivan,
        vec![
            (false, "Предложение", "Здравейте, Иван! Имаме оферта.", 0),
            (
                true,
                "Re: Предложение",
                "Благодаря, интересно ми е. Обадете се.",
                60,
            ),
        ],
    );
    thread(
        a,
        "a2",
        "anna@angstrom.se",
        vec![
            (false, "Hello Anna", "Meeting next week?", 10),
            (
                true,
                "Re: Hello Anna",
                "Sounds GREAT, let's talk on Tuesday",
                70,
            ),
        ],
    );
    thread(
        a,
        "a3",
        "ooo@example.com",
        vec![
            (false, "Quick question", "Do you have a minute?", 20),
            (true, "Out of office", "I am away until Monday", 80),
        ],
    );
    thread(
        a,
        "a4",
        "gone@example.com",
        vec![
            (false, "Pricing", "Our pricing", 30),
            (true, "Undeliverable", "Delivery failed permanently", 90),
        ],
    );
    thread(
        a,
        "a5",
        "silent@example.com",
        vec![
            (false, "Intro", "Just our send", 40),
            (false, "Follow up", "Another send of ours", 100),
        ],
    );
    thread(
        a,
        "a6",
        "buyer@ecole.fr",
        vec![(
            true,
            "PRICING Question",
            "What is your pricing for ÉCOLE?",
            110,
        )],
    );
    thread(
        b,
        "b1",
        "lab@physics.example",
        vec![(
            true,
            "Project",
            "Ready to talk about the Ångström project",
            50,
        )],
    );
    thread(
        b,
        "b2",
        "client@firma.bg",
        vec![(true, "Цена", "Каква е ЦЕНАТА?", 110)],
    );
    thread(
        b,
        "b3",
        "quiet@example.com",
        vec![(false, "Hello", "hello from us", 5)],
    );
    thread(
        c,
        "c1",
        "ivan@other.bg",
        vec![(true, "Pricing", "Иван asks about pricing", 120)],
    );
    for m in all.iter_mut() {
        match m.thread.as_str() {
            "a3" if m.received => m.auto_reply = true,
            "a4" if m.received => m.from = Some("MAILER-DAEMON@mail.example".into()),
            "a6" => {
                m.campaign = Some("c2".into());
                m.mailbox = "second@agency.example".into();
            }
            "b2" => m.stage = Some(1),
            _ => {}
        }
    }
    all
}
