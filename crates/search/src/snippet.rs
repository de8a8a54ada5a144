//! Highlighted snippets, cut from the stored text and marked where the query matched.
//!
//! The stored text is the original (NFC) text, and matching is done on each syllable's folded key
//! against the query's folded keys, so an unaccented query marks the accented words it found:
//! `cai cach` gives `<mark>cải cách</mark>`. A phrase marks only its adjacent occurrences, never
//! its syllables apart. The text is HTML-escaped; the only markup is `<mark>` and `</mark>`.

use std::collections::{HashMap, HashSet};

use crate::analysis::{Syllables, fold_key};
use crate::query::ParsedText;

/// The most bytes of text a snippet shows (about 150 to 250 Vietnamese characters).
const SNIPPET_BYTES: usize = 280;
/// How much text to show before the first match of the window, in bytes.
const LEAD_BYTES: usize = 50;
/// At most this many matches are tried as window starts.
const MAX_CANDIDATES: usize = 256;

/// The query's keys, ready to mark a text.
#[derive(Debug, Default)]
pub(crate) struct Highlighter {
    /// Every distinct folded key of the query; syllables refer to them by index.
    keys: HashMap<String, u16>,
    /// The single-syllable clauses, by key index.
    terms: HashSet<u16>,
    /// The phrases, as key indexes.
    phrases: Vec<Vec<u16>>,
}

/// A syllable of the text: its byte range and, when the query has its folded key, the key's
/// index (so marking and windows compare small integers, and nothing is allocated per syllable).
struct Syllable {
    start: usize,
    end: usize,
    key: Option<u16>,
}

impl Highlighter {
    /// The highlighter for a parsed query.
    pub(crate) fn new(parsed: &ParsedText) -> Highlighter {
        let mut highlighter = Highlighter::default();
        for clause in &parsed.clauses {
            let ids: Vec<u16> = clause
                .folded
                .iter()
                .map(|key| {
                    let next = u16::try_from(highlighter.keys.len()).unwrap_or(u16::MAX);
                    *highlighter.keys.entry(key.clone()).or_insert(next)
                })
                .collect();
            match ids.as_slice() {
                [single] => {
                    highlighter.terms.insert(*single);
                }
                _ => highlighter.phrases.push(ids),
            }
        }
        highlighter
    }

    /// The snippet of `text` around its best window of matches; `None` when nothing matches.
    pub(crate) fn snippet(&self, text: &str) -> Option<String> {
        if self.keys.is_empty() {
            return None;
        }
        let syllables = syllables(text, Some(&self.keys));
        let marked = self.mark(&syllables);
        let first_marked = marked.iter().position(|&is_marked| is_marked)?;
        let (first, last) = best_window(&syllables, &marked, first_marked);
        Some(render(text, &syllables, &marked, first, last))
    }

    fn mark(&self, syllables: &[Syllable]) -> Vec<bool> {
        let mut marked: Vec<bool> = syllables
            .iter()
            .map(|syllable| syllable.key.is_some_and(|key| self.terms.contains(&key)))
            .collect();
        for phrase in &self.phrases {
            for start in 0..syllables.len() {
                let candidate = syllables.get(start..start + phrase.len());
                let matches = candidate.is_some_and(|candidate| {
                    candidate
                        .iter()
                        .zip(phrase)
                        .all(|(syllable, key)| syllable.key == Some(*key))
                });
                if matches {
                    marked[start..start + phrase.len()].fill(true);
                }
            }
        }
        marked
    }
}

/// The window (first and last syllable shown) with the most distinct matched keys, then the
/// most matches, then the earliest.
fn best_window(syllables: &[Syllable], marked: &[bool], first_marked: usize) -> (usize, usize) {
    let mut best = (0, 0, first_marked, first_marked);
    let candidates = (first_marked..syllables.len())
        .filter(|&index| marked[index])
        .take(MAX_CANDIDATES);
    let mut distinct = HashSet::new();
    for anchor in candidates {
        let lead_limit = syllables[anchor].start.saturating_sub(LEAD_BYTES);
        let mut first = anchor;
        while first > 0 && syllables[first - 1].start >= lead_limit {
            first -= 1;
        }
        let end_limit = syllables[first].start + SNIPPET_BYTES;
        let mut last = anchor;
        while last + 1 < syllables.len() && syllables[last + 1].end <= end_limit {
            last += 1;
        }
        distinct.clear();
        let mut count = 0;
        for index in anchor..=last {
            if marked[index] {
                distinct.insert(syllables[index].key);
                count += 1;
            }
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, first, last);
        }
    }
    (best.2, best.3)
}

/// The opening of a text, for hits whose match is not in it (a match in the metadata only).
pub(crate) fn opening(text: &str) -> String {
    let syllables = syllables(text, None);
    if syllables.is_empty() {
        return String::new();
    }
    let last = syllables
        .iter()
        .rposition(|syllable| syllable.end <= SNIPPET_BYTES)
        .unwrap_or(0);
    let marked = vec![false; syllables.len()];
    render(text, &syllables, &marked, 0, last)
}

/// The syllables of a text, each with the index of its folded key among `keys` (when given).
fn syllables(text: &str, keys: Option<&HashMap<String, u16>>) -> Vec<Syllable> {
    let mut key = String::new();
    Syllables::new(text)
        .map(|(start, end)| {
            let key = keys.and_then(|keys| {
                fold_key(text.get(start..end).unwrap_or_default(), &mut key);
                keys.get(key.as_str()).copied()
            });
            Syllable { start, end, key }
        })
        .collect()
}

/// Renders syllables `first..=last` with the text between them: escaped, whitespace collapsed,
/// runs of marked syllables (separated by spaces only) in one `<mark>`.
fn render(
    text: &str,
    syllables: &[Syllable],
    marked: &[bool],
    first: usize,
    last: usize,
) -> String {
    let mut out = String::with_capacity(SNIPPET_BYTES + 64);
    if first > 0 {
        out.push('…');
    }
    if first == 0
        && let Some(syllable) = syllables.first()
    {
        escape_into(
            text.get(..syllable.start).unwrap_or_default().trim_start(),
            &mut out,
        );
    }
    let mut open = false;
    for index in first..=last {
        let syllable = &syllables[index];
        if index > first {
            let gap = text
                .get(syllables[index - 1].end..syllable.start)
                .unwrap_or(" ");
            let joins_run = open && marked[index] && gap.chars().all(char::is_whitespace);
            if open && !joins_run {
                out.push_str("</mark>");
                open = false;
            }
            escape_into(gap, &mut out);
        }
        if marked[index] && !open {
            out.push_str("<mark>");
            open = true;
        }
        escape_into(
            text.get(syllable.start..syllable.end).unwrap_or_default(),
            &mut out,
        );
    }
    if open {
        out.push_str("</mark>");
    }
    if last + 1 < syllables.len() {
        out.push('…');
    } else if let Some(syllable) = syllables.last() {
        escape_into(
            text.get(syllable.end..).unwrap_or_default().trim_end(),
            &mut out,
        );
    }
    out
}

fn escape_into(text: &str, out: &mut String) {
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, text: &str, expected: Option<&str>) {
        let parsed = ParsedText::parse(query).unwrap();
        let snippet = Highlighter::new(&parsed).snippet(text);
        assert_eq!(snippet.as_deref(), expected, "{query:?} in {text:?}");
    }

    #[test]
    fn unaccented_queries_mark_the_accented_text() {
        check(
            "cai cach",
            "Kế hoạch cải cách hành chính năm 2025.",
            Some("Kế hoạch <mark>cải cách</mark> hành chính năm 2025."),
        );
        check(
            "dang uy",
            "Ban Thường vụ Đảng ủy phường",
            Some("Ban Thường vụ <mark>Đảng ủy</mark> phường"),
        );
    }

    #[test]
    fn phrases_mark_only_adjacent_occurrences() {
        check(
            "\"hành chính\"",
            "hành vi chính đáng; thủ tục hành chính",
            Some("hành vi chính đáng; thủ tục <mark>hành chính</mark>"),
        );
        check("\"hành chính\"", "hành vi chính đáng", None);
    }

    #[test]
    fn text_is_escaped_and_punctuation_splits_marks() {
        check(
            "script",
            "<script>alert('x')</script> & \"script\"",
            Some(
                "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; \
                 &quot;<mark>script</mark>&quot;",
            ),
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_best_window() {
        let filler = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(30);
        let text = format!("{filler}điện tử {filler}");
        let snippet = Highlighter::new(&ParsedText::parse("dien tu").unwrap())
            .snippet(&text)
            .unwrap();
        assert!(
            snippet.starts_with('…') && snippet.ends_with('…'),
            "{snippet}"
        );
        assert!(snippet.contains("<mark>điện tử</mark>"), "{snippet}");
        assert!(snippet.len() < SNIPPET_BYTES + 64, "{snippet}");
    }

    #[test]
    fn opening_is_escaped_and_cut() {
        assert_eq!(opening("a < b"), "a &lt; b");
        assert!(opening(&"chữ ".repeat(200)).ends_with('…'));
        assert_eq!(opening(" ;; "), "");
    }
}
