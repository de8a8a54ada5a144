//! Full-text search through the API: Vietnamese with or without diacritics, the clearance scope
//! of hits and totals, an officer's restriction to the documents assigned to them, and a rebuilt
//! index giving identical results.

use secrecy::SecretString;
use serde_json::Value;
use testkit::TestApp;

use crate::api::axum_test_support::{get, post_multipart, send};
use crate::api::{login, router};
use crate::backend_tests;

backend_tests!(
    vietnamese_search_is_scoped_and_survives_a_rebuild,
    documents_are_found_by_their_extracted_text,
    an_officer_finds_only_the_incoming_documents_assigned_to_them
);

/// Uploads one PDF as the clerk; returns the new document's id.
async fn upload(
    router: &axum::Router,
    token: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<i64> {
    let pdf = testkit::pdf_with_pages(&[page]);
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("file", Some("van-ban.pdf"), &pdf)];
    for (name, value) in fields {
        parts.push((name, None, value.as_bytes()));
    }
    let reply = send(
        router,
        post_multipart("/api/v1/incoming", Some(token), &parts),
    )
    .await;
    anyhow::ensure!(
        reply.status == 201,
        "upload: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no id in {}", reply.json()))
}

/// Runs a search; returns the whole body.
async fn search(router: &axum::Router, token: &str, query: &str) -> anyhow::Result<Value> {
    let uri = format!("/api/v1/search?{query}");
    let reply = send(router, get(&uri, Some(token))).await;
    anyhow::ensure!(
        reply.status == 200,
        "{uri}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    Ok(reply.json())
}

fn ids(body: &Value) -> Vec<i64> {
    body["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|hit| hit["id"].as_i64()).collect())
        .unwrap_or_default()
}

async fn vietnamese_search_is_scoped_and_survives_a_rebuild(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let officer = login(&router, "chuyenvien").await;

    let plan = upload(
        &router,
        &clerk,
        "Ke hoach 15",
        &[
            ("subject", "Kế hoạch cải cách hành chính năm 2024"),
            ("number_symbol", "15/KH-UBND"),
            ("type_code", "KH"),
            ("issuer_name", "UBND quận Hoàn Kiếm"),
            ("issued_date", "2024-02-01"),
        ],
    )
    .await?;
    let report = upload(
        &router,
        &clerk,
        "Bao cao 20",
        &[
            ("subject", "Báo cáo chuyển đổi số, chính quyền điện tử"),
            ("number_symbol", "20/BC-UBND"),
            ("type_code", "BC"),
            ("issuer_name", "Sở Thông tin và Truyền thông"),
            ("issued_date", "2024-03-05"),
        ],
    )
    .await?;
    let secret = upload(
        &router,
        &clerk,
        "Mat 3",
        &[
            ("subject", "Mật: kế hoạch cải cách"),
            ("number_symbol", "03/KH-UBND"),
            ("type_code", "KH"),
            ("issuer_name", "UBND quận Hoàn Kiếm"),
            ("secrecy", "confidential"),
        ],
    )
    .await?;

    // Without diacritics: the plan, not the report nor the confidential one.
    let found = ids(&search(&router, &clerk, "q=cai%20cach%20hanh%20chinh").await?);
    assert!(found.contains(&plan), "{found:?}");
    assert!(
        !found.contains(&report) && !found.contains(&secret),
        "{found:?}"
    );
    // The report has it in its subject, ranked above the demo plan that has it in its body.
    let body = search(&router, &clerk, "q=dien%20tu").await?;
    let found = ids(&body);
    assert_eq!(found.first(), Some(&report), "{body}");
    assert!(!found.contains(&plan) && !found.contains(&secret), "{body}");
    assert!(
        body["hits"][0]["snippet"]
            .as_str()
            .unwrap_or_default()
            .contains("<mark>"),
        "{body}"
    );

    // The clearance scope: the clerk (cleared) sees the confidential plan, the officer never does,
    // in hits or in the total; the officer sees only the plan assigned to them (which the leader
    // may do, unlike the confidential one, for which the officer is not cleared).
    let cleared = search(&router, &clerk, "q=cai%20cach&limit=50").await?;
    assert!(ids(&cleared).contains(&secret), "{cleared}");
    crate::saved_searches::assign_to_officer(&test, plan).await?;
    let uncleared = search(&router, &officer, "q=cai%20cach&limit=50").await?;
    assert_eq!(ids(&uncleared), [plan], "{uncleared}");
    assert_eq!(uncleared["total"], 1, "{uncleared}");
    assert!(
        cleared["total"].as_u64().unwrap_or_default() >= 2,
        "{cleared}"
    );

    // Filters, and bad parameters as problem documents.
    let plans = ids(&search(
        &router,
        &clerk,
        "q=cai%20cach&type=KH&from=2024-02-01&to=2024-12-31",
    )
    .await?);
    assert_eq!(plans, vec![plan]);
    send(
        &router,
        get("/api/v1/search?q=x&from=2024-13-01", Some(&clerk)),
    )
    .await
    .assert_problem(422, "request.invalid");
    send(&router, get("/api/v1/search?q=x&limit=abc", Some(&clerk)))
        .await
        .assert_problem(400, "request.malformed_query");
    send(&router, get("/api/v1/search?q=x", None))
        .await
        .assert_problem(401, "auth.unauthenticated");

    // The index is derived data: deleted and rebuilt, it answers the same.
    let queries = [
        "q=cai%20cach%20hanh%20chinh",
        "q=dien%20tu",
        "q=cai%20cach&limit=50",
    ];
    let mut before = Vec::new();
    for query in queries {
        before.push(search(&router, &clerk, query).await?);
    }
    std::fs::remove_dir_all(&test.index_dir)?;
    let count = test.app.reindex().await?;
    assert_eq!(count, 4, "the demo plan and the three uploads");
    for (query, expected) in queries.into_iter().zip(before) {
        assert_eq!(search(&router, &clerk, query).await?, expected, "{query}");
    }
    Ok(())
}

/// The id of the demo reform plan (`06/KH-UBND`) in the clerk's register.
async fn demo_plan(router: &axum::Router, token: &str) -> anyhow::Result<i64> {
    let reply = send(router, get("/api/v1/incoming", Some(token))).await;
    anyhow::ensure!(reply.status == 200, "list: {}", reply.status);
    let body = reply.json();
    body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|item| item["number_symbol"] == "06/KH-UBND")
        .and_then(|item| item["id"].as_i64())
        .ok_or_else(|| anyhow::anyhow!("no demo plan in {body}"))
}

async fn documents_are_found_by_their_extracted_text(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;

    // The seeded plan's subject does not say it; its body does ("chính quyền điện tử").
    let plan = demo_plan(&router, &clerk).await?;
    let body = search(&router, &clerk, "q=chinh%20quyen%20dien%20tu").await?;
    assert!(ids(&body).contains(&plan), "{body}");

    // An upload whose only words are in its page.
    let pdf = testkit::minimal_pdf("Bien ban hop giao ban");
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&clerk),
            &[("file", Some("bien-ban.pdf"), &pdf)],
        ),
    )
    .await;
    anyhow::ensure!(
        reply.status == 201,
        "upload: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let minutes = reply.json()["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no id in {}", reply.json()))?;
    // Exact phrase first (the plan's body also has "giao" and "ban" apart).
    let body = search(&router, &clerk, "q=giao%20ban").await?;
    assert_eq!(ids(&body).first(), Some(&minutes), "{body}");

    // The texts are stored, by the extractor that made them.
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let stored = db::document_texts::get(&db, domain::ids::DocumentId(minutes)).await?;
    let plan_text = db::document_texts::get(&db, domain::ids::DocumentId(plan)).await?;
    db.close().await;
    let stored = stored.ok_or_else(|| anyhow::anyhow!("no stored text"))?;
    assert_eq!(stored.method, "pdftotext");
    assert!(!stored.needs_ocr);
    assert!(stored.text.contains("Bien ban hop giao ban"), "{stored:?}");
    let plan_text = plan_text.ok_or_else(|| anyhow::anyhow!("no stored text for the plan"))?;
    assert_eq!(plan_text.method, "pdftotext");
    assert!(!plan_text.needs_ocr, "Unicode Vietnamese needs no OCR");
    assert!(plan_text.text.contains("chính quyền điện tử"));

    // A rebuild reads the stored texts: the body still finds both.
    test.app.reindex().await?;
    let body = search(&router, &clerk, "q=chinh%20quyen%20dien%20tu").await?;
    assert!(ids(&body).contains(&plan), "{body}");
    // Exact phrase first (the plan's body also has "giao" and "ban" apart).
    let body = search(&router, &clerk, "q=giao%20ban").await?;
    assert_eq!(ids(&body).first(), Some(&minutes), "{body}");
    Ok(())
}

/// The facet counts of one facet of a search body, as (value, count) pairs.
fn facet(body: &Value, name: &str) -> Vec<(String, u64)> {
    body["facets"][name]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            (
                entry["value"].as_str().unwrap_or_default().to_owned(),
                entry["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

async fn an_officer_finds_only_the_incoming_documents_assigned_to_them(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let officer = login(&router, "chuyenvien").await;
    let upload_one = |page: &'static str, number: &'static str, type_code: &'static str| {
        let (router, clerk) = (router.clone(), clerk.clone());
        async move {
            upload(
                &router,
                &clerk,
                page,
                &[
                    ("subject", "Kế hoạch phòng chống thiên tai"),
                    ("number_symbol", number),
                    ("type_code", type_code),
                    ("issuer_name", "Ban chỉ huy phòng chống thiên tai"),
                    ("issued_date", "2024-06-01"),
                ],
            )
            .await
        }
    };
    let first = upload_one("Thien tai 1", "01/KH-BCH", "KH").await?;
    let second = upload_one("Thien tai 2", "02/CV-BCH", "CV").await?;
    let third = upload_one("Thien tai 3", "03/TB-BCH", "TB").await?;
    let query = "q=phong%20chong%20thien%20tai&limit=50&facets=true";

    // The clerk reads the whole register: all three.
    let all = search(&router, &clerk, query).await?;
    let mut found = ids(&all);
    found.sort_unstable();
    assert_eq!(found, [first, second, third], "{all}");
    assert_eq!(all["total"], 3, "{all}");

    // The officer, assigned none: nothing in hits, total or facets.
    let none = search(&router, &officer, query).await?;
    assert_eq!(ids(&none), Vec::<i64>::new(), "{none}");
    assert_eq!(none["total"], 0, "{none}");
    assert_eq!(facet(&none, "type"), [], "{none}");
    assert_eq!(facet(&none, "issuer"), [], "{none}");

    // Assigned the first: that one alone, and the totals and facets agree.
    crate::saved_searches::assign_to_officer(&test, first).await?;
    let one = search(&router, &officer, query).await?;
    assert_eq!(ids(&one), [first], "{one}");
    assert_eq!(one["total"], 1, "{one}");
    assert_eq!(facet(&one, "type"), [("KH".to_owned(), 1)], "{one}");
    assert_eq!(
        facet(&one, "issuer"),
        [("Ban chỉ huy phòng chống thiên tai".to_owned(), 1)],
        "{one}"
    );
    // Searching the other ones' own words finds nothing either (no snippet leaks).
    let other = search(&router, &officer, "q=02%2FCV-BCH").await?;
    assert_eq!(other["total"], 0, "{other}");

    // After the leader assigns the third to them, it appears too.
    crate::saved_searches::assign_to_officer(&test, third).await?;
    let two = search(&router, &officer, query).await?;
    let mut found = ids(&two);
    found.sort_unstable();
    assert_eq!(found, [first, third], "{two}");
    assert_eq!(two["total"], 2, "{two}");
    let mut types = facet(&two, "type");
    types.sort();
    assert_eq!(types, [("KH".to_owned(), 1), ("TB".to_owned(), 1)], "{two}");
    Ok(())
}
