//! Where "now" comes from.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

/// Where "now" comes from; tests set it to sign forms that are already expired, or
/// move it on to let reservations expire.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

/// Moves an [`Clock::adjustable`] clock on.
#[derive(Clone)]
pub struct ClockHandle(Arc<AtomicI64>);

impl ClockHandle {
    /// Moves the clock on by `by`.
    pub fn advance(&self, by: time::Duration) {
        self.0.fetch_add(by.whole_seconds(), Ordering::SeqCst);
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(OffsetDateTime::now_utc))
    }

    /// The system clock moved by `offset` (negative: the past).
    pub fn shifted(offset: time::Duration) -> Self {
        Self(Arc::new(move || OffsetDateTime::now_utc() + offset))
    }

    /// The system clock, and a handle that moves it on.
    pub fn adjustable() -> (Self, ClockHandle) {
        let offset = Arc::new(AtomicI64::new(0));
        let read = Arc::clone(&offset);
        let clock = Self(Arc::new(move || {
            OffsetDateTime::now_utc() + time::Duration::seconds(read.load(Ordering::SeqCst))
        }));
        (clock, ClockHandle(offset))
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }

    /// The current time in Unix seconds, as the database stores times.
    pub fn unix_now(&self) -> i64 {
        self.now().unix_timestamp()
    }
}
