//! What the scenarios ask, chosen from the data so any data set works: the thread nearest 50
//! messages, the most common interest status, and three search terms (rare: the number in a
//! lead's address; common: a word of about 5,000 messages by a sample; very common: the word in
//! most sampled messages). The rare term's hits are counted; the others' are estimated from the
//! sample, since counting millions of matches per tenant took minutes.

use std::collections::HashMap;

use anyhow::Context;

use crate::domain::TenantId;
use crate::inbox::SearchQuery;
use crate::inbox::ThreadFilter;
use crate::store::db::{Args, Tx};

use super::bare::Bare;
use crate::store::shared::inbox_pages::{count_hits, set_search};

/// Messages read per tenant to estimate how common words are.
const SAMPLE_PER_TENANT: i64 = 300;
/// The common term aims at this many matching messages in the whole set.
const COMMON_TARGET: f64 = 5000.0;
/// The rare term's hits are counted this far per tenant.
const COUNT_CAP: i64 = 1000;

#[derive(Debug, Clone)]
pub struct Term {
    pub label: &'static str,
    pub text: String,
    /// Matching documents in all the tenants: counted (each tenant to `COUNT_CAP`), or estimated
    /// from the sample.
    pub hits: i64,
    pub estimated: bool,
}

#[derive(Debug, Clone)]
pub struct Picks {
    pub thread: (TenantId, String),
    pub thread_messages: i64,
    pub stage: Option<i64>,
    pub terms: Vec<Term>,
    pub messages: i64,
    pub threads: i64,
}

impl Picks {
    /// What to time, from the data; `named` terms are timed beside the picked ones.
    pub async fn choose(
        bare: &Bare,
        tenants: &[TenantId],
        named: &[String],
    ) -> anyhow::Result<Self> {
        let mut tx = bare.read().await?;
        let (mut messages, mut threads) = (0, 0);
        let mut thread: Option<(i64, TenantId, String)> = None;
        let mut stages: HashMap<i64, usize> = HashMap::new();
        let mut sample: Vec<String> = Vec::new();
        let mut rare: Option<String> = None;
        for &tenant in tenants {
            let args = || Args::new().bind(tenant);
            messages += tx.scalar::<i64>(COUNT_MESSAGES, args()).await?;
            threads += tx.scalar::<i64>(COUNT_THREADS, args()).await?;
            let near: Option<(i64, String, Option<String>)> =
                tx.fetch_optional(NEAR_FIFTY, args()).await?;
            if let Some((count, id, email)) = near {
                let better = thread
                    .as_ref()
                    .is_none_or(|(best, ..)| gap(count) < gap(*best));
                if better {
                    thread = Some((count, tenant, id));
                    rare = email.map(|email| rare_word(&email));
                }
            }
            let recent: Vec<(i64,)> = tx.fetch_all(RECENT_STAGES, args()).await?;
            for (stage,) in recent {
                *stages.entry(stage).or_default() += 1;
            }
            let texts: Vec<(Option<String>, Option<String>)> =
                tx.fetch_all(SAMPLE, args().bind(SAMPLE_PER_TENANT)).await?;
            sample.extend(texts.into_iter().map(|(subject, body)| {
                format!(
                    "{} {}",
                    subject.unwrap_or_default(),
                    body.unwrap_or_default()
                )
            }));
        }
        let (thread_messages, tenant, id) = thread.context("no thread in the data set")?;
        let stage = stages
            .into_iter()
            .max_by_key(|(stage, n)| (*n, -stage))
            .map(|(s, _)| s);
        let (very_common, common) = common_words(&sample, messages);
        let mut terms = Vec::new();
        if let Some(text) = rare {
            let hits = hits(&mut tx, tenants, &text).await?;
            terms.push(Term {
                label: "rare",
                text,
                hits,
                estimated: false,
            });
        }
        for text in named {
            let hits = hits(&mut tx, tenants, text).await?;
            terms.push(Term {
                label: "named",
                text: text.clone(),
                hits,
                estimated: false,
            });
        }
        let per_sampled = messages as f64 / sample.len().max(1) as f64;
        for (label, found) in [("common", common), ("very common", very_common)] {
            if let Some((text, seen)) = found {
                let hits = (seen as f64 * per_sampled).round() as i64;
                terms.push(Term {
                    label,
                    text,
                    hits,
                    estimated: true,
                });
            }
        }
        Ok(Self {
            thread: (tenant, id),
            thread_messages,
            stage,
            terms,
            messages,
            threads,
        })
    }

    pub fn describe(&self) -> String {
        let terms: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t.estimated {
                true => format!("{} `{}` (≈{} messages)", t.label, t.text, t.hits),
                false => format!("{} `{}` ({} documents)", t.label, t.text, t.hits),
            })
            .collect();
        format!(
            "data: {} messages in {} threads; thread of {} messages; stage {:?}; terms: {}",
            self.messages,
            self.threads,
            self.thread_messages,
            self.stage,
            terms.join(", ")
        )
    }
}

fn gap(count: i64) -> i64 {
    (count - 50).abs()
}

/// The word of an address that names one lead (its number), else the whole address.
fn rare_word(email: &str) -> String {
    let words = SearchQuery::parse(email)
        .map(|q| q.words().to_vec())
        .unwrap_or_default();
    words
        .iter()
        .find(|w| w.chars().any(|c| c.is_ascii_digit()))
        .cloned()
        .unwrap_or_else(|| words.join(" "))
}

/// A word and how many sampled messages hold it.
type Seen = Option<(String, usize)>;

/// (the word in most sampled messages, the word whose estimate is nearest `COMMON_TARGET`),
/// among plain lowercase words of four letters or more; each with the sampled messages holding it.
fn common_words(sample: &[String], total: i64) -> (Seen, Seen) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for text in sample {
        let mut words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_ascii_lowercase)
            .collect();
        words.sort();
        words.dedup();
        for word in words {
            *seen.entry(word).or_default() += 1;
        }
    }
    let mut counted: Vec<(String, usize)> = seen.into_iter().collect();
    counted.sort();
    let very = counted.iter().max_by_key(|(_, n)| *n).cloned();
    let per_doc = total as f64 / sample.len().max(1) as f64;
    let distance = |n: usize| ((n as f64 * per_doc).ln() - COMMON_TARGET.ln()).abs();
    let common = counted
        .iter()
        .filter(|(w, _)| Some(w) != very.as_ref().map(|(v, _)| v))
        .min_by(|a, b| distance(a.1).total_cmp(&distance(b.1)))
        .cloned();
    (very, common)
}

/// Matching documents in every tenant, each counted to `COUNT_CAP`.
async fn hits(tx: &mut Tx, tenants: &[TenantId], text: &str) -> anyhow::Result<i64> {
    let search = SearchQuery::parse(text).context("an empty term")?;
    let filter = ThreadFilter {
        search: Some(search.clone()),
        ..ThreadFilter::default()
    };
    set_search(tx, &filter).await?;
    let mut total = 0;
    for &tenant in tenants {
        total += count_hits(tx, tenant, &search, COUNT_CAP).await?;
    }
    Ok(total)
}

const COUNT_MESSAGES: &str = "SELECT COUNT(*) FROM messages WHERE tenant_id = $1";
const COUNT_THREADS: &str = "SELECT COUNT(*) FROM threads WHERE tenant_id = $1";
const NEAR_FIFTY: &str = "SELECT message_count, thread_id, lead_email FROM threads \
     WHERE tenant_id = $1 ORDER BY ABS(message_count - 50), thread_id LIMIT 1";
const RECENT_STAGES: &str = "SELECT interest_status FROM threads \
     WHERE tenant_id = $1 AND interest_status IS NOT NULL \
     ORDER BY last_message_at DESC LIMIT 200";
const SAMPLE: &str = "SELECT subject, body_text FROM messages WHERE tenant_id = $1 LIMIT $2";
