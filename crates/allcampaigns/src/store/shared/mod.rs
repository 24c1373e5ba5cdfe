//! The area traits, written once for every [`SqlBacked`](super::db::SqlBacked) store. Each
//! method opens its unit of work with the [`Scope`](super::db::Scope) it needs; the few methods
//! that differ by backend match on [`Conn`](super::db::Conn) or live in `sqlite/` and
//! `postgres/`.

mod accounts;
mod audit;
mod connections;
mod health;
mod inbound;
mod inbox;
pub(crate) mod inbox_pages;
mod jobs;
mod lead_list;
mod lead_state;
mod leads;
mod live;
mod notifications;
mod pipeline;
mod replies;
mod seals;
mod search_index;
mod senders;
mod speed;
mod sync;
mod tenants;
mod views;
