//! What password change and reset share: the full policy check (the pure
//! rules plus history) and the one transaction that swaps the password.

use relay_protocol::SecurityEventKind;
use relay_protocol::{ErrorCode, PasswordPolicy, Violation};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sqlx::AnyConnection;

use crate::data::{self, now_ms};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiResult};
use crate::hashing::Verdict;
use crate::state::AppState;
use crate::users::UserRow;

pub fn policy_error(violations: &[Violation]) -> ApiError {
    ApiError::new(
        ErrorCode::PasswordPolicy,
        "the new password breaks the password policy",
    )
    .with_details(json!({ "violations": violations }))
}

/// Every violation of `policy` by `new_password` for `user`, history included.
pub async fn violations(
    state: &AppState,
    policy: &PasswordPolicy,
    user: &UserRow,
    new_password: &SecretString,
) -> ApiResult<Vec<Violation>> {
    let mut found =
        relay_protocol::evaluate(policy, new_password.expose_secret(), &user.identity()).violations;
    if found.contains(&Violation::TooLong) {
        // Don't spend hashes on a password we refuse anyway.
        return Ok(found);
    }
    if matches!(
        state.hasher.verify(new_password, &user.password_hash).await,
        Verdict::Right { .. }
    ) {
        found.push(Violation::Reused);
        found.push(Violation::SameAsCurrent);
        return Ok(found);
    }
    if policy.history > 0 {
        let old = data::users::recent_password_hashes(
            &state.db.pool,
            &user.id,
            i64::from(policy.history),
        )
        .await?;
        for hash in old {
            if matches!(
                state.hasher.verify(new_password, &hash).await,
                Verdict::Right { .. }
            ) {
                found.push(Violation::Reused);
                break;
            }
        }
    }
    Ok(found)
}

/// Sets the new password inside the caller's transaction: the hash, the
/// history, the security event and the notice commit together or not at all.
pub async fn swap_password(
    conn: &mut AnyConnection,
    user: &UserRow,
    new_hash: &str,
    event: SecurityEventKind,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    data::users::set_password(conn, &user.id, &user.password_hash, new_hash, now_ms()).await?;
    data::events::record(&mut *conn, &user.id, event, ip, None).await?;
    data::notices::queue(conn, &user.id, Kind::PasswordChangedNotice).await?;
    Ok(())
}
