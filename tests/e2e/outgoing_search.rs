//! Issued outgoing documents in the full-text index: each organisation finds what it issued and
//! what it received, by subject without diacritics, and nothing of the other's.

use app::{Actor, App, SearchFilters, SearchRequest};
use domain::ids::DocumentId;
use testkit::TestDb;

use crate::backend_tests;
use crate::outgoing::{issued_plan, op, signed_plan, signing_config, start};

async fn found(app: &App, actor: &Actor, text: &str) -> anyhow::Result<Vec<DocumentId>> {
    let request = SearchRequest {
        text: text.to_owned(),
        filters: SearchFilters::default(),
        limit: 50,
        offset: 0,
        facets: false,
    };
    Ok(app
        .search(actor, &request)
        .await?
        .hits
        .into_iter()
        .map(|hit| DocumentId(hit.id))
        .collect())
}

async fn an_issued_plan_is_found_by_the_ward_and_its_copy_by_the_city(
    db: TestDb,
) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let ward_clerk = test.actor("vanthu").await?;
    let city_clerk = test.actor("vanthu.tp").await?;
    let subject = "phong chong thien tai";

    // A signed draft is not promulgated: not in the index yet.
    let draft = signed_plan(&test, "Kế hoạch phòng chống thiên tai (dự thảo)").await?;
    assert!(!found(app, &ward_clerk, subject).await?.contains(&draft));

    let plan = issued_plan(&test, "Kế hoạch phòng chống thiên tai năm 2026").await?;
    let copy = app.outgoing_deliveries(&ward_clerk, plan).await?[0]
        .incoming_document_id
        .unwrap();
    let check = |ward: Vec<DocumentId>, city: Vec<DocumentId>| {
        assert!(ward.contains(&plan), "{ward:?}");
        assert!(!ward.contains(&copy), "{ward:?}");
        assert!(city.contains(&copy), "{city:?}");
        assert!(!city.contains(&plan), "{city:?}");
    };
    check(
        found(app, &ward_clerk, subject).await?,
        found(app, &city_clerk, subject).await?,
    );

    // A rebuild from the database keeps both.
    app.reindex().await?;
    check(
        found(app, &ward_clerk, subject).await?,
        found(app, &city_clerk, subject).await?,
    );
    Ok(())
}

/// The CSV export of a search lists an issued outgoing document for its organisation, with its
/// register metadata and direction, re-checked against the database; another organisation's
/// export never shows it (only its own incoming copy).
async fn an_issued_plan_is_exported_in_its_organisations_csv(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let ward_clerk = test.actor("vanthu").await?;
    let city_clerk = test.actor("vanthu.tp").await?;
    let plan = issued_plan(&test, "Kế hoạch phòng chống thiên tai năm 2026").await?;
    let copy = app.outgoing_deliveries(&ward_clerk, plan).await?[0]
        .incoming_document_id
        .unwrap();
    let issued = app.outgoing(&ward_clerk, plan).await?;
    let request = SearchRequest {
        text: "phong chong thien tai".to_owned(),
        filters: SearchFilters::default(),
        limit: 100,
        offset: 0,
        facets: false,
    };
    let rows = |export: app::Export| crate::saved_searches::csv_rows(&export.bytes);

    let ward = rows(app.export_search(&ward_clerk, &request, &op()).await?);
    assert_eq!(ward[0].len(), 9, "{:?}", ward[0]);
    assert_eq!(ward[0][8], "Văn bản đến/đi");
    let row = ward
        .iter()
        .find(|row| row[0] == plan.to_string())
        .unwrap_or_else(|| panic!("the issued plan is exported: {ward:?}"));
    let number = issued.number_symbol.clone().unwrap_or_default();
    assert!(number.contains("KH"), "{number}");
    let date = issued.issued_date.map(|date| date.to_string());
    assert_eq!(
        [&row[1], &row[2], &row[3], &row[4], &row[5], &row[8]],
        [
            number.as_str(),
            date.as_deref().unwrap_or_default(),
            "KH",
            "Ủy ban nhân dân phường Ngô Quyền",
            "Kế hoạch phòng chống thiên tai năm 2026",
            "Đi",
        ]
    );
    assert!(!date.unwrap_or_default().is_empty());
    assert!(
        !ward.iter().any(|row| row[0] == copy.to_string()),
        "{ward:?}"
    );

    // The city exports its incoming copy, never the ward's outgoing document.
    let city = rows(app.export_search(&city_clerk, &request, &op()).await?);
    let ids: Vec<&str> = city[1..].iter().map(|row| row[0].as_str()).collect();
    assert!(ids.contains(&copy.to_string().as_str()), "{city:?}");
    assert!(!ids.contains(&plan.to_string().as_str()), "{city:?}");
    let copy_row = city.iter().find(|row| row[0] == copy.to_string()).unwrap();
    assert_eq!(copy_row[8], "Đến");
    Ok(())
}

backend_tests!(
    an_issued_plan_is_found_by_the_ward_and_its_copy_by_the_city,
    an_issued_plan_is_exported_in_its_organisations_csv
);
