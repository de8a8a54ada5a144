//! Fail points: named places where a test can make the process die, to prove that a crash there
//! leaves a state from which the step can be retried (issue 5: "a crash between the leader's
//! signature and the numbering leaves the document retryable, with no number consumed twice").
//!
//! A fail point fires only when the environment variable `VANTHU_FAILPOINT` names it, and it
//! exists only in debug builds (`debug_assertions`, which is how tests and `cargo run` build) or
//! when the `failpoints` feature of this crate is on. A release build, which is how the server is
//! built for production (`cargo build --release`), compiles [`hit`] to nothing, so no environment
//! can make a production process abort. It aborts rather than exits: no destructor, flush or
//! rollback runs, as with a killed process.

/// The environment variable naming the fail point to fire.
#[cfg(any(debug_assertions, feature = "failpoints"))]
const VARIABLE: &str = "VANTHU_FAILPOINT";

/// Aborts the process when `VANTHU_FAILPOINT` is `name`.
#[cfg(any(debug_assertions, feature = "failpoints"))]
pub(crate) fn hit(name: &str) {
    if std::env::var_os(VARIABLE).is_some_and(|value| value == name) {
        tracing::error!(failpoint = name, "fail point reached: aborting the process");
        std::process::abort();
    }
}

/// Fail points are compiled out of release builds without the `failpoints` feature.
#[cfg(not(any(debug_assertions, feature = "failpoints")))]
pub(crate) fn hit(_name: &str) {}
