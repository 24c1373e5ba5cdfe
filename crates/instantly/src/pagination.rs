//! Cursor pagination as streams.
//!
//! Instantly answers `{items, next_starting_after}`. The walk stops on an empty page or a page
//! without a cursor (the last page may still carry one). A cursor seen before is a loop and ends
//! the stream with an error instead of spinning forever.

use std::collections::HashSet;
use std::future::Future;

use futures::{Stream, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::error::{Error, PaginationError};

/// Items per request: Instantly's maximum.
pub const PAGE_SIZE: u32 = 100;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass back as `starting_after` to resume after this page.
    #[serde(default)]
    pub next_starting_after: Option<String>,
}

/// Something with a stable identity within its list.
pub trait Keyed {
    fn key(&self) -> &str;
}

struct Walk<F> {
    fetch: F,
    cursor: Option<String>,
    seen: HashSet<String>,
    previous_keys: HashSet<String>,
    pages: u64,
    max_pages: u64,
    finished: bool,
}

/// Pages starting after `cursor`, fetched one at a time by `fetch(cursor)`. Items already
/// returned on the previous page are dropped (servers sometimes repeat a page boundary).
pub(crate) fn pages<T, F, Fut>(
    cursor: Option<String>,
    max_pages: u64,
    fetch: F,
) -> impl Stream<Item = Result<Page<T>, Error>>
where
    T: Keyed,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let seen = cursor.iter().cloned().collect();
    let walk = Walk {
        fetch,
        cursor,
        seen,
        previous_keys: HashSet::new(),
        pages: 0,
        max_pages,
        finished: false,
    };
    stream::unfold(walk, |mut walk| async move {
        let next = walk.step().await?;
        Some((next, walk))
    })
}

impl<F> Walk<F> {
    async fn step<T, Fut>(&mut self) -> Option<Result<Page<T>, Error>>
    where
        T: Keyed,
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, Error>>,
    {
        if self.finished {
            return None;
        }
        let result = self.fetch_next().await;
        self.finished = !matches!(result, Some(Ok(_))) || self.cursor.is_none();
        result
    }

    async fn fetch_next<T, Fut>(&mut self) -> Option<Result<Page<T>, Error>>
    where
        T: Keyed,
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Page<T>, Error>>,
    {
        if self.pages >= self.max_pages {
            let max_pages = self.max_pages;
            return Some(Err(PaginationError::TooManyPages { max_pages }.into()));
        }
        self.pages += 1;
        let mut page = match (self.fetch)(self.cursor.take()).await {
            Ok(page) => page,
            Err(error) => return Some(Err(error)),
        };
        if page.items.is_empty() {
            return None;
        }
        page.next_starting_after.take_if(|cursor| cursor.is_empty());
        page.items
            .retain(|item| !self.previous_keys.contains(item.key()));
        self.previous_keys = page
            .items
            .iter()
            .map(|item| item.key().to_owned())
            .collect();
        if let Some(next) = &page.next_starting_after {
            if !self.seen.insert(next.clone()) {
                let cursor = next.clone();
                return Some(Err(PaginationError::RepeatedCursor { cursor }.into()));
            }
            self.cursor = Some(next.clone());
        }
        Some(Ok(page))
    }
}

/// Flattens a page stream into its items.
pub(crate) fn items<T>(
    pages: impl Stream<Item = Result<Page<T>, Error>>,
) -> impl Stream<Item = Result<T, Error>> {
    pages
        .map_ok(|page| stream::iter(page.items.into_iter().map(Ok)))
        .try_flatten()
}

/// Drains a stream into a vector, stopping at the first error.
pub async fn collect_all<T>(stream: impl Stream<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
    stream.try_collect().await
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    struct Item(String);

    impl Keyed for Item {
        fn key(&self) -> &str {
            &self.0
        }
    }

    fn page(ids: &[&str], next: Option<&str>) -> Page<Item> {
        let items = ids.iter().map(|id| Item(id.to_string())).collect();
        Page {
            items,
            next_starting_after: next.map(str::to_owned),
        }
    }

    /// Serves `script[i]` for the i-th request and records the cursors asked for.
    async fn walk(
        script: Vec<Page<Item>>,
    ) -> (Vec<Result<Vec<String>, Error>>, Vec<Option<String>>) {
        let asked = std::sync::Mutex::new(Vec::new());
        let script = std::sync::Mutex::new(script.into_iter());
        let stream = pages(None, 10, |cursor| {
            asked.lock().unwrap().push(cursor);
            let next = script
                .lock()
                .unwrap()
                .next()
                .expect("no request beyond the script");
            async move { Ok(next) }
        });
        let results = stream
            .map(|page| page.map(|p| p.items.into_iter().map(|i| i.0).collect()))
            .collect()
            .await;
        (results, asked.into_inner().unwrap())
    }

    #[tokio::test]
    async fn a_walk_follows_cursors_and_stops_on_an_empty_page() {
        let (pages, asked) = walk(vec![
            page(&["a", "b"], Some("b")),
            page(&["c"], Some("c")),
            page(&[], Some("c")),
        ])
        .await;
        let ids: Vec<Vec<String>> = pages.into_iter().map(Result::unwrap).collect();
        assert_eq!(ids, vec![vec!["a", "b"], vec!["c"]]);
        assert_eq!(asked, vec![None, Some("b".into()), Some("c".into())]);
    }

    #[tokio::test]
    async fn an_empty_cursor_counts_as_no_cursor() {
        let (pages, asked) = walk(vec![page(&["a"], Some(""))]).await;
        assert_eq!((pages.len(), asked.len()), (1, 1));
    }

    #[tokio::test]
    async fn a_walk_stops_on_a_page_without_a_cursor() {
        let (pages, asked) = walk(vec![page(&["a"], Some("a")), page(&["b"], None)]).await;
        assert_eq!(pages.len(), 2);
        assert_eq!(asked.len(), 2);
    }

    #[tokio::test]
    async fn a_repeated_cursor_is_an_error_not_a_loop() {
        let script = vec![
            page(&["a"], Some("a")),
            page(&["b"], Some("a")),
            page(&["c"], None),
        ];
        let (pages, asked) = walk(script).await;
        assert_eq!(asked.len(), 2);
        let error = pages.into_iter().last().unwrap().unwrap_err();
        assert!(matches!(
            error,
            Error::Pagination(PaginationError::RepeatedCursor { .. })
        ));
    }

    #[tokio::test]
    async fn items_repeated_from_the_previous_page_are_dropped() {
        let script = vec![page(&["a", "b"], Some("b")), page(&["b", "c"], None)];
        let (pages, _) = walk(script).await;
        let ids: Vec<Vec<String>> = pages.into_iter().map(Result::unwrap).collect();
        assert_eq!(ids, vec![vec!["a", "b"], vec!["c"]]);
    }

    #[tokio::test]
    async fn a_runaway_walk_is_cut_at_the_page_cap() {
        let script = (0..11)
            .map(|i| page(&[i.to_string().as_str()], Some(i.to_string().as_str())))
            .collect();
        let (pages, asked) = walk(script).await;
        assert_eq!(asked.len(), 10);
        let error = pages.into_iter().last().unwrap().unwrap_err();
        assert!(matches!(
            error,
            Error::Pagination(PaginationError::TooManyPages { .. })
        ));
    }
}
