//! This process's queue for SQLite's one write lock. SQLite's own wait (the busy handler) sleeps
//! in growing steps of up to 100 ms and serves no one in turn, so a click waited up to 2 s
//! behind a backfill's pages; writers here queue first come first served instead, and SQLite's
//! wait is left to other processes on the same file.
//!
//! A person's write also goes before queued background writes (sync's pages): with two sync
//! lanes one page always waited for the other, and a click arriving then waited for both. Now
//! it waits at most for the transaction already running.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

#[derive(Clone, Default)]
pub struct WriteGate(Arc<Inner>);

#[derive(Default)]
struct Inner {
    lock: Arc<Mutex<()>>,
    /// People's writes waiting for the lock; background writes let them go first.
    people_waiting: AtomicUsize,
    none_waiting: Notify,
}

/// A turn at the write lock, held until the transaction ends.
pub type Turn = OwnedMutexGuard<()>;

/// Who a write is for, which decides its place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Person,
    Background,
}

impl WriteGate {
    pub async fn turn(&self, writer: Writer) -> Turn {
        match writer {
            Writer::Person => self.person_turn().await,
            Writer::Background => self.background_turn().await,
        }
    }

    /// A person's write (and any other short one): first come first served among these.
    async fn person_turn(&self) -> Turn {
        let waiting = Waiting::new(&self.0);
        let turn = self.0.lock.clone().lock_owned().await;
        drop(waiting);
        turn
    }

    /// A background write: waits while people's writes are queued, and hands a turn it was
    /// given straight on when one arrived meanwhile.
    async fn background_turn(&self) -> Turn {
        loop {
            self.no_person_waiting().await;
            let turn = self.0.lock.clone().lock_owned().await;
            if self.0.people_waiting.load(Ordering::Acquire) == 0 {
                return turn;
            }
        }
    }

    async fn no_person_waiting(&self) {
        loop {
            // Registered before the check, so a wake between the two is not lost.
            let woken = self.0.none_waiting.notified();
            if self.0.people_waiting.load(Ordering::Acquire) == 0 {
                return;
            }
            woken.await;
        }
    }
}

/// Counts a person's write as waiting until it has its turn or gives up (a timeout drops it).
struct Waiting<'a>(&'a Inner);

impl<'a> Waiting<'a> {
    fn new(gate: &'a Inner) -> Self {
        gate.people_waiting.fetch_add(1, Ordering::AcqRel);
        Self(gate)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.0.people_waiting.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.none_waiting.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use tokio::task::JoinHandle;

    use super::{WriteGate, Writer};

    /// With one background write running and another queued, a person's write that arrives
    /// goes next; the queued background write follows it.
    #[tokio::test]
    async fn a_person_goes_before_queued_background_writes() {
        let gate = WriteGate::default();
        let (order, mut finished) = mpsc::unbounded_channel();
        let running = gate.background_turn().await;
        let queued = wait_for_turn(&gate, Writer::Background, &order);
        tokio::time::sleep(Duration::from_millis(20)).await;
        let person = wait_for_turn(&gate, Writer::Person, &order);
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(running);
        queued.await.unwrap();
        person.await.unwrap();
        assert_eq!(finished.recv().await, Some(Writer::Person));
        assert_eq!(finished.recv().await, Some(Writer::Background));
    }

    /// Takes a turn in a task of its own and tells `order` when it has it.
    fn wait_for_turn(
        gate: &WriteGate,
        writer: Writer,
        order: &mpsc::UnboundedSender<Writer>,
    ) -> JoinHandle<()> {
        let (gate, order) = (gate.clone(), order.clone());
        tokio::spawn(async move {
            let _turn = gate.turn(writer).await;
            order.send(writer).unwrap();
        })
    }

    /// A person who gave up waiting (a timeout) does not hold background writes back.
    #[tokio::test]
    async fn a_person_who_gave_up_does_not_block_the_background() {
        let gate = WriteGate::default();
        let running = gate.person_turn().await;
        let gave_up = tokio::time::timeout(Duration::from_millis(10), gate.person_turn()).await;
        assert!(gave_up.is_err());
        drop(running);
        let background = tokio::time::timeout(Duration::from_secs(1), gate.background_turn());
        assert!(background.await.is_ok());
    }
}
