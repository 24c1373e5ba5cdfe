//! Pages read one ahead in their own task, so fetching the next page overlaps writing this one.

use futures::{Stream, StreamExt};
use instantly::Page;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::SyncResult;

pub struct Prefetch<T> {
    pages: mpsc::Receiver<instantly::Result<Page<T>>>,
    task: JoinHandle<()>,
}

impl<T: Send + 'static> Prefetch<T> {
    /// Reads at most `budget` pages, so a slice never asks Instantly for a page it won't use.
    pub fn new(
        pages: impl Stream<Item = instantly::Result<Page<T>>> + Send + 'static,
        budget: u64,
    ) -> Self {
        let (sender, receiver) = mpsc::channel(1);
        let task = tokio::spawn(async move {
            let mut pages = std::pin::pin!(pages);
            for _ in 0..budget {
                let Some(page) = pages.next().await else {
                    break;
                };
                let failed = page.is_err();
                if sender.send(page).await.is_err() || failed {
                    break;
                }
            }
        });
        Self {
            pages: receiver,
            task,
        }
    }

    /// The next page; the end of the chain reads as an empty last page.
    pub async fn next(&mut self) -> SyncResult<Page<T>> {
        Ok(self.pages.recv().await.transpose()?.unwrap_or(Page {
            items: Vec::new(),
            next_starting_after: None,
        }))
    }
}

impl<T> Drop for Prefetch<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}
