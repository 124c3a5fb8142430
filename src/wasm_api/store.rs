//! The history store the browser façade uses: IndexedDB normally, memory when the page asks
//! for no persistence (`persist: false`). One closed enum, chosen at load.

use super::idb::IdbStore;
use crate::history::store::{HistoryStore, MemoryStore};
use crate::history::Event;
use crate::Result;

pub enum BrowserStore {
    IndexedDb(IdbStore),
    Memory(MemoryStore),
}

impl HistoryStore for BrowserStore {
    async fn load(&self) -> Result<Vec<Event>> {
        match self {
            BrowserStore::IndexedDb(s) => s.load().await,
            BrowserStore::Memory(s) => s.load().await,
        }
    }

    async fn append(&self, event: &Event, drop: &[usize]) -> Result<()> {
        match self {
            BrowserStore::IndexedDb(s) => s.append(event, drop).await,
            BrowserStore::Memory(s) => s.append(event, drop).await,
        }
    }

    async fn remove(&self, drop: &[usize]) -> Result<()> {
        match self {
            BrowserStore::IndexedDb(s) => s.remove(drop).await,
            BrowserStore::Memory(s) => s.remove(drop).await,
        }
    }

    async fn replace(&self, events: &[Event]) -> Result<()> {
        match self {
            BrowserStore::IndexedDb(s) => s.replace(events).await,
            BrowserStore::Memory(s) => s.replace(events).await,
        }
    }
}
