//! Demo data: the ward of the 2024 reform plan, one user per role, and the plan itself as an incoming
//! document. Seeded only when `security.danger_allow_demo_data` is on, and idempotent: a second start
//! finds the organisation and changes nothing.

use domain::audit::AuditAction;
use domain::levels::Secrecy;
use domain::organization::{Abbreviation, ElectronicId, OrganizationProfile};
use domain::role::Role;
use domain::user::{FullName, Username};
use secrecy::{ExposeSecret, SecretString};
use time::macros::datetime;

use crate::audit::AuditRecord;
use crate::auth::hash_password;
use crate::intake::{IncomingMetadata, IncomingUpload};
use crate::{Actor, App, Error, OperationId, blocking};

/// The electronic id of the demo ward. Made up for demo data: the ward's real code after the 2025
/// merger is unknown (DOMAIN.md §2), and codes are data, never constants in the rules.
pub const DEMO_ORGANIZATION_ID: &str = "000.21.23.H02";

/// The 2024 administrative reform plan of the demo ward (see `crates/app/demo/README.md`).
const REFORM_PLAN_PDF: &[u8] = include_bytes!("../demo/ke-hoach-cai-cach-hanh-chinh-2024.pdf");

/// What seeding did.
#[derive(Debug, Clone)]
pub struct DemoSeed {
    /// False when the demo organisation already existed and nothing was changed.
    pub created: bool,
    /// The demo usernames with their role labels, in role order.
    pub logins: Vec<(String, &'static str)>,
}

/// The demo people: (role, full name, position, clearance).
const DEMO_USERS: [(Role, &str, &str, Secrecy); 6] = [
    (Role::Clerk, "Trần Thị Bình", "Văn thư", Secrecy::Secret),
    (
        Role::Leader,
        "Nguyễn Văn An",
        "Chủ tịch",
        Secrecy::TopSecret,
    ),
    (
        Role::Officer,
        "Lê Văn Cường",
        "Công chức Văn phòng - Thống kê",
        Secrecy::Normal,
    ),
    (
        Role::Archivist,
        "Phạm Thị Dung",
        "Lưu trữ viên",
        Secrecy::Normal,
    ),
    (
        Role::Auditor,
        "Hoàng Văn Em",
        "Thanh tra viên",
        Secrecy::Normal,
    ),
    (
        Role::Admin,
        "Đỗ Thị Giang",
        "Quản trị hệ thống",
        Secrecy::Normal,
    ),
];

impl App {
    /// Seeds the demo ward, its users (all with `password`) and the reform plan.
    ///
    /// # Errors
    /// `Error::Config` unless demo data is allowed by the configuration.
    pub async fn seed_demo(
        &self,
        password: &SecretString,
        operation: &OperationId,
    ) -> Result<DemoSeed, Error> {
        if !self.config.security.danger_allow_demo_data {
            return Err(Error::Config {
                problems: vec!["demo data needs security.danger_allow_demo_data".to_owned()],
            });
        }
        let logins = DEMO_USERS
            .iter()
            .map(|(role, ..)| (role.demo_username().to_owned(), role.label_vi()))
            .collect();
        let profile = demo_profile()?;
        if db::organizations::find_by_electronic_id(&self.db, &profile.electronic_id)
            .await?
            .is_some()
        {
            return Ok(DemoSeed {
                created: false,
                logins,
            });
        }
        let now = self.clock.now();
        let password_text = password.expose_secret().to_owned();
        let password_hash = blocking(move || hash_password(&password_text)).await??;

        let tx = self.db.begin_write().await?;
        let organization_id = db::organizations::insert(&tx, &profile, now).await?;
        let mut clerk = None;
        for (role, full_name, position, clearance) in DEMO_USERS {
            let username = parse_fixed(Username::parse(role.demo_username()))?;
            let full_name = parse_fixed(FullName::parse(full_name))?;
            let user_id = db::users::insert(
                &tx,
                db::users::NewUser {
                    organization_id,
                    username: &username,
                    full_name: &full_name,
                    position,
                    password_hash: &password_hash,
                    clearance,
                    roles: &[role],
                },
                now,
            )
            .await?;
            if role == Role::Clerk {
                clerk = Some(Actor {
                    user_id,
                    username,
                    full_name: full_name.as_str().to_owned(),
                    organization_id,
                    roles: vec![role],
                    clearance,
                });
            }
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(organization_id),
                actor: "system",
                action: AuditAction::DemoSeeded,
                target: &format!("organization:{organization_id}"),
                details: serde_json::json!({ "users": DEMO_USERS.len() }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;

        let clerk = clerk.ok_or_else(|| Error::Internal {
            reason: "demo clerk missing".to_owned(),
        })?;
        // Registered as it arrived in January 2024: number 1 of the 2024 register, so that the
        // first upload of the current year is number 1 of its own register.
        self.register_incoming(
            &clerk,
            IncomingUpload {
                file_name: "ke-hoach-cai-cach-hanh-chinh-2024.pdf".to_owned(),
                bytes: REFORM_PLAN_PDF.to_vec(),
                metadata: IncomingMetadata {
                    number_symbol: Some("06/KH-UBND".to_owned()),
                    type_code: Some("KH".to_owned()),
                    subject: Some("Kế hoạch cải cách hành chính năm 2024".to_owned()),
                    issuer_name: Some("UBND phường Ngô Quyền".to_owned()),
                    issued_date: Some("2024-01-10".to_owned()),
                    urgency: None,
                    secrecy: None,
                },
            },
            datetime!(2024-01-11 08:30 +07:00),
            operation,
        )
        .await?;
        Ok(DemoSeed {
            created: true,
            logins,
        })
    }
}

fn demo_profile() -> Result<OrganizationProfile, Error> {
    Ok(OrganizationProfile {
        electronic_id: parse_fixed(ElectronicId::parse(DEMO_ORGANIZATION_ID))?,
        name: "Ủy ban nhân dân phường Ngô Quyền".to_owned(),
        abbreviation: parse_fixed(Abbreviation::parse("UBND"))?,
        place_name: "Phường Ngô Quyền".to_owned(),
    })
}

/// Parses a constant of this module; a failure is a bug here, not bad input.
fn parse_fixed<T>(parsed: Result<T, domain::ParseError>) -> Result<T, Error> {
    parsed.map_err(|error| Error::Internal {
        reason: format!("demo constant: {error}"),
    })
}
