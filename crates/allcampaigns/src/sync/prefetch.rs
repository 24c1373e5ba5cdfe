//! Pages read one ahead in their own task, so fetching the next page overlaps writing this one.
//! A stream may also prepare each page there (turning items into rows, sanitizing HTML) on the
//! blocking pool, so that work overlaps the write too.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use instantly::Page;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::SyncResult;

type Prepare<T, P> = Arc<dyn Fn(&[T]) -> P + Send + Sync>;

/// A page and what was prepared from its items.
pub struct Ready<T, P> {
    pub page: Page<T>,
    pub prepared: P,
}

pub struct Prefetch<T, P> {
    pages: mpsc::Receiver<instantly::Result<Ready<T, P>>>,
    task: Option<JoinHandle<()>>,
    prepare: Prepare<T, P>,
}

impl<T: Send + Sync + 'static, P: Send + 'static> Prefetch<T, P> {
    /// Reads at most `budget` pages, so a slice never asks Instantly for a page it won't use,
    /// and runs `prepare` on each page's items before handing it over.
    pub fn new(
        pages: impl Stream<Item = instantly::Result<Page<T>>> + Send + 'static,
        budget: u64,
        prepare: impl Fn(&[T]) -> P + Send + Sync + 'static,
    ) -> Self {
        let prepare: Prepare<T, P> = Arc::new(prepare);
        let (sender, receiver) = mpsc::channel(1);
        let task = tokio::spawn(read_ahead(pages, budget, prepare.clone(), sender));
        Self {
            pages: receiver,
            task: Some(task),
            prepare,
        }
    }

    /// The next page; the end of the chain reads as an empty last page. A panic while reading
    /// or preparing is raised here, never mistaken for the end.
    pub async fn next(&mut self) -> SyncResult<Ready<T, P>> {
        if let Some(ready) = self.pages.recv().await {
            return Ok(ready?);
        }
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
            && error.is_panic()
        {
            std::panic::resume_unwind(error.into_panic());
        }
        Ok(Ready {
            prepared: (self.prepare)(&[]),
            page: Page {
                items: Vec::new(),
                next_starting_after: None,
            },
        })
    }
}

async fn read_ahead<T: Send + Sync + 'static, P: Send + 'static>(
    pages: impl Stream<Item = instantly::Result<Page<T>>> + Send + 'static,
    budget: u64,
    prepare: Prepare<T, P>,
    sender: mpsc::Sender<instantly::Result<Ready<T, P>>>,
) {
    let mut pages = std::pin::pin!(pages);
    for _ in 0..budget {
        let Some(page) = pages.next().await else {
            break;
        };
        let ready = match page {
            Ok(page) => {
                let prepare = prepare.clone();
                let done = tokio::task::spawn_blocking(move || {
                    let prepared = prepare(&page.items);
                    Ready { page, prepared }
                });
                match done.await {
                    Ok(ready) => Ok(ready),
                    Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                    // The runtime is shutting down.
                    Err(_) => break,
                }
            }
            Err(error) => Err(error),
        };
        let failed = ready.is_err();
        if sender.send(ready).await.is_err() || failed {
            break;
        }
    }
}

impl<T, P> Drop for Prefetch<T, P> {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
