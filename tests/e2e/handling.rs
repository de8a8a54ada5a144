//! Handling incoming documents after registration, over HTTP on both backends: present, assign
//! (deadlines in working days over the holiday calendar), progress, close; overdue flags on a
//! moved clock; return to sender; every role refused what it may not do; another organisation
//! sees nothing; two leaders at once; and the printed registers and routing slip checked with
//! poppler's `pdftotext` and `qpdf --check`.

use domain::levels::Secrecy;
use domain::role::Role;
use secrecy::SecretString;
use serde_json::{Value, json};
use testkit::TestApp;
use time::macros::datetime;

use crate::api::axum_test_support::*;
use crate::api::{login, router};
use crate::backend_tests;

/// Wednesday 29 April 2026, before the 30/4 and 1/5 holidays and a weekend.
const BEFORE_THE_HOLIDAYS: time::OffsetDateTime = datetime!(2026-04-29 09:00 +07:00);

/// A JSON request with a bearer token.
fn request(
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

async fn post(router: &axum::Router, uri: &str, token: &str, body: Value) -> Reply {
    send(router, request("POST", uri, token, &body)).await
}

fn ok(reply: &Reply) -> Value {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

async fn connect(test: &TestApp) -> anyhow::Result<db::Db> {
    Ok(db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 2,
    })
    .await?)
}

/// Adds a user who logs in with the demo password: the hash is copied from a demo user.
async fn add_user(
    db: &db::Db,
    organization: domain::ids::OrganizationId,
    username: &str,
    full_name: &str,
    roles: &[Role],
) -> anyhow::Result<()> {
    let template = db::users::find_by_username(db, &domain::user::Username::parse("vanthu")?)
        .await?
        .unwrap();
    let tx = db.begin_write().await?;
    db::users::insert(
        &tx,
        db::users::NewUser {
            organization_id: organization,
            username: &domain::user::Username::parse(username)?,
            full_name: &domain::user::FullName::parse(full_name)?,
            position: "Công chức",
            password_hash: &template.password_hash,
            clearance: Secrecy::Normal,
            roles,
        },
        testkit::TEST_NOW,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The demo ward with a second officer and a second leader.
async fn ward(test: &TestApp) -> anyhow::Result<db::Db> {
    let db = connect(test).await?;
    let ward = db::organizations::find_by_electronic_id(
        &db,
        &domain::organization::ElectronicId::parse(app::DEMO_ORGANIZATION_ID)?,
    )
    .await?
    .unwrap()
    .id;
    add_user(&db, ward, "chuyenvien2", "Vũ Thị Hoa", &[Role::Officer]).await?;
    add_user(&db, ward, "phochutich", "Bùi Văn Khánh", &[Role::Leader]).await?;
    Ok(db)
}

/// Uploads a PDF as the clerk and returns the new document's id.
async fn upload(router: &axum::Router, clerk: &str, text: &str, symbol: &str) -> i64 {
    let pdf = testkit::minimal_pdf(text);
    let reply = send(
        router,
        post_multipart(
            "/api/v1/incoming",
            Some(clerk),
            &[
                ("file", Some("cong-van.pdf"), &pdf),
                ("number_symbol", None, symbol.as_bytes()),
                ("type_code", None, b"CV"),
                (
                    "subject",
                    None,
                    "V/v báo cáo tình hình thực hiện cải cách hành chính quý I".as_bytes(),
                ),
                ("issuer_name", None, "UBND thành phố Bắc Ninh".as_bytes()),
                ("issued_date", None, b"2026-04-20"),
            ],
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"].as_i64().unwrap()
}

async fn receive_present_assign_progress_done(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    test.clock.set(BEFORE_THE_HOLIDAYS);
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let leader = login(&router, "lanhdao").await;
    let lead = login(&router, "chuyenvien").await;
    let helper = login(&router, "chuyenvien2").await;

    let id = upload(&router, &clerk, "Cong van 15", "15/UBND-VP").await;
    let base = format!("/api/v1/incoming/{id}");

    let presented = ok(&post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdao", "note": "Kính trình Chủ tịch" }),
    )
    .await);
    assert_eq!(presented["state"], "awaiting_assignment");
    assert_eq!(presented["presented_to"], "Nguyễn Văn An");

    // Two working days from Wednesday 29/4: 30/4 and 1/5 are holidays, 2–3/5 a weekend.
    let assigned = ok(&post(
        &router,
        &format!("{base}/assign"),
        &leader,
        json!({
            "lead": { "username": "chuyenvien", "working_days": 2, "note": "Chủ trì tham mưu báo cáo" },
            "cooperating": [{ "username": "chuyenvien2", "deadline": "2026-05-08" }],
            "information": [{ "username": "phochutich" }],
            "version": presented["version"],
        }),
    )
    .await);
    assert_eq!(assigned["state"], "in_progress");
    assert_eq!(assigned["deadline"], "2026-05-05", "{assigned}");
    assert_eq!(assigned["overdue"], false);
    let roles: Vec<(&str, &str)> = assigned["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["role"].as_str().unwrap(),
                a["assignee_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("lead", "Lê Văn Cường"),
            ("cooperate", "Vũ Thị Hoa"),
            ("information", "Bùi Văn Khánh")
        ]
    );
    assert_eq!(assigned["assignments"][0]["role_label"], "Chủ trì");

    let holidays = ok(&send(&router, get("/api/v1/holidays", Some(&lead))).await);
    let holidays: Vec<(&str, &str)> = holidays["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["date"].as_str().unwrap(), h["kind"].as_str().unwrap()))
        .collect();
    assert!(holidays.contains(&("2026-04-30", "solar")), "{holidays:?}");
    assert!(
        holidays.contains(&("2026-02-17", "lunar")),
        "Tết is a data row: {holidays:?}"
    );
    let tasks = ok(&send(&router, get("/api/v1/incoming/tasks", Some(&lead))).await);
    assert_eq!(tasks["items"].as_array().unwrap().len(), 1, "{tasks}");
    assert_eq!(tasks["items"][0]["document"]["id"], id);
    assert_eq!(tasks["items"][0]["assignment"]["deadline"], "2026-05-05");

    let noted = ok(&post(
        &router,
        &format!("{base}/progress"),
        &helper,
        json!({ "note": "Đã tổng hợp số liệu phối hợp" }),
    )
    .await);
    assert_eq!(noted["notes"][0]["author"], "Vũ Thị Hoa");
    // A co-operating handler does not close the document.
    post(&router, &format!("{base}/complete"), &helper, json!({}))
        .await
        .assert_problem(403, "auth.forbidden");

    // Sessions last an hour of the test clock: each look logs in afresh.
    let overdue = |username: &str| {
        let router = router.clone();
        let username = username.to_owned();
        async move {
            let token = login(&router, &username).await;
            ok(&send(
                &router,
                get("/api/v1/incoming/tracking?overdue=true", Some(&token)),
            )
            .await)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert!(overdue("lanhdao").await.is_empty());
    // The deadline day itself is not late; the next day is.
    test.clock.set(datetime!(2026-05-05 23:00 +07:00));
    assert!(overdue("lanhdao").await.is_empty());
    test.clock.set(datetime!(2026-05-06 08:00 +07:00));
    assert_eq!(overdue("lanhdao").await, [id]);
    let leader = login(&router, "lanhdao").await;
    let lead = login(&router, "chuyenvien").await;
    let clerk = login(&router, "vanthu").await;
    let handling = ok(&send(&router, get(&format!("{base}/handling"), Some(&lead))).await);
    assert_eq!(handling["overdue"], true);
    assert_eq!(handling["assignments"][0]["overdue"], true);
    let mine = ok(&send(&router, get("/api/v1/incoming/tracking?assignee=chuyenvien&state=in_progress&year=2026&register=incoming", Some(&leader))).await);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    let before = ok(&send(
        &router,
        get(
            "/api/v1/incoming/tracking?deadline_before=2026-05-05",
            Some(&leader),
        ),
    )
    .await);
    assert!(before["items"].as_array().unwrap().is_empty(), "{before}");

    let done = ok(&post(
        &router,
        &format!("{base}/complete"),
        &lead,
        json!({ "note": "Đã báo cáo", "reply_number_symbol": "21/BC-UBND", "version": handling["version"] }),
    )
    .await);
    assert_eq!(done["state"], "done");
    assert_eq!(done["overdue"], false);
    assert_eq!(done["reply_number_symbol"], "21/BC-UBND");
    assert!(
        ok(&send(&router, get("/api/v1/incoming/tasks", Some(&lead))).await)["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(overdue("lanhdao").await.is_empty());

    let history = ok(&send(&router, get(&format!("{base}/history"), Some(&clerk))).await);
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "incoming.received",
            "incoming.presented",
            "incoming.assigned",
            "incoming.progress_noted",
            "incoming.completed"
        ]
    );
    assert_eq!(history["items"][2]["label"], "Phân công xử lý");
    assert_eq!(history["items"][2]["actor"], "lanhdao");

    // Handled documents take no more handling.
    post(
        &router,
        &format!("{base}/progress"),
        &lead,
        json!({ "note": "x" }),
    )
    .await
    .assert_problem(409, "incoming.invalid_state");
    let audit = test.app.verify_audit_chain().await?;
    assert!(audit.is_intact(), "{audit:?}");
    Ok(())
}

async fn every_role_is_refused_what_it_may_not_do(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let id = upload(&router, &clerk, "Cong van 16", "16/UBND-VP").await;
    let base = format!("/api/v1/incoming/{id}");
    let present = json!({ "leader": "lanhdao" });
    let assign = json!({ "lead": { "username": "chuyenvien", "working_days": 3 } });

    for username in ["lanhdao", "chuyenvien", "luutru", "kiemtra", "quantri"] {
        let token = login(&router, username).await;
        post(&router, &format!("{base}/present"), &token, present.clone())
            .await
            .assert_problem(403, "auth.forbidden");
        post(
            &router,
            &format!("{base}/return"),
            &token,
            json!({ "reason": "sai" }),
        )
        .await
        .assert_problem(403, "auth.forbidden");
    }
    for username in ["vanthu", "chuyenvien", "luutru", "kiemtra", "quantri"] {
        let token = login(&router, username).await;
        post(&router, &format!("{base}/assign"), &token, assign.clone())
            .await
            .assert_problem(403, "auth.forbidden");
        post(&router, &format!("{base}/reassign"), &token, assign.clone())
            .await
            .assert_problem(403, "auth.forbidden");
    }
    for username in ["vanthu", "luutru", "kiemtra", "quantri"] {
        let token = login(&router, username).await;
        post(
            &router,
            &format!("{base}/progress"),
            &token,
            json!({ "note": "x" }),
        )
        .await
        .assert_problem(403, "auth.forbidden");
        post(&router, &format!("{base}/complete"), &token, json!({}))
            .await
            .assert_problem(403, "auth.forbidden");
    }
    let admin = login(&router, "quantri").await;
    send(&router, get("/api/v1/incoming/tracking", Some(&admin)))
        .await
        .assert_problem(403, "auth.forbidden");
    send(
        &router,
        get("/api/v1/registers/incoming/2026.pdf", Some(&admin)),
    )
    .await
    .assert_problem(403, "auth.forbidden");

    // Presented and assigned to chuyenvien: the other officer neither sees nor handles it.
    ok(&post(&router, &format!("{base}/present"), &clerk, present).await);
    let leader = login(&router, "lanhdao").await;
    ok(&post(&router, &format!("{base}/assign"), &leader, assign).await);
    let other = login(&router, "chuyenvien2").await;
    post(
        &router,
        &format!("{base}/progress"),
        &other,
        json!({ "note": "x" }),
    )
    .await
    .assert_problem(404, "not_found");
    post(&router, &format!("{base}/complete"), &other, json!({}))
        .await
        .assert_problem(404, "not_found");
    send(&router, get(&format!("{base}/handling"), Some(&other)))
        .await
        .assert_problem(404, "not_found");
    let listed = |token: String| {
        let router = router.clone();
        async move {
            ok(&send(&router, get("/api/v1/incoming/tracking", Some(&token))).await)["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(listed(other.clone()).await, 0);
    assert_eq!(listed(login(&router, "chuyenvien").await).await, 1);
    assert_eq!(
        listed(leader.clone()).await,
        2,
        "the upload and the demo plan"
    );

    // Bad input is a clear 422 naming every field, never a 500.
    let reply = post(
        &router,
        &format!("{base}/reassign"),
        &leader,
        json!({
            "lead": { "username": "nobody", "working_days": 2 },
            "cooperating": [{ "username": "chuyenvien2", "deadline": "2026-13-01" }],
            "information": [{ "username": "vanthu" }],
        }),
    )
    .await;
    reply.assert_problem(422, "request.invalid");
    let problem = reply.json();
    let fields: Vec<&str> = problem["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lead", "cooperating", "information"]);
    // Kept informed (để biết), the other officer now sees the document but does not handle it.
    ok(&post(
        &router,
        &format!("{base}/reassign"),
        &leader,
        json!({
            "lead": { "username": "chuyenvien" },
            "information": [{ "username": "chuyenvien2" }],
        }),
    )
    .await);
    ok(&send(&router, get(&format!("{base}/handling"), Some(&other))).await);
    post(
        &router,
        &format!("{base}/progress"),
        &other,
        json!({ "note": "x" }),
    )
    .await
    .assert_problem(403, "auth.forbidden");
    send(
        &router,
        get("/api/v1/incoming/tracking?overdue=maybe", Some(&leader)),
    )
    .await
    .assert_problem(400, "request.malformed_query");
    send(
        &router,
        get("/api/v1/incoming/tracking?state=lost", Some(&leader)),
    )
    .await
    .assert_problem(422, "request.invalid");
    Ok(())
}

async fn another_organisation_sees_nothing(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let db = ward(&test).await?;
    let tx = db.begin_write().await?;
    let city = db::organizations::insert(
        &tx,
        &domain::organization::OrganizationProfile {
            electronic_id: domain::organization::ElectronicId::parse("000.00.21.H02")?,
            name: "Ủy ban nhân dân thành phố".to_owned(),
            abbreviation: domain::organization::Abbreviation::parse("UBND")?,
            place_name: "Thành phố".to_owned(),
        },
        testkit::TEST_NOW,
    )
    .await?;
    tx.commit().await?;
    add_user(
        &db,
        city,
        "lanhdaothanhpho",
        "Đặng Văn Long",
        &[Role::Leader],
    )
    .await?;
    add_user(&db, city, "vanthuthanhpho", "Ngô Thị Mai", &[Role::Clerk]).await?;

    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let id = upload(&router, &clerk, "Cong van 17", "17/UBND-VP").await;
    let base = format!("/api/v1/incoming/{id}");
    let outsider = login(&router, "lanhdaothanhpho").await;
    let outside_clerk = login(&router, "vanthuthanhpho").await;
    for path in ["handling", "history", "routing-slip.pdf"] {
        send(&router, get(&format!("{base}/{path}"), Some(&outsider)))
            .await
            .assert_problem(404, "not_found");
    }
    post(
        &router,
        &format!("{base}/present"),
        &outside_clerk,
        json!({ "leader": "lanhdaothanhpho" }),
    )
    .await
    .assert_problem(404, "not_found");
    post(
        &router,
        &format!("{base}/assign"),
        &outsider,
        json!({ "lead": { "username": "lanhdaothanhpho" } }),
    )
    .await
    .assert_problem(404, "not_found");
    let list = ok(&send(&router, get("/api/v1/incoming/tracking", Some(&outsider))).await);
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    // Nor can the ward present to, or assign, the city's people.
    let reply = post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdaothanhpho" }),
    )
    .await;
    reply.assert_problem(422, "request.invalid");
    Ok(())
}

async fn two_leaders_assigning_at_once_one_wins(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let first = login(&router, "lanhdao").await;
    let second = login(&router, "phochutich").await;
    let id = upload(&router, &clerk, "Cong van 18", "18/UBND-VP").await;
    let base = format!("/api/v1/incoming/{id}");
    let presented = ok(&post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdao" }),
    )
    .await);
    let version = presented["version"].clone();

    // Four assignments at once, two from each leader, all made on the version they saw.
    let uri = format!("{base}/assign");
    let attempts: Vec<_> = [(&first, "chuyenvien"), (&second, "chuyenvien2")]
        .into_iter()
        .cycle()
        .take(4)
        .map(|(token, handler)| {
            let router = router.clone();
            let uri = uri.clone();
            let token = token.clone();
            let body = json!({ "lead": { "username": handler }, "version": version });
            tokio::spawn(async move { post(&router, &uri, &token, body).await })
        })
        .collect();
    let mut replies = Vec::new();
    for attempt in attempts {
        replies.push(attempt.await?);
    }
    let (winners, losers): (Vec<Reply>, Vec<Reply>) =
        replies.into_iter().partition(|reply| reply.status == 200);
    assert_eq!(winners.len(), 1, "exactly one assignment wins");
    let winner = winners.into_iter().next().unwrap();
    for loser in &losers {
        assert_eq!(
            loser.status,
            409,
            "{}",
            String::from_utf8_lossy(&loser.body)
        );
        let code = loser.json()["code"].as_str().unwrap().to_owned();
        assert!(
            code == "incoming.concurrent_change" || code == "incoming.invalid_state",
            "{code}"
        );
    }
    let handling = ok(&send(&router, get(&format!("{base}/handling"), Some(&first))).await);
    assert_eq!(
        handling["assignments"].as_array().unwrap().len(),
        1,
        "{handling}"
    );
    assert_eq!(
        handling["assignments"][0]["assignee_name"],
        winner.json()["assignments"][0]["assignee_name"]
    );

    // A change made on a stale version is refused, whatever the order of arrival.
    post(
        &router,
        &format!("{base}/reassign"),
        &second,
        json!({ "lead": { "username": "chuyenvien2" }, "version": version }),
    )
    .await
    .assert_problem(409, "incoming.concurrent_change");
    let reassigned = ok(&post(
        &router,
        &format!("{base}/reassign"),
        &second,
        json!({ "lead": { "username": "chuyenvien2" }, "version": handling["version"] }),
    )
    .await);
    let active: Vec<&Value> = reassigned["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["assignee_name"], "Vũ Thị Hoa");
    Ok(())
}

/// The commit-time check itself: of two transitions made on the same version, the second finds
/// the row changed and is refused, and rolls back with nothing written.
async fn a_transition_on_a_stale_version_is_a_conflict(db: testkit::TestDb) -> anyhow::Result<()> {
    use domain::incoming::IncomingState;

    let test = TestApp::start(db).await?;
    let db = connect(&test).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let id = domain::ids::DocumentId(upload(&router, &clerk, "Cong van 21", "21/UBND-VP").await);
    let read = db::handling::find(&db, id).await?.unwrap();
    assert_eq!(read.state, IncomingState::Registered);

    let tx = db.begin_write().await?;
    let version = db::handling::transition(
        &tx,
        id,
        read.version,
        IncomingState::AwaitingAssignment,
        testkit::TEST_NOW,
    )
    .await?;
    tx.commit().await?;
    assert_eq!(version, read.version + 1);

    let tx = db.begin_write().await?;
    let stale = db::handling::transition(
        &tx,
        id,
        read.version,
        IncomingState::InProgress,
        testkit::TEST_NOW,
    )
    .await;
    assert!(
        matches!(stale, Err(db::Error::Conflict { .. })),
        "{stale:?}"
    );
    tx.rollback().await?;
    let now = db::handling::find(&db, id).await?.unwrap();
    assert_eq!(
        (now.state, now.version),
        (IncomingState::AwaitingAssignment, version)
    );
    Ok(())
}

async fn return_to_sender_with_a_reason(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let id = upload(&router, &clerk, "Cong van 19", "19/UBND-VP").await;
    let base = format!("/api/v1/incoming/{id}");
    // A registered document is past returning.
    post(
        &router,
        &format!("{base}/return"),
        &clerk,
        json!({ "reason": "Gửi nhầm nơi nhận" }),
    )
    .await
    .assert_problem(409, "incoming.invalid_state");
    // Upload registers at once; a document that arrives by a channel which holds it as received
    // (before registration) is played here by setting the state directly.
    testkit::execute_sql(
        test.db.url(),
        &format!("UPDATE documents SET state = 'received' WHERE id = {id}"),
    )
    .await?;
    post(
        &router,
        &format!("{base}/return"),
        &clerk,
        json!({ "reason": "   " }),
    )
    .await
    .assert_problem(422, "request.invalid");
    let returned = ok(&post(
        &router,
        &format!("{base}/return"),
        &clerk,
        json!({ "reason": "Gửi nhầm nơi nhận" }),
    )
    .await);
    assert_eq!(returned["state"], "returned");
    assert_eq!(returned["return_reason"], "Gửi nhầm nơi nhận");
    post(
        &router,
        &format!("{base}/return"),
        &clerk,
        json!({ "reason": "lần nữa" }),
    )
    .await
    .assert_problem(409, "incoming.invalid_state");
    let history = ok(&send(&router, get(&format!("{base}/history"), Some(&clerk))).await);
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "incoming.returned");
    assert_eq!(last["details"]["reason"], "Gửi nhầm nơi nhận");
    Ok(())
}

async fn each_state_reports_its_edxml_status_to_an_internal_sender(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let db = ward(&test).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let leader = login(&router, "lanhdao").await;
    let lead = login(&router, "chuyenvien").await;
    let id = upload(&router, &clerk, "Cong van 20", "20/UBND-TP").await;
    // The document arrived by an internal delivery; the demo plan stands in for the sender's
    // outgoing document, whose own workflow is the outgoing module's story.
    let list = ok(&send(&router, get("/api/v1/incoming", Some(&clerk))).await);
    let plan = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["number_symbol"] == "06/KH-UBND")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let sender_document = domain::ids::DocumentId(plan);
    let tx = db.begin_write().await?;
    let delivery = db::deliveries::insert(
        &tx,
        db::deliveries::NewDelivery {
            outgoing_document: sender_document,
            recipient_organization: None,
            recipient_name: "Ủy ban nhân dân phường Ngô Quyền",
            recipient_e_id: None,
            channel: db::deliveries::Channel::Internal,
            incoming_document: Some(domain::ids::DocumentId(id)),
            status_code: "03",
            status_description: "Đã vào sổ",
            at: testkit::TEST_NOW,
        },
    )
    .await?;
    tx.commit().await?;

    let base = format!("/api/v1/incoming/{id}");
    ok(&post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdao" }),
    )
    .await);
    ok(&post(
        &router,
        &format!("{base}/assign"),
        &leader,
        json!({ "lead": { "username": "chuyenvien" } }),
    )
    .await);
    ok(&post(
        &router,
        &format!("{base}/reassign"),
        &leader,
        json!({ "lead": { "username": "chuyenvien2" } }),
    )
    .await);
    let lead2 = login(&router, "chuyenvien2").await;
    post(&router, &format!("{base}/complete"), &lead, json!({}))
        .await
        .assert_problem(403, "auth.forbidden");
    ok(&post(
        &router,
        &format!("{base}/complete"),
        &lead2,
        json!({ "reply_document_id": plan }),
    )
    .await);

    let codes: Vec<(String, String)> = db::deliveries::history(&db, delivery)
        .await?
        .into_iter()
        .map(|status| (status.code, status.description))
        .collect();
    let expected: Vec<(String, String)> = [
        ("03", "Đã vào sổ"),
        ("04", "Chờ phân công"),
        ("05", "Đang xử lý"),
        ("06", "Đã xử lý xong"),
    ]
    .iter()
    .map(|(code, description)| ((*code).to_owned(), (*description).to_owned()))
    .collect();
    assert_eq!(codes, expected, "a reassignment enters no new state");
    Ok(())
}

async fn secret_documents_stay_with_the_cleared(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let leader = login(&router, "lanhdao").await;
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&clerk),
            &[
                ("file", Some("mat.pdf"), &testkit::minimal_pdf("mat")),
                ("number_symbol", None, b"05/KH-CAP"),
                ("secrecy", None, b"confidential"),
            ],
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let id = reply.json()["id"].as_i64().unwrap();
    let base = format!("/api/v1/incoming/{id}");
    ok(&post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdao" }),
    )
    .await);
    // The officers are cleared for normal documents only.
    let reply = post(
        &router,
        &format!("{base}/assign"),
        &leader,
        json!({ "lead": { "username": "chuyenvien" } }),
    )
    .await;
    reply.assert_problem(422, "request.invalid");
    assert!(
        reply.json()["issues"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not cleared")
    );
    let archivist = login(&router, "luutru").await;
    send(&router, get(&format!("{base}/history"), Some(&archivist)))
        .await
        .assert_problem(404, "not_found");
    let secret_list = "/api/v1/incoming/tracking?register=secret_incoming";
    let listed = ok(&send(&router, get(secret_list, Some(&archivist))).await);
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    let cleared = ok(&send(&router, get(secret_list, Some(&leader))).await);
    assert_eq!(cleared["items"].as_array().unwrap().len(), 1, "{cleared}");
    let secret_register = "/api/v1/registers/secret_incoming/2026.pdf";
    let printed = check_pdf(
        &send(&router, get(secret_register, Some(&archivist)))
            .await
            .body,
    )?;
    assert!(!printed.contains("05/KH-CAP"), "{printed}");
    let printed = check_pdf(
        &send(&router, get(secret_register, Some(&leader)))
            .await
            .body,
    )?;
    assert!(
        printed.contains("05/KH-CAP") && printed.contains("Sổ văn bản mật"),
        "{printed}"
    );
    Ok(())
}

/// Runs `vanthu --config CONFIG incoming ARGS…` in-process.
async fn vanthu_incoming(config: &str, args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let args: Vec<std::ffi::OsString> = ["vanthu", "--config", config, "incoming"]
        .into_iter()
        .chain(args.iter().copied())
        .map(std::ffi::OsString::from)
        .collect();
    cli::run(args).await
}

async fn the_command_line_handles_and_prints(db: testkit::TestDb) -> anyhow::Result<()> {
    use std::process::ExitCode;

    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    let clerk = test.actor("vanthu").await?;
    let document = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "giấy mời.pdf".to_owned(),
                bytes: testkit::minimal_pdf("dong lenh"),
                metadata: app::IncomingMetadata {
                    number_symbol: Some("30/GM-UBND".to_owned()),
                    ..app::IncomingMetadata::default()
                },
            },
            &app::OperationId::new("handling-cli"),
        )
        .await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, test.config_file_text())?;
    let config = config.to_str().unwrap();
    let id = document.id.to_string();
    let register = dir.path().join("so-den.pdf");
    let slip = dir.path().join("phieu.pdf");
    let steps: [&[&str]; 8] = [
        &["holidays", "--as", "chuyenvien"],
        &["present", &id, "--leader", "lanhdao", "--as", "vanthu"],
        &[
            "assign",
            &id,
            "--lead",
            "chuyenvien:3",
            "--cooperate",
            "chuyenvien2",
            "--note",
            "Chuẩn bị nội dung",
            "--as",
            "lanhdao",
        ],
        &[
            "progress",
            &id,
            "--note",
            "Đã chuẩn bị",
            "--as",
            "chuyenvien",
        ],
        &[
            "list",
            "--assignee",
            "chuyenvien",
            "--year",
            "2026",
            "--as",
            "lanhdao",
            "--json",
        ],
        &[
            "routing-slip",
            &id,
            "-o",
            slip.to_str().unwrap(),
            "--as",
            "chuyenvien",
        ],
        &[
            "complete",
            &id,
            "--reply",
            "31/UBND-VP",
            "--as",
            "chuyenvien",
        ],
        &[
            "register",
            "--year",
            "2026",
            "-o",
            register.to_str().unwrap(),
            "--as",
            "vanthu",
        ],
    ];
    for step in steps {
        anyhow::ensure!(
            vanthu_incoming(config, step).await? == ExitCode::SUCCESS,
            "{step:?}"
        );
    }
    // The clerk does not assign; the error is printed with its code and the exit status is 1.
    anyhow::ensure!(
        vanthu_incoming(
            config,
            &["reassign", &id, "--lead", "chuyenvien", "--as", "vanthu"]
        )
        .await?
            == ExitCode::FAILURE
    );
    let handling = test.app.incoming_handling(&clerk, document.id).await?;
    anyhow::ensure!(handling.state == domain::incoming::IncomingState::Done);
    anyhow::ensure!(handling.reply_number_symbol.as_deref() == Some("31/UBND-VP"));
    let text = check_pdf(&std::fs::read(&register)?)?;
    anyhow::ensure!(
        text.contains("30/GM-UBND") && text.contains("Lê Văn Cường"),
        "{text}"
    );
    let text = check_pdf(&std::fs::read(&slip)?)?;
    anyhow::ensure!(text.contains("Chuẩn bị nội dung"), "{text}");
    Ok(())
}

/// Saves `bytes` and checks it with qpdf; returns pdftotext's text.
fn check_pdf(bytes: &[u8]) -> anyhow::Result<String> {
    let file = testkit::oracles::temp_pdf(bytes)?;
    let check = testkit::oracles::qpdf_check(file.path())?;
    assert!(check.success, "qpdf --check: {check}");
    testkit::oracles::pdftotext(file.path())
}

async fn registers_and_routing_slip_print_in_vietnamese(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let _ward = ward(&test).await?;
    test.clock.set(BEFORE_THE_HOLIDAYS);
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let leader = login(&router, "lanhdao").await;
    let lead = login(&router, "chuyenvien").await;
    let mut ids = Vec::new();
    for n in 0..25 {
        ids.push(
            upload(
                &router,
                &clerk,
                &format!("Cong van {n}"),
                &format!("{:02}/UBND-VP", n + 20),
            )
            .await,
        );
    }
    let id = ids[0];
    let base = format!("/api/v1/incoming/{id}");
    ok(&post(
        &router,
        &format!("{base}/present"),
        &clerk,
        json!({ "leader": "lanhdao" }),
    )
    .await);
    ok(&post(
        &router,
        &format!("{base}/assign"),
        &leader,
        json!({
            "lead": { "username": "chuyenvien", "working_days": 2, "note": "Đề nghị tham mưu trả lời" },
            "cooperating": [{ "username": "chuyenvien2", "working_days": 5 }],
        }),
    )
    .await);
    ok(&post(
        &router,
        &format!("{base}/progress"),
        &lead,
        json!({ "note": "Đề xuất trả lời bằng công văn" }),
    )
    .await);

    let reply = send(
        &router,
        get("/api/v1/registers/incoming/2026.pdf", Some(&clerk)),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.headers["content-type"], "application/pdf");
    let text = check_pdf(&reply.body)?;
    for header in app::INCOMING_REGISTER_COLUMNS
        .iter()
        .map(|(header, _)| *header)
    {
        assert!(
            text.contains(header),
            "missing column {header:?} in:\n{text}"
        );
    }
    for expected in [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "ỦY BAN NHÂN DÂN PHƯỜNG NGÔ QUYỀN",
        "Năm 2026",
        "20/UBND-VP",
        "44/UBND-VP",
        "UBND thành phố",
        "29/04/2026",
        "Lê Văn Cường",
        "Trang 1/",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("Trang 1/1"),
        "25 rows take more than one page:\n{text}"
    );
    assert!(text.contains("Trang 2/"), "{text}");
    // The 2024 register holds the demo plan only.
    let old = check_pdf(
        &send(
            &router,
            get("/api/v1/registers/incoming/2024.pdf", Some(&leader)),
        )
        .await
        .body,
    )?;
    assert!(old.contains("06/KH-UBND"), "{old}");
    assert!(!old.contains("20/UBND-VP"), "{old}");

    let reply = send(
        &router,
        get("/api/v1/registers/outgoing/2026.pdf", Some(&clerk)),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let text = check_pdf(&reply.body)?;
    assert!(text.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐI"), "{text}");
    for header in app::OUTGOING_REGISTER_COLUMNS
        .iter()
        .map(|(header, _)| *header)
    {
        assert!(
            text.contains(header),
            "missing column {header:?} in:\n{text}"
        );
    }
    send(
        &router,
        get("/api/v1/registers/copies/2026.pdf", Some(&clerk)),
    )
    .await
    .assert_problem(404, "not_found");

    let reply = send(
        &router,
        get(&format!("{base}/routing-slip.pdf"), Some(&lead)),
    )
    .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let text = check_pdf(&reply.body)?;
    for expected in [
        "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
        "1. Ý kiến chỉ đạo của lãnh đạo cơ quan, tổ chức",
        "2. Ý kiến của lãnh đạo đơn vị",
        "3. Ý kiến đề xuất của người giải quyết",
        "Đơn vị, người chủ trì: Lê Văn Cường, hạn giải quyết: 05/05/2026",
        "Đơn vị, người phối hợp: Vũ Thị Hoa",
        "Đề nghị tham mưu trả lời",
        "Đề xuất trả lời bằng công văn",
        "Số đến: 1, ngày đến: 29/04/2026",
        "Người chỉ đạo: Nguyễn Văn An",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    Ok(())
}

backend_tests!(
    receive_present_assign_progress_done,
    every_role_is_refused_what_it_may_not_do,
    another_organisation_sees_nothing,
    two_leaders_assigning_at_once_one_wins,
    return_to_sender_with_a_reason,
    registers_and_routing_slip_print_in_vietnamese,
    each_state_reports_its_edxml_status_to_an_internal_sender,
    the_command_line_handles_and_prints,
    secret_documents_stay_with_the_cleared,
    a_transition_on_a_stale_version_is_a_conflict,
);
