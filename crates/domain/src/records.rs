//! Work files (hồ sơ), the yearly file plan (danh mục hồ sơ), retention and hand-over to the archive.
//!
//! Decree 30/2020 Điều 28–31 and Phụ lục V–VI (DOMAIN.md §1.7, §2): a file is opened from the plan
//! (or outside it), collects documents, is closed when the work is done, and, when its retention is
//! five years or more or permanent, is handed over (nộp lưu) to the agency archive within one year
//! of its end date; the system warns 30 days before that date. The file code (mã hồ sơ) is the
//! agency's electronic id, the year the file was formed and the file number and symbol.
//!
//! Everything here is pure: dates are arguments, and the retention classes in use are data (the
//! `retention_classes` table); this module only knows the shape of a retention period.

use std::fmt;

use time::{Date, Month};

use crate::error::{ParseError, parse_code};
use crate::organization::ElectronicId;
use crate::transition::TransitionError;

/// How many days before the hand-over date the system warns (Phụ lục VI §III.5.b).
pub const HAND_OVER_WARNING_DAYS: i64 = 30;

/// The shortest retention, in years, of a file that is handed over to the archive (Điều 30).
pub const HAND_OVER_MIN_YEARS: u16 = 5;

/// The longest file notation, in characters (Phụ lục VI: FileNotation S20).
const NOTATION_MAX_CHARS: usize = 20;

/// The longest retention in years that is not permanent; the longest tier in use is 70.
const RETENTION_MAX_YEARS: u16 = 100;

/// A retention period (thời hạn bảo quản): permanent or a number of years (NĐ 30 Phụ lục V §I.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retention {
    /// Vĩnh viễn: kept for ever.
    Permanent,
    /// Kept for this many years (1 to 100).
    Years(u16),
}

impl Retention {
    /// Parses a stored code: `permanent`, or the number of years (`20`).
    ///
    /// # Errors
    /// A [`ParseError`] for anything else, or a number of years outside 1–100.
    pub fn parse(code: &str) -> Result<Retention, ParseError> {
        if code == "permanent" {
            return Ok(Retention::Permanent);
        }
        let digits_only = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
        match code.parse::<u16>() {
            Ok(years) if digits_only && (1..=RETENTION_MAX_YEARS).contains(&years) => {
                Ok(Retention::Years(years))
            }
            _ => Err(ParseError::new(
                "retention",
                code,
                "must be `permanent` or a number of years from 1 to 100",
            )),
        }
    }

    /// The stable code, as stored.
    pub fn code(self) -> String {
        match self {
            Retention::Permanent => "permanent".to_owned(),
            Retention::Years(years) => years.to_string(),
        }
    }

    /// The Vietnamese label, as the file plan and the metadata (Maintenance) write it.
    pub fn label_vi(self) -> String {
        match self {
            Retention::Permanent => "Vĩnh viễn".to_owned(),
            Retention::Years(years) => format!("{years} năm"),
        }
    }

    /// Whether a file kept this long is handed over to the archive: permanent or five years or
    /// more (Điều 30).
    pub fn is_handed_over(self) -> bool {
        match self {
            Retention::Permanent => true,
            Retention::Years(years) => years >= HAND_OVER_MIN_YEARS,
        }
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_vi())
    }
}

/// Where a work file is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkFileState {
    /// Being filled with documents.
    Open,
    /// The work is done; the end date is set.
    Closed,
    /// Handed over to the agency archive (nộp lưu).
    HandedOver,
}

impl WorkFileState {
    /// Every state, in order.
    pub const ALL: [WorkFileState; 3] = [
        WorkFileState::Open,
        WorkFileState::Closed,
        WorkFileState::HandedOver,
    ];

    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            WorkFileState::Open => "open",
            WorkFileState::Closed => "closed",
            WorkFileState::HandedOver => "handed_over",
        }
    }

    /// Parses a code produced by [`WorkFileState::code`].
    ///
    /// # Errors
    /// A [`ParseError`] for an unknown code.
    pub fn parse(code: &str) -> Result<WorkFileState, ParseError> {
        parse_code(
            "work file state",
            &WorkFileState::ALL,
            WorkFileState::code,
            code,
        )
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            WorkFileState::Open => "Đang lập",
            WorkFileState::Closed => "Đã kết thúc",
            WorkFileState::HandedOver => "Đã nộp lưu",
        }
    }
}

/// What can be done to a work file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkFileAction {
    /// Link or unlink a document.
    ChangeDocuments,
    /// Close the file (the work is done).
    Close,
    /// Hand the file over to the archive.
    HandOver,
    /// Export it as an archive package.
    Export,
}

impl WorkFileAction {
    /// The stable code, for error messages.
    pub fn code(self) -> &'static str {
        match self {
            WorkFileAction::ChangeDocuments => "change_documents",
            WorkFileAction::Close => "close",
            WorkFileAction::HandOver => "hand_over",
            WorkFileAction::Export => "export",
        }
    }
}

/// The state after `action`, or why it is refused: documents change only while the file is open,
/// an open file closes, a closed file with a retention that is handed over is handed over, and a
/// closed or handed-over file can be exported.
///
/// # Errors
/// A [`TransitionError`] naming the state and the action.
pub fn apply(
    state: WorkFileState,
    retention: Retention,
    action: WorkFileAction,
) -> Result<WorkFileState, TransitionError> {
    use WorkFileAction as A;
    use WorkFileState as S;
    match (state, action) {
        (S::Open, A::ChangeDocuments) => Ok(S::Open),
        (S::Open, A::Close) => Ok(S::Closed),
        (S::Closed, A::HandOver) if retention.is_handed_over() => Ok(S::HandedOver),
        (S::Closed | S::HandedOver, A::Export) => Ok(state),
        _ => Err(TransitionError {
            from: state.code(),
            action: action.code(),
        }),
    }
}

/// The file number and symbol (số và ký hiệu hồ sơ), e.g. `01.TCCB` (Phụ lục V: the ordinal in
/// Arabic numerals, then the abbreviation of the main heading).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileNotation(String);

impl FileNotation {
    /// Parses a notation: 1 to 20 letters, digits, `.`, `-` or `/`, starting with a digit or letter.
    ///
    /// # Errors
    /// A [`ParseError`] for an empty, too long or malformed notation.
    pub fn parse(input: &str) -> Result<FileNotation, ParseError> {
        let text = input.trim();
        let chars = text.chars().count();
        let well_formed = text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '/'))
            && text.chars().next().is_some_and(char::is_alphanumeric);
        if chars == 0 || chars > NOTATION_MAX_CHARS || !well_formed {
            return Err(ParseError::new(
                "file notation",
                input,
                "must be 1 to 20 letters, digits, `.`, `-` or `/`, like 01.TCCB",
            ));
        }
        Ok(FileNotation(text.to_owned()))
    }

    /// The notation of the `ordinal`-th file under the heading abbreviated `abbreviation`:
    /// `01.TCCB` (zero-padded below 10, as numbers are in Decree 30).
    ///
    /// # Errors
    /// A [`ParseError`] when the result is not a valid notation.
    pub fn compose(ordinal: u32, abbreviation: &str) -> Result<FileNotation, ParseError> {
        if abbreviation.is_empty() {
            return FileNotation::parse(&format!("{ordinal:02}"));
        }
        FileNotation::parse(&format!("{ordinal:02}.{abbreviation}"))
    }

    /// The notation as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileNotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file code (mã hồ sơ): agency electronic id, the year the file was formed and the file
/// notation, joined by `.` (Phụ lục VI: OrganId S13 · FileCatalog N4 · FileNotation S20), e.g.
/// `000.21.23.H02.2026.01.TCCB`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileCode {
    /// The agency (phông) the file belongs to.
    pub organization: ElectronicId,
    /// The year the file was formed (FileCatalog).
    pub year: i32,
    /// The file number and symbol.
    pub notation: FileNotation,
}

impl FileCode {
    /// Parses `{electronic id}.{year}.{notation}`.
    ///
    /// # Errors
    /// A [`ParseError`] when a part is malformed.
    pub fn parse(input: &str) -> Result<FileCode, ParseError> {
        let text = input.trim();
        let malformed = || {
            ParseError::new(
                "file code",
                input,
                "must look like 000.21.23.H02.2026.01.TCCB (electronic id, year, file notation)",
            )
        };
        // The electronic id is 13 ASCII characters, then `.YYYY.`.
        let (Some(id), Some(rest)) = (text.get(..13), text.get(13..)) else {
            return Err(malformed());
        };
        let organization = ElectronicId::parse(id).map_err(|_| malformed())?;
        let rest = rest.strip_prefix('.').ok_or_else(malformed)?;
        let (Some(year), Some(rest)) = (rest.get(..4), rest.get(4..)) else {
            return Err(malformed());
        };
        if !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let year: i32 = year.parse().map_err(|_| malformed())?;
        let notation = rest.strip_prefix('.').ok_or_else(malformed)?;
        let notation = FileNotation::parse(notation).map_err(|_| malformed())?;
        Ok(FileCode {
            organization,
            year,
            notation,
        })
    }
}

impl fmt::Display for FileCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:04}.{}",
            self.organization, self.year, self.notation
        )
    }
}

/// The date by which a file ending on `end_date` must be handed over: one year later (Điều 30.1).
/// A file ending on 29 February is due on 28 February of the next year.
pub fn hand_over_due(end_date: Date) -> Date {
    let year = end_date.year().saturating_add(1);
    Date::from_calendar_date(year, end_date.month(), end_date.day())
        .or_else(|_| Date::from_calendar_date(year, Month::February, 28))
        .unwrap_or(Date::MAX)
}

/// Where a closed file stands against its hand-over date on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOverStatus {
    /// More than [`HAND_OVER_WARNING_DAYS`] days left.
    NotDue,
    /// Due within [`HAND_OVER_WARNING_DAYS`] days (0 = due today): warn.
    DueSoon {
        /// Days left until the due date.
        days_left: i64,
    },
    /// The due date has passed.
    Overdue {
        /// Days since the due date.
        days_late: i64,
    },
}

impl HandOverStatus {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            HandOverStatus::NotDue => "not_due",
            HandOverStatus::DueSoon { .. } => "due_soon",
            HandOverStatus::Overdue { .. } => "overdue",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            HandOverStatus::NotDue => "Chưa đến hạn",
            HandOverStatus::DueSoon { .. } => "Sắp đến hạn nộp lưu",
            HandOverStatus::Overdue { .. } => "Quá hạn nộp lưu",
        }
    }
}

/// The hand-over status of a file due on `due` as seen on `today`.
pub fn hand_over_status(due: Date, today: Date) -> HandOverStatus {
    let days_left = (due - today).whole_days();
    if days_left < 0 {
        HandOverStatus::Overdue {
            days_late: -days_left,
        }
    } else if days_left <= HAND_OVER_WARNING_DAYS {
        HandOverStatus::DueSoon { days_left }
    } else {
        HandOverStatus::NotDue
    }
}

/// `number` in Roman numerals (main headings of the file plan use them, Phụ lục V); `number` 0 or
/// above 3999 is written in Arabic numerals.
pub fn roman_numeral(number: u32) -> String {
    if number == 0 || number > 3999 {
        return number.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = number;
    let mut text = String::new();
    for (value, letters) in TABLE {
        while rest >= value {
            text.push_str(letters);
            rest -= value;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn check_retention(code: &str, label: &str, handed_over: bool) {
        let retention = Retention::parse(code).unwrap();
        assert_eq!(retention.code(), code);
        assert_eq!(retention.label_vi(), label);
        assert_eq!(retention.is_handed_over(), handed_over, "{code}");
    }

    #[test]
    fn retention_codes_labels_and_hand_over() {
        check_retention("permanent", "Vĩnh viễn", true);
        check_retention("70", "70 năm", true);
        check_retention("5", "5 năm", true);
        check_retention("4", "4 năm", false);
        check_retention("2", "2 năm", false);
        for bad in ["", "0", "101", "-5", "+5", "5 năm", "vinh_vien", "05x"] {
            assert!(Retention::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hand_over_is_one_year_after_the_end() {
        assert_eq!(hand_over_due(date!(2026 - 03 - 15)), date!(2027 - 03 - 15));
        assert_eq!(hand_over_due(date!(2024 - 02 - 29)), date!(2025 - 02 - 28));
        assert_eq!(hand_over_due(date!(2026 - 12 - 31)), date!(2027 - 12 - 31));
    }

    #[test]
    fn the_warning_starts_thirty_days_before() {
        let due = date!(2027 - 03 - 15);
        assert_eq!(
            hand_over_status(due, date!(2027 - 02 - 12)),
            HandOverStatus::NotDue
        );
        assert_eq!(
            hand_over_status(due, date!(2027 - 02 - 13)),
            HandOverStatus::DueSoon { days_left: 30 }
        );
        assert_eq!(
            hand_over_status(due, due),
            HandOverStatus::DueSoon { days_left: 0 }
        );
        assert_eq!(
            hand_over_status(due, date!(2027 - 03 - 16)),
            HandOverStatus::Overdue { days_late: 1 }
        );
    }

    #[test]
    fn the_lifecycle_allows_only_its_steps() {
        use WorkFileAction as A;
        use WorkFileState as S;
        let ten = Retention::Years(10);
        let two = Retention::Years(2);
        assert_eq!(apply(S::Open, ten, A::ChangeDocuments), Ok(S::Open));
        assert_eq!(apply(S::Open, ten, A::Close), Ok(S::Closed));
        assert_eq!(apply(S::Closed, ten, A::HandOver), Ok(S::HandedOver));
        assert_eq!(
            apply(S::Closed, Retention::Permanent, A::HandOver),
            Ok(S::HandedOver)
        );
        assert_eq!(apply(S::Closed, ten, A::Export), Ok(S::Closed));
        let refused = [
            (S::Closed, ten, A::ChangeDocuments),
            (S::Closed, ten, A::Close),
            (S::Open, ten, A::HandOver),
            (S::Closed, two, A::HandOver),
            (S::HandedOver, ten, A::HandOver),
            (S::Open, ten, A::Export),
        ];
        for (state, retention, action) in refused {
            let error = apply(state, retention, action).unwrap_err();
            assert_eq!((error.from, error.action), (state.code(), action.code()));
        }
        for state in WorkFileState::ALL {
            assert_eq!(WorkFileState::parse(state.code()), Ok(state));
        }
    }

    #[test]
    fn file_codes_round_trip() {
        let code = FileCode::parse("000.21.23.H02.2026.01.TCCB").unwrap();
        assert_eq!(code.organization.as_str(), "000.21.23.H02");
        assert_eq!(code.year, 2026);
        assert_eq!(code.notation.as_str(), "01.TCCB");
        assert_eq!(code.to_string(), "000.21.23.H02.2026.01.TCCB");
        for bad in [
            "",
            "000.21.23.H02",
            "000.21.23.H02.2026",
            "000.21.23.H02.2026.",
            "000.21.23.H02.26.01",
            "000.21.23.Z02.2026.01.TCCB",
            "000.21.23.H02.2026.01 TCCB",
            "000.21.23.H02.2026.01.VERYLONGNOTATION1234",
        ] {
            assert!(FileCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn notations_are_composed_from_ordinal_and_heading() {
        assert_eq!(
            FileNotation::compose(1, "TCCB").unwrap().as_str(),
            "01.TCCB"
        );
        assert_eq!(FileNotation::compose(12, "VP").unwrap().as_str(), "12.VP");
        assert_eq!(FileNotation::compose(3, "").unwrap().as_str(), "03");
        assert_eq!(FileNotation::parse(" 02.VP ").unwrap().as_str(), "02.VP");
        assert_eq!(FileNotation::parse("01.QĐ").unwrap().as_str(), "01.QĐ");
        assert!(FileNotation::parse(".01").is_err());
    }

    #[test]
    fn roman_numerals_for_main_headings() {
        let cases = [
            (1, "I"),
            (4, "IV"),
            (9, "IX"),
            (14, "XIV"),
            (40, "XL"),
            (2026, "MMXXVI"),
            (0, "0"),
        ];
        for (number, text) in cases {
            assert_eq!(roman_numeral(number), text);
        }
    }

    #[test]
    fn labels_are_nfc() {
        let labels = WorkFileState::ALL
            .map(WorkFileState::label_vi)
            .into_iter()
            .chain([
                HandOverStatus::NotDue.label_vi(),
                HandOverStatus::DueSoon { days_left: 0 }.label_vi(),
                HandOverStatus::Overdue { days_late: 1 }.label_vi(),
            ]);
        for label in labels {
            assert!(
                !label.chars().any(|c| ('\u{300}'..='\u{36F}').contains(&c)),
                "{label:?}"
            );
        }
        assert!(
            !Retention::Permanent
                .label_vi()
                .chars()
                .any(|c| ('\u{300}'..='\u{36F}').contains(&c))
        );
    }
}
