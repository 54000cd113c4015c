//! Production licensing's use cases (C10): a regulator registers the licences its region issued (all or nothing,
//! every rejected row named), changes a licence's status (a revocation enters the holder's credit file), and
//! anyone reads a licence with its history. `regime_checks` answers, for a sample, whether the producer held the
//! licence and the CCC certificate its product needs on the sampling day.

use std::collections::HashSet;

use chrono::NaiveDate;
use licensing::{change, coverage, Coverage, LicenceFields, LicenceStatus};
use product_catalogue::{Catalogue, Regime};
use serde::{Deserialize, Serialize};
use store::licensing::{LicenceChange, StoredLicence};
use store::{Role, Store, User};

use crate::access::authorize_supervision;
use crate::batch::{checked_rows, rejected, Format, Rejected};
use crate::schema::vocabulary;
use crate::{credit_scoring, today, ApiError, ErrorCode, Services};

/// Licences one upload may carry.
pub const MAX_UPLOAD_LICENCES: usize = 50_000;

/// The columns of a licence row.
pub const LICENCE_COLUMNS: &[&str] =
    &["number", "kind", "holder_uscc", "products", "sites", "issued_by", "issued_on", "expires_on"];

fn field_code(field: &str) -> ErrorCode {
    match field {
        "kind" => ErrorCode::InvalidKind,
        "holder_uscc" => ErrorCode::InvalidUscc,
        "issued_by" => ErrorCode::InvalidRegion,
        _ => ErrorCode::InvalidRequest,
    }
}

/// What a licence upload stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LicenceReceipt {
    pub received: usize,
}

/// A regulator registers licences its region (or one below it) issued: JSON `{"licences": […]}` or CSV, all or
/// nothing; every product a licence names is a catalogue product under licensing.
pub async fn register(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<LicenceReceipt, Rejected>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator) {
        return Err(ApiError::forbidden("licences are registered by the issuing authority"));
    }
    let (licences, lines) =
        match checked_rows(format, text, LICENCE_COLUMNS, "licences", MAX_UPLOAD_LICENCES, |f: LicenceFields| {
            f.check().map_err(|e| (e.field, field_code(e.field), e.reason))
        })? {
            Ok(checked) => checked,
            Err(rejected) => return Ok(Err(rejected)),
        };
    let received = licences.len();
    let catalogue = state.catalogue().await?;
    let numbers: Vec<String> = licences.iter().map(|l| l.number.to_string()).collect();
    let stored: HashSet<String> =
        state.store.licences_numbered(&numbers).await?.into_iter().map(|l| l.licence.number.to_string()).collect();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (licence, line) in licences.iter().zip(lines) {
        let number = licence.number.to_string();
        if authorize_supervision(user, &licence.issued_by).is_err() {
            errors.push(rejected(
                line,
                "issued_by",
                ErrorCode::Forbidden,
                format!("{} is outside this account's region", licence.issued_by),
            ));
        } else if stored.contains(&number) || !seen.insert(number.clone()) {
            errors.push(rejected(
                line,
                "number",
                ErrorCode::Conflict,
                format!("{number} is already registered or listed twice"),
            ));
        } else if let Some(product) = licence.products.iter().find(|p| !catalogue.regimes(p).contains(&Regime::Licence))
        {
            let why = match catalogue.accepts(product) {
                true => format!("{product} is not under production licensing"),
                false => format!("{product} is not a listed product of the catalogue"),
            };
            errors.push(rejected(line, "products", ErrorCode::InvalidRequest, why));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received, rows: errors }));
    }
    state.store.add_licences(&licences, Some(user.id)).await?;
    Ok(Ok(LicenceReceipt { received }))
}

/// A status change of one licence.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LicenceStatusInput)]
pub struct StatusBody {
    /// Required: valid (restored), suspended, revoked, withdrawn, cancelled or expired.
    #[schema(max_length = 20)]
    pub status: Option<String>,
    /// Required: the day it took effect.
    #[schema(format = Date)]
    pub on: Option<String>,
    /// Required: the decision (e.g. a penalty decision's number) or why.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// The issuing region's regulator changes a licence's status; a revocation or withdrawal enters the holder's
/// credit file at once.
pub async fn change_status(
    state: &Services,
    user: &User,
    number: &str,
    body: StatusBody,
) -> Result<LicenceView, ApiError> {
    let stored = state
        .store
        .licences_numbered(&[number.to_owned()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no licence {number}")))?;
    authorize_supervision(user, &stored.licence.issued_by)?;
    let to_text = crate::input::optional_text(body.status).ok_or_else(|| ApiError::invalid("status is required"))?;
    let to: LicenceStatus = to_text.parse().map_err(|e| ApiError::new(ErrorCode::InvalidKind, e))?;
    let on = crate::input::date(
        "on",
        &crate::input::optional_text(body.on).ok_or_else(|| ApiError::invalid("on is required"))?,
    )?;
    let reason = crate::input::optional_text(body.reason).ok_or_else(|| ApiError::invalid("reason is required"))?;
    if reason.chars().count() > 500 {
        return Err(ApiError::new(ErrorCode::InvalidText, "the reason is at most 500 characters"));
    }
    change(stored.status, to)?;
    if on > today() || on < stored.status_on {
        return Err(ApiError::invalid(format!("{on} is not between the last change ({}) and today", stored.status_on)));
    }
    state.store.change_licence_status(&stored, to, on, &reason, Some(user.id)).await?;
    let model = credit::Model::bundled();
    credit_scoring::collect(&state.store, model, Some(&stored.licence.holder)).await?;
    credit_scoring::refresh_one(&state.store, model, &stored.licence.holder, today()).await?;
    licence(&state.store, number).await
}

/// A licence as answers show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Licence)]
pub struct LicenceView {
    pub number: String,
    #[schema(schema_with = vocabulary::<licensing::LicenceKind>)]
    pub kind: licensing::LicenceKind,
    pub holder_uscc: String,
    pub products: Vec<String>,
    pub sites: Vec<String>,
    pub issued_by: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub expires_on: NaiveDate,
    /// Where it stands today.
    #[schema(schema_with = vocabulary::<LicenceStatus>)]
    pub status: LicenceStatus,
    pub history: Vec<LicenceChange>,
}

fn licence_view(stored: StoredLicence, history: Vec<LicenceChange>) -> LicenceView {
    let status = licensing::status_on(&stored.history, &stored.licence, today()).unwrap_or(stored.status);
    let l = stored.licence;
    LicenceView {
        number: l.number.to_string(),
        kind: l.number.kind(),
        holder_uscc: l.holder,
        products: l.products,
        sites: l.sites,
        issued_by: l.issued_by,
        issued_on: l.issued_on,
        expires_on: l.expires_on,
        status,
        history,
    }
}

/// One licence with its history.
pub async fn licence(store: &Store, number: &str) -> Result<LicenceView, ApiError> {
    let stored = store
        .licences_numbered(&[number.trim().to_owned()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no licence {number} is registered")))?;
    let history = store.licence_changes(stored.licence.number.as_str()).await?;
    Ok(licence_view(stored, history))
}

/// A holder's licences.
pub async fn of_holder(store: &Store, uscc: &str) -> Result<Vec<LicenceView>, ApiError> {
    let uscc = crate::input::uscc("holder", Some(uscc))?;
    let mut views = Vec::new();
    for stored in store.licences_of(uscc.as_str()).await? {
        let history = store.licence_changes(stored.licence.number.as_str()).await?;
        views.push(licence_view(stored, history));
    }
    Ok(views)
}

/// Whether the producer held what its product's regime requires on the sampling day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegimeCheck {
    /// licence or ccc.
    #[schema(schema_with = vocabulary::<Regime>)]
    pub regime: Regime,
    /// Whether a valid licence or certificate covered the product on the day.
    pub held: bool,
    /// The licence or certificate found (the best one), if any.
    pub document: Option<String>,
    /// Its status on the day: valid, suspended, revoked, withdrawn, cancelled, expired; none when nothing covers it.
    pub status: Option<String>,
}

/// For a product of `category` made by `uscc` and sampled on `day`: a check for each of licensing and CCC that
/// its catalogue entry requires.
pub async fn regime_checks(
    store: &Store,
    catalogue: &Catalogue,
    uscc: &str,
    category: &str,
    day: NaiveDate,
) -> Result<Vec<RegimeCheck>, ApiError> {
    let regimes = catalogue.regimes(category);
    let codes = catalogue.same_product(category);
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let mut checks = Vec::new();
    if regimes.contains(&Regime::Licence) {
        let licences: Vec<_> = store.licences_of(uscc).await?.into_iter().map(|l| (l.licence, l.history)).collect();
        let (found, number) = coverage(&licences, &codes, day);
        let status = match found {
            Coverage::Held => Some(LicenceStatus::Valid.as_str().to_owned()),
            Coverage::Lapsed(status) => Some(status.as_str().to_owned()),
            Coverage::Missing => None,
        };
        checks.push(RegimeCheck {
            regime: Regime::Licence,
            held: found == Coverage::Held,
            document: number.map(|n| n.to_string()),
            status,
        });
    }
    if regimes.contains(&Regime::Ccc) {
        let mut best: Option<(String, certification::Status)> = None;
        for stored in store.ccc_certificates_for(uscc, &codes).await? {
            let c = &stored.certificate;
            let number = c.number.to_string();
            let mut history = Vec::new();
            for change in store.certificate_changes(&number).await? {
                let on = NaiveDate::parse_from_str(&change.on_date, "%Y-%m-%d")
                    .map_err(|_| ApiError::integrity(format!("stored day '{}'", change.on_date)))?;
                history.push((on, crate::error::stored(&change.to_status)?));
            }
            let Some(status) = certification::status_on(&history, c.issued_on, c.expires_on, day) else { continue };
            if status == certification::Status::Valid || best.is_none() {
                best = Some((number, status));
            }
            if status == certification::Status::Valid {
                break;
            }
        }
        checks.push(RegimeCheck {
            regime: Regime::Ccc,
            held: best.as_ref().is_some_and(|(_, s)| *s == certification::Status::Valid),
            status: best.as_ref().map(|(_, s)| s.as_str().to_owned()),
            document: best.map(|(n, _)| n),
        });
    }
    Ok(checks)
}
