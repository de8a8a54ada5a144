//! Authentication: password login with argon2id, opaque session tokens, and logout.
//!
//! A token is 32 random bytes, shown to the client once (cookie or bearer) and stored only as its
//! SHA-256, so a copy of the database opens no session. A failed login costs the same whether or
//! not the user exists (a dummy hash is verified) and returns the same error, so usernames cannot be
//! probed.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::audit::AuditAction;
use domain::user::Username;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::audit::AuditRecord;
use crate::{Actor, App, Error, OperationId, blocking};

/// A session token as given to the client; `Debug` does not print it.
#[derive(Clone)]
pub struct SessionToken(SecretString);

impl SessionToken {
    /// Wraps a token received from a client.
    pub fn new(token: &str) -> SessionToken {
        SessionToken(SecretString::from(token.to_owned()))
    }

    /// The token text, to hand to the client.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.expose_secret().as_bytes()))
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

/// A successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The new session's token.
    pub token: SessionToken,
    /// The logged-in user.
    pub actor: Actor,
    /// How long the session lasts, in seconds (for the cookie's Max-Age).
    pub ttl_seconds: i64,
}

/// argon2id with the OWASP Password Storage Cheat Sheet's first recommended setting
/// (m = 19 MiB, t = 2, p = 1).
fn hasher() -> Argon2<'static> {
    // Invariant: these constant parameters are within argon2's documented bounds.
    #[expect(
        clippy::unwrap_used,
        reason = "constant parameters, checked by the tests"
    )]
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash verified when the user does not exist, so that both paths cost the same.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("vanthu-dummy-password").unwrap_or_default());

/// Hashes a password into a PHC string with a fresh random salt.
///
/// # Errors
/// `Error::Internal` if argon2 fails (it does not with valid parameters).
pub(crate) fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| Error::Internal {
            reason: format!("password hashing failed: {error}"),
        })
}

fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn new_token() -> SessionToken {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SessionToken(SecretString::from(hex::encode(bytes)))
}

impl App {
    /// Logs a user in and opens a session.
    ///
    /// # Errors
    /// `Error::InvalidCredentials` for a wrong password, an unknown or inactive user alike.
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        username: &str,
        password: &SecretString,
        operation: &OperationId,
    ) -> Result<LoginOutcome, Error> {
        let now = self.clock.now();
        let parsed = Username::parse(username).ok();
        let user = match &parsed {
            Some(username) => db::users::find_by_username(&self.db, username).await?,
            None => None,
        };
        let stored_hash = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |user| user.password_hash.clone());
        let password_text = password.expose_secret().to_owned();
        let password_ok = blocking(move || verify_password(&password_text, &stored_hash)).await?;
        let user = match user {
            Some(user) if password_ok && user.active => user,
            _ => {
                // An unknown username is not recorded: people type passwords into the username
                // field, and the event belongs to no organisation whose auditor should see it.
                let target = match &user {
                    Some(user) => format!("user:{}", user.username),
                    None => "user:?".to_owned(),
                };
                let tx = self.db.begin_write().await?;
                self.record(
                    &tx,
                    AuditRecord {
                        organization_id: user.as_ref().map(|user| user.organization_id),
                        actor: "anonymous",
                        action: AuditAction::LoginFailed,
                        target: &target,
                        details: serde_json::json!({}),
                    },
                    now,
                    operation,
                )
                .await?;
                tx.commit().await?;
                tracing::info!(target: "security", "login failed");
                return Err(Error::InvalidCredentials);
            }
        };
        let token = new_token();
        let ttl = Duration::minutes(i64::from(self.config.sessions.ttl_minutes));
        let tx = self.db.begin_write().await?;
        db::sessions::insert(&tx, &token.hash(), user.id, now, now + ttl).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(user.organization_id),
                actor: user.username.as_str(),
                action: AuditAction::LoginSucceeded,
                target: &format!("user:{}", user.username),
                details: serde_json::json!({}),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(target: "security", user = %user.username, "login succeeded");
        Ok(LoginOutcome {
            token,
            actor: actor_of(user),
            ttl_seconds: ttl.whole_seconds(),
        })
    }

    /// The user of a live session token.
    ///
    /// # Errors
    /// `Error::Unauthenticated` when the token is unknown, expired, or its user inactive.
    pub async fn authenticate(&self, token: &SessionToken) -> Result<Actor, Error> {
        let now = self.clock.now();
        let Some(user_id) = db::sessions::find_active(&self.db, &token.hash(), now).await? else {
            return Err(Error::Unauthenticated);
        };
        match db::users::find(&self.db, user_id).await? {
            Some(user) if user.active => Ok(actor_of(user)),
            _ => Err(Error::Unauthenticated),
        }
    }

    /// Ends the session of `token`.
    ///
    /// # Errors
    /// `Error::Unavailable` when the database fails.
    pub async fn logout(
        &self,
        actor: &Actor,
        token: &SessionToken,
        operation: &OperationId,
    ) -> Result<(), Error> {
        let tx = self.db.begin_write().await?;
        db::sessions::delete(&tx, &token.hash()).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::Logout,
                target: &format!("user:{}", actor.username),
                details: serde_json::json!({}),
            },
            self.clock.now(),
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn actor_of(user: db::users::User) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username,
        full_name: user.full_name.as_str().to_owned(),
        organization_id: user.organization_id,
        roles: user.roles,
        clearance: user.clearance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("mật khẩu đúng").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("mật khẩu đúng", &hash));
        assert!(!verify_password("mat khau dung", &hash));
        assert!(!verify_password("mật khẩu đúng", "not a phc string"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let first = new_token();
        let second = new_token();
        assert_ne!(first.expose(), second.expose());
        assert_eq!(first.expose().len(), 64);
        assert_ne!(first.hash(), first.expose());
        assert_eq!(format!("{first:?}"), "SessionToken(..)");
    }
}
