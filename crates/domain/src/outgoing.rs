//! The lifecycle of an outgoing document (văn bản đi).
//!
//! Decree 30/2020, Điều 10–19 and DOMAIN.md §7(b): an officer drafts (Điều 10), the unit head and
//! the format checker review (Điều 12), the signer approves and signs with a personal signature
//! (Điều 11, 13), and the clerk numbers and dates it from the register, applies the agency's
//! digital signature (the electronic seal) and issues it (Điều 14–15, 18). After issue the
//! original is archived in the system (Điều 19), or the document is replaced (wrong content),
//! corrected by a công văn (format error) or recalled (Điều 18.3–4); those four states are final,
//! and a recalled document is frozen (Phụ lục VI §III.8).

use time::OffsetDateTime;

use crate::error::{ParseError, parse_code};
use crate::transition::{Transition, TransitionError};

/// Where an outgoing document is in its preparation and issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutgoingState {
    /// Dự thảo: being written or revised by its drafter.
    Draft,
    /// Đang kiểm tra: content and format checks (Điều 12).
    UnderReview,
    /// Chờ ký: approved, waiting for the competent signer (Điều 13).
    AwaitingSignature,
    /// Đã ký: carries the signer's personal digital signature.
    Signed,
    /// Đã cấp số: has its number and date from the register (Điều 15).
    Numbered,
    /// Đã ký số cơ quan: carries the agency's digital signature (Điều 14.1.c).
    Sealed,
    /// Đã ban hành: sent to its recipients (Điều 18.1).
    Issued,
    /// Đã bị thay thế: replaced by a new document because of wrong content (Điều 18.3).
    Replaced,
    /// Đã đính chính: corrected by a công văn because of a format error (Điều 18.3).
    Corrected,
    /// Đã thu hồi: recalled and frozen (Điều 18.4).
    Recalled,
    /// Đã lưu bản gốc: the original is kept in the system and filed (Điều 19).
    Archived,
}

/// Something a person does to an outgoing document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutgoingAction {
    /// Send the draft for review.
    Submit,
    /// Send the draft back to its drafter from review.
    ReturnForRevision,
    /// Approve the reviewed draft for signature (Điều 11).
    Approve,
    /// Sign with the signer's personal certificate (Điều 13).
    Sign,
    /// The signer refuses to sign and sends it back to draft.
    Reject,
    /// Give it a number and date from the register (Điều 15).
    Number,
    /// Apply the agency's digital signature (Điều 14.1.c).
    Seal,
    /// Send it to its recipients (Điều 18.1).
    Issue,
    /// Record that a new document replaces it (Điều 18.3).
    Replace,
    /// Record that a corrective công văn amends it (Điều 18.3).
    Correct,
    /// Recall it from its recipients (Điều 18.4).
    Recall,
    /// Keep the original and file it (Điều 19).
    Archive,
}

impl OutgoingState {
    /// Every state, in lifecycle order.
    pub const ALL: [OutgoingState; 11] = [
        OutgoingState::Draft,
        OutgoingState::UnderReview,
        OutgoingState::AwaitingSignature,
        OutgoingState::Signed,
        OutgoingState::Numbered,
        OutgoingState::Sealed,
        OutgoingState::Issued,
        OutgoingState::Replaced,
        OutgoingState::Corrected,
        OutgoingState::Recalled,
        OutgoingState::Archived,
    ];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            OutgoingState::Draft => "draft",
            OutgoingState::UnderReview => "under_review",
            OutgoingState::AwaitingSignature => "awaiting_signature",
            OutgoingState::Signed => "signed",
            OutgoingState::Numbered => "numbered",
            OutgoingState::Sealed => "sealed",
            OutgoingState::Issued => "issued",
            OutgoingState::Replaced => "replaced",
            OutgoingState::Corrected => "corrected",
            OutgoingState::Recalled => "recalled",
            OutgoingState::Archived => "archived",
        }
    }

    /// Parses a code produced by [`OutgoingState::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the state codes.
    pub fn parse(code: &str) -> Result<OutgoingState, ParseError> {
        parse_code(
            "outgoing state",
            &OutgoingState::ALL,
            OutgoingState::code,
            code,
        )
    }

    /// The Vietnamese label shown in lists and on the document page.
    pub fn label_vi(self) -> &'static str {
        match self {
            OutgoingState::Draft => "Dự thảo",
            OutgoingState::UnderReview => "Đang kiểm tra",
            OutgoingState::AwaitingSignature => "Chờ ký",
            OutgoingState::Signed => "Đã ký",
            OutgoingState::Numbered => "Đã cấp số",
            OutgoingState::Sealed => "Đã ký số cơ quan",
            OutgoingState::Issued => "Đã ban hành",
            OutgoingState::Replaced => "Đã bị thay thế",
            OutgoingState::Corrected => "Đã đính chính",
            OutgoingState::Recalled => "Đã thu hồi",
            OutgoingState::Archived => "Đã lưu bản gốc",
        }
    }

    /// Whether no further action applies.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OutgoingState::Replaced
                | OutgoingState::Corrected
                | OutgoingState::Recalled
                | OutgoingState::Archived
        )
    }
}

impl OutgoingAction {
    /// Every action.
    pub const ALL: [OutgoingAction; 12] = [
        OutgoingAction::Submit,
        OutgoingAction::ReturnForRevision,
        OutgoingAction::Approve,
        OutgoingAction::Sign,
        OutgoingAction::Reject,
        OutgoingAction::Number,
        OutgoingAction::Seal,
        OutgoingAction::Issue,
        OutgoingAction::Replace,
        OutgoingAction::Correct,
        OutgoingAction::Recall,
        OutgoingAction::Archive,
    ];

    /// The stable machine code, used in errors and audit events.
    pub fn code(self) -> &'static str {
        match self {
            OutgoingAction::Submit => "submit",
            OutgoingAction::ReturnForRevision => "return_for_revision",
            OutgoingAction::Approve => "approve",
            OutgoingAction::Sign => "sign",
            OutgoingAction::Reject => "reject",
            OutgoingAction::Number => "number",
            OutgoingAction::Seal => "seal",
            OutgoingAction::Issue => "issue",
            OutgoingAction::Replace => "replace",
            OutgoingAction::Correct => "correct",
            OutgoingAction::Recall => "recall",
            OutgoingAction::Archive => "archive",
        }
    }

    /// Parses a code produced by [`OutgoingAction::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the action codes.
    pub fn parse(code: &str) -> Result<OutgoingAction, ParseError> {
        parse_code(
            "outgoing action",
            &OutgoingAction::ALL,
            OutgoingAction::code,
            code,
        )
    }
}

/// Applies `action` to a document in `state` at the instant `now`.
///
/// # Errors
/// Returns a [`TransitionError`] when the action is not allowed in `state`.
pub fn apply(
    state: OutgoingState,
    action: OutgoingAction,
    now: OffsetDateTime,
) -> Result<Transition<OutgoingState>, TransitionError> {
    use OutgoingAction as A;
    use OutgoingState as S;
    let to = match (state, action) {
        (S::Draft, A::Submit) => S::UnderReview,
        (S::UnderReview, A::ReturnForRevision) => S::Draft,
        (S::UnderReview, A::Approve) => S::AwaitingSignature,
        (S::AwaitingSignature, A::Sign) => S::Signed,
        (S::AwaitingSignature, A::Reject) => S::Draft,
        (S::Signed, A::Number) => S::Numbered,
        (S::Numbered, A::Seal) => S::Sealed,
        (S::Sealed, A::Issue) => S::Issued,
        (S::Issued, A::Replace) => S::Replaced,
        (S::Issued, A::Correct) => S::Corrected,
        (S::Issued, A::Recall) => S::Recalled,
        (S::Issued, A::Archive) => S::Archived,
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::datetime;

    use super::*;

    use OutgoingAction as A;
    use OutgoingState as S;

    const NOW: OffsetDateTime = datetime!(2025-03-05 09:30 +07:00);

    /// The allowed transitions, written out independently of `apply` (DOMAIN.md §7(b)).
    const ALLOWED: &[(S, A, S)] = &[
        (S::Draft, A::Submit, S::UnderReview),
        (S::UnderReview, A::ReturnForRevision, S::Draft),
        (S::UnderReview, A::Approve, S::AwaitingSignature),
        (S::AwaitingSignature, A::Sign, S::Signed),
        (S::AwaitingSignature, A::Reject, S::Draft),
        (S::Signed, A::Number, S::Numbered),
        (S::Numbered, A::Seal, S::Sealed),
        (S::Sealed, A::Issue, S::Issued),
        (S::Issued, A::Replace, S::Replaced),
        (S::Issued, A::Correct, S::Corrected),
        (S::Issued, A::Recall, S::Recalled),
        (S::Issued, A::Archive, S::Archived),
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
    fn the_normal_route_with_one_revision() {
        let route = [
            (A::Submit, S::UnderReview),
            (A::ReturnForRevision, S::Draft),
            (A::Submit, S::UnderReview),
            (A::Approve, S::AwaitingSignature),
            (A::Reject, S::Draft),
            (A::Submit, S::UnderReview),
            (A::Approve, S::AwaitingSignature),
            (A::Sign, S::Signed),
            (A::Number, S::Numbered),
            (A::Seal, S::Sealed),
            (A::Issue, S::Issued),
            (A::Archive, S::Archived),
        ];
        let mut state = S::Draft;
        for (action, expected) in route {
            state = apply(state, action, NOW).unwrap().to;
            assert_eq!(state, expected);
        }
    }

    #[test]
    fn error_message_names_action_and_state() {
        let error = apply(S::Draft, A::Number, NOW).unwrap_err();
        assert_eq!(error.to_string(), "cannot number a document in state draft");
    }

    #[test]
    fn codes_and_labels() {
        let check = |state: S, code: &str, label: &str| {
            assert_eq!(state.code(), code);
            assert_eq!(S::parse(code), Ok(state));
            assert_eq!(state.label_vi(), label);
        };
        check(S::Draft, "draft", "Dự thảo");
        check(S::UnderReview, "under_review", "Đang kiểm tra");
        check(S::AwaitingSignature, "awaiting_signature", "Chờ ký");
        check(S::Signed, "signed", "Đã ký");
        check(S::Numbered, "numbered", "Đã cấp số");
        check(S::Sealed, "sealed", "Đã ký số cơ quan");
        check(S::Issued, "issued", "Đã ban hành");
        check(S::Replaced, "replaced", "Đã bị thay thế");
        check(S::Corrected, "corrected", "Đã đính chính");
        check(S::Recalled, "recalled", "Đã thu hồi");
        check(S::Archived, "archived", "Đã lưu bản gốc");
        assert_eq!(S::parse("Draft").unwrap_err().kind(), "outgoing state");
        let action_codes: Vec<_> = A::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(
            action_codes,
            [
                "submit",
                "return_for_revision",
                "approve",
                "sign",
                "reject",
                "number",
                "seal",
                "issue",
                "replace",
                "correct",
                "recall",
                "archive"
            ]
        );
        for action in A::ALL {
            assert_eq!(A::parse(action.code()), Ok(action));
        }
        assert_eq!(A::parse("register").unwrap_err().kind(), "outgoing action");
    }

    #[test]
    fn final_states_accept_no_action() {
        for state in S::ALL {
            let any_allowed = A::ALL.iter().any(|a| apply(state, *a, NOW).is_ok());
            assert_eq!(state.is_final(), !any_allowed, "{state:?}");
        }
    }

    /// Picks any action, or when `prefer_allowed` one the table allows, so that sequences reach
    /// the late states often instead of stalling on refused actions.
    fn pick(state: S, prefer_allowed: bool, index: usize) -> A {
        let candidates: Vec<A> = ALLOWED
            .iter()
            .filter(|(from, _, _)| prefer_allowed && *from == state)
            .map(|(_, action, _)| *action)
            .collect();
        match candidates.len() {
            0 => A::ALL[index % A::ALL.len()],
            n => candidates[index % n],
        }
    }

    proptest! {
        #[test]
        fn random_action_sequences_never_skip_a_step(
            steps in proptest::collection::vec((any::<bool>(), any::<usize>()), 0..60)
        ) {
            let mut state = S::Draft;
            // The states visited since the document last left Draft.
            let mut since_draft = vec![S::Draft];
            for (prefer_allowed, index) in steps {
                let action = pick(state, prefer_allowed, index);
                let result = apply(state, action, NOW);
                prop_assert_eq!(result.as_ref().ok().map(|t| t.to), allowed(state, action));
                let Ok(transition) = result else {
                    continue;
                };
                prop_assert_eq!(transition.from, state);
                prop_assert_eq!(transition.at, NOW);
                prop_assert!(!state.is_final(), "left final state {:?}", state);
                let to = transition.to;
                let required: &[S] = match to {
                    S::Signed => &[S::UnderReview, S::AwaitingSignature],
                    S::Numbered => &[S::AwaitingSignature, S::Signed],
                    S::Sealed => &[S::Signed, S::Numbered],
                    S::Issued => &[S::Signed, S::Numbered, S::Sealed],
                    S::Replaced | S::Corrected | S::Recalled | S::Archived => {
                        &[S::Signed, S::Numbered, S::Sealed, S::Issued]
                    }
                    _ => &[],
                };
                for step in required {
                    prop_assert!(since_draft.contains(step), "{:?} without {:?}", to, step);
                }
                if to == S::Draft {
                    // Revision sends the document back before any signature exists.
                    prop_assert!(!since_draft.contains(&S::Signed));
                    since_draft.clear();
                }
                since_draft.push(to);
                state = to;
            }
        }
    }
}
