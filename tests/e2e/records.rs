//! Work files and archive packages: plan → open → link two documents → close → hand-over warning
//! 30 days before the due date → export the package → re-import it into a fresh deployment with
//! its fixity checked; a tampered package is refused naming the file; roles and organisations are
//! kept apart.

use std::io::{Cursor, Read as _, Write as _};

use app::{FilePlanInput, OpenWorkFile, OperationId, PlanHeadingInput, PlanItemInput};
use domain::records::{HandOverStatus, WorkFileState};
use testkit::{TestApp, TestDb};
use time::macros::{date, datetime};

use crate::backend_tests;

/// A fresh database on the same backend as `db`.
async fn another_db(db: &TestDb) -> anyhow::Result<TestDb> {
    if db.backend() == "postgres" {
        return TestDb::postgres_from_env()
            .await
            .ok_or_else(|| anyhow::anyhow!("TEST_DATABASE_URL vanished"));
    }
    TestDb::sqlite()
}

fn plan_2026() -> FilePlanInput {
    let item = |title: &str, retention: &str| PlanItemInput {
        title: title.to_owned(),
        retention: retention.to_owned(),
        creator: "Văn phòng - Thống kê".to_owned(),
        ..PlanItemInput::default()
    };
    FilePlanInput {
        year: 2026,
        title: None,
        headings: vec![
            PlanHeadingInput {
                title: "Tổ chức, cán bộ".to_owned(),
                abbreviation: "TCCB".to_owned(),
                items: vec![
                    item("Hồ sơ tuyển dụng công chức năm 2026", "10"),
                    item("Hồ sơ lương", "permanent"),
                ],
                sub_headings: vec![],
            },
            PlanHeadingInput {
                title: "Văn phòng".to_owned(),
                abbreviation: "VP".to_owned(),
                items: vec![item("Lịch công tác tuần", "2")],
                sub_headings: vec![],
            },
        ],
    }
}

/// Checks a package with another implementation: Python's zipfile, hashlib and ElementTree
/// (standard library) recompute every data file's SHA-256 and compare it with PREMIS and METS.
fn independent_fixity_check(package: &[u8], documents: usize) -> anyhow::Result<()> {
    const SCRIPT: &str = r#"
import hashlib, sys, zipfile, xml.etree.ElementTree as ET
P = "{http://www.loc.gov/premis/v3}"
M = "{http://www.loc.gov/METS/}"
X = "{http://www.w3.org/1999/xlink}"
z = zipfile.ZipFile(sys.argv[1])
premis = ET.fromstring(z.read("metadata/preservation/PREMIS.xml"))
mets = ET.fromstring(z.read("METS.xml"))
ET.fromstring(z.read("metadata/descriptive/EAD.xml"))
mets_sums = {f.find(M + "FLocat").get(X + "href"): f.get("CHECKSUM") for f in mets.iter(M + "file")}
count = 0
for obj in premis.iter(P + "object"):
    path = obj.find(".//" + P + "objectIdentifierValue").text
    digest = obj.find(".//" + P + "messageDigest").text
    actual = hashlib.sha256(z.read(path)).hexdigest()
    assert actual == digest == mets_sums[path], path
    count += 1
assert mets.get("OBJID").startswith("urn:"), mets.get("OBJID")
print("ok", count)
"#;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("package.zip");
    std::fs::write(&path, package)?;
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(&path)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(
        output.status.success() && stdout.trim() == format!("ok {documents}"),
        "python's check failed: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// Rewrites one entry of a zip.
fn rewrite(zip_bytes: &[u8], path: &str, change: impl Fn(&mut Vec<u8>)) -> anyhow::Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let name = entry.name()?.into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        if name == path {
            change(&mut content);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())?;
        out.write_all(&content)?;
    }
    Ok(out.finish()?.into_inner())
}

fn code_of<T: std::fmt::Debug>(result: &Result<T, app::Error>) -> String {
    match result {
        Ok(value) => format!("ok: {value:?}"),
        Err(error) => error.code().to_owned(),
    }
}

async fn a_work_file_goes_from_plan_to_a_verified_package(db: TestDb) -> anyhow::Result<()> {
    let fresh_db = another_db(&db).await?;
    let test = TestApp::start(db).await?;
    let operation = OperationId::new("records-story");
    let clerk = test.actor("vanthu").await?;
    let officer = test.actor("chuyenvien").await?;
    let archivist = test.actor("luutru").await?;
    let auditor = test.actor("kiemtra").await?;
    let admin = test.actor("quantri").await?;

    let upload = |name: &str, text: &str, number: &str| app::IncomingUpload {
        file_name: name.to_owned(),
        bytes: testkit::minimal_pdf(text),
        metadata: app::IncomingMetadata {
            number_symbol: Some(number.to_owned()),
            type_code: Some("KH".to_owned()),
            subject: Some(format!("Kế hoạch {text}")),
            ..app::IncomingMetadata::default()
        },
    };
    let first = test
        .app
        .receive_incoming(
            &clerk,
            upload("kế hoạch.pdf", "tuyển dụng", "06/KH-UBND"),
            &operation,
        )
        .await?;
    let second = test
        .app
        .receive_incoming(
            &clerk,
            upload("báo cáo.pdf", "kết quả", "07/KH-UBND"),
            &operation,
        )
        .await?;
    // An officer files only what was assigned to them.
    crate::saved_searches::assign_to_officer(&test, first.id.get()).await?;
    crate::saved_searches::assign_to_officer(&test, second.id.get()).await?;

    // The yearly plan: Roman main headings, files numbered within each.
    let plan = test
        .app
        .create_file_plan(&clerk, plan_2026(), &operation)
        .await?;
    anyhow::ensure!(plan.title == "Danh mục hồ sơ năm 2026", "{plan:?}");
    anyhow::ensure!(plan.headings[0].numeral == "I" && plan.headings[1].numeral == "II");
    let item = &plan.headings[0].items[0];
    anyhow::ensure!(item.notation == "01.TCCB", "{item:?}");
    anyhow::ensure!(plan.headings[0].items[1].notation == "02.TCCB");
    anyhow::ensure!(plan.headings[1].items[0].notation == "01.VP");
    let again = test
        .app
        .create_file_plan(&clerk, plan_2026(), &operation)
        .await;
    anyhow::ensure!(code_of(&again) == "file_plan.exists", "{}", code_of(&again));

    // Open from the plan, link two documents.
    let refused = test
        .app
        .open_work_file(
            &auditor,
            OpenWorkFile {
                plan_item_id: Some(item.id),
                ..OpenWorkFile::default()
            },
            &operation,
        )
        .await;
    anyhow::ensure!(
        code_of(&refused) == "auth.forbidden",
        "{}",
        code_of(&refused)
    );
    let opened = test
        .app
        .open_work_file(
            &officer,
            OpenWorkFile {
                plan_item_id: Some(item.id),
                ..OpenWorkFile::default()
            },
            &operation,
        )
        .await?;
    let code = opened.file.file_code.clone();
    anyhow::ensure!(code == "000.21.23.H02.2026.01.TCCB", "{code}");
    anyhow::ensure!(opened.file.state == WorkFileState::Open);
    let twice = test
        .app
        .open_work_file(
            &officer,
            OpenWorkFile {
                plan_item_id: Some(item.id),
                ..OpenWorkFile::default()
            },
            &operation,
        )
        .await;
    anyhow::ensure!(code_of(&twice) == "work_file.exists", "{}", code_of(&twice));

    test.app
        .link_document(&officer, &code, first.id, &operation)
        .await?;
    let linked = test
        .app
        .link_document(&officer, &code, second.id, &operation)
        .await?;
    let ordinals: Vec<_> = linked
        .documents
        .iter()
        .map(|document| (document.document_id, document.ordinal))
        .collect();
    anyhow::ensure!(
        ordinals == vec![(first.id, 1), (second.id, 2)],
        "{ordinals:?}"
    );
    let duplicate = test
        .app
        .link_document(&officer, &code, first.id, &operation)
        .await;
    anyhow::ensure!(
        code_of(&duplicate) == "work_file.already_linked",
        "{}",
        code_of(&duplicate)
    );
    let missing = test
        .app
        .link_document(
            &officer,
            &code,
            domain::ids::DocumentId(999_999),
            &operation,
        )
        .await;
    anyhow::ensure!(code_of(&missing) == "not_found", "{}", code_of(&missing));
    // The same document may sit in a second file, never copied.
    let outside = test
        .app
        .open_work_file(
            &officer,
            OpenWorkFile {
                title: Some("Hồ sơ hội nghị cán bộ".to_owned()),
                notation: Some("05.VP".to_owned()),
                retention: Some("2".to_owned()),
                creator: Some("Văn phòng".to_owned()),
                start_date: Some("2026-01-05".to_owned()),
                ..OpenWorkFile::default()
            },
            &operation,
        )
        .await?;
    anyhow::ensure!(
        outside.file.start_date == date!(2026 - 01 - 05),
        "{outside:?}"
    );
    test.app
        .link_document(&officer, &outside.file.file_code, first.id, &operation)
        .await?;

    // Close: end date today, totals counted, due one year later.
    let closed = test
        .app
        .close_work_file(&officer, &code, &operation)
        .await?;
    anyhow::ensure!(closed.file.state == WorkFileState::Closed);
    anyhow::ensure!(
        closed.file.end_date == Some(date!(2026 - 03 - 15)),
        "{closed:?}"
    );
    anyhow::ensure!(
        closed.file.hand_over_due == Some(date!(2027 - 03 - 15)),
        "{closed:?}"
    );
    anyhow::ensure!(
        closed.file.doc_total == 2 && closed.file.page_total == 2,
        "{closed:?}"
    );
    let late_link = test
        .app
        .link_document(&officer, &code, second.id, &operation)
        .await;
    anyhow::ensure!(
        code_of(&late_link) == "work_file.invalid_state",
        "{}",
        code_of(&late_link)
    );
    // A two-year file is never handed over.
    test.app
        .close_work_file(&officer, &outside.file.file_code, &operation)
        .await?;

    // The warning starts 30 days before the due date; earlier nothing is listed.
    anyhow::ensure!(
        test.app
            .files_due_for_hand_over(&archivist)
            .await?
            .is_empty()
    );
    test.clock.set(datetime!(2027-02-12 09:00 +07:00));
    anyhow::ensure!(
        test.app
            .files_due_for_hand_over(&archivist)
            .await?
            .is_empty()
    );
    test.clock.set(datetime!(2027-02-13 09:00 +07:00));
    let due = test.app.files_due_for_hand_over(&archivist).await?;
    anyhow::ensure!(due.len() == 1, "{due:?}");
    anyhow::ensure!(due[0].file.file_code == code, "{due:?}");
    anyhow::ensure!(
        due[0].status == HandOverStatus::DueSoon { days_left: 30 },
        "{due:?}"
    );
    test.clock.set(datetime!(2027-03-20 09:00 +07:00));
    let due = test.app.files_due_for_hand_over(&archivist).await?;
    anyhow::ensure!(
        due[0].status == HandOverStatus::Overdue { days_late: 5 },
        "{due:?}"
    );

    // Export the package.
    let refused = test.app.export_work_file(&officer, &code, &operation).await;
    anyhow::ensure!(
        code_of(&refused) == "auth.forbidden",
        "{}",
        code_of(&refused)
    );
    let package = test
        .app
        .export_work_file(&archivist, &code, &operation)
        .await?;
    anyhow::ensure!(package.file_name == format!("{code}.zip"));
    anyhow::ensure!(
        package.objid.starts_with("urn:000.21.23.H02:uuid:"),
        "{}",
        package.objid
    );

    independent_fixity_check(&package.bytes, 2)?;

    // Hand over (archivist only; only once).
    let refused = test
        .app
        .hand_over_work_file(&officer, &code, &operation)
        .await;
    anyhow::ensure!(
        code_of(&refused) == "auth.forbidden",
        "{}",
        code_of(&refused)
    );
    let short = test
        .app
        .hand_over_work_file(&archivist, &outside.file.file_code, &operation)
        .await;
    anyhow::ensure!(
        code_of(&short) == "work_file.invalid_state",
        "{}",
        code_of(&short)
    );
    let handed = test
        .app
        .hand_over_work_file(&archivist, &code, &operation)
        .await?;
    anyhow::ensure!(handed.file.state == WorkFileState::HandedOver);
    anyhow::ensure!(
        test.app
            .files_due_for_hand_over(&archivist)
            .await?
            .is_empty()
    );

    // Role refusals: the administrator reads no files.
    let listed = test.app.list_work_files(&admin, None).await;
    anyhow::ensure!(code_of(&listed) == "auth.forbidden", "{}", code_of(&listed));

    // Re-import into a fresh deployment: a flipped byte and a changed digest are refused by file.
    let target = TestApp::start(fresh_db).await?;
    let importer = target.actor("luutru").await?;
    let data_path = "representations/rep1/data/001-kế hoạch.pdf";
    let flipped = rewrite(&package.bytes, data_path, |content| {
        let middle = content.len() / 2;
        content[middle] ^= 0x01;
    })?;
    let refused = target
        .app
        .import_package(&importer, flipped, &operation)
        .await;
    match &refused {
        Err(error @ app::Error::Package { .. }) => {
            anyhow::ensure!(error.code() == "package.tampered", "{error}");
            anyhow::ensure!(error.to_string().contains(data_path), "{error}");
        }
        other => anyhow::bail!("a flipped byte was not refused: {other:?}"),
    }
    let first_digest = linked.documents[0].sha256.clone();
    let forged = rewrite(
        &package.bytes,
        "metadata/preservation/PREMIS.xml",
        |content| {
            let text = String::from_utf8_lossy(content).replace(&first_digest, &"0".repeat(64));
            *content = text.into_bytes();
        },
    )?;
    let refused = target
        .app
        .import_package(&importer, forged, &operation)
        .await;
    match &refused {
        Err(error) if error.code() == "package.tampered" => {
            anyhow::ensure!(error.to_string().contains(data_path), "{error}");
        }
        other => anyhow::bail!("a changed digest was not refused: {other:?}"),
    }
    let refused = target
        .app
        .import_package(
            &target.actor("vanthu").await?,
            package.bytes.clone(),
            &operation,
        )
        .await;
    anyhow::ensure!(
        code_of(&refused) == "auth.forbidden",
        "{}",
        code_of(&refused)
    );
    anyhow::ensure!(
        target
            .app
            .list_work_files(&importer, None)
            .await?
            .is_empty()
    );

    let imported = target
        .app
        .import_package(&importer, package.bytes.clone(), &operation)
        .await?;
    anyhow::ensure!(imported.file.file_code == code, "{imported:?}");
    anyhow::ensure!(imported.file.state == WorkFileState::HandedOver);
    anyhow::ensure!(imported.file.title == "Hồ sơ tuyển dụng công chức năm 2026");
    anyhow::ensure!(imported.file.doc_total == 2 && imported.documents.len() == 2);
    let hashes: Vec<_> = imported
        .documents
        .iter()
        .map(|document| document.sha256.clone())
        .collect();
    anyhow::ensure!(hashes == vec![first.sha256.clone(), second.sha256.clone()]);
    anyhow::ensure!(
        imported.documents[0].number_symbol.as_deref() == Some("06/KH-UBND"),
        "{imported:?}"
    );
    // The blobs are stored content-addressed and pass the fixity audit.
    let report = target
        .app
        .verify_archive(&target.actor("kiemtra").await?, &|_, _| {}, &operation)
        .await?;
    anyhow::ensure!(report.intact() && report.checked >= 2, "{report:?}");
    let again = target
        .app
        .import_package(&importer, package.bytes.clone(), &operation)
        .await;
    anyhow::ensure!(code_of(&again) == "work_file.exists", "{}", code_of(&again));

    // Every change left its audit event, and the chains are intact.
    let source_actions = audit_actions(&test).await?;
    for action in [
        "file_plan.created",
        "work_file.opened",
        "work_file.document_linked",
        "work_file.closed",
        "archive.package_exported",
        "work_file.handed_over",
    ] {
        anyhow::ensure!(
            source_actions.iter().any(|(seen, _)| seen == action),
            "no {action} event"
        );
    }
    anyhow::ensure!(
        source_actions
            .iter()
            .any(|(action, actor)| action == "work_file.handed_over" && actor == "luutru")
    );
    let target_actions = audit_actions(&target).await?;
    let imports: Vec<_> = target_actions
        .iter()
        .filter(|(action, _)| action == "archive.package_imported")
        .collect();
    anyhow::ensure!(imports.len() == 1, "{imports:?}");
    anyhow::ensure!(test.app.verify_audit_chain().await?.is_intact());
    anyhow::ensure!(target.app.verify_audit_chain().await?.is_intact());
    Ok(())
}

/// Every audit event's (action, actor), in order.
async fn audit_actions(test: &TestApp) -> anyhow::Result<Vec<(String, String)>> {
    let connection = db::Db::connect(&db::Config {
        url: secrecy::SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let events = db::audit::events_after(&connection, 0, 100_000).await?;
    connection.close().await;
    Ok(events
        .into_iter()
        .map(|event| (event.event.action, event.event.actor))
        .collect())
}

async fn another_organisation_sees_no_work_file(db: TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let operation = OperationId::new("records-scope");
    let clerk = test.actor("vanthu").await?;
    let officer = test.actor("chuyenvien").await?;
    let document = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "a.pdf".to_owned(),
                bytes: testkit::minimal_pdf("phạm vi"),
                metadata: app::IncomingMetadata::default(),
            },
            &operation,
        )
        .await?;
    let secret = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "mật.pdf".to_owned(),
                bytes: testkit::minimal_pdf("bí mật"),
                metadata: app::IncomingMetadata {
                    secrecy: Some("confidential".to_owned()),
                    ..app::IncomingMetadata::default()
                },
            },
            &operation,
        )
        .await?;
    // An officer files only what was assigned to them.
    crate::saved_searches::assign_to_officer(&test, document.id.get()).await?;
    let open = OpenWorkFile {
        title: Some("Hồ sơ thử".to_owned()),
        notation: Some("01.VP".to_owned()),
        retention: Some("10".to_owned()),
        creator: Some("Văn phòng".to_owned()),
        ..OpenWorkFile::default()
    };
    let file = test
        .app
        .open_work_file(&officer, open.clone(), &operation)
        .await?;
    let code = file.file.file_code;
    test.app
        .link_document(&officer, &code, document.id, &operation)
        .await?;
    // The officer is not cleared for the confidential document: it is not found.
    let hidden = test
        .app
        .link_document(&officer, &code, secret.id, &operation)
        .await;
    anyhow::ensure!(code_of(&hidden) == "not_found", "{}", code_of(&hidden));
    // Nor may the officer file an incoming document never assigned to them.
    let unassigned = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "khác.pdf".to_owned(),
                bytes: testkit::minimal_pdf("không giao"),
                metadata: app::IncomingMetadata::default(),
            },
            &operation,
        )
        .await?;
    let refused = test
        .app
        .link_document(&officer, &code, unassigned.id, &operation)
        .await;
    anyhow::ensure!(code_of(&refused) == "not_found", "{}", code_of(&refused));

    // A second organisation with a keeper who holds every role.
    let connection = db::Db::connect(&db::Config {
        url: secrecy::SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let tx = connection.begin_write().await?;
    let other = db::organizations::insert(
        &tx,
        &domain::organization::OrganizationProfile {
            electronic_id: domain::organization::ElectronicId::parse("000.00.01.H02")?,
            name: "UBND phường khác".to_owned(),
            abbreviation: domain::organization::Abbreviation::parse("UBND")?,
            place_name: "Phường Khác".to_owned(),
        },
        testkit::TEST_NOW,
    )
    .await?;
    tx.commit().await?;
    connection.close().await;
    let outsider = app::Actor {
        organization_id: other,
        roles: domain::role::Role::ALL.to_vec(),
        clearance: domain::levels::Secrecy::TopSecret,
        ..officer.clone()
    };
    anyhow::ensure!(test.app.list_work_files(&outsider, None).await?.is_empty());
    let shown = test.app.work_file(&outsider, &code).await;
    anyhow::ensure!(code_of(&shown) == "not_found", "{}", code_of(&shown));
    let linked = test
        .app
        .link_document(&outsider, &code, document.id, &operation)
        .await;
    anyhow::ensure!(code_of(&linked) == "not_found", "{}", code_of(&linked));
    // Its own file may not take the first organisation's document either.
    let own = test.app.open_work_file(&outsider, open, &operation).await?;
    anyhow::ensure!(own.file.file_code == "000.00.01.H02.2026.01.VP", "{own:?}");
    let foreign = test
        .app
        .link_document(&outsider, &own.file.file_code, document.id, &operation)
        .await;
    anyhow::ensure!(code_of(&foreign) == "not_found", "{}", code_of(&foreign));
    let plan = test.app.file_plan(&outsider, 2026).await;
    anyhow::ensure!(code_of(&plan) == "not_found", "{}", code_of(&plan));

    // A file holding a confidential document disappears for readers not cleared for it.
    test.app
        .link_document(&clerk, &code, secret.id, &operation)
        .await?;
    let gone = test.app.work_file(&officer, &code).await;
    anyhow::ensure!(code_of(&gone) == "not_found", "{}", code_of(&gone));
    anyhow::ensure!(test.app.list_work_files(&officer, None).await?.is_empty());
    anyhow::ensure!(test.app.work_file(&clerk, &code).await?.documents.len() == 2);
    Ok(())
}

/// Runs `vanthu ARGS…` in-process.
async fn vanthu(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let args: Vec<std::ffi::OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(std::ffi::OsString::from)
        .collect();
    cli::run(args).await
}

async fn the_command_line_plans_closes_exports_and_imports(db: TestDb) -> anyhow::Result<()> {
    use std::process::ExitCode;

    let fresh_db = another_db(&db).await?;
    let test = TestApp::start(db).await?;
    let clerk = test.actor("vanthu").await?;
    let document = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "tờ trình.pdf".to_owned(),
                bytes: testkit::minimal_pdf("dòng lệnh"),
                metadata: app::IncomingMetadata::default(),
            },
            &OperationId::new("records-cli"),
        )
        .await?;
    // An officer files only what was assigned to them.
    crate::saved_searches::assign_to_officer(&test, document.id.get()).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, test.config_file_text())?;
    let config = config.to_str().unwrap();
    let plan_file = dir.path().join("plan.json");
    std::fs::write(
        &plan_file,
        r#"{"year": 2026, "headings": [{"title": "Văn phòng", "abbreviation": "VP",
            "items": [{"title": "Hồ sơ hội nghị", "retention": "permanent", "creator": "Văn phòng"}]}]}"#,
    )?;
    let files = |args: &[&str]| {
        let mut all = vec!["--config", config, "files"];
        all.extend_from_slice(args);
        all.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        vanthu(&args).await
    };
    let plan_path = plan_file.to_str().unwrap();
    anyhow::ensure!(run(files(&["plan", plan_path, "--as", "vanthu"])).await? == ExitCode::SUCCESS);
    let item = test.app.file_plan(&clerk, 2026).await?.headings[0].items[0].id;
    let item = item.to_string();
    anyhow::ensure!(
        run(files(&["open", "--item", &item, "--as", "chuyenvien"])).await? == ExitCode::SUCCESS
    );
    let code = "000.21.23.H02.2026.01.VP";
    let document_id = document.id.to_string();
    for step in [
        vec!["link", code, document_id.as_str(), "--as", "chuyenvien"],
        vec!["close", code, "--as", "chuyenvien"],
        vec!["list", "--state", "closed", "--json", "--as", "luutru"],
        vec!["due", "--as", "luutru"],
    ] {
        anyhow::ensure!(run(files(&step)).await? == ExitCode::SUCCESS, "{step:?}");
    }
    // The officer may not receive the file into the archive.
    anyhow::ensure!(
        run(files(&["hand-over", code, "--as", "chuyenvien"])).await? == ExitCode::FAILURE
    );
    let package = dir.path().join("package.zip");
    let package_path = package.to_str().unwrap();
    anyhow::ensure!(
        vanthu(&[
            "--config",
            config,
            "archive",
            "export",
            code,
            "-o",
            package_path,
            "--as",
            "luutru"
        ])
        .await?
            == ExitCode::SUCCESS
    );
    anyhow::ensure!(test.app.work_file(&clerk, code).await?.file.state == WorkFileState::Closed);

    let target = TestApp::start(fresh_db).await?;
    let target_config = dir.path().join("target.toml");
    std::fs::write(&target_config, target.config_file_text())?;
    let target_config = target_config.to_str().unwrap();
    let bytes = std::fs::read(&package)?;
    let tampered = dir.path().join("tampered.zip");
    std::fs::write(
        &tampered,
        rewrite(
            &bytes,
            "representations/rep1/data/001-tờ trình.pdf",
            |content| {
                content[10] ^= 0x20;
            },
        )?,
    )?;
    anyhow::ensure!(
        vanthu(&[
            "--config",
            target_config,
            "archive",
            "import",
            tampered.to_str().unwrap(),
            "--as",
            "luutru"
        ])
        .await?
            == ExitCode::FAILURE
    );
    anyhow::ensure!(
        vanthu(&[
            "--config",
            target_config,
            "archive",
            "import",
            package_path,
            "--as",
            "luutru"
        ])
        .await?
            == ExitCode::SUCCESS
    );
    let archivist = target.actor("luutru").await?;
    let imported = target.app.work_file(&archivist, code).await?;
    anyhow::ensure!(imported.file.state == WorkFileState::HandedOver);
    anyhow::ensure!(imported.documents[0].sha256 == document.sha256);
    Ok(())
}

/// A request with a bearer token and an optional body of `content_type`.
fn request(
    method: &str,
    uri: &str,
    token: &str,
    body: Option<(&str, Vec<u8>)>,
) -> axum::http::Request<axum::body::Body> {
    let builder = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    match body {
        Some((content_type, bytes)) => builder
            .header("content-type", content_type)
            .body(axum::body::Body::from(bytes)),
        None => builder.body(axum::body::Body::empty()),
    }
    .unwrap()
}

fn json_body(value: &serde_json::Value) -> Option<(&'static str, Vec<u8>)> {
    Some(("application/json", value.to_string().into_bytes()))
}

async fn the_api_keeps_files_and_answers_problems(db: TestDb) -> anyhow::Result<()> {
    use crate::api::axum_test_support::send;
    use serde_json::json;

    let test = TestApp::start(db).await?;
    let clerk = test.actor("vanthu").await?;
    let document = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "api.pdf".to_owned(),
                bytes: testkit::minimal_pdf("giao diện lập trình"),
                metadata: app::IncomingMetadata::default(),
            },
            &OperationId::new("records-api"),
        )
        .await?;
    // An officer files only what was assigned to them.
    crate::saved_searches::assign_to_officer(&test, document.id.get()).await?;
    let router = crate::api::router(&test);
    let clerk_token = crate::api::login(&router, "vanthu").await;
    let officer_token = crate::api::login(&router, "chuyenvien").await;
    let archivist_token = crate::api::login(&router, "luutru").await;

    let plan = json!({"year": 2026, "headings": [{"title": "Tổ chức, cán bộ", "abbreviation": "TCCB",
        "items": [{"title": "Hồ sơ tuyển dụng", "retention": "10", "creator": "Văn phòng"}]}]});
    send(
        &router,
        request(
            "POST",
            "/api/v1/file-plans",
            &officer_token,
            json_body(&plan),
        ),
    )
    .await
    .assert_problem(403, "auth.forbidden");
    let created = send(
        &router,
        request("POST", "/api/v1/file-plans", &clerk_token, json_body(&plan)),
    )
    .await;
    anyhow::ensure!(
        created.status == 201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let item = created.json()["headings"][0]["items"][0].clone();
    anyhow::ensure!(item["notation"] == "01.TCCB", "{item}");
    let shown = send(
        &router,
        request("GET", "/api/v1/file-plans/2026", &officer_token, None),
    )
    .await;
    anyhow::ensure!(shown.json()["headings"][0]["numeral"] == "I");

    send(
        &router,
        request(
            "POST",
            "/api/v1/files",
            &officer_token,
            json_body(&json!({"plan_item": 1})),
        ),
    )
    .await
    .assert_problem(400, "request.malformed_json");
    send(
        &router,
        request(
            "POST",
            "/api/v1/files",
            &officer_token,
            json_body(&json!({"title": "Thiếu"})),
        ),
    )
    .await
    .assert_problem(422, "request.invalid");
    let opened = send(
        &router,
        request(
            "POST",
            "/api/v1/files",
            &officer_token,
            json_body(&json!({"plan_item_id": item["id"]})),
        ),
    )
    .await;
    anyhow::ensure!(
        opened.status == 201,
        "{}",
        String::from_utf8_lossy(&opened.body)
    );
    let code = opened.json()["file"]["file_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = format!("/api/v1/files/{code}");

    let linked = send(
        &router,
        request(
            "POST",
            &format!("{base}/documents"),
            &officer_token,
            json_body(&json!({"document_id": document.id.get()})),
        ),
    )
    .await;
    anyhow::ensure!(
        linked.json()["documents"][0]["ordinal"] == 1,
        "{}",
        linked.json()
    );
    send(
        &router,
        request("GET", &format!("{base}/package"), &archivist_token, None),
    )
    .await
    .assert_problem(409, "work_file.invalid_state");
    let closed = send(
        &router,
        request("POST", &format!("{base}/close"), &officer_token, None),
    )
    .await;
    anyhow::ensure!(
        closed.json()["file"]["state"] == "closed",
        "{}",
        closed.json()
    );
    anyhow::ensure!(
        closed.json()["file"]["hand_over_due"] == "2027-03-15",
        "{}",
        closed.json()
    );
    send(
        &router,
        request(
            "DELETE",
            &format!("{base}/documents/{}", document.id),
            &officer_token,
            None,
        ),
    )
    .await
    .assert_problem(409, "work_file.invalid_state");
    let listed = send(
        &router,
        request("GET", "/api/v1/files?state=closed", &archivist_token, None),
    )
    .await;
    anyhow::ensure!(
        listed.json()["items"][0]["file_code"] == code.as_str(),
        "{}",
        listed.json()
    );
    let due = send(
        &router,
        request("GET", "/api/v1/files/due", &archivist_token, None),
    )
    .await;
    anyhow::ensure!(
        due.json()["items"].as_array().is_some_and(Vec::is_empty),
        "{}",
        due.json()
    );

    let package = send(
        &router,
        request("GET", &format!("{base}/package"), &archivist_token, None),
    )
    .await;
    anyhow::ensure!(package.status == 200);
    anyhow::ensure!(package.headers["content-type"] == "application/zip");
    anyhow::ensure!(package.headers.contains_key("x-package-objid"));
    let zip = Some(("application/zip", package.body.to_vec()));
    send(
        &router,
        request(
            "POST",
            "/api/v1/archive/packages",
            &clerk_token,
            zip.clone(),
        ),
    )
    .await
    .assert_problem(403, "auth.forbidden");
    send(
        &router,
        request("POST", "/api/v1/archive/packages", &archivist_token, zip),
    )
    .await
    .assert_problem(409, "work_file.exists");
    let garbage = Some(("application/zip", b"PK not really".to_vec()));
    send(
        &router,
        request(
            "POST",
            "/api/v1/archive/packages",
            &archivist_token,
            garbage,
        ),
    )
    .await
    .assert_problem(422, "package.malformed");
    let handed = send(
        &router,
        request("POST", &format!("{base}/hand-over"), &archivist_token, None),
    )
    .await;
    anyhow::ensure!(
        handed.json()["file"]["state"] == "handed_over",
        "{}",
        handed.json()
    );
    send(
        &router,
        request(
            "GET",
            "/api/v1/files/000.21.23.H02.2026.99.X",
            &archivist_token,
            None,
        ),
    )
    .await
    .assert_problem(404, "not_found");
    Ok(())
}

backend_tests!(
    a_work_file_goes_from_plan_to_a_verified_package,
    the_api_keeps_files_and_answers_problems,
    another_organisation_sees_no_work_file,
    the_command_line_plans_closes_exports_and_imports
);
