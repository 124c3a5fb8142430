//! A single-threaded async lock: the engine's storage-touching operations (record, import,
//! clear) run one at a time, in call order, even when JS fires several without awaiting.
//! Nothing here blocks: waiting is `Pending` plus a waker, so it is safe on the browser's main
//! thread. Not `Send`, on purpose.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};

/// FIFO async mutex without data (the data it guards lives in `RefCell`s, borrowed briefly).
#[derive(Debug, Default)]
pub struct Serial {
    busy: Cell<bool>,
    next_ticket: Cell<u64>,
    serving: Cell<u64>,
    waiters: RefCell<Vec<Waker>>,
}

/// Held while an operation runs; releasing it lets the next caller in.
pub struct Turn<'a>(&'a Serial);

impl Serial {
    /// Waits for this caller's turn (first come, first served).
    pub async fn turn(&self) -> Turn<'_> {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket + 1);
        poll_fn(|cx| {
            if !self.busy.get() && self.serving.get() == ticket {
                self.busy.set(true);
                Poll::Ready(())
            } else {
                self.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let s = self.0;
        s.busy.set(false);
        s.serving.set(s.serving.get() + 1);
        // Wake everyone waiting; only the holder of the next ticket proceeds.
        let waiters = std::mem::take(&mut *s.waiters.borrow_mut());
        for w in waiters {
            w.wake();
        }
    }
}
