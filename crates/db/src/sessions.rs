//! Login sessions, stored by the SHA-256 of their token so that a database leak yields no usable
//! session.

use domain::ids::UserId;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use time::OffsetDateTime;

use crate::entities::sessions;
use crate::{Conn, Error, Tx};

/// Stores a session.
///
/// # Errors
/// `Error::Conflict` on a (vanishingly unlikely) token collision; `Error::Backend` on failure.
pub async fn insert(
    tx: &Tx,
    token_hash: &str,
    user: UserId,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), Error> {
    sessions::Entity::insert(sessions::ActiveModel {
        id: NotSet,
        token_hash: Set(token_hash.to_owned()),
        user_id: Set(user.get()),
        created_at: Set(created_at),
        expires_at: Set(expires_at),
    })
    .exec_without_returning(&tx.transaction)
    .await
    .map_err(Error::backend)?;
    Ok(())
}

/// The user of the session with this token hash, if it exists and has not expired at `now`.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_active(
    conn: &impl Conn,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<UserId>, Error> {
    let row = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    Ok(row.map(|row| UserId(row.user_id)))
}

/// Ends the session with this token hash; returns whether one existed.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn delete(tx: &Tx, token_hash: &str) -> Result<bool, Error> {
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .exec(&tx.transaction)
        .await
        .map_err(Error::backend)?;
    Ok(result.rows_affected > 0)
}
