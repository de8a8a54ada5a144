//! The application clock: the one place that reads the system time.
//!
//! Time is a parameter everywhere else (domain transitions take `now`), so tests run at fixed
//! instants (testkit's `FixedClock`) and certificates cannot expire under CI.

use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, truncated to whole microseconds so that it survives a round trip
    /// through either database unchanged (the audit chain hashes it).
    fn now(&self) -> OffsetDateTime;
}

/// The system's real-time clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the application clock is the one place that reads the time"
    )]
    fn now(&self) -> OffsetDateTime {
        truncate_to_micros(OffsetDateTime::now_utc())
    }
}

/// Drops the nanoseconds below one microsecond.
pub(crate) fn truncate_to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let micros = at.microsecond();
    at.replace_microsecond(micros).unwrap_or(at)
}
