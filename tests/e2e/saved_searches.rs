//! Saved searches, the CSV export of a result list, and `vanthu search` with its filters: each
//! user sees only their own saved searches, a run and an export see only what the user may see
//! now, and every save, delete and export is audited.

use std::ffi::OsString;
use std::process::ExitCode;

use secrecy::SecretString;
use serde_json::{Value, json};
use testkit::TestApp;

use crate::api::axum_test_support::{Reply, get, post_multipart, send};
use crate::api::{login, router};
use crate::backend_tests;

backend_tests!(
    saved_searches_belong_to_their_owner,
    search_results_export_as_csv_within_the_scope,
    the_cli_filters_exports_and_saves_searches
);

/// Uploads one PDF as `token`'s user; returns the new document's id.
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

/// The three documents of these stories: a 2024 plan, a 2023 report and a confidential plan.
async fn three_documents(router: &axum::Router, clerk: &str) -> anyhow::Result<[i64; 3]> {
    let plan = upload(
        router,
        clerk,
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
        router,
        clerk,
        "Bao cao 20",
        &[
            ("subject", "=HYPERLINK(\"x\"), báo cáo cải cách hành chính"),
            ("number_symbol", "20/BC-UBND"),
            ("type_code", "BC"),
            ("issuer_name", "Sở Nội vụ, \"Phòng CCHC\""),
            ("issued_date", "2023-11-05"),
        ],
    )
    .await?;
    let secret = upload(
        router,
        clerk,
        "Mat 3",
        &[
            ("subject", "Mật: kế hoạch cải cách"),
            ("number_symbol", "03/KH-UBND"),
            ("type_code", "KH"),
            ("issuer_name", "UBND quận Hoàn Kiếm"),
            ("issued_date", "2024-05-01"),
            ("secrecy", "confidential"),
        ],
    )
    .await?;
    Ok([plan, report, secret])
}

fn send_json(
    method: &str,
    uri: &str,
    token: &str,
    body: &Value,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

fn delete(uri: &str, token: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::delete(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap()
}

/// How many documents the cleared clerk's saved search finds, run directly.
async fn run_total(test: &TestApp) -> anyhow::Result<usize> {
    let clerk = test.actor("vanthu").await?;
    let request = app::SearchRequest {
        text: "cai cach".to_owned(),
        filters: app::SearchFilters::parse(Some("KH"), Some("2024-01-01"), Some("2024-12-31"))?,
        limit: 20,
        offset: 0,
        facets: false,
    };
    Ok(test.app.search(&clerk, &request).await?.hits.len())
}

/// The leader keeps the officer (`chuyenvien`) informed of incoming document `id` (để biết): an
/// officer reads only the incoming documents assigned to them, in searches and exports too.
pub(crate) async fn assign_to_officer(test: &TestApp, id: i64) -> anyhow::Result<()> {
    let leader = test.actor("lanhdao").await?;
    test.app
        .assign_incoming(
            &leader,
            domain::ids::DocumentId(id),
            &app::AssignInput {
                lead: app::AssigneeInput {
                    username: "lanhdao".to_owned(),
                    ..app::AssigneeInput::default()
                },
                information: vec![app::AssigneeInput {
                    username: "chuyenvien".to_owned(),
                    ..app::AssigneeInput::default()
                }],
                ..app::AssignInput::default()
            },
            &app::OperationId::new("assign-to-officer"),
        )
        .await?;
    Ok(())
}

fn ids(results: &Value) -> Vec<i64> {
    results["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|hit| hit["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// The audit action codes of the demo organisation, oldest first.
async fn audit_actions(test: &TestApp) -> anyhow::Result<Vec<(String, String)>> {
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let organization = test.actor("vanthu").await?.organization_id;
    let events = db::audit::events_of_organization(&db, organization, None, None).await?;
    db.close().await;
    Ok(events
        .into_iter()
        .map(|stored| (stored.event.action, stored.event.actor))
        .collect())
}

async fn saved_searches_belong_to_their_owner(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let officer = login(&router, "chuyenvien").await;
    let [plan, report, secret] = three_documents(&router, &clerk).await?;

    // The clerk saves a filtered search; the name keeps its Vietnamese letters (NFC).
    let name = "Kế hoạch cải cách 2024";
    let body = json!({ "name": " Ke\u{302}\u{301} hoạch cải cách 2024 ", "q": "cai cach",
        "type": "KH", "from": "2024-01-01", "to": "2024-12-31" });
    let reply = send(
        &router,
        send_json("POST", "/api/v1/saved-searches", &clerk, &body),
    )
    .await;
    anyhow::ensure!(
        reply.status == 201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let saved = reply.json();
    assert_eq!(saved["name"], name, "{saved}");
    assert_eq!(
        (saved["q"].as_str(), saved["type"].as_str()),
        (Some("cai cach"), Some("KH"))
    );
    // The same name again is a conflict; a blank name or a bad date is invalid.
    send(
        &router,
        send_json("POST", "/api/v1/saved-searches", &clerk, &body),
    )
    .await
    .assert_problem(409, "conflict");
    send(
        &router,
        send_json(
            "POST",
            "/api/v1/saved-searches",
            &clerk,
            &json!({ "name": "  ", "q": "x" }),
        ),
    )
    .await
    .assert_problem(422, "request.invalid");
    send(
        &router,
        send_json(
            "POST",
            "/api/v1/saved-searches",
            &clerk,
            &json!({ "name": "x", "q": "x", "from": "2024-02-30" }),
        ),
    )
    .await
    .assert_problem(422, "request.invalid");

    let list = send(&router, get("/api/v1/saved-searches", Some(&clerk)))
        .await
        .json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let encoded = "K%E1%BA%BF%20ho%E1%BA%A1ch%20c%E1%BA%A3i%20c%C3%A1ch%202024";
    let run_uri = format!("/api/v1/saved-searches/{encoded}/results");
    let run = send(&router, get(&run_uri, Some(&clerk))).await;
    anyhow::ensure!(run.status == 200, "{}", String::from_utf8_lossy(&run.body));
    let run = run.json();
    let found = ids(&run["results"]);
    assert!(
        found.contains(&plan) && found.contains(&secret) && !found.contains(&report),
        "the KH of 2024 the clerk may see (with the demo plan): {run}"
    );
    assert_eq!(run["results"]["total_relation"], "eq");

    // Another user neither sees, runs nor deletes it, and may use the same name.
    let list = send(&router, get("/api/v1/saved-searches", Some(&officer)))
        .await
        .json();
    assert_eq!(list["items"], json!([]), "{list}");
    send(&router, get(&run_uri, Some(&officer)))
        .await
        .assert_problem(404, "not_found");
    send(
        &router,
        delete(&format!("/api/v1/saved-searches/{encoded}"), &officer),
    )
    .await
    .assert_problem(404, "not_found");
    let reply = send(
        &router,
        send_json("POST", "/api/v1/saved-searches", &officer, &body),
    )
    .await;
    anyhow::ensure!(
        reply.status == 201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    // Run by the officer, the same search finds only what the officer may see now: nothing
    // before the leader assigns them the plan, then the plan alone (never the confidential one,
    // nor the documents assigned to no one).
    let run = send(&router, get(&run_uri, Some(&officer))).await.json();
    assert_eq!(ids(&run["results"]), Vec::<i64>::new(), "{run}");
    assert_eq!(run["results"]["total"], 0, "{run}");
    assign_to_officer(&test, plan).await?;
    let run = send(&router, get(&run_uri, Some(&officer))).await.json();
    let found = ids(&run["results"]);
    assert_eq!(found, [plan], "{run}");
    assert_eq!(run["results"]["total"], 1, "{run}");
    assert!(
        run_total(&test).await? > found.len(),
        "others hidden: {run}"
    );

    // The clerk deletes it; the officer's stays.
    let reply = send(
        &router,
        delete(&format!("/api/v1/saved-searches/{encoded}"), &clerk),
    )
    .await;
    assert_eq!(reply.status, 204);
    send(&router, get(&run_uri, Some(&clerk)))
        .await
        .assert_problem(404, "not_found");
    let run = send(&router, get(&run_uri, Some(&officer))).await;
    assert_eq!(run.status, 200);
    send(&router, get("/api/v1/saved-searches", None))
        .await
        .assert_problem(401, "auth.unauthenticated");

    let actions = audit_actions(&test).await?;
    let count = |code: &str, actor: &str| {
        actions
            .iter()
            .filter(|(action, who)| action == code && who == actor)
            .count()
    };
    assert_eq!(count("search.saved", "vanthu"), 1, "{actions:?}");
    assert_eq!(count("search.saved", "chuyenvien"), 1, "{actions:?}");
    assert_eq!(count("search.deleted", "vanthu"), 1, "{actions:?}");
    assert_eq!(count("search.deleted", "chuyenvien"), 0, "{actions:?}");
    Ok(())
}

/// A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF), independent of the writer.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

/// The CSV of a reply: checks the BOM and CRLF line ends, returns the rows.
pub(crate) fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte-order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    parse_csv(text)
}

async fn export(router: &axum::Router, token: &str, query: &str) -> anyhow::Result<Reply> {
    let reply = send(
        router,
        get(&format!("/api/v1/search.csv?{query}"), Some(token)),
    )
    .await;
    anyhow::ensure!(
        reply.status == 200,
        "{query}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    Ok(reply)
}

async fn search_results_export_as_csv_within_the_scope(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let officer = login(&router, "chuyenvien").await;
    let [plan, report, secret] = three_documents(&router, &clerk).await?;
    // An officer exports only the incoming documents assigned to them: none yet.
    let rows = csv_rows(
        &export(&router, &officer, "q=cai%20cach%20hanh%20chinh")
            .await?
            .body,
    );
    assert_eq!(rows.len(), 1, "the header alone: {rows:?}");
    assign_to_officer(&test, plan).await?;
    assign_to_officer(&test, report).await?;

    let reply = export(&router, &officer, "q=cai%20cach%20hanh%20chinh").await?;
    assert_eq!(reply.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        reply.headers["content-disposition"]
            .to_str()?
            .starts_with("attachment; filename=\"vanthu-search-"),
        "{:?}",
        reply.headers
    );
    let rows = csv_rows(&reply.body);
    assert_eq!(
        rows[0],
        [
            "Mã văn bản",
            "Số, ký hiệu",
            "Ngày văn bản",
            "Loại văn bản",
            "Cơ quan ban hành",
            "Trích yếu",
            "Điểm phù hợp",
            "Đoạn trích",
            "Văn bản đến/đi"
        ]
    );
    let found: Vec<i64> = rows[1..]
        .iter()
        .map(|row| row[0].parse().unwrap())
        .collect();
    assert!(found.contains(&plan) && found.contains(&report), "{rows:?}");
    assert!(
        !found.contains(&secret),
        "the officer is not cleared: {rows:?}"
    );
    assert_eq!(found.len(), 2, "only the assigned documents: {rows:?}");
    let plan_row = rows.iter().find(|row| row[0] == plan.to_string()).unwrap();
    assert_eq!(
        plan_row[1..6],
        [
            "15/KH-UBND",
            "2024-02-01",
            "KH",
            "UBND quận Hoàn Kiếm",
            "Kế hoạch cải cách hành chính năm 2024"
        ]
    );
    // A subject that a spreadsheet would run as a formula is defused; quotes and commas survive.
    let report_row = rows
        .iter()
        .find(|row| row[0] == report.to_string())
        .unwrap();
    assert_eq!(report_row[4], "Sở Nội vụ, \"Phòng CCHC\"");
    assert_eq!(
        report_row[5],
        "'=HYPERLINK(\"x\"), báo cáo cải cách hành chính"
    );
    assert!(!report_row[7].contains("<mark>"), "{report_row:?}");
    assert_eq!(report_row[8], "Đến");

    // The cleared clerk's export has the confidential plan; pages are pages of the search.
    let rows = csv_rows(
        &export(&router, &clerk, "q=cai%20cach&limit=100")
            .await?
            .body,
    );
    let all: Vec<String> = rows[1..].iter().map(|row| row[0].clone()).collect();
    assert!(all.contains(&secret.to_string()), "{rows:?}");
    let first = csv_rows(&export(&router, &clerk, "q=cai%20cach&limit=1").await?.body);
    let second = csv_rows(
        &export(&router, &clerk, "q=cai%20cach&limit=1&offset=1")
            .await?
            .body,
    );
    assert_eq!((first.len(), second.len()), (2, 2));
    assert_eq!([first[1][0].clone(), second[1][0].clone()], all[..2]);
    // Filters apply as in the search.
    let rows = csv_rows(&export(&router, &clerk, "q=cai%20cach&type=BC").await?.body);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], report.to_string());

    send(
        &router,
        get("/api/v1/search.csv?q=x&limit=5000", Some(&clerk)),
    )
    .await
    .assert_problem(422, "request.invalid");
    send(
        &router,
        get("/api/v1/search.csv?q=x&format=xml", Some(&clerk)),
    )
    .await
    .assert_problem(400, "request.malformed_query");
    send(&router, get("/api/v1/search.csv?q=x", None))
        .await
        .assert_problem(401, "auth.unauthenticated");

    // The JSON search: facets on request only, the total's relation always.
    let body = send(&router, get("/api/v1/search?q=cai%20cach", Some(&clerk)))
        .await
        .json();
    assert_eq!(body["total_relation"], "eq", "{body}");
    assert!(body.get("facets").is_none(), "{body}");
    let body = send(
        &router,
        get("/api/v1/search?q=cai%20cach&facets=true", Some(&clerk)),
    )
    .await
    .json();
    assert!(
        body["facets"]["type"]
            .as_array()
            .is_some_and(|values| !values.is_empty()),
        "{body}"
    );

    let actions = audit_actions(&test).await?;
    let exports = actions
        .iter()
        .filter(|(action, _)| action == "search.exported")
        .count();
    assert_eq!(exports, 6, "{actions:?}");
    Ok(())
}

async fn vanthu(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    cli::run(args).await
}

async fn the_cli_filters_exports_and_saves_searches(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let [plan, report, secret] = three_documents(&router, &clerk).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, test.config_file_text())?;
    let config = config.to_str().unwrap();
    let out = dir.path().join("ket-qua.csv");
    let out = out.to_str().unwrap();
    let found = || -> anyhow::Result<Vec<i64>> {
        let rows = csv_rows(&std::fs::read(out)?);
        Ok(rows[1..]
            .iter()
            .map(|row| row[0].parse().unwrap())
            .collect())
    };
    let search = |extra: &[&'static str]| {
        let mut args = vec!["--config", config, "search"];
        args.extend_from_slice(extra);
        args
    };

    // Filters: the type and the dates (the system actor is cleared for every level).
    let args = search(&[
        "cai cach",
        "--type",
        "KH",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
    ]);
    let mut args: Vec<&str> = args;
    args.extend(["--csv", out]);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    let ids = found()?;
    assert!(ids.contains(&plan) && ids.contains(&secret), "{ids:?}");
    assert!(!ids.contains(&report), "{ids:?}");
    let mut args = search(&["cai cach", "--to", "2023-12-31", "--csv"]);
    args.push(out);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    assert_eq!(found()?, [report]);
    // Pages: --page 2 of one is the second hit.
    let mut args = search(&["cai cach", "--limit", "1", "--page", "2", "--csv"]);
    args.push(out);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    let second = found()?;
    let mut args = search(&["cai cach", "--limit", "1", "--offset", "1", "--csv"]);
    args.push(out);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    assert_eq!(found()?, second);
    assert_eq!(second.len(), 1);

    // As a user: the user's clearance (the officer does not see the confidential plan) and, for
    // an officer, only the documents assigned to them.
    assign_to_officer(&test, plan).await?;
    let mut args = search(&["cai cach", "--as", "chuyenvien", "--type", "KH", "--csv"]);
    args.push(out);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    let ids = found()?;
    assert_eq!(ids, [plan], "{ids:?}");

    // Saved, as a user: save with filters, run it by name, list, delete.
    let args = search(&[
        "cai cach",
        "--as",
        "vanthu",
        "--type",
        "BC",
        "--save",
        "Báo cáo",
        "--json",
    ]);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    let mut args = search(&["--as", "vanthu", "--saved", "Báo cáo", "--csv"]);
    args.push(out);
    anyhow::ensure!(vanthu(&args).await? == ExitCode::SUCCESS);
    assert_eq!(found()?, [report]);
    // Another user has no saved search of that name.
    assert_eq!(
        vanthu(&search(&["--as", "chuyenvien", "--saved", "Báo cáo"])).await?,
        ExitCode::FAILURE
    );
    let list = search(&["--as", "vanthu", "--list-saved", "--json"]);
    anyhow::ensure!(vanthu(&list).await? == ExitCode::SUCCESS);
    let delete = search(&["--as", "vanthu", "--delete-saved", "Báo cáo"]);
    anyhow::ensure!(vanthu(&delete).await? == ExitCode::SUCCESS);
    assert_eq!(
        vanthu(&search(&["--as", "vanthu", "--saved", "Báo cáo"])).await?,
        ExitCode::FAILURE
    );
    // Saved searches need a user.
    assert_eq!(
        vanthu(&search(&["x", "--save", "y"])).await?,
        ExitCode::from(2)
    );

    // Bad input: an error with its code (exit 1), or a usage error (exit 2).
    assert_eq!(
        vanthu(&search(&["x", "--from", "2024-13-01"])).await?,
        ExitCode::FAILURE
    );
    assert_eq!(
        vanthu(&search(&["x", "--limit", "500"])).await?,
        ExitCode::FAILURE
    );
    assert_eq!(
        vanthu(&search(&["x", "--page", "0"])).await?,
        ExitCode::from(2)
    );
    assert_eq!(vanthu(&search(&[])).await?, ExitCode::from(2));
    assert_eq!(
        vanthu(&search(&["x", "--page", "2", "--offset", "3"])).await?,
        ExitCode::from(2)
    );
    let actions = audit_actions(&test).await?;
    for (code, user) in [
        ("search.saved", "vanthu"),
        ("search.deleted", "vanthu"),
        ("search.exported", "system"),
        ("search.exported", "chuyenvien"),
    ] {
        assert!(
            actions
                .iter()
                .any(|(action, actor)| action == code && actor == user),
            "{code}: {actions:?}"
        );
    }
    Ok(())
}
