//! The crate's behaviour through its public API, on small hand-written corpora: Vietnamese
//! matching, ranking, phrases, scope, snippets, filters, the reindex property, versioning.

use proptest::prelude::*;
use time::macros::date;
use unicode_normalization::UnicodeNormalization;

use crate::*;

const WARD: i64 = 1;
const OTHER_WARD: i64 = 2;

fn document(id: i64, subject: &str, text: &str) -> IndexedDocument {
    IndexedDocument {
        id,
        organization_id: WARD,
        secrecy_level: 0,
        number_symbol: Some(format!("{id:02}/KH-UBND")),
        type_code: Some("KH".to_owned()),
        issuer: Some("UBND phường Bến Nghé".to_owned()),
        subject: Some(subject.to_owned()),
        text: text.to_owned(),
        register: Some("outgoing".to_owned()),
        status: Some("issued".to_owned()),
        signer: Some("Nguyễn Văn An".to_owned()),
        date: Some(date!(2025 - 03 - 01)),
    }
}

/// The corpus most tests share.
fn corpus() -> Vec<IndexedDocument> {
    vec![
        document(
            1,
            "Kế hoạch cải cách hành chính năm 2025",
            "Đẩy mạnh cải cách hành chính, xây dựng chính quyền điện tử, dịch vụ công trực tuyến.",
        ),
        document(
            2,
            "Báo cáo công tác tháng 3",
            "Chính quyền phường tiếp tục cải tiến công tác tiếp dân; hồ sơ hành chính được lưu trữ.",
        ),
        document(
            3,
            "Nghị quyết của Đảng ủy phường",
            "Ban Thường vụ Đảng ủy phường thống nhất chủ trương về chuyển đổi số.",
        ),
        document(
            4,
            "Biên bản họp",
            "Cuộc họp bàn về ngân sách, mua sắm bàn ghế.",
        ),
        document(
            5,
            "Thông báo",
            "Thông báo bán đấu giá tài sản, bán thanh lý.",
        ),
        document(
            6,
            "Giấy mời",
            "Mời ban chỉ đạo dự họp, ban tổ chức chuẩn bị.",
        ),
    ]
}

fn index_of(documents: &[IndexedDocument]) -> SearchIndex {
    let index = SearchIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for document in documents {
        writer.upsert(document).unwrap();
    }
    writer.commit().unwrap();
    index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        scope: Scope {
            organization_id: WARD,
            clearance: 0,
            restricted: None,
        },
        filters: Filters::default(),
        sort: Sort::Relevance,
        limit: 10,
        offset: 0,
        total_up_to: None,
        facets: false,
    }
}

fn ids(index: &SearchIndex, query: &SearchQuery) -> Vec<i64> {
    index
        .search(query)
        .unwrap()
        .hits
        .iter()
        .map(|hit| hit.id)
        .collect()
}

/// Checks the ids found for a query text, in rank order when `ordered`, else as a set.
fn check(index: &SearchIndex, text: &str, expected: &[i64], ordered: bool) {
    let mut actual = ids(index, &query(text));
    let mut expected = expected.to_vec();
    if !ordered {
        actual.sort_unstable();
        expected.sort_unstable();
    }
    assert_eq!(actual, expected, "query {text:?}");
}

#[test]
fn queries_with_or_without_diacritics_find_the_same_documents() {
    let index = index_of(&corpus());
    let cases: &[(&str, &[i64])] = &[
        ("cai cach hanh chinh", &[1]),
        ("cải cách hành chính", &[1]),
        ("CẢI CÁCH", &[1]),
        ("\"cai cach hanh chinh\"", &[1]),
        ("dien tu", &[1]),
        ("điện tử", &[1]),
        ("dang uy", &[3]),
        ("\"Đảng ủy\"", &[3]),
        ("DANG UY", &[3]),
        ("chuyen doi so", &[3]),
        ("hanh chinh", &[1, 2]),
        ("06/KH-UBND", &[6]),
        ("ben nghe", &[1, 2, 3, 4, 5, 6]),
        ("nguyen van an", &[1, 2, 3, 4, 5, 6]),
        ("không có từ này", &[]),
    ];
    for (text, expected) in cases {
        check(&index, text, expected, false);
    }
}

#[test]
fn exact_diacritic_matches_rank_first() {
    let index = index_of(&corpus());
    // Documents 4 (bàn), 5 (bán) and 6 (ban) all fold to "ban".
    check(&index, "ban", &[3, 4, 5, 6], false);
    assert_eq!(ids(&index, &query("bàn"))[0], 4);
    assert_eq!(ids(&index, &query("bán"))[0], 5);
    assert_eq!(ids(&index, &query("bàn")).len(), 4);
}

#[test]
fn a_phrase_does_not_match_its_words_apart() {
    let index = index_of(&corpus());
    // Document 2 has "chính quyền" and "hành chính" but never "quyền hành" or "chính quyền phường
    // tiếp" apart from each other.
    check(&index, "\"hanh chinh\"", &[1, 2], false);
    check(&index, "\"chinh quyen dien tu\"", &[1], false);
    check(&index, "chinh quyen dien tu", &[1], false);
    check(&index, "\"cai tien hanh chinh\"", &[], false);
    check(&index, "cai tien hanh chinh", &[2], false);
    check(&index, "\"chinh hanh\"", &[], false);
}

#[test]
fn adjacent_words_rank_above_words_apart() {
    let index = index_of(&[
        document(1, "Một", "hành vi chính đáng của cán bộ"),
        document(2, "Hai", "thủ tục hành chính của cán bộ"),
    ]);
    check(&index, "hanh chinh", &[2, 1], true);
}

#[test]
fn nfd_and_nfc_find_each_other() {
    let nfd_text: String = "Chương trình chuyển đổi số quốc gia".nfd().collect();
    let index = index_of(&[
        document(1, "NFD", &nfd_text),
        document(2, "NFC", "Ứng dụng công nghệ thông tin"),
    ]);
    check(&index, "chuyển đổi số", &[1], false);
    check(&index, "\"chuyển đổi số\"", &[1], false);
    let nfd_query: String = "\"công nghệ thông tin\"".nfd().collect();
    check(&index, &nfd_query, &[2], false);
    // TCVN 6909 "tổ hợp": shape marks precomposed, tones combining.
    check(&index, "co\u{302}ng nghe\u{323}\u{302}", &[2], false);
    let snippet = &index.search(&query("chuyen doi")).unwrap().hits[0].snippet;
    assert!(snippet.contains("<mark>chuyển đổi</mark>"), "{snippet}");
}

#[test]
fn scope_hides_secret_and_other_organisations_documents_everywhere() {
    let mut documents = corpus();
    documents.push(IndexedDocument {
        secrecy_level: 2,
        type_code: Some("MAT".to_owned()),
        issuer: Some("Công an phường".to_owned()),
        ..document(10, "Kế hoạch mật", "Phương án cải cách hành chính mật")
    });
    documents.push(IndexedDocument {
        organization_id: OTHER_WARD,
        type_code: Some("QD".to_owned()),
        issuer: Some("UBND phường khác".to_owned()),
        ..document(11, "Quyết định", "Cải cách hành chính của phường khác")
    });
    let index = index_of(&documents);
    let visible = |clearance: u8, text: &str| {
        let mut search = query(text);
        search.scope.clearance = clearance;
        search.facets = true;
        index.search(&search).unwrap()
    };
    for text in ["cai cach hanh chinh", "", "mat", "phuong khac"] {
        let results = visible(0, text);
        let found: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        assert!(
            !found.contains(&10) && !found.contains(&11),
            "{text:?}: {found:?}"
        );
        let types: Vec<&str> = results
            .facets
            .as_ref()
            .unwrap()
            .type_code
            .iter()
            .map(|(v, _)| v.as_str())
            .collect();
        assert_eq!(types, ["KH"][..types.len().min(1)], "{text:?}");
        let issuers = &results.facets.as_ref().unwrap().issuer;
        assert!(
            issuers
                .iter()
                .all(|(value, _)| value == "UBND phường Bến Nghé"),
            "{text:?}"
        );
        for hit in &results.hits {
            assert!(!hit.snippet.contains("mật") && !hit.snippet.contains("khác"));
        }
    }
    assert_eq!(visible(0, "cai cach hanh chinh").total, 1);
    assert_eq!(visible(0, "").total, 6);
    assert_eq!(visible(0, "mat").total, 0);
    // With clearance the secret document appears, in hits, totals and facets alike.
    let cleared = visible(2, "cai cach hanh chinh");
    assert_eq!(cleared.total, 2);
    assert!(
        cleared
            .facets
            .unwrap()
            .type_code
            .contains(&("MAT".to_owned(), 1))
    );
    // The other ward sees only its own document.
    let mut other = query("cai cach");
    other.scope.organization_id = OTHER_WARD;
    other.scope.clearance = 3;
    assert_eq!(ids(&index, &other), [11]);
}

#[test]
fn a_restricted_scope_hides_the_other_documents_of_its_registers_everywhere() {
    // 1, 2 and 3 are incoming (3 secret incoming), 4 is outgoing; the reader may see only 2 of
    // the incoming ones.
    let incoming = |id: i64, register: &str, type_code: &str, issuer: &str| IndexedDocument {
        register: Some(register.to_owned()),
        type_code: Some(type_code.to_owned()),
        issuer: Some(issuer.to_owned()),
        ..document(
            id,
            "Kế hoạch cải cách hành chính",
            "Cải cách hành chính bí mật số {id}",
        )
    };
    let index = index_of(&[
        incoming(1, "incoming", "CV", "Sở Nội vụ"),
        incoming(2, "incoming", "KH", "UBND quận"),
        incoming(3, "secret_incoming", "TB", "Công an quận"),
        document(
            4,
            "Kế hoạch cải cách hành chính",
            "Cải cách hành chính phường",
        ),
    ]);
    let search = |text: &str, allowed: &[i64]| {
        let mut search = query(text);
        search.scope.clearance = 3;
        search.facets = true;
        search.scope.restricted = Some(Restriction {
            registers: vec!["incoming".to_owned(), "secret_incoming".to_owned()],
            allowed_ids: allowed.to_vec(),
        });
        let mut pruned = search.clone();
        pruned.facets = false;
        pruned.total_up_to = Some(DEFAULT_TOTAL_UP_TO);
        let (slow, fast) = (
            index.search(&search).unwrap(),
            index.search(&pruned).unwrap(),
        );
        assert_eq!(fast.hits, slow.hits, "{text:?}");
        assert_eq!(fast.total, slow.total, "{text:?}");
        slow
    };
    for text in ["cai cach hanh chinh", "", "bi mat", "so noi vu", "cong an"] {
        let results = search(text, &[2]);
        let mut found: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        found.sort_unstable();
        assert!(
            found.iter().all(|id| [2, 4].contains(id)),
            "{text:?}: {found:?}"
        );
        assert_eq!(results.total, found.len() as u64, "{text:?}");
        let facets = results.facets.unwrap();
        let types: Vec<&str> = facets.type_code.iter().map(|(v, _)| v.as_str()).collect();
        assert!(
            types.iter().all(|t| ["KH"].contains(t)),
            "{text:?}: {types:?}"
        );
        assert!(
            facets
                .issuer
                .iter()
                .all(|(value, _)| value == "UBND quận" || value == "UBND phường Bến Nghé"),
            "{text:?}"
        );
        for hit in &results.hits {
            assert!(!hit.snippet.contains("Nội vụ") && !hit.snippet.contains("Công an"));
        }
    }
    assert_eq!(search("", &[2]).total, 2);
    assert_eq!(search("cai cach", &[2]).total, 2);
    // No allowed id: only the outgoing document; every one allowed: all four.
    let ids_of = |results: SearchResults| {
        let mut ids: Vec<i64> = results.hits.iter().map(|hit| hit.id).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids_of(search("cai cach", &[])), [4]);
    assert_eq!(ids_of(search("", &[1, 2, 3, 99])), [1, 2, 3, 4]);
    // Ids of other registers are not made visible by the restriction (another organisation's).
    assert_eq!(ids_of(search("", &[3])), [3, 4]);
    // No register restricted: nothing hidden.
    let mut open = query("");
    open.scope.clearance = 3;
    open.scope.restricted = Some(Restriction::default());
    assert_eq!(index.search(&open).unwrap().total, 4);
}

#[test]
fn snippets_are_escaped_and_marked() {
    let index = index_of(&[document(
        1,
        "Tiêu đề",
        "Văn bản có <script>alert(\"x\")</script> & mã độc; điện tử",
    )]);
    let hit = &index.search(&query("script dien tu")).unwrap().hits[0];
    assert_eq!(
        hit.snippet,
        "Văn bản có &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; \
         &amp; mã độc; <mark>điện tử</mark>"
    );
    // A match in the metadata only shows the opening of the body, unmarked.
    let hit = &index.search(&query("01/KH-UBND")).unwrap().hits[0];
    assert!(
        hit.snippet.starts_with("Văn bản có &lt;script&gt;"),
        "{}",
        hit.snippet
    );
}

#[test]
fn filters_sorting_facets_and_pages() {
    let mut documents = corpus();
    documents[0].type_code = Some("QD".to_owned());
    documents[0].date = Some(date!(2024 - 12 - 31));
    documents[1].issuer = Some("UBND quận 1".to_owned());
    documents[2].date = Some(date!(2025 - 06 - 01));
    documents[3].date = None;
    let index = index_of(&documents);
    let mut search = query("");
    search.filters.type_code = Some("QD".to_owned());
    assert_eq!(ids(&index, &search), [1]);
    let mut search = query("");
    search.filters.issuer = Some("UBND quận 1".to_owned());
    assert_eq!(ids(&index, &search), [2]);
    let mut search = query("");
    search.filters.date_from = Some(date!(2025 - 01 - 01));
    search.filters.date_to = Some(date!(2025 - 03 - 31));
    assert_eq!(index.search(&search).unwrap().total, 3);
    let mut search = query("");
    search.sort = Sort::DateDesc;
    assert_eq!(ids(&index, &search)[..2], [3, 2]);
    assert_eq!(*ids(&index, &search).last().unwrap(), 4);
    search.sort = Sort::DateAsc;
    assert_eq!(ids(&index, &search)[..2], [1, 2]);
    assert_eq!(*ids(&index, &search).last().unwrap(), 4);
    let mut search = query("");
    search.limit = 0;
    search.facets = true;
    let counts = index.search(&search).unwrap();
    assert!(counts.hits.is_empty());
    assert_eq!(counts.total, 6);
    let facets = counts.facets.unwrap();
    assert_eq!(
        facets.type_code,
        [("KH".to_owned(), 5), ("QD".to_owned(), 1)]
    );
    assert_eq!(
        facets.issuer,
        [
            ("UBND phường Bến Nghé".to_owned(), 5),
            ("UBND quận 1".to_owned(), 1)
        ]
    );
    let mut page = query("");
    page.sort = Sort::DateAsc;
    page.limit = 2;
    page.offset = 2;
    assert_eq!(ids(&index, &page), [5, 6]);
    page.offset = MAX_RESULT_WINDOW;
    assert!(matches!(
        index.search(&page),
        Err(Error::InvalidQuery { .. })
    ));
    page.offset = 0;
    page.scope.clearance = 4;
    assert!(matches!(
        index.search(&page),
        Err(Error::InvalidQuery { .. })
    ));
}

/// Every query's full results, for comparing two indexes.
fn all_results(index: &SearchIndex) -> Vec<SearchResults> {
    let texts = ["cai cach", "\"hanh chinh\"", "bàn", "", "dang uy", "phuong"];
    texts
        .iter()
        .map(|text| index.search(&query(text)).unwrap())
        .collect()
}

#[test]
fn delete_and_readd_give_identical_results() {
    let documents = corpus();
    let index = index_of(&documents);
    let before = all_results(&index);
    let mut writer = index.writer().unwrap();
    for document in &documents {
        writer.delete(document.id);
    }
    writer.commit().unwrap();
    assert_eq!(index.num_docs(), 0);
    for document in documents.iter().rev() {
        writer.upsert(document).unwrap();
    }
    writer.commit().unwrap();
    assert_eq!(all_results(&index), before);
    // An upsert replaces: no duplicate. (Scores may move a little until the replaced version is
    // merged away, as BM25's statistics still count it; the documents found do not.)
    writer.upsert(&documents[0]).unwrap();
    writer.commit().unwrap();
    assert_eq!(index.num_docs(), documents.len() as u64);
    let found = |results: Vec<SearchResults>| -> Vec<(u64, Vec<i64>)> {
        results
            .into_iter()
            .map(|result| {
                let mut ids: Vec<i64> = result.hits.iter().map(|hit| hit.id).collect();
                ids.sort_unstable();
                (result.total, ids)
            })
            .collect()
    };
    assert_eq!(found(all_results(&index)), found(before));
}

#[test]
fn an_index_on_disk_is_versioned_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index");
    let documents = corpus();
    let expected = all_results(&index_of(&documents));
    {
        let index = SearchIndex::open_or_create(&path).unwrap();
        let mut writer = index.writer().unwrap();
        assert!(matches!(index.writer(), Err(Error::WriterBusy)));
        for document in &documents {
            writer.upsert(document).unwrap();
        }
        writer.commit().unwrap();
        writer.finish().unwrap();
    }
    let index = SearchIndex::open_or_create(&path).unwrap();
    assert_eq!(all_results(&index), expected);
    drop(index);
    let version_file = path.join("vanthu-search.version");
    std::fs::write(&version_file, "vanthu-search schema 0\n").unwrap();
    match SearchIndex::open_or_create(&path) {
        Err(Error::Stale {
            found: Some(0),
            expected,
            ..
        }) => assert_eq!(expected, SCHEMA_VERSION),
        other => panic!("expected a stale index, got {other:?}"),
    }
    std::fs::remove_file(&version_file).unwrap();
    assert!(matches!(
        SearchIndex::open_or_create(&path),
        Err(Error::Stale { found: None, .. })
    ));
    // The rebuild: recreate, re-add everything, identical results.
    let index = SearchIndex::recreate(&path).unwrap();
    assert_eq!(index.num_docs(), 0);
    let mut writer = index.writer().unwrap();
    for document in &documents {
        writer.upsert(document).unwrap();
    }
    writer.commit().unwrap();
    assert_eq!(all_results(&index), expected);
}

#[test]
fn invalid_documents_are_refused() {
    let index = SearchIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    let secret = IndexedDocument {
        secrecy_level: 4,
        ..document(1, "x", "y")
    };
    assert!(matches!(
        writer.upsert(&secret),
        Err(Error::InvalidDocument { id: 1, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Query text comes from users: any string gives results or an `InvalidQuery`, never a panic.
    #[test]
    fn any_query_text_is_answered(text in "(\\PC|[\"\\-/:*()\\\\ ]|[àáảãạăằắẳẵặâầấẩẫậđĐ\u{300}-\u{36f}]){0,80}") {
        let index = shared_index();
        let mut search = query(&text);
        for sort in [Sort::Relevance, Sort::DateDesc] {
            search.sort = sort;
            match index.search(&search) {
                Ok(results) => {
                    prop_assert!(results.hits.len() <= 10);
                    for hit in &results.hits {
                        prop_assert!(!hit.snippet.contains("<script"));
                    }
                }
                Err(Error::InvalidQuery { .. }) => {}
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }
}

fn shared_index() -> &'static SearchIndex {
    static INDEX: std::sync::OnceLock<SearchIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut documents = corpus();
        documents.push(document(
            20,
            "<script>",
            "<script>alert(1)</script> \"quoted\"",
        ));
        index_of(&documents)
    })
}

/// Twenty-five plans about the same reform, one of them confidential.
fn reform_plans() -> SearchIndex {
    let documents: Vec<IndexedDocument> = (1..=25)
        .map(|id| IndexedDocument {
            secrecy_level: u8::from(id == 25),
            ..document(id, "Kế hoạch", "Cải cách hành chính của phường.")
        })
        .collect();
    index_of(&documents)
}

#[test]
fn totals_are_exact_up_to_the_bound_then_lower_bounds() {
    let index = reform_plans();
    let total = |up_to: Option<u64>, clearance: u8| {
        let mut search = query("cai cach");
        search.total_up_to = up_to;
        search.scope.clearance = clearance;
        let results = index.search(&search).unwrap();
        assert_eq!(results.hits.len(), 10);
        (results.total, results.total_relation)
    };
    assert_eq!(total(None, 0), (24, TotalRelation::Exact));
    assert_eq!(total(Some(100), 0), (24, TotalRelation::Exact));
    assert_eq!(total(Some(24), 0), (24, TotalRelation::Exact));
    assert_eq!(total(Some(23), 0), (23, TotalRelation::AtLeast));
    assert_eq!(total(Some(5), 0), (5, TotalRelation::AtLeast));
    // The bound counts only what the scope lets through.
    assert_eq!(total(Some(100), 1), (25, TotalRelation::Exact));
    assert_eq!(total(Some(24), 1), (24, TotalRelation::AtLeast));
    // Counts only, without hits.
    let mut search = query("");
    search.limit = 0;
    search.total_up_to = Some(3);
    let results = index.search(&search).unwrap();
    assert!(results.hits.is_empty());
    assert_eq!(
        (results.total, results.total_relation),
        (3, TotalRelation::AtLeast)
    );
}

#[test]
fn facets_only_on_request_and_then_with_an_exact_total() {
    let index = reform_plans();
    let mut search = query("cai cach");
    search.total_up_to = Some(5);
    let results = index.search(&search).unwrap();
    assert_eq!(results.facets, None);
    assert_eq!(results.total_relation, TotalRelation::AtLeast);
    search.facets = true;
    let results = index.search(&search).unwrap();
    assert_eq!(
        (results.total, results.total_relation),
        (24, TotalRelation::Exact)
    );
    let facets = results.facets.unwrap();
    assert_eq!(facets.type_code, [("KH".to_owned(), 24)]);
    assert_eq!(facets.issuer, [("UBND phường Bến Nghé".to_owned(), 24)]);
}

/// A SplitMix64 step, for a reproducible corpus.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn pruned_top_hits_are_the_exhaustive_ones() {
    // Forty syllables: a word is in most bodies and in few subjects, the case where the search
    // jumps from subject match to subject match.
    const SYLLABLES: [&str; 40] = [
        "cải",
        "cách",
        "hành",
        "chính",
        "kế",
        "hoạch",
        "báo",
        "cáo",
        "điện",
        "tử",
        "chuyển",
        "đổi",
        "số",
        "phường",
        "quận",
        "dân",
        "cư",
        "đất",
        "đai",
        "xây",
        "dựng",
        "giáo",
        "dục",
        "y",
        "tế",
        "văn",
        "hóa",
        "thể",
        "thao",
        "du",
        "lịch",
        "ngân",
        "sách",
        "tài",
        "chính",
        "bàn",
        "bán",
        "ban",
        "họp",
        "mời",
    ];
    let mut state = 11;
    let words = |count: usize, state: &mut u64| -> String {
        (0..count)
            .map(|_| SYLLABLES[(next(state) % 40) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let documents: Vec<IndexedDocument> = (1..=1500)
        .map(|id| {
            // Subjects and bodies longer from one segment to the next, so that each segment's
            // average length differs from the index's (per-segment block-max bounds).
            let segment = (id as usize - 1) / 400;
            let subject = words(3 + 4 * segment, &mut state);
            let length = 20 + 30 * segment + (next(&mut state) % 60) as usize;
            let text = words(length, &mut state);
            IndexedDocument {
                organization_id: if next(&mut state).is_multiple_of(10) {
                    OTHER_WARD
                } else {
                    WARD
                },
                secrecy_level: (next(&mut state) % 4) as u8 / 3,
                type_code: Some(["KH", "BC", "QD"][(next(&mut state) % 3) as usize].to_owned()),
                register: Some(
                    ["incoming", "secret_incoming", "outgoing"][(id % 3) as usize].to_owned(),
                ),
                ..document(id, &subject, &text)
            }
        })
        .collect();
    // Several segments, and deleted documents in them.
    let index = SearchIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for chunk in documents.chunks(400) {
        for document in chunk {
            writer.upsert(document).unwrap();
        }
        writer.commit().unwrap();
    }
    for id in (1..=1500).step_by(7) {
        writer.delete(id);
    }
    writer.commit().unwrap();
    let texts = [
        "cải",
        "cai",
        "bàn",
        "ban",
        "cải cách",
        "cai cach",
        "\"hành chính\"",
        "chinh",
        "\"kế hoạch\"",
        "phường dân",
        "so",
        "đất đai xây",
        "hóa thể thao",
        "tài chính ngân sách",
        "mời họp",
        "cải cách hành chính",
        "cai cach hanh chinh",
        "\"cải cách hành\"",
        "bàn bán ban",
        "chính tài",
    ];
    for text in texts {
        // A restriction to one in five incoming documents (ids multiple of 5) also keeps every
        // outgoing one.
        let restricted = Some(Restriction {
            registers: vec!["incoming".to_owned(), "secret_incoming".to_owned()],
            allowed_ids: (1..=1500).filter(|id| id % 5 == 0).collect(),
        });
        let cases = [
            (0, 0, None, None),
            (5, 1, None, None),
            (20, 0, Some("BC"), None),
            (0, 1, None, restricted.clone()),
            (5, 0, Some("KH"), restricted.clone()),
        ];
        for (offset, clearance, type_code, restricted) in cases {
            let mut pruned = query(text);
            pruned.offset = offset;
            pruned.scope.clearance = clearance;
            pruned.scope.restricted = restricted;
            pruned.filters.type_code = type_code.map(str::to_owned);
            pruned.total_up_to = Some(DEFAULT_TOTAL_UP_TO);
            let mut exhaustive = pruned.clone();
            exhaustive.total_up_to = None;
            exhaustive.facets = true;
            let (fast, slow) = (
                index.search(&pruned).unwrap(),
                index.search(&exhaustive).unwrap(),
            );
            assert_eq!(fast.hits, slow.hits, "{text:?} {offset} {clearance}");
            assert_eq!(fast.total, slow.total, "{text:?}");
            if let Some(restriction) = &pruned.scope.restricted {
                // The outgoing documents (ids 2 modulo 3) are not restricted.
                for hit in &slow.hits {
                    assert!(
                        hit.id % 3 == 2 || restriction.allowed_ids.contains(&hit.id),
                        "{text:?}: {}",
                        hit.id
                    );
                }
            }
            if offset == 0 {
                assert!(!slow.hits.is_empty(), "{text:?}");
            }
        }
    }
}

#[test]
fn an_empty_index_answers_every_mode() {
    let index = SearchIndex::create_in_ram().unwrap();
    for facets in [false, true] {
        let mut search = query("\"cải cách\" hanh");
        search.facets = facets;
        search.total_up_to = Some(DEFAULT_TOTAL_UP_TO);
        let results = index.search(&search).unwrap();
        assert_eq!((results.total, results.hits.len()), (0, 0));
        assert_eq!(results.total_relation, TotalRelation::Exact);
    }
}

#[test]
fn block_max_pruned_top_hits_are_the_exhaustive_ones() {
    // Segments of many blocks (128 postings each) with subjects of very different lengths, so
    // that per-block bounds differ and whole blocks are passed over; one segment's average length
    // differs much from the index's.
    const SYLLABLES: [&str; 12] = [
        "cải", "cách", "hành", "chính", "thủ", "tục", "dịch", "vụ", "công", "trực", "tuyến", "số",
    ];
    let mut state = 29;
    let words = |count: usize, state: &mut u64| -> String {
        (0..count)
            .map(|_| SYLLABLES[(next(state) % 12) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let index = SearchIndex::create_in_ram().unwrap();
    let mut writer = index.writer().unwrap();
    for (first, last, longest) in [(1, 3000, 12), (3001, 3600, 40)] {
        for id in first..=last {
            let subject = words(2 + (next(&mut state) % longest) as usize, &mut state);
            let length = 10 + (next(&mut state) % 80) as usize;
            let text = words(length, &mut state);
            writer.upsert(&document(id, &subject, &text)).unwrap();
        }
        writer.commit().unwrap();
    }
    let texts = [
        "cải cách hành chính",
        "cai cach hanh chinh",
        "\"cải cách hành chính\"",
        "\"dịch vụ công\"",
        "thủ tục số",
        "dich vu cong truc tuyen thu tuc hanh chinh",
        "tuyến",
    ];
    for text in texts {
        let restricted = Restriction {
            registers: vec!["outgoing".to_owned()],
            allowed_ids: (1..=3600).filter(|id| id % 4 == 1).collect(),
        };
        for (offset, restricted) in [(0, None), (7, None), (0, Some(restricted.clone()))] {
            let mut pruned = query(text);
            pruned.offset = offset;
            pruned.scope.restricted = restricted;
            pruned.total_up_to = Some(DEFAULT_TOTAL_UP_TO);
            let mut exhaustive = pruned.clone();
            exhaustive.total_up_to = None;
            exhaustive.facets = true;
            let (fast, slow) = (
                index.search(&pruned).unwrap(),
                index.search(&exhaustive).unwrap(),
            );
            assert_eq!(fast.hits, slow.hits, "{text:?} {offset}");
            assert_eq!(fast.total, slow.total, "{text:?} {offset}");
            assert!(!slow.hits.is_empty(), "{text:?}");
            if pruned.scope.restricted.is_some() {
                assert!(slow.hits.iter().all(|hit| hit.id % 4 == 1), "{text:?}");
            }
        }
    }
}
