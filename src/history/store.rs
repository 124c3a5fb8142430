//! Where history is persisted: one trait, an in-memory implementation here and an IndexedDB one
//! in the wasm façade (`wasm_api::idb`).

use super::Event;
use crate::Result;

/// Persistent storage for a history log. Implementations keep events in insertion order and are
/// atomic per call: after an error, the stored events are as they were before the call.
#[allow(async_fn_in_trait)] // used single-threaded (browser main thread); no Send bound wanted
pub trait HistoryStore {
    /// All stored events, oldest first.
    async fn load(&self) -> Result<Vec<Event>>;
    /// Appends `event` and removes the events at the ascending positions `drop` (of the stored
    /// events as this store last saw them), in one step.
    async fn append(&self, event: &Event, drop: &[usize]) -> Result<()>;
    /// Removes the events at the ascending positions `drop`, in one step. Stores shared by
    /// several writers override it to delete exactly those records (this default rewrites all).
    async fn remove(&self, drop: &[usize]) -> Result<()> {
        let events = super::retention::without(self.load().await?, drop);
        self.replace(&events).await
    }
    /// Replaces everything stored with `events` (oldest first), in one step.
    async fn replace(&self, events: &[Event]) -> Result<()>;
}

/// Keeps events in memory; the native default and the reference for store tests.
#[derive(Debug, Default)]
pub struct MemoryStore {
    events: std::cell::RefCell<Vec<Event>>,
}

impl HistoryStore for MemoryStore {
    async fn load(&self) -> Result<Vec<Event>> {
        Ok(self.events.borrow().clone())
    }

    async fn append(&self, event: &Event, drop: &[usize]) -> Result<()> {
        let mut ev = self.events.borrow_mut();
        *ev = super::retention::without(std::mem::take(&mut *ev), drop);
        ev.push(event.clone());
        Ok(())
    }

    async fn remove(&self, drop: &[usize]) -> Result<()> {
        let mut ev = self.events.borrow_mut();
        *ev = super::retention::without(std::mem::take(&mut *ev), drop);
        Ok(())
    }

    async fn replace(&self, events: &[Event]) -> Result<()> {
        *self.events.borrow_mut() = events.to_vec();
        Ok(())
    }
}
