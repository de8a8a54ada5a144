//! The lifecycle of an incoming document (văn bản đến).
//!
//! Decree 30/2020, Điều 20–24 and DOMAIN.md §7(b): a document is received, then either returned
//! to the sender (failed integrity check or wrong addressee, Điều 21.2) or registered with an
//! arrival number (Điều 22), presented to the leader (Điều 23.1), assigned with a deadline
//! (Điều 23.2–4), handled (Điều 24) and filed into a record file. The sender may recall it at any
//! point before it is returned or recalled. The edXML status codes 01–06 of QCVN 102:2016
//! (Sửa đổi 1:2022) are reported back to the sender on entering the matching states.
//!
//! Refusing a recall returns the document to the state it was in when the recall was requested.
//! [`IncomingState`] is a plain code, persisted as one text column, so it cannot remember that
//! state; the caller stores it alongside (for example a `state_before_recall` column) when
//! [`apply`] moves a document to [`IncomingState::RecallPending`], and passes it back to
//! [`apply_refuse_recall`], which checks it. [`apply`] itself therefore refuses
//! [`IncomingAction::RefuseRecall`].

use time::OffsetDateTime;

use crate::error::{ParseError, parse_code};
use crate::transition::{Transition, TransitionError};

/// Where an incoming document is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomingState {
    /// Đã đến: received, not yet registered (edXML 01).
    Received,
    /// Đã trả lại: returned to the sender without registration (edXML 02).
    Returned,
    /// Đã vào sổ: registered with an arrival number (edXML 03).
    Registered,
    /// Chờ phân công: presented to the leader, who has not yet assigned it (edXML 04).
    AwaitingAssignment,
    /// Đang xử lý: assigned to a lead unit or person with a deadline (edXML 05).
    InProgress,
    /// Đã xử lý xong: handled, replied to or closed (edXML 06).
    Done,
    /// Đã lập hồ sơ: linked to a record file.
    Filed,
    /// Chờ thu hồi: the sender asked to recall it; the clerk has not yet answered.
    RecallPending,
    /// Đã thu hồi: recalled; the file is deleted and the metadata kept (Điều 18.4).
    Recalled,
}

/// Something a person does to an incoming document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncomingAction {
    /// Return the document to its sender (Điều 21.2).
    Return,
    /// Register it and give it an arrival number (Điều 22).
    Register,
    /// Present it to the competent leader (Điều 23.1).
    Present,
    /// Assign a lead unit or person and a deadline (Điều 23.2–4).
    Assign,
    /// Change the assignment of a document being handled.
    Reassign,
    /// Mark it handled (Điều 24).
    Complete,
    /// Put it into a record file (Điều 28).
    File,
    /// Record the sender's recall request (edXML status 13).
    RequestRecall,
    /// Accept the recall and delete the file (edXML status 15).
    AcceptRecall,
    /// Refuse the recall (edXML status 16); see [`apply_refuse_recall`].
    RefuseRecall,
}

impl IncomingState {
    /// Every state, in lifecycle order.
    pub const ALL: [IncomingState; 9] = [
        IncomingState::Received,
        IncomingState::Returned,
        IncomingState::Registered,
        IncomingState::AwaitingAssignment,
        IncomingState::InProgress,
        IncomingState::Done,
        IncomingState::Filed,
        IncomingState::RecallPending,
        IncomingState::Recalled,
    ];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            IncomingState::Received => "received",
            IncomingState::Returned => "returned",
            IncomingState::Registered => "registered",
            IncomingState::AwaitingAssignment => "awaiting_assignment",
            IncomingState::InProgress => "in_progress",
            IncomingState::Done => "done",
            IncomingState::Filed => "filed",
            IncomingState::RecallPending => "recall_pending",
            IncomingState::Recalled => "recalled",
        }
    }

    /// Parses a code produced by [`IncomingState::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the state codes.
    pub fn parse(code: &str) -> Result<IncomingState, ParseError> {
        parse_code(
            "incoming state",
            &IncomingState::ALL,
            IncomingState::code,
            code,
        )
    }

    /// The Vietnamese label shown in lists and on the document page.
    pub fn label_vi(self) -> &'static str {
        match self {
            IncomingState::Received => "Đã đến",
            IncomingState::Returned => "Đã trả lại",
            IncomingState::Registered => "Đã vào sổ",
            IncomingState::AwaitingAssignment => "Chờ phân công",
            IncomingState::InProgress => "Đang xử lý",
            IncomingState::Done => "Đã xử lý xong",
            IncomingState::Filed => "Đã lập hồ sơ",
            IncomingState::RecallPending => "Chờ thu hồi",
            IncomingState::Recalled => "Đã thu hồi",
        }
    }

    /// The edXML `StatusCode` to report to the sender on entering this state, if any.
    ///
    /// Filing is internal, so the sender keeps seeing 06; the recall states answer the sender's
    /// recall message (13) with 15 or 16, which are messages rather than states.
    pub fn status_code(self) -> Option<u8> {
        match self {
            IncomingState::Received => Some(1),
            IncomingState::Returned => Some(2),
            IncomingState::Registered => Some(3),
            IncomingState::AwaitingAssignment => Some(4),
            IncomingState::InProgress => Some(5),
            IncomingState::Done => Some(6),
            IncomingState::Filed | IncomingState::RecallPending | IncomingState::Recalled => None,
        }
    }

    /// Whether the sender may still recall the document from this state.
    ///
    /// A returned or recalled document is no longer held, and a pending recall cannot be
    /// requested twice; these are also the only states a refused recall may return to.
    pub fn is_recallable(self) -> bool {
        !matches!(
            self,
            IncomingState::Returned | IncomingState::RecallPending | IncomingState::Recalled
        )
    }

    /// Whether no further action applies.
    pub fn is_final(self) -> bool {
        matches!(self, IncomingState::Returned | IncomingState::Recalled)
    }
}

impl IncomingAction {
    /// Every action.
    pub const ALL: [IncomingAction; 10] = [
        IncomingAction::Return,
        IncomingAction::Register,
        IncomingAction::Present,
        IncomingAction::Assign,
        IncomingAction::Reassign,
        IncomingAction::Complete,
        IncomingAction::File,
        IncomingAction::RequestRecall,
        IncomingAction::AcceptRecall,
        IncomingAction::RefuseRecall,
    ];

    /// The stable machine code, used in errors and audit events.
    pub fn code(self) -> &'static str {
        match self {
            IncomingAction::Return => "return",
            IncomingAction::Register => "register",
            IncomingAction::Present => "present",
            IncomingAction::Assign => "assign",
            IncomingAction::Reassign => "reassign",
            IncomingAction::Complete => "complete",
            IncomingAction::File => "file",
            IncomingAction::RequestRecall => "request_recall",
            IncomingAction::AcceptRecall => "accept_recall",
            IncomingAction::RefuseRecall => "refuse_recall",
        }
    }

    /// Parses a code produced by [`IncomingAction::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the action codes.
    pub fn parse(code: &str) -> Result<IncomingAction, ParseError> {
        parse_code(
            "incoming action",
            &IncomingAction::ALL,
            IncomingAction::code,
            code,
        )
    }
}

/// Applies `action` to a document in `state` at the instant `now`.
///
/// Presenting to the leader is the normal route, but a registered document may be assigned
/// directly when its handler is already known (Điều 23.1). [`IncomingAction::RefuseRecall`] is
/// always refused here; use [`apply_refuse_recall`].
///
/// # Errors
/// Returns a [`TransitionError`] when the action is not allowed in `state`.
pub fn apply(
    state: IncomingState,
    action: IncomingAction,
    now: OffsetDateTime,
) -> Result<Transition<IncomingState>, TransitionError> {
    use IncomingAction as A;
    use IncomingState as S;
    let to = match (state, action) {
        (S::Received, A::Return) => S::Returned,
        (S::Received, A::Register) => S::Registered,
        (S::Registered, A::Present) => S::AwaitingAssignment,
        (S::Registered | S::AwaitingAssignment, A::Assign) => S::InProgress,
        (S::InProgress, A::Reassign) => S::InProgress,
        (S::InProgress, A::Complete) => S::Done,
        (S::Done, A::File) => S::Filed,
        (from, A::RequestRecall) if from.is_recallable() => S::RecallPending,
        (S::RecallPending, A::AcceptRecall) => S::Recalled,
        _ => {
            return Err(TransitionError {
                from: state.code(),
                action: action.code(),
            });
        }
    };
    Ok(Transition {
        from: state,
        to,
        at: now,
    })
}

/// Refuses a pending recall, returning the document to `previous`, the state it was in when the
/// recall was requested (the `from` of that [`Transition`]).
///
/// # Errors
/// Returns a [`TransitionError`] naming `state` when it is not
/// [`IncomingState::RecallPending`], or naming `previous` when no recall could have been
/// requested from it.
pub fn apply_refuse_recall(
    state: IncomingState,
    previous: IncomingState,
    now: OffsetDateTime,
) -> Result<Transition<IncomingState>, TransitionError> {
    let refused = |from: IncomingState| TransitionError {
        from: from.code(),
        action: IncomingAction::RefuseRecall.code(),
    };
    if state != IncomingState::RecallPending {
        return Err(refused(state));
    }
    if !previous.is_recallable() {
        return Err(refused(previous));
    }
    Ok(Transition {
        from: state,
        to: previous,
        at: now,
    })
}

/// Whether a document should be chased: its deadline has passed and it is still open.
///
/// Done, filed, returned and recalled documents are never overdue; neither is a document without
/// a deadline. The deadline itself is not yet late (`now > deadline`).
pub fn is_overdue(
    state: IncomingState,
    deadline: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    let closed = matches!(
        state,
        IncomingState::Done
            | IncomingState::Filed
            | IncomingState::Returned
            | IncomingState::Recalled
    );
    match deadline {
        Some(deadline) => !closed && now > deadline,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    use IncomingAction as A;
    use IncomingState as S;

    const NOW: OffsetDateTime = datetime!(2025-03-05 09:30 +07:00);

    /// The allowed transitions, written out independently of `apply` (DOMAIN.md §7(b)).
    const ALLOWED: &[(S, A, S)] = &[
        (S::Received, A::Return, S::Returned),
        (S::Received, A::Register, S::Registered),
        (S::Registered, A::Present, S::AwaitingAssignment),
        (S::Registered, A::Assign, S::InProgress),
        (S::AwaitingAssignment, A::Assign, S::InProgress),
        (S::InProgress, A::Reassign, S::InProgress),
        (S::InProgress, A::Complete, S::Done),
        (S::Done, A::File, S::Filed),
        (S::Received, A::RequestRecall, S::RecallPending),
        (S::Registered, A::RequestRecall, S::RecallPending),
        (S::AwaitingAssignment, A::RequestRecall, S::RecallPending),
        (S::InProgress, A::RequestRecall, S::RecallPending),
        (S::Done, A::RequestRecall, S::RecallPending),
        (S::Filed, A::RequestRecall, S::RecallPending),
        (S::RecallPending, A::AcceptRecall, S::Recalled),
    ];

    fn allowed(from: S, action: A) -> Option<S> {
        ALLOWED
            .iter()
            .find(|(f, a, _)| (*f, *a) == (from, action))
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn apply_matches_the_table_for_every_pair() {
        for state in S::ALL {
            for action in A::ALL {
                let expected = match allowed(state, action) {
                    Some(to) => Ok(Transition {
                        from: state,
                        to,
                        at: NOW,
                    }),
                    None => Err(TransitionError {
                        from: state.code(),
                        action: action.code(),
                    }),
                };
                assert_eq!(apply(state, action, NOW), expected, "{state:?} {action:?}");
            }
        }
    }

    #[test]
    fn the_normal_route() {
        let route = [
            (A::Register, S::Registered),
            (A::Present, S::AwaitingAssignment),
            (A::Assign, S::InProgress),
            (A::Reassign, S::InProgress),
            (A::Complete, S::Done),
            (A::File, S::Filed),
        ];
        let mut state = S::Received;
        for (action, expected) in route {
            state = apply(state, action, NOW).unwrap().to;
            assert_eq!(state, expected);
        }
    }

    #[test]
    fn error_message_names_action_and_state() {
        let error = apply(S::Returned, A::Register, NOW).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot register a document in state returned"
        );
    }

    #[test]
    fn refusing_a_recall_returns_to_the_previous_state() {
        for previous in S::ALL {
            let actual = apply_refuse_recall(S::RecallPending, previous, NOW);
            match allowed(previous, A::RequestRecall) {
                Some(_) => assert_eq!(
                    actual,
                    Ok(Transition {
                        from: S::RecallPending,
                        to: previous,
                        at: NOW
                    })
                ),
                None => assert_eq!(
                    actual,
                    Err(TransitionError {
                        from: previous.code(),
                        action: "refuse_recall"
                    })
                ),
            }
        }
        for state in S::ALL {
            if state != S::RecallPending {
                let error = apply_refuse_recall(state, S::InProgress, NOW).unwrap_err();
                assert_eq!(error.from, state.code());
            }
        }
    }

    #[test]
    fn codes_labels_and_status_codes() {
        let check = |state: S, code: &str, label: &str, status: Option<u8>| {
            assert_eq!(state.code(), code);
            assert_eq!(S::parse(code), Ok(state));
            assert_eq!(state.label_vi(), label);
            assert_eq!(state.status_code(), status);
        };
        check(S::Received, "received", "Đã đến", Some(1));
        check(S::Returned, "returned", "Đã trả lại", Some(2));
        check(S::Registered, "registered", "Đã vào sổ", Some(3));
        check(
            S::AwaitingAssignment,
            "awaiting_assignment",
            "Chờ phân công",
            Some(4),
        );
        check(S::InProgress, "in_progress", "Đang xử lý", Some(5));
        check(S::Done, "done", "Đã xử lý xong", Some(6));
        check(S::Filed, "filed", "Đã lập hồ sơ", None);
        check(S::RecallPending, "recall_pending", "Chờ thu hồi", None);
        check(S::Recalled, "recalled", "Đã thu hồi", None);
        assert_eq!(S::parse("Received").unwrap_err().kind(), "incoming state");
        for action in A::ALL {
            assert_eq!(A::parse(action.code()), Ok(action));
        }
        assert_eq!(A::parse("approve").unwrap_err().kind(), "incoming action");
    }

    #[test]
    fn final_states_accept_no_action() {
        for state in S::ALL {
            let any_allowed = A::ALL.iter().any(|a| apply(state, *a, NOW).is_ok());
            assert_eq!(state.is_final(), !any_allowed, "{state:?}");
        }
    }

    #[test]
    fn overdue() {
        let deadline = datetime!(2025-03-10 17:00 +07:00);
        let check = |state: S, deadline: Option<OffsetDateTime>, now: OffsetDateTime, expected| {
            assert_eq!(
                is_overdue(state, deadline, now),
                expected,
                "{state:?} {now}"
            );
        };
        let before = datetime!(2025-03-10 16:59 +07:00);
        let after = datetime!(2025-03-10 10:01 UTC);
        check(S::InProgress, Some(deadline), before, false);
        check(S::InProgress, Some(deadline), deadline, false);
        check(S::InProgress, Some(deadline), after, true);
        check(S::Received, Some(deadline), after, true);
        check(S::Registered, Some(deadline), after, true);
        check(S::AwaitingAssignment, Some(deadline), after, true);
        check(S::RecallPending, Some(deadline), after, true);
        check(S::Done, Some(deadline), after, false);
        check(S::Filed, Some(deadline), after, false);
        check(S::Returned, Some(deadline), after, false);
        check(S::Recalled, Some(deadline), after, false);
        check(S::InProgress, None, after, false);
    }

    /// Picks any action, or when `prefer_allowed` one the table allows (or a refusal of a pending
    /// recall), so that sequences reach the late states often instead of stalling.
    fn pick(state: S, prefer_allowed: bool, index: usize) -> A {
        let mut candidates: Vec<A> = ALLOWED
            .iter()
            .filter(|(from, _, _)| prefer_allowed && *from == state)
            .map(|(_, action, _)| *action)
            .collect();
        if prefer_allowed && state == S::RecallPending {
            candidates.push(A::RefuseRecall);
        }
        match candidates.len() {
            0 => A::ALL[index % A::ALL.len()],
            n => candidates[index % n],
        }
    }

    proptest! {
        /// Drives the machine as `app` would, remembering the state before a recall.
        #[test]
        fn random_action_sequences_follow_the_table(
            steps in proptest::collection::vec((any::<bool>(), any::<usize>()), 0..40)
        ) {
            let mut state = S::Received;
            let mut before_recall = None;
            let mut registered = false;
            for (prefer_allowed, index) in steps {
                let action = pick(state, prefer_allowed, index);
                let result = match (action, before_recall) {
                    (A::RefuseRecall, Some(previous)) => apply_refuse_recall(state, previous, NOW),
                    _ => apply(state, action, NOW),
                };
                let Ok(transition) = result else {
                    prop_assert!(allowed(state, action).is_none() || action == A::RefuseRecall);
                    continue;
                };
                prop_assert_eq!(transition.from, state);
                match action {
                    A::RefuseRecall => prop_assert_eq!(Some(transition.to), before_recall),
                    _ => prop_assert_eq!(Some(transition.to), allowed(state, action)),
                }
                before_recall = match transition.to {
                    S::RecallPending => Some(state),
                    _ => None,
                };
                registered |= transition.to == S::Registered;
                // Nothing is handled that was not registered first (Điều 22.1).
                if matches!(transition.to, S::AwaitingAssignment | S::InProgress | S::Done | S::Filed) {
                    prop_assert!(registered);
                }
                state = transition.to;
            }
        }
    }
}
