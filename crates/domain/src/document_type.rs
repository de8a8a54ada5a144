//! The administrative document types of Decree 30/2020 and their abbreviations.
//!
//! Decree 30/2020/NĐ-CP, Điều 7 lists 29 types of administrative document, and Phụ lục III §I
//! fixes the abbreviation each one uses in the symbol ("KH" in `06/KH-UBND`). Công văn and thư
//! công have no abbreviation, which changes how their symbol is built (see
//! `Symbol::for_document`). The table is closed by law, so it is a constant here rather than
//! configuration.

/// One administrative document type (Decree 30/2020, Điều 7; Phụ lục III §I).
///
/// Values exist only in [`DocumentType::ALL`]; look them up with [`DocumentType::from_code`] or
/// [`DocumentType::from_abbreviation`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DocumentType {
    // Invariant: ASCII, unique across `ALL`, never changed once released (it is stored).
    code: &'static str,
    // Invariant: unique across `ALL` where present.
    abbreviation: Option<&'static str>,
    name_vi: &'static str,
}

/// The code of công văn, the one type whose symbol names a unit instead of a type.
const CONG_VAN_CODE: &str = "CV";

/// Shorthand for a row of the table.
const fn row(
    code: &'static str,
    abbreviation: Option<&'static str>,
    name_vi: &'static str,
) -> DocumentType {
    DocumentType {
        code,
        abbreviation,
        name_vi,
    }
}

impl DocumentType {
    /// Every type, in the order of Phụ lục III §I.
    ///
    /// The stable code is the abbreviation without diacritics, in upper case ("QĐ" becomes "QD",
    /// "TTr" becomes "TTR"). Where that would collide, the type whose abbreviation has "Đ"
    /// writes it "DD" as in Telex typing: Đề án "ĐA" is "DDA" (Dự án "DA" keeps "DA"), Hợp đồng
    /// "HĐ" is "HDD" (Hướng dẫn "HD" keeps "HD"). Công văn is "CV" and thư công "THU_CONG".
    pub const ALL: &'static [DocumentType] = &[
        row("NQ", Some("NQ"), "Nghị quyết"),
        row("QD", Some("QĐ"), "Quyết định"),
        row("CT", Some("CT"), "Chỉ thị"),
        row("QC", Some("QC"), "Quy chế"),
        row("QYD", Some("QyĐ"), "Quy định"),
        row("TC", Some("TC"), "Thông cáo"),
        row("TB", Some("TB"), "Thông báo"),
        row("HD", Some("HD"), "Hướng dẫn"),
        row("CTR", Some("CTr"), "Chương trình"),
        row("KH", Some("KH"), "Kế hoạch"),
        row("PA", Some("PA"), "Phương án"),
        row("DDA", Some("ĐA"), "Đề án"),
        row("DA", Some("DA"), "Dự án"),
        row("BC", Some("BC"), "Báo cáo"),
        row("BB", Some("BB"), "Biên bản"),
        row("TTR", Some("TTr"), "Tờ trình"),
        row("HDD", Some("HĐ"), "Hợp đồng"),
        row("CD", Some("CĐ"), "Công điện"),
        row("BGN", Some("BGN"), "Bản ghi nhớ"),
        row("BTT", Some("BTT"), "Bản thỏa thuận"),
        row("GUQ", Some("GUQ"), "Giấy ủy quyền"),
        row("GM", Some("GM"), "Giấy mời"),
        row("GGT", Some("GGT"), "Giấy giới thiệu"),
        row("GNP", Some("GNP"), "Giấy nghỉ phép"),
        row("PG", Some("PG"), "Phiếu gửi"),
        row("PC", Some("PC"), "Phiếu chuyển"),
        row("PB", Some("PB"), "Phiếu báo"),
        row("SY", Some("SY"), "Bản sao y"),
        row("TRS", Some("TrS"), "Bản trích sao"),
        row("SL", Some("SL"), "Bản sao lục"),
        row(CONG_VAN_CODE, None, "Công văn"),
        row("THU_CONG", None, "Thư công"),
    ];

    /// Finds a type by its stable ASCII code, for example `"QD"`.
    pub fn from_code(code: &str) -> Option<&'static DocumentType> {
        DocumentType::ALL.iter().find(|t| t.code == code)
    }

    /// Finds a type by its legal abbreviation, exactly and case-sensitively, for example `"QĐ"`.
    pub fn from_abbreviation(abbreviation: &str) -> Option<&'static DocumentType> {
        DocumentType::ALL
            .iter()
            .find(|t| t.abbreviation == Some(abbreviation))
    }

    /// The stable ASCII code, as stored in the database.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The abbreviation written in symbols, or `None` for công văn and thư công.
    pub fn abbreviation(&self) -> Option<&'static str> {
        self.abbreviation
    }

    /// The Vietnamese name of the type, for example "Kế hoạch".
    pub fn name_vi(&self) -> &'static str {
        self.name_vi
    }

    /// Whether this is a công văn, whose symbol is `{ISSUER}-{UNIT}` (Phụ lục I §II.3.b).
    pub fn is_cong_van(&self) -> bool {
        self.code == CONG_VAN_CODE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &str, abbreviation: Option<&str>, name_vi: &str) {
        let by_code = DocumentType::from_code(code).unwrap();
        assert_eq!(by_code.code(), code);
        assert_eq!(by_code.abbreviation(), abbreviation);
        assert_eq!(by_code.name_vi(), name_vi);
        if let Some(abbreviation) = abbreviation {
            assert_eq!(DocumentType::from_abbreviation(abbreviation), Some(by_code));
        }
    }

    #[test]
    fn table_rows() {
        check("NQ", Some("NQ"), "Nghị quyết");
        check("QD", Some("QĐ"), "Quyết định");
        check("QYD", Some("QyĐ"), "Quy định");
        check("CTR", Some("CTr"), "Chương trình");
        check("DDA", Some("ĐA"), "Đề án");
        check("DA", Some("DA"), "Dự án");
        check("HD", Some("HD"), "Hướng dẫn");
        check("HDD", Some("HĐ"), "Hợp đồng");
        check("TTR", Some("TTr"), "Tờ trình");
        check("CD", Some("CĐ"), "Công điện");
        check("TRS", Some("TrS"), "Bản trích sao");
        check("CV", None, "Công văn");
        check("THU_CONG", None, "Thư công");
    }

    #[test]
    fn table_has_every_type_of_decree_30() {
        assert_eq!(DocumentType::ALL.len(), 32);
        let cong_van: Vec<_> = DocumentType::ALL
            .iter()
            .filter(|t| t.is_cong_van())
            .collect();
        assert_eq!(cong_van.len(), 1);
        assert_eq!(cong_van[0].name_vi(), "Công văn");
        let without_abbreviation: Vec<_> = DocumentType::ALL
            .iter()
            .filter(|t| t.abbreviation().is_none())
            .map(|t| t.code())
            .collect();
        assert_eq!(without_abbreviation, ["CV", "THU_CONG"]);
    }

    #[test]
    fn codes_and_abbreviations_are_unique_and_well_formed() {
        for (i, t) in DocumentType::ALL.iter().enumerate() {
            assert!(
                t.code().chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{}",
                t.code()
            );
            for other in &DocumentType::ALL[i + 1..] {
                assert_ne!(t.code(), other.code());
                assert_ne!(t.name_vi(), other.name_vi());
                if t.abbreviation().is_some() {
                    assert_ne!(t.abbreviation(), other.abbreviation());
                }
            }
            if let Some(abbreviation) = t.abbreviation() {
                assert!(crate::organization::Abbreviation::parse(abbreviation).is_ok());
            }
        }
    }

    #[test]
    fn lookups_are_exact() {
        for missing in ["", "qd", "QĐ ", "Qđ", "QYĐ", "cv", "Công văn"] {
            assert_eq!(DocumentType::from_abbreviation(missing), None, "{missing}");
            assert_eq!(DocumentType::from_code(missing), None, "{missing}");
        }
        assert_eq!(DocumentType::from_abbreviation("QD"), None);
        assert_eq!(DocumentType::from_code("QĐ"), None);
    }
}
