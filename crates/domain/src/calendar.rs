//! Vietnam civil time: the register year and the date line.
//!
//! Registers restart on 1 January in Vietnam (Decree 30/2020, Điều 15.1), documents are dated in
//! Vietnam, and the date line has its own padding rule (Phụ lục I §II.4.b). The server stores
//! instants in UTC, so every conversion to a civil date goes through this module. Vietnam uses
//! UTC+07:00 all year, with no daylight saving time, so a fixed offset is exact and no time-zone
//! database is needed.
//!
//! Deadlines for handling incoming documents are counted in working days (Decree 30/2020,
//! Điều 24; the agency's working rules): Saturdays, Sundays and public holidays are not counted.
//! The holidays, including the lunar ones (Tết Nguyên đán, Giỗ Tổ Hùng Vương) whose solar dates
//! the Government announces each year, are data (the `holidays` table), never computed here:
//! [`WorkingCalendar`] is built from the dates the caller loads.

use std::collections::BTreeSet;

use time::{Date, OffsetDateTime, Time, UtcOffset, Weekday};

/// Vietnam's offset from UTC, +07:00 (Indochina Time, no daylight saving time).
pub const VIETNAM_OFFSET: UtcOffset = time::macros::offset!(+7);

/// The calendar date in Vietnam at the instant `at`.
///
/// Instants within seven hours of the limits of [`OffsetDateTime`] saturate to [`Date::MIN`] or
/// [`Date::MAX`] instead of panicking.
pub fn vietnam_date(at: OffsetDateTime) -> Date {
    match at.checked_to_offset(VIETNAM_OFFSET) {
        Some(local) => local.date(),
        None if at.unix_timestamp() < 0 => Date::MIN,
        None => Date::MAX,
    }
}

/// The register year of the instant `at`: the calendar year in Vietnam.
///
/// 2024-12-31T17:30:00Z is 00:30 on 1 January 2025 in Vietnam, so it is already 2025.
pub fn register_year(at: OffsetDateTime) -> i32 {
    vietnam_date(at).year()
}

/// The date line of Phụ lục I §II.4.b: "{place}, ngày DD tháng MM năm YYYY".
///
/// Days below 10 and the months January and February get a leading zero, but March to December
/// are written without one ("Hà Nội, ngày 05 tháng 3 năm 2020"), so that a handwritten digit
/// cannot be added in front of a 1 or a 2.
pub fn date_line(place: &str, date: Date) -> String {
    let month = u8::from(date.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}

/// An instant as RFC 3339 text (ISO 8601, offset kept), for reports and logs; the Unix time for the
/// few instants RFC 3339 cannot write (years outside 0000–9999).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The short Vietnamese date, "dd/mm/yyyy", as used in registers and lists.
pub fn format_vn_date(date: Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// The most working days a deadline may be set ahead: about two years of working days, so that a
/// count from untrusted input cannot loop for long.
pub const MAX_WORKING_DAYS: u32 = 500;

/// The working days of an agency: Monday to Friday, except the public holidays it was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeSet<Date>,
}

impl WorkingCalendar {
    /// A calendar whose days off are the weekends and `holidays`.
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> WorkingCalendar {
        WorkingCalendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Whether `date` is a working day: not a Saturday, a Sunday or a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }

    /// The date `days` working days after `start`: the day of `start` itself does not count, so
    /// one working day after a Friday is the next Monday (or the first working day after it).
    /// Zero days is `start` itself.
    ///
    /// Returns `None` when `days` exceeds [`MAX_WORKING_DAYS`] or the date would pass
    /// [`Date::MAX`].
    pub fn add_working_days(&self, start: Date, days: u32) -> Option<Date> {
        if days > MAX_WORKING_DAYS {
            return None;
        }
        let mut date = start;
        let mut counted = 0;
        while counted < days {
            date = date.next_day()?;
            if self.is_working_day(date) {
                counted += 1;
            }
        }
        Some(date)
    }
}

/// The last instant of `date` in Vietnam (23:59:59.999999 +07:00): a deadline given as a date is
/// met by anything done on that day, and is passed only after it.
pub fn end_of_vietnam_day(date: Date) -> OffsetDateTime {
    let last = Time::from_hms_micro(23, 59, 59, 999_999).unwrap_or(Time::MIDNIGHT);
    date.with_time(last).assume_offset(VIETNAM_OFFSET)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn register_year_is_the_vietnam_calendar_year() {
        let check = |at: OffsetDateTime, date: Date, year: i32| {
            assert_eq!(vietnam_date(at), date, "{at}");
            assert_eq!(register_year(at), year, "{at}");
        };
        check(
            datetime!(2024-12-31 16:59:59.999 UTC),
            date!(2024 - 12 - 31),
            2024,
        );
        check(
            datetime!(2024-12-31 17:00:00 UTC),
            date!(2025 - 01 - 01),
            2025,
        );
        check(
            datetime!(2024-12-31 17:30:00 UTC),
            date!(2025 - 01 - 01),
            2025,
        );
        check(
            datetime!(2025-01-01 00:00:00 +07:00),
            date!(2025 - 01 - 01),
            2025,
        );
        check(
            datetime!(2024-12-31 23:59:59 +07:00),
            date!(2024 - 12 - 31),
            2024,
        );
        check(
            datetime!(2025-01-01 06:59 +14:00),
            date!(2024 - 12 - 31),
            2024,
        );
        check(
            datetime!(2025-06-30 20:00 -05:00),
            date!(2025 - 07 - 01),
            2025,
        );
        check(datetime!(2024-02-28 18:00 UTC), date!(2024 - 02 - 29), 2024);
    }

    #[test]
    fn vietnam_date_saturates_at_the_limits() {
        let latest = Date::MAX.with_hms(23, 0, 0).unwrap().assume_utc();
        assert_eq!(vietnam_date(latest), Date::MAX);
        let earliest = Date::MIN
            .midnight()
            .assume_offset(time::macros::offset!(+14));
        assert_eq!(vietnam_date(earliest), Date::MIN);
    }

    #[test]
    fn date_lines() {
        let check = |place: &str, date: Date, expected: &str| {
            assert_eq!(date_line(place, date), expected);
        };
        check(
            "Phường Ngô Quyền",
            date!(2024 - 01 - 10),
            "Phường Ngô Quyền, ngày 10 tháng 01 năm 2024",
        );
        check(
            "Hà Nội",
            date!(2020 - 03 - 05),
            "Hà Nội, ngày 05 tháng 3 năm 2020",
        );
        check(
            "Hà Nội",
            date!(2020 - 01 - 05),
            "Hà Nội, ngày 05 tháng 01 năm 2020",
        );
        check(
            "Bắc Giang",
            date!(2025 - 02 - 28),
            "Bắc Giang, ngày 28 tháng 02 năm 2025",
        );
        check(
            "Bắc Giang",
            date!(2025 - 10 - 09),
            "Bắc Giang, ngày 09 tháng 10 năm 2025",
        );
        check(
            "Phường Ngô Quyền",
            date!(2025 - 12 - 01),
            "Phường Ngô Quyền, ngày 01 tháng 12 năm 2025",
        );
        check(
            "Hà Nội",
            date!(2025 - 11 - 30),
            "Hà Nội, ngày 30 tháng 11 năm 2025",
        );
    }

    #[test]
    fn short_dates() {
        let check = |date: Date, expected: &str| assert_eq!(format_vn_date(date), expected);
        check(date!(2024 - 01 - 10), "10/01/2024");
        check(date!(2020 - 03 - 05), "05/03/2020");
        check(date!(2025 - 12 - 31), "31/12/2025");
        check(date!(0999 - 12 - 31), "31/12/0999");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // 2026: Giỗ Tổ Hùng Vương is Sunday 26 April (observed Monday 27 April), then 30/4 and 1/5.
        let calendar = WorkingCalendar::new([
            date!(2026 - 04 - 27),
            date!(2026 - 04 - 30),
            date!(2026 - 05 - 01),
        ]);
        let check = |start: Date, days: u32, expected: Option<Date>| {
            assert_eq!(
                calendar.add_working_days(start, days),
                expected,
                "{start} + {days}"
            );
        };
        // Friday + 1 is Monday.
        check(date!(2026 - 03 - 13), 1, Some(date!(2026 - 03 - 16)));
        check(date!(2026 - 03 - 16), 0, Some(date!(2026 - 03 - 16)));
        check(date!(2026 - 03 - 16), 5, Some(date!(2026 - 03 - 23)));
        // Saturday start: Monday is the first working day.
        check(date!(2026 - 03 - 14), 1, Some(date!(2026 - 03 - 16)));
        // Friday 24 April + 1 skips the weekend and the observed holiday on Monday.
        check(date!(2026 - 04 - 24), 1, Some(date!(2026 - 04 - 28)));
        // Wednesday 29 April + 1 skips 30/4, 1/5 and the weekend.
        check(date!(2026 - 04 - 29), 1, Some(date!(2026 - 05 - 04)));
        check(date!(2026 - 04 - 29), 2, Some(date!(2026 - 05 - 05)));
        check(date!(2026 - 01 - 01), MAX_WORKING_DAYS + 1, None);
        check(Date::MAX, 1, None);
        assert!(!calendar.is_working_day(date!(2026 - 04 - 30)));
        assert!(!calendar.is_working_day(date!(2026 - 03 - 15)));
        assert!(calendar.is_working_day(date!(2026 - 03 - 16)));
    }

    #[test]
    fn a_date_deadline_ends_at_midnight_in_vietnam() {
        let end = end_of_vietnam_day(date!(2026 - 03 - 20));
        assert_eq!(end, datetime!(2026-03-20 23:59:59.999999 +07:00));
        assert_eq!(vietnam_date(end), date!(2026 - 03 - 20));
    }
}
