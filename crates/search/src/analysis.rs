//! Vietnamese text analysis: normalisation, syllables, and the exact and folded keys of a syllable.
//!
//! Everything the index stores and every query goes through these functions, so the two can never
//! disagree (SEARCH-NOTES.md §2). The chain is:
//!
//! 1. NFC ([`normalize`]): NFD text (macOS, some PDFs) and the TCVN 6909 "tổ hợp" form (a base
//!    letter with its shape mark precomposed plus a combining tone) become precomposed letters.
//! 2. Syllables ([`Syllables`]): maximal runs of letters, digits and combining marks; everything else
//!    separates. Vietnamese words are one to four syllables, so phrases do the work of words.
//! 3. Keys of a syllable ([`fold_key`], [`exact_key`]), lowercased through a table:
//!    - folded: tone and shape marks removed, `đ` → `d` (U+0111 has no decomposition, so stripping
//!      the marks of NFD alone would leave it), a few Latin letters spelled out (`ß` → `ss`);
//!    - exact: shape marks kept (`â ă ê ô ơ ư đ`) and the tone moved to the end of the key, so the
//!      old and new tone placements (`hoá`/`hóa`, `thuỷ`/`thủy`) give the same key;
//!    - both: a final `y` alone after an initial consonant is spelled `i` (`quý`/`quí`, `kỹ`/`kĩ`,
//!      `lý`/`lí`), the spelling variants that the 1984 and 2018 rules left to the writer.

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Keys longer than this (in bytes) are not indexed: they are base64, hashes or glued garbage, not
/// syllables, and tantivy would spend memory on each.
pub(crate) const MAX_KEY_BYTES: usize = 40;

/// The tone marks, in the order of the tone numbers used in exact keys (1 to 5).
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{309}', '\u{303}', '\u{323}'];

/// Returns the text in NFC, borrowing it when it already is.
pub(crate) fn normalize(text: &str) -> Cow<'_, str> {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        IsNormalized::No | IsNormalized::Maybe => Cow::Owned(text.nfc().collect()),
    }
}

/// Whether a character belongs to a syllable. Combining marks count, so that a mark NFC could not
/// compose (on a consonant, say) never cuts a syllable in two.
pub(crate) fn is_syllable_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

/// The byte ranges of the syllables of a text, in order.
pub(crate) struct Syllables<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Syllables<'a> {
    /// Iterates over the syllables of `text` (which should already be NFC).
    pub(crate) fn new(text: &'a str) -> Syllables<'a> {
        Syllables { text, position: 0 }
    }
}

impl Iterator for Syllables<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let rest = self.text.get(self.position..)?;
        let (skip, _) = rest.char_indices().find(|&(_, c)| is_syllable_char(c))?;
        let start = self.position + skip;
        let tail = self.text.get(start..)?;
        let length = tail
            .char_indices()
            .find(|&(_, c)| !is_syllable_char(c))
            .map_or(tail.len(), |(offset, _)| offset);
        self.position = start + length;
        Some((start, start + length))
    }
}

/// Writes the folded key of one syllable into `out` (cleared first).
pub(crate) fn fold_key(syllable: &str, out: &mut String) {
    key(syllable, out, false);
}

/// Writes the exact key of one syllable into `out` (cleared first).
pub(crate) fn exact_key(syllable: &str, out: &mut String) {
    key(syllable, out, true);
}

/// Whether the syllable carries any diacritic, that is whether its exact key differs from its
/// folded one. A query syllable typed without diacritics says nothing about them.
pub(crate) fn has_diacritics(exact: &str) -> bool {
    !exact.is_ascii()
}

fn key(syllable: &str, out: &mut String, exact: bool) {
    out.clear();
    let mut tone = 0u8;
    for c in syllable.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match letter(c) {
            Some(letter) => {
                if exact {
                    if let Some(shaped) = letter.shaped {
                        out.push(shaped);
                    }
                } else {
                    out.extend(letter.fold.iter().flatten());
                }
                if letter.tone != 0 {
                    tone = letter.tone;
                }
            }
            None => out.extend(c.to_lowercase()),
        }
    }
    spell_final_y_as_i(out);
    if exact && tone != 0 {
        // Invariant: tone is 1..=5, set only from TONE_MARKS positions.
        out.push(TONE_MARKS[usize::from(tone - 1)]);
    }
}

/// `ky` → `ki`, `quy` → `qui`: a syllable made of an initial consonant and the vowel `y` alone.
fn spell_final_y_as_i(key: &mut String) {
    const INITIALS: [&str; 27] = [
        "b", "c", "ch", "d", "đ", "g", "gh", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p",
        "ph", "qu", "r", "s", "t", "th", "tr", "v", "x", "gi",
    ];
    if let Some(initial) = key.strip_suffix('y')
        && INITIALS.contains(&initial)
    {
        key.pop();
        key.push('i');
    }
}

/// What the table knows about one non-ASCII character.
#[derive(Clone, Copy, Debug)]
struct Letter {
    /// The folded spelling: up to two characters (`ß` → `ss`), none for a combining mark.
    fold: [Option<char>; 2],
    /// Lowercase, with shape marks but without the tone; none for a tone mark.
    shaped: Option<char>,
    /// 0 for none, else 1 + the index in [`TONE_MARKS`].
    tone: u8,
}

/// The ranges the table covers: Latin-1 and Latin Extended-A/B, combining marks, and Latin
/// Extended Additional (where the stacked Vietnamese letters live, U+1EA0–U+1EF9).
const TABLE_RANGES: [(u32, u32); 3] = [(0xC0, 0x250), (0x300, 0x370), (0x1E00, 0x1F00)];

fn letter(c: char) -> Option<Letter> {
    static TABLE: OnceLock<Vec<Vec<Letter>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        TABLE_RANGES
            .iter()
            .map(|&(start, end)| {
                (start..end)
                    .map(|code| char::from_u32(code).map_or(EMPTY, analyse))
                    .collect()
            })
            .collect()
    });
    let code = u32::from(c);
    TABLE_RANGES
        .iter()
        .zip(table)
        .find(|((start, end), _)| (*start..*end).contains(&code))
        .and_then(|((start, _), letters)| letters.get((code - start) as usize).copied())
}

const EMPTY: Letter = Letter {
    fold: [None, None],
    shaped: None,
    tone: 0,
};

/// Builds the table entry of one character from its canonical decomposition. Marks are classified
/// one by one, never by their order, because NFD puts nặng (U+0323) before the circumflex and the
/// breve (`ậ` = `a` U+0323 U+0302), which breaks folders that strip "the last mark".
fn analyse(c: char) -> Letter {
    if let Some(tone) = TONE_MARKS.iter().position(|&mark| mark == c) {
        return Letter {
            tone: tone as u8 + 1,
            ..EMPTY
        };
    }
    if ('\u{300}'..='\u{36f}').contains(&c) {
        // Another combining mark left over after NFC: kept in the exact key, dropped when folding.
        return Letter {
            shaped: Some(c),
            ..EMPTY
        };
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let mut base = None;
    let mut marks = Vec::new();
    let mut tone = 0;
    unicode_normalization::char::decompose_canonical(lower, |part| {
        if let Some(index) = TONE_MARKS.iter().position(|&mark| mark == part) {
            tone = index as u8 + 1;
        } else if base.is_none() {
            base = Some(part);
        } else {
            marks.push(part);
        }
    });
    let base = base.unwrap_or(lower);
    let shaped = marks.iter().try_fold(base, |composed, &mark| {
        unicode_normalization::char::compose(composed, mark)
    });
    let fold = match base {
        'đ' | 'ð' => [Some('d'), None],
        'ø' => [Some('o'), None],
        'ł' => [Some('l'), None],
        'ħ' => [Some('h'), None],
        'ı' => [Some('i'), None],
        'æ' => [Some('a'), Some('e')],
        'œ' => [Some('o'), Some('e')],
        'ß' => [Some('s'), Some('s')],
        'þ' => [Some('t'), Some('h')],
        other => [Some(other), None],
    };
    Letter {
        fold,
        shaped: Some(shaped.unwrap_or(lower)),
        tone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> (Vec<String>, Vec<String>) {
        let text = normalize(text);
        let mut folded = Vec::new();
        let mut exact = Vec::new();
        let mut buffer = String::new();
        for (start, end) in Syllables::new(&text) {
            fold_key(&text[start..end], &mut buffer);
            folded.push(buffer.clone());
            exact_key(&text[start..end], &mut buffer);
            exact.push(buffer.clone());
        }
        (folded, exact)
    }

    fn check_fold(text: &str, expected: &str) {
        assert_eq!(keys(text).0.join(" "), expected, "folding {text:?}");
    }

    fn check_same_exact(left: &str, right: &str) {
        assert_eq!(keys(left).1, keys(right).1, "{left:?} and {right:?}");
    }

    #[test]
    fn folding_removes_tones_and_shapes_and_maps_d_bar() {
        check_fold("Cải cách hành chính", "cai cach hanh chinh");
        check_fold("ĐẢNG ỦY phường", "dang uy phuong");
        check_fold("điện tử, số hóa!", "dien tu so hoa");
        check_fold("Nguyễn Văn Ấn", "nguyen van an");
        check_fold("123/QĐ-UBND", "123 qd ubnd");
        check_fold("Straße Æther", "strasse aether");
        check_fold("thực hiện", "thuc hien");
    }

    #[test]
    fn every_vietnamese_letter_folds_to_ascii() {
        let vowels = "aăâeêioôơuưy";
        let tones = ["", "\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"];
        for vowel in vowels.chars() {
            for tone in tones {
                for letter in [vowel.to_string(), vowel.to_uppercase().collect()] {
                    let text: String = format!("{letter}{tone}").nfc().collect();
                    let mut folded = String::new();
                    fold_key(&text, &mut folded);
                    assert!(
                        folded.is_ascii() && folded.len() == 1,
                        "{text:?} → {folded:?}"
                    );
                }
            }
        }
        for d in ["đ", "Đ"] {
            let mut folded = String::new();
            fold_key(d, &mut folded);
            assert_eq!(folded, "d");
        }
    }

    #[test]
    fn nfd_and_to_hop_forms_give_the_nfc_keys() {
        let nfc = "Việt Nam cải cách";
        let nfd: String = nfc.nfd().collect();
        // TCVN 6909 "tổ hợp": the shape mark precomposed, the tone combining.
        let to_hop = "Vi\u{ea}\u{323}t Nam ca\u{309}i ca\u{301}ch";
        assert_eq!(keys(nfc), keys(&nfd));
        assert_eq!(keys(nfc), keys(to_hop));
        assert_eq!(keys(&nfd).0, ["viet", "nam", "cai", "cach"]);
    }

    #[test]
    fn exact_keys_ignore_tone_placement_and_i_y_spelling() {
        check_same_exact("hoá", "hóa");
        check_same_exact("thuỷ", "thủy");
        check_same_exact("quý", "quí");
        check_same_exact("kỹ thuật", "kĩ thuật");
        check_same_exact("lý lịch", "lí lịch");
        assert_ne!(keys("bàn").1, keys("bán").1);
        assert_ne!(keys("bàn").1, keys("ban").1);
        assert_ne!(keys("đi").1, keys("di").1);
        assert_eq!(keys("bàn").0, keys("bán").0);
    }

    #[test]
    fn syllables_split_on_everything_but_letters_digits_and_marks() {
        let text = "Số: 06/KH-UBND, ngày 1.2.2025 — «xã» a\u{301}";
        let pieces: Vec<&str> = Syllables::new(text).map(|(s, e)| &text[s..e]).collect();
        assert_eq!(
            pieces,
            [
                "Số", "06", "KH", "UBND", "ngày", "1", "2", "2025", "xã", "a\u{301}"
            ]
        );
    }

    #[test]
    fn diacritics_are_detected_from_the_exact_key() {
        let (_, exact) = keys("cai cải đi");
        let flags: Vec<bool> = exact.iter().map(|key| has_diacritics(key)).collect();
        assert_eq!(flags, [false, true, true]);
    }
}
