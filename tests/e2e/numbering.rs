//! Register numbers are gapless and unique under concurrency and rollback, on both backends.

use std::sync::Arc;

use domain::ids::OrganizationId;
use domain::register::RegisterKind;
use secrecy::SecretString;

use crate::backend_tests;

const TASKS: usize = 16;
const ALLOCATIONS_PER_TASK: usize = 200;

async fn connect(test_db: &testkit::TestDb) -> anyhow::Result<db::Db> {
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(test_db.url().to_owned()),
        max_connections: 16,
    })
    .await?;
    db.migrate().await?;
    Ok(db)
}

/// Creates the organisation every register belongs to.
async fn organization(db: &db::Db) -> anyhow::Result<OrganizationId> {
    let tx = db.begin_write().await?;
    let profile = domain::organization::OrganizationProfile {
        electronic_id: domain::organization::ElectronicId::parse("000.00.01.H02")?,
        name: "UBND phường thử nghiệm".to_owned(),
        abbreviation: domain::organization::Abbreviation::parse("UBND")?,
        place_name: "Phường Thử".to_owned(),
    };
    let id = db::organizations::insert(&tx, &profile, testkit::TEST_NOW).await?;
    tx.commit().await?;
    Ok(id)
}

async fn allocate_once(db: &db::Db, organization: OrganizationId) -> anyhow::Result<i64> {
    let tx = db.begin_write().await?;
    let register =
        db::registers::find_or_create(&tx, organization, RegisterKind::Outgoing, 2026).await?;
    let number = db::registers::allocate(&tx, register).await?;
    tx.commit().await?;
    Ok(number)
}

async fn concurrent_allocations_are_exactly_one_to_n(
    test_db: testkit::TestDb,
) -> anyhow::Result<()> {
    let db = Arc::new(connect(&test_db).await?);
    let organization = organization(&db).await?;
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let db = Arc::clone(&db);
            tokio::spawn(async move {
                let mut numbers = Vec::with_capacity(ALLOCATIONS_PER_TASK);
                for _ in 0..ALLOCATIONS_PER_TASK {
                    numbers.push(allocate_once(&db, organization).await?);
                }
                anyhow::Ok(numbers)
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in futures::future::join_all(tasks).await {
        all.extend(task??);
    }
    all.sort_unstable();
    let expected: Vec<i64> = (1..=(TASKS * ALLOCATIONS_PER_TASK) as i64).collect();
    anyhow::ensure!(
        all == expected,
        "numbers are not exactly 1..={}",
        expected.len()
    );
    Ok(())
}

async fn a_rolled_back_allocation_leaves_no_gap(test_db: testkit::TestDb) -> anyhow::Result<()> {
    let db = connect(&test_db).await?;
    let organization = organization(&db).await?;
    assert_eq!(allocate_once(&db, organization).await?, 1);

    let tx = db.begin_write().await?;
    let register =
        db::registers::find_or_create(&tx, organization, RegisterKind::Outgoing, 2026).await?;
    assert_eq!(db::registers::allocate(&tx, register).await?, 2);
    tx.rollback().await?;

    // Dropping without commit (an early return) rolls back too.
    {
        let tx = db.begin_write().await?;
        assert_eq!(db::registers::allocate(&tx, register).await?, 2);
    }

    assert_eq!(allocate_once(&db, organization).await?, 2);
    assert_eq!(db::registers::last_number(&db, register).await?, 2);
    Ok(())
}

async fn registers_are_separate_per_kind_and_year(test_db: testkit::TestDb) -> anyhow::Result<()> {
    let db = connect(&test_db).await?;
    let organization = organization(&db).await?;
    let tx = db.begin_write().await?;
    let incoming_2026 =
        db::registers::find_or_create(&tx, organization, RegisterKind::Incoming, 2026).await?;
    let secret_2026 =
        db::registers::find_or_create(&tx, organization, RegisterKind::SecretIncoming, 2026)
            .await?;
    let incoming_2027 =
        db::registers::find_or_create(&tx, organization, RegisterKind::Incoming, 2027).await?;
    assert_eq!(db::registers::allocate(&tx, incoming_2026).await?, 1);
    assert_eq!(db::registers::allocate(&tx, incoming_2026).await?, 2);
    assert_eq!(
        db::registers::allocate(&tx, secret_2026).await?,
        1,
        "the secret register has its own series"
    );
    assert_eq!(
        db::registers::allocate(&tx, incoming_2027).await?,
        1,
        "numbers restart each year"
    );
    let again =
        db::registers::find_or_create(&tx, organization, RegisterKind::Incoming, 2026).await?;
    assert_eq!(again, incoming_2026);
    tx.commit().await?;
    Ok(())
}

backend_tests!(
    concurrent_allocations_are_exactly_one_to_n,
    a_rolled_back_allocation_leaves_no_gap,
    registers_are_separate_per_kind_and_year
);
