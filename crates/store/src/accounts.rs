//! Accounts and sessions: users with their roles, jurisdictions and token hashes, sign-in by login and argon2
//! password, and the pages' sessions, stored only as hashes.

use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::model::*;
use crate::store::{now, on_pool, Store};
use crate::StoreError;

/// An account with its password hash, for signing in.
#[derive(FromRow)]
struct PasswordRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    name: String,
    role: String,
    region_code: Option<String>,
    uscc: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            name: row.name,
            role: Role::from_name(&row.role).unwrap_or(Role::Lab),
            region_code: row.region_code,
            uscc: row.uscc,
        }
    }
}

impl Store {
    /// Creates an account and returns it with its API token, which is stored only as a hash; a password is
    /// stored only as its argon2 hash.
    pub async fn add_user(&self, user: &NewUser) -> Result<(User, String), StoreError> {
        let token = format!("zl_{}", hex::encode(rand::random::<[u8; 32]>()));
        let at = now();
        let password_hash = match &user.password {
            Some(password) => Some(hash_password(password.clone()).await?),
            None => None,
        };
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "INSERT INTO users (name, role, region_code, uscc, token_hash, login, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(&user.region_code)
        .bind(&user.uscc)
        .bind(token_hash(&token))
        .bind(&user.login)
        .bind(password_hash)
        .bind(at)
        .fetch_one(pool)
        .await?);
        let created = User {
            id,
            name: user.name.clone(),
            role: user.role,
            region_code: user.region_code.clone(),
            uscc: user.uscc.clone(),
        };
        Ok((created, token))
    }

    /// The account an API token belongs to.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc FROM users WHERE token_hash = $1";
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token_hash(token)).fetch_optional(pool).await?);
        Ok(row.map(User::from))
    }

    /// The account with this login name and password, if both are right.
    pub async fn user_by_password(&self, login: &str, password: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc, password_hash FROM users WHERE login = $1";
        let row: Option<PasswordRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(login).fetch_optional(pool).await?);
        // An unknown name is checked against a stand-in hash of the same cost, so the answer takes as long
        // as for a known name and the timing does not tell which login names exist.
        let (user, stored) = match row {
            Some(PasswordRow { user, password_hash: Some(stored) }) => (Some(user), Some(stored)),
            _ => (None, None),
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            use argon2::password_hash::{PasswordHash, PasswordVerifier};
            let stored = stored.unwrap_or_else(|| stand_in_hash().to_owned());
            PasswordHash::new(&stored)
                .is_ok_and(|hash| argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        })
        .await
        .expect("password check panicked");
        Ok(user.filter(|_| matches).map(User::from))
    }

    /// Starts a page session for a user, valid for `hours`; returns the key for the cookie.
    pub async fn create_session(&self, user_id: i64, hours: i64) -> Result<String, StoreError> {
        let key = hex::encode(rand::random::<[u8; 32]>());
        let expires =
            (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO sessions (key_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash(&key))
                .bind(user_id)
                .bind(now())
                .bind(expires)
                .execute(pool)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(key)
    }

    /// The user of an unexpired session.
    pub async fn session_user(&self, key: &str) -> Result<Option<User>, StoreError> {
        let sql =
            "SELECT u.id, u.name, u.role, u.region_code, u.uscc FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.key_hash = $1 AND s.expires_at > $2";
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token_hash(key)).bind(now()).fetch_optional(pool).await?);
        Ok(row.map(User::from))
    }

    /// Ends a session.
    pub async fn end_session(&self, key: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE key_hash = $1").bind(token_hash(key)).execute(pool).await?;
            Ok(())
        })
    }

    /// The account with a login name, if any (for the command line, which acts as a named account).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc, password_hash FROM users WHERE login = $1";
        let row: Option<PasswordRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(login).fetch_optional(pool).await?);
        Ok(row.map(|r| User::from(r.user)))
    }
}

/// The argon2id hash of a password, in PHC string form, computed off the async threads.
async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt =
            SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| StoreError::Password(e.to_string()))?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| StoreError::Password(e.to_string()))
    })
    .await
    .expect("password hashing panicked")
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The audit record of one write: the action and the record before and after, as JSON.
/// An argon2 hash of a random password with the default cost, made once: what unknown login names are checked
/// against.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes encode");
        let password = hex::encode(rand::random::<[u8; 16]>());
        argon2::Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes").to_string()
    })
}
