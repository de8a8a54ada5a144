//! The result and the error of a lifecycle transition.
//!
//! The incoming and outgoing state machines (DOMAIN.md §7(b)) are pure functions that take the
//! current state, an action and the current instant, and return either a [`Transition`] for `app`
//! to persist and audit, or a [`TransitionError`]. Time is an argument so that `domain` never reads
//! a clock (STYLE.md §4).

use time::OffsetDateTime;

/// A state change that the rules allow, ready to be persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S> {
    /// The state before the action.
    pub from: S,
    /// The state after the action; equal to `from` for a self-loop such as reassignment.
    pub to: S,
    /// When the action happened, as given by the caller's clock.
    pub at: OffsetDateTime,
}

/// An action that the rules do not allow in the current state.
///
/// Both fields are stable codes (`IncomingState::code`, `IncomingAction::code` and their outgoing
/// counterparts), so `app` can pass them on as a machine-readable `InvalidState { from, action }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a document in state {from}")]
pub struct TransitionError {
    /// The code of the state the document was in.
    pub from: &'static str,
    /// The code of the action that was refused.
    pub action: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_action_and_state() {
        let error = TransitionError {
            from: "returned",
            action: "register",
        };
        assert_eq!(
            error.to_string(),
            "cannot register a document in state returned"
        );
    }
}
