//! Who may do what: writes authorised by role, jurisdiction (region code) and ownership. The API, the pages and
//! the CLI's workflows ask the same functions.

use codes::RegionCode;
use store::{Role, User};

use crate::ApiError;

/// Whether `user` may read supply-chain events and traces.
pub fn may_read_traces(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Regulator | Role::Enterprise)
}

/// Whether a regulator's jurisdiction covers a region code.
fn covers(user: &User, region_code: &str) -> bool {
    user.region_code
        .as_deref()
        .and_then(|code| RegionCode::parse(code).ok())
        .is_some_and(|scope| scope.contains(region_code))
}

/// May `user` write an organization in `region_code` with this USCC? `previous_region` is the stored
/// record's region on an update: a regulator must cover both, so nobody moves a record out of another's reach.
pub fn authorize_organization_write(
    user: &User,
    uscc: &codes::Uscc,
    region_code: &str,
    previous_region: Option<&str>,
) -> Result<(), ApiError> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Regulator => {
            if covers(user, region_code) && previous_region.is_none_or(|r| covers(user, r)) {
                Ok(())
            } else {
                Err(ApiError::forbidden(format!(
                    "region {region_code} is outside this regulator's jurisdiction {}",
                    user.region_code.as_deref().unwrap_or("(none)")
                )))
            }
        }
        Role::Enterprise if user.uscc.as_deref() == Some(uscc.as_str()) => Ok(()),
        Role::Enterprise => Err(ApiError::forbidden("an enterprise may write only its own record")),
        _ => Err(ApiError::forbidden(format!("role {} may not write master data", user.role.as_str()))),
    }
}

/// May `user` write a product of the producer `uscc` located in `producer_region`? `previous` is the stored
/// product's producer and its region, on an update.
pub fn authorize_product_write(
    user: &User,
    uscc: &codes::Uscc,
    producer_region: &str,
    previous: Option<(&str, &str)>,
) -> Result<(), ApiError> {
    authorize_organization_write(user, uscc, producer_region, previous.map(|(_, region)| region))?;
    match previous {
        Some((previous_uscc, _)) if user.role == Role::Enterprise && previous_uscc != uscc.as_str() => {
            Err(ApiError::forbidden("an enterprise may write only its own products"))
        }
        _ => Ok(()),
    }
}

/// The region prefix whose cases a supervising account handles: the whole country (empty) for an admin, the
/// jurisdiction for a regulator; other roles handle no cases.
pub fn supervised_prefix(user: &User) -> Result<String, ApiError> {
    match user.role {
        Role::Admin => Ok(String::new()),
        Role::Regulator => {
            let code = user.region_code.clone().ok_or_else(|| ApiError::forbidden("this regulator has no region"))?;
            RegionCode::parse(&code).map(|r| r.prefix().to_owned()).map_err(ApiError::forbidden)
        }
        other => Err(ApiError::forbidden(format!("role {} handles no cases", other.as_str()))),
    }
}

/// May `user` run supervision work (campaigns, sampling, notices, publication) in `region_code`? An admin
/// anywhere; a regulator within its jurisdiction; national campaigns (`000000`) only an admin.
pub fn authorize_supervision(user: &User, region_code: &str) -> Result<(), ApiError> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Regulator if covers(user, region_code) => Ok(()),
        Role::Regulator => Err(ApiError::forbidden(format!(
            "region {region_code} is outside this regulator's jurisdiction {}",
            user.region_code.as_deref().unwrap_or("(none)")
        ))),
        _ => Err(ApiError::forbidden(format!("role {} may not run supervision sampling", user.role.as_str()))),
    }
}

/// Only an administrator.
pub fn require_admin(user: &User) -> Result<(), ApiError> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only an administrator may do this"))
    }
}
