//! A typed client for the Instantly.ai API v2.
//!
//! ```no_run
//! # async fn demo() -> Result<(), instantly::Error> {
//! use futures::TryStreamExt;
//! use instantly::{Client, ClientConfig, EmailQuery, SortOrder, WorkspaceBudgets};
//!
//! let budgets = WorkspaceBudgets::default(); // share one registry across the process
//! let mut config = ClientConfig::new("key".to_owned().into());
//! config.budget = budgets.budget("connection-42");
//! let client = Client::new(config)?;
//! let query = EmailQuery { sort_order: Some(SortOrder::Asc), ..Default::default() };
//! let emails: Vec<_> = client.emails(query).try_collect().await?;
//! # Ok(()) }
//! ```
//!
//! - Lists are streams that page by 100 and stop on an empty page or a missing cursor; a cursor
//!   seen twice ends the stream with [`Error::Pagination`]. `*_pages` variants yield whole pages
//!   with their cursor, for checkpointing.
//! - Every request waits for its slot in the workspace's [`RateBudget`].
//! - 429, 5xx, timeouts and broken connections are retried per [`RetryPolicy`]; 401/403 become
//!   [`Error::InvalidCredentials`]. The API key never appears in errors or logs.

mod api;
mod budget;
mod client;
mod config;
mod error;
pub mod models;
mod pagination;
mod retry;

pub use api::*;
pub use budget::{BudgetConfig, RateBudget, RequestClass, WorkspaceBudgets};
pub use client::Client;
pub use config::{ClientConfig, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};
pub use error::{Error, PaginationError, Result};
pub use models::enums::*;
pub use models::*;
pub use pagination::{Keyed, PAGE_SIZE, Page, collect_all};
pub use retry::RetryPolicy;
