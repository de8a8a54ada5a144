//! Organisations (agencies) and their profile.

use domain::ids::OrganizationId;
use domain::organization::{Abbreviation, ElectronicId, OrganizationProfile};
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use crate::entities::organizations;
use crate::{Conn, Error, Tx};

/// A stored organisation.
#[derive(Debug, Clone)]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// Name, abbreviation, electronic id and place.
    pub profile: OrganizationProfile,
}

/// Stores a new organisation.
///
/// # Errors
/// `Error::Conflict` when the electronic id is taken; `Error::Backend` on failure.
pub async fn insert(
    tx: &Tx,
    profile: &OrganizationProfile,
    now: OffsetDateTime,
) -> Result<OrganizationId, Error> {
    let result = organizations::Entity::insert(organizations::ActiveModel {
        id: NotSet,
        electronic_id: Set(profile.electronic_id.as_str().to_owned()),
        name: Set(profile.name.clone()),
        abbreviation: Set(profile.abbreviation.as_str().to_owned()),
        place_name: Set(profile.place_name.clone()),
        created_at: Set(now),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(OrganizationId(result.last_insert_id))
}

/// Finds an organisation by its electronic id.
///
/// # Errors
/// `Error::CorruptRow` when the stored row does not parse; `Error::Backend` on failure.
pub async fn find_by_electronic_id(
    conn: &impl Conn,
    electronic_id: &ElectronicId,
) -> Result<Option<Organization>, Error> {
    organizations::Entity::find()
        .filter(organizations::Column::ElectronicId.eq(electronic_id.as_str()))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
        .map(from_row)
        .transpose()
}

/// Finds an organisation by id.
///
/// # Errors
/// `Error::CorruptRow` when the stored row does not parse; `Error::Backend` on failure.
pub async fn find(conn: &impl Conn, id: OrganizationId) -> Result<Option<Organization>, Error> {
    organizations::Entity::find_by_id(id.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
        .map(from_row)
        .transpose()
}

/// Every organisation, by id.
///
/// # Errors
/// `Error::CorruptRow` when a stored row does not parse; `Error::Backend` on failure.
pub async fn list(conn: &impl Conn) -> Result<Vec<Organization>, Error> {
    use sea_orm::QueryOrder as _;
    organizations::Entity::find()
        .order_by_asc(organizations::Column::Id)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?
        .into_iter()
        .map(from_row)
        .collect()
}

fn from_row(row: organizations::Model) -> Result<Organization, Error> {
    let electronic_id = ElectronicId::parse(&row.electronic_id)
        .map_err(|_| Error::corrupt("organizations.electronic_id", row.electronic_id.clone()))?;
    let abbreviation = Abbreviation::parse(&row.abbreviation)
        .map_err(|_| Error::corrupt("organizations.abbreviation", row.abbreviation.clone()))?;
    Ok(Organization {
        id: OrganizationId(row.id),
        profile: OrganizationProfile {
            electronic_id,
            name: row.name,
            abbreviation,
            place_name: row.place_name,
        },
    })
}
