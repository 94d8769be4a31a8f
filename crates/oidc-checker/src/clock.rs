//! Time source, injectable so tests can move time without sleeping.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the checker gets "now" from, for token times (`exp`, `nbf`, `iat`) and cache ages.
pub trait Clock: Send + Sync + 'static {
    /// Time since the Unix epoch.
    fn now(&self) -> Duration;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// A clock that only moves when told to (for tests and simulations).
#[derive(Debug)]
pub struct ManualClock(Mutex<Duration>);

impl ManualClock {
    /// Starts at `unix_seconds`.
    pub fn new(unix_seconds: u64) -> Self {
        ManualClock(Mutex::new(Duration::from_secs(unix_seconds)))
    }

    /// Starts at the current system time.
    pub fn starting_now() -> Self {
        ManualClock(Mutex::new(SystemClock.now()))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    pub fn set(&self, unix_seconds: u64) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Duration::from_secs(unix_seconds);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<C: Clock> Clock for std::sync::Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }
}
