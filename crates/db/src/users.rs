//! User accounts and their roles.

use domain::ids::{OrganizationId, UserId};
use domain::levels::Secrecy;
use domain::role::Role;
use domain::user::{FullName, Username};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use time::OffsetDateTime;

use crate::entities::{user_roles, users};
use crate::{Conn, Error, Tx};

/// A user to create.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// The organisation the user works for.
    pub organization_id: OrganizationId,
    /// The login name.
    pub username: &'a Username,
    /// The person's name as printed on documents.
    pub full_name: &'a FullName,
    /// The position, e.g. "Chủ tịch" or "Công chức Văn phòng - Thống kê".
    pub position: &'a str,
    /// The PHC string of the argon2id password hash.
    pub password_hash: &'a str,
    /// The highest secrecy level the user may see.
    pub clearance: Secrecy,
    /// The roles the user holds.
    pub roles: &'a [Role],
}

/// A stored user with roles.
#[derive(Debug, Clone)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Its organisation.
    pub organization_id: OrganizationId,
    /// The login name.
    pub username: Username,
    /// The person's name.
    pub full_name: FullName,
    /// The position.
    pub position: String,
    /// The PHC string of the password hash.
    pub password_hash: String,
    /// The highest secrecy level the user may see.
    pub clearance: Secrecy,
    /// Whether the account may log in.
    pub active: bool,
    /// The roles, sorted.
    pub roles: Vec<Role>,
}

/// Stores a new user with roles.
///
/// # Errors
/// `Error::Conflict` when the username is taken; `Error::Backend` on failure.
pub async fn insert(tx: &Tx, user: NewUser<'_>, now: OffsetDateTime) -> Result<UserId, Error> {
    let connection = &tx.transaction;
    let result = users::Entity::insert(users::ActiveModel {
        id: NotSet,
        organization_id: Set(user.organization_id.get()),
        username: Set(user.username.as_str().to_owned()),
        full_name: Set(user.full_name.as_str().to_owned()),
        position: Set(user.position.to_owned()),
        password_hash: Set(user.password_hash.to_owned()),
        clearance: Set(user.clearance.code().to_owned()),
        active: Set(true),
        created_at: Set(now),
    })
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    let id = UserId(result.last_insert_id);
    for role in user.roles {
        user_roles::Entity::insert(user_roles::ActiveModel {
            user_id: Set(id.get()),
            role: Set(role.code().to_owned()),
        })
        .exec_without_returning(connection)
        .await
        .map_err(Error::backend)?;
    }
    Ok(id)
}

/// Finds a user by login name.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find_by_username(
    conn: &impl Conn,
    username: &Username,
) -> Result<Option<User>, Error> {
    let row = users::Entity::find()
        .filter(users::Column::Username.eq(username.as_str()))
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    match row {
        Some(row) => Ok(Some(with_roles(conn, row).await?)),
        None => Ok(None),
    }
}

/// Finds a user by id.
///
/// # Errors
/// `Error::CorruptRow` when a stored value does not parse; `Error::Backend` on failure.
pub async fn find(conn: &impl Conn, id: UserId) -> Result<Option<User>, Error> {
    let row = users::Entity::find_by_id(id.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?;
    match row {
        Some(row) => Ok(Some(with_roles(conn, row).await?)),
        None => Ok(None),
    }
}

async fn with_roles(conn: &impl Conn, row: users::Model) -> Result<User, Error> {
    let role_rows = user_roles::Entity::find()
        .filter(user_roles::Column::UserId.eq(row.id))
        .order_by_asc(user_roles::Column::Role)
        .all(conn.connection())
        .await
        .map_err(Error::backend)?;
    let mut roles = role_rows
        .into_iter()
        .map(|role_row| {
            Role::parse(&role_row.role)
                .map_err(|_| Error::corrupt("user_roles.role", role_row.role))
        })
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort();
    Ok(User {
        id: UserId(row.id),
        organization_id: OrganizationId(row.organization_id),
        username: Username::parse(&row.username)
            .map_err(|_| Error::corrupt("users.username", row.username.clone()))?,
        full_name: FullName::parse(&row.full_name)
            .map_err(|_| Error::corrupt("users.full_name", row.full_name.clone()))?,
        position: row.position,
        password_hash: row.password_hash,
        clearance: Secrecy::parse(&row.clearance)
            .map_err(|_| Error::corrupt("users.clearance", row.clearance.clone()))?,
        active: row.active,
        roles,
    })
}
