//! A deterministic generator of Vietnamese administrative documents and of the benchmark queries.
//!
//! Each document is generated from its id alone (SplitMix64 seeded by the id), so any document can
//! be regenerated without the others, and every run, on any machine, indexes the same corpus.
//! Shape (after SEARCH-NOTES.md §2's `vngen.py`): Decree 30 header, a subject "‹Type› về việc …
//! năm ‹yyyy›", a body of 300 to 2,000 syllables in sentences of 6 to 22 items (content words
//! 55%, function words 38%, names and places 4%, numbers 3%) drawn Zipf-like, and the footer.

mod vocabulary;

use search::IndexedDocument;
use time::{Date, Duration};

pub(crate) use vocabulary::CONTENT;
use vocabulary::{DOC_TYPES, FAMILY, FUNCTION, GIVEN, ISSUERS, MIDDLE, PLACES};

/// SplitMix64: small, fast, and good enough to draw words.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Zipf-like draws: weight 1 / (rank + 1)^0.8.
pub(crate) struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub(crate) fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(0.8);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub(crate) fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let target = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.cumulative
            .partition_point(|&value| value < target)
            .min(self.cumulative.len() - 1)
    }
}

/// The generator, with its Zipf tables.
pub(crate) struct Generator {
    content: Zipf,
    function: Zipf,
}

/// The organisations of the corpus: 90% of documents belong to the one the benchmark searches as.
pub(crate) const SEARCHED_ORGANIZATION: i64 = 1;

impl Generator {
    pub(crate) fn new() -> Generator {
        Generator {
            content: Zipf::new(CONTENT.len()),
            function: Zipf::new(FUNCTION.len()),
        }
    }

    /// The date of a document: uniform over 2015-01-01 to 2025-12-31.
    pub(crate) fn date(rng: &mut Rng) -> Date {
        let start = Date::from_ordinal_date(2015, 1).unwrap_or(Date::MIN);
        start + Duration::days(rng.below(4018) as i64)
    }

    /// Document `id`.
    pub(crate) fn document(&self, id: i64) -> IndexedDocument {
        let mut rng = Rng::new(id as u64);
        let organization_id = if rng.chance(90) {
            SEARCHED_ORGANIZATION
        } else {
            2
        };
        let secrecy_level = match rng.below(100) {
            0..=96 => 0,
            97 | 98 => 1,
            _ => 2,
        };
        let (type_code, type_name) = *rng.pick(DOC_TYPES);
        let issuer = *rng.pick(ISSUERS);
        let place = *rng.pick(PLACES);
        let date = Generator::date(&mut rng);
        let number = format!("{}/{type_code}-UBND", 1 + rng.below(999));
        let signer = self.name(&mut rng);
        let mut subject = format!("{type_name} về việc");
        for _ in 0..3 + rng.below(5) {
            subject.push(' ');
            subject.push_str(CONTENT[self.content.draw(&mut rng)]);
        }
        subject.push_str(&format!(" năm {}", date.year()));
        let mut text = format!(
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n{}\nSố: {number}\n\
             {place}, ngày {:02} tháng {:02} năm {}\n{}\n\n",
            issuer.to_uppercase(),
            date.day(),
            u8::from(date.month()),
            date.year(),
            subject.to_uppercase()
        );
        let target = 300 + rng.below(1701);
        let mut syllables = 0;
        while syllables < target {
            let items = 6 + rng.below(17);
            let mut sentence = String::new();
            for _ in 0..items {
                let roll = rng.below(100);
                let item = if roll < 55 {
                    CONTENT[self.content.draw(&mut rng)].to_owned()
                } else if roll < 93 {
                    FUNCTION[self.function.draw(&mut rng)].to_owned()
                } else if roll < 97 {
                    if rng.chance(50) {
                        self.name(&mut rng)
                    } else {
                        format!("phường {}", rng.pick(PLACES))
                    }
                } else if rng.chance(50) {
                    (1 + rng.below(2025)).to_string()
                } else {
                    format!("{}/{}-UBND", 1 + rng.below(999), rng.pick(DOC_TYPES).0)
                };
                syllables += item.split_whitespace().count();
                if !sentence.is_empty() {
                    sentence.push(' ');
                }
                sentence.push_str(&item);
            }
            let mut chars = sentence.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
            text.push_str(if rng.chance(15) { ".\n" } else { ". " });
        }
        text.push_str(&format!(
            "\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n{signer}\n"
        ));
        IndexedDocument {
            id,
            organization_id,
            secrecy_level,
            number_symbol: Some(number),
            type_code: Some(type_code.to_owned()),
            issuer: Some(issuer.to_owned()),
            subject: Some(subject),
            text,
            register: Some(
                if rng.chance(50) {
                    "incoming"
                } else {
                    "outgoing"
                }
                .to_owned(),
            ),
            status: Some("registered".to_owned()),
            signer: Some(signer),
            date: Some(date),
        }
    }

    fn name(&self, rng: &mut Rng) -> String {
        format!(
            "{} {} {}",
            rng.pick(FAMILY),
            rng.pick(MIDDLE),
            rng.pick(GIVEN)
        )
    }
}

/// Folds a query the way a user without a Vietnamese keyboard types it: no diacritics, đ → d.
pub(crate) fn unaccent(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}
