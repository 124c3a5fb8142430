//! Several pages (tabs, workers) of one store share one IndexedDB database: after each committed
//! write an instance posts a notice on `BroadcastChannel("localrank/<namespace>")`, and every
//! other instance of that namespace re-reads the store on it (`Engine::reload_history`), so its
//! `history()` and `recommend()` follow. Without `BroadcastChannel` (Safari < 15.4) instances
//! still share the database; they see the others' events on `reloadHistory()` or at the next load.

use std::rc::Weak;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::BroadcastChannel;

use super::store::BrowserStore;
use crate::recommender::Engine;

/// One instance's membership of its namespace's channel.
pub struct Tabs {
    channel: BroadcastChannel,
    _on_notice: Closure<dyn FnMut()>,
}

impl Tabs {
    /// Joins the channel of `namespace`: every notice from another instance reloads `engine`.
    pub fn join(namespace: &str, engine: Weak<Engine<BrowserStore>>) -> Option<Self> {
        let channel = BroadcastChannel::new(&super::idb::database_name(namespace)).ok()?;
        let on_notice = Closure::<dyn FnMut()>::new(move || {
            if let Some(engine) = engine.upgrade() {
                // A failed reload leaves this instance's history as it was; the next notice or
                // `reloadHistory()` tries again.
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = engine.reload_history().await;
                });
            }
        });
        channel.set_onmessage(Some(on_notice.as_ref().unchecked_ref()));
        Some(Self {
            channel,
            _on_notice: on_notice,
        })
    }

    /// The channel, for a write that announces itself once committed.
    pub fn sender(&self) -> BroadcastChannel {
        self.channel.clone()
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

/// Tells the other instances on `channel` that the stored history changed.
pub fn post(channel: &BroadcastChannel) {
    let _ = channel.post_message(&JsValue::TRUE);
}

/// Tells every instance of `namespace` that its stored history changed (or is gone).
pub fn announce_to(namespace: &str) {
    if let Ok(channel) = BroadcastChannel::new(&super::idb::database_name(namespace)) {
        post(&channel);
        channel.close();
    }
}
