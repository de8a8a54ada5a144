//! Saved searches: a user's named full-text query and filters (see `app::saved_searches`).
//!
//! Every function takes the owner: a saved search is reached only through its user, so one user
//! can never read, run or delete another's.

use domain::ids::UserId;
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use crate::entities::saved_searches;
use crate::{Conn, Error, Tx};

/// The filters of a saved search as stored (the `filters` column, JSON); a change of shape gets a
/// new version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedFiltersV1 {
    /// The document type code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_code: Option<String>,
    /// The first issue date included, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The last issue date included, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A stored saved search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSearch {
    /// The row id.
    pub id: i64,
    /// The owner.
    pub user_id: UserId,
    /// The name, unique for its owner.
    pub name: String,
    /// The query text as typed.
    pub query_text: String,
    /// The filters.
    pub filters: SavedFiltersV1,
    /// When it was saved.
    pub created_at: OffsetDateTime,
}

/// Stores a new saved search; returns its id.
///
/// # Errors
/// `Error::Conflict` when the user already has a saved search of that name; `Error::Backend`.
pub async fn insert(
    tx: &Tx,
    user: UserId,
    name: &str,
    query_text: &str,
    filters: &SavedFiltersV1,
    at: OffsetDateTime,
) -> Result<i64, Error> {
    let filters = serde_json::to_string(filters)
        .map_err(|error| Error::corrupt("saved_searches.filters", error.to_string()))?;
    let result = saved_searches::Entity::insert(saved_searches::ActiveModel {
        id: NotSet,
        user_id: Set(user.get()),
        name: Set(name.to_owned()),
        query_text: Set(query_text.to_owned()),
        filters: Set(filters),
        created_at: Set(at.to_offset(UtcOffset::UTC)),
    })
    .exec(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(result.last_insert_id)
}

/// The user's saved searches, by name.
///
/// # Errors
/// `Error::CorruptRow` for filters that do not parse; `Error::Backend`.
pub async fn list(conn: &impl Conn, user: UserId) -> Result<Vec<SavedSearch>, Error> {
    let rows = saved_searches::Entity::find()
        .filter(saved_searches::Column::UserId.eq(user.get()))
        .order_by_asc(saved_searches::Column::Name)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    rows.into_iter().map(from_row).collect()
}

/// The user's saved search of that name, if any.
///
/// # Errors
/// `Error::CorruptRow` for filters that do not parse; `Error::Backend`.
pub async fn find(
    conn: &impl Conn,
    user: UserId,
    name: &str,
) -> Result<Option<SavedSearch>, Error> {
    let row = saved_searches::Entity::find()
        .filter(saved_searches::Column::UserId.eq(user.get()))
        .filter(saved_searches::Column::Name.eq(name))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    row.map(from_row).transpose()
}

/// Deletes the user's saved search of that name; returns whether there was one.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn delete(tx: &Tx, user: UserId, name: &str) -> Result<bool, Error> {
    let result = saved_searches::Entity::delete_many()
        .filter(saved_searches::Column::UserId.eq(user.get()))
        .filter(saved_searches::Column::Name.eq(name))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.rows_affected > 0)
}

fn from_row(row: saved_searches::Model) -> Result<SavedSearch, Error> {
    let filters = serde_json::from_str(&row.filters)
        .map_err(|_| Error::corrupt("saved_searches.filters", row.filters.clone()))?;
    Ok(SavedSearch {
        id: row.id,
        user_id: UserId(row.user_id),
        name: row.name,
        query_text: row.query_text,
        filters,
        created_at: row.created_at,
    })
}
