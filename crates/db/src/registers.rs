//! Registers (sổ đăng ký) and gapless number allocation.
//!
//! A number is taken by incrementing the register's `last_number` inside the caller's write
//! transaction. If the transaction rolls back, the increment rolls back with it, so numbers have no
//! gaps; the unique index on (register, number) makes a duplicate impossible even if a caller forgot
//! the transaction.

use domain::ids::{OrganizationId, RegisterId};
use domain::register::RegisterKind;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use crate::entities::registers;
use crate::{Conn, Error, Tx};

/// Returns the register of `organization` for `kind` and `year`, creating it empty when needed.
///
/// # Errors
/// `Error::Backend` on failure.
pub async fn find_or_create(
    tx: &Tx,
    organization: OrganizationId,
    kind: RegisterKind,
    year: i32,
) -> Result<RegisterId, Error> {
    let connection = &tx.transaction;
    registers::Entity::insert(registers::ActiveModel {
        id: NotSet,
        organization_id: Set(organization.get()),
        kind: Set(kind.code().to_owned()),
        year: Set(year),
        last_number: Set(0),
    })
    .on_conflict(
        OnConflict::columns([
            registers::Column::OrganizationId,
            registers::Column::Kind,
            registers::Column::Year,
        ])
        .do_nothing()
        .to_owned(),
    )
    .do_nothing()
    .exec(connection)
    .await
    .map_err(Error::backend)?;
    let register = registers::Entity::find()
        .filter(registers::Column::OrganizationId.eq(organization.get()))
        .filter(registers::Column::Kind.eq(kind.code()))
        .filter(registers::Column::Year.eq(year))
        .one(connection)
        .await
        .map_err(Error::backend)?
        .ok_or_else(|| Error::corrupt("registers", "register vanished after insert"))?;
    Ok(RegisterId(register.id))
}

/// Takes the next number of `register` (1 for the first) within the transaction.
///
/// # Errors
/// `Error::CorruptRow` when the register does not exist; `Error::Backend` on failure.
pub async fn allocate(tx: &Tx, register: RegisterId) -> Result<i64, Error> {
    let connection = &tx.transaction;
    let result = registers::Entity::update_many()
        .col_expr(
            registers::Column::LastNumber,
            Expr::col(registers::Column::LastNumber).add(1),
        )
        .filter(registers::Column::Id.eq(register.get()))
        .exec(connection)
        .await
        .map_err(Error::backend)?;
    if result.rows_affected != 1 {
        return Err(Error::corrupt("registers.id", register.to_string()));
    }
    last_number(tx, register).await
}

/// The last number taken from `register` (0 when none).
///
/// # Errors
/// `Error::CorruptRow` when the register does not exist; `Error::Backend` on failure.
pub async fn last_number(conn: &impl Conn, register: RegisterId) -> Result<i64, Error> {
    let row = registers::Entity::find_by_id(register.get())
        .one(conn.connection())
        .await
        .map_err(Error::backend)?
        .ok_or_else(|| Error::corrupt("registers.id", register.to_string()))?;
    Ok(row.last_number)
}
