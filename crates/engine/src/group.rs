//! Group commit: the durable writes of sellers that arrive while a commit is on its
//! way to disk are made together, in one transaction, with one `fsync`.
//!
//! The first writer to find nobody committing becomes the leader: it takes every
//! queued write, runs each in its own savepoint (each all-or-nothing, as alone), commits
//! once, and only then tells each writer its answer. Writers that arrive meanwhile
//! wait without holding a thread, so the runtime keeps talking to the providers while
//! the disk works. A writer is told "saved" only after the commit is on disk; if the
//! commit fails, every writer of that group is told nothing was saved.

use crate::{EngineError, Result, SharedStore};
use airtill_store::{Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::sync::oneshot;

/// A queued write: runs against the store inside the group's transaction and hands
/// back what to tell its writer once the commit is known to be on disk.
type Job = Box<dyn FnOnce(&mut Store) -> Reply + Send>;
type Reply = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    leading: bool,
}

pub(crate) struct GroupCommit {
    store: SharedStore,
    queue: Mutex<Queue>,
    /// Groups committed so far (each one durable commit).
    commits: AtomicU64,
}

/// Resets `leading` if the leader panics, so that the next writer leads.
struct Leading<'a>(&'a GroupCommit);

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.queue.lock().unwrap_or_else(|p| p.into_inner()).leading = false;
        }
    }
}

impl GroupCommit {
    pub(crate) fn new(store: SharedStore) -> GroupCommit {
        GroupCommit { store, queue: Mutex::new(Queue::default()), commits: AtomicU64::new(0) }
    }

    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` in the next group and returns its answer once the group's commit is
    /// on disk. `f` sees the writes of the group made before it (a second request with
    /// the same id finds the first).
    pub(crate) async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static) -> Result<T> {
        let (tx, rx) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |store: &mut Store| {
            // Each write all or nothing within the group: one that fails leaves nothing.
            let answer = store.whole(f);
            Box::new(move || {
                let _ = tx.send(answer);
            })
        });
        let lead = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            q.jobs.push(job);
            !std::mem::replace(&mut q.leading, true)
        };
        if lead {
            self.lead();
        }
        // A dropped sender: the group's commit failed (or its leader died), so nothing
        // of this write is on disk.
        rx.await.unwrap_or_else(|_| Err(EngineError::Store(StoreError::NotSaved("the database refused the commit".into()))))
    }

    fn lead(&self) {
        let _guard = Leading(self);
        loop {
            let jobs = {
                let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                if q.jobs.is_empty() {
                    q.leading = false;
                    return;
                }
                std::mem::take(&mut q.jobs)
            };
            let committed = {
                let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
                store.group(|s| jobs.into_iter().map(|job| job(s)).collect::<Vec<Reply>>())
            };
            match committed {
                Ok(replies) => {
                    self.commits.fetch_add(1, Ordering::Relaxed);
                    replies.into_iter().for_each(|reply| reply())
                }
                Err(e) => tracing::error!("a group of sale writes was not saved: {e}"),
            }
        }
    }
}
