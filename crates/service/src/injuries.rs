//! Product-injury surveillance (产品伤害监测): cases from sentinel hospitals, and national estimates with their
//! standard errors (Taylor linearisation, hospitals as sampling units within strata), CVs and CPSC's
//! stability rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stats::survey::{weighted_proportion, Psu};
use store::injuries::{InjuryFilter, InjuryGroup};
use store::{Role, User, WriteOutcome};

use crate::input::{self, optional_text, InjuryFields};
use crate::ownership::{self, Record};
use crate::{ApiError, ErrorCode, Services};

/// CPSC's stability rule: an estimate under 1,200, from under 20 cases, or with a CV over 33% is unstable.
pub const UNSTABLE_ESTIMATE: f64 = 1_200.0;
pub const UNSTABLE_CASES: u64 = 20;
pub const UNSTABLE_CV: f64 = 0.33;

/// A hospital reports its own cases; admins may report for any.
fn authorize_report(user: &User, hospital_id: &str) -> Result<(), ApiError> {
    match user.role {
        Role::Admin => Ok(()),
        Role::Hospital if user.uscc.as_deref() == Some(hospital_id) => Ok(()),
        Role::Hospital => Err(ApiError::forbidden("a hospital reports only its own cases")),
        other => Err(ApiError::forbidden(format!("role {} may not report injury cases", other.as_str()))),
    }
}

/// The case fields a body sets, by API name, for the ownership check.
fn given_case_fields(fields: &InjuryFields) -> Vec<&'static str> {
    let given = |name: &'static str, value: &Option<String>| optional_text(value.clone()).map(|_| name);
    [
        given("case_id", &fields.case_id),
        given("hospital_id", &fields.hospital_id),
        given("treated_on", &fields.treated_on),
        given("age", &fields.age),
        given("sex", &fields.sex),
        given("product_code", &fields.product_code),
        given("product_code_2", &fields.product_code_2),
        given("body_part", &fields.body_part),
        given("diagnosis", &fields.diagnosis),
        given("disposition", &fields.disposition),
        given("location", &fields.location),
        given("intent", &fields.intent),
        given("hazard_code", &fields.hazard_code),
        given("narrative", &fields.narrative),
        given("stratum", &fields.stratum),
        given("weight", &fields.weight),
        given("hospital_name", &fields.hospital_name),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A hospital reports one case. Its stratum and weight are the register's on the treatment date; a case id
/// another hospital holds is refused. Says whether the case is new or replaced one the hospital sent before.
pub async fn report(
    state: &Services,
    user: &User,
    fields: InjuryFields,
) -> Result<(WriteOutcome, CaseReceipt), ApiError> {
    ownership::check(Record::InjuryCase, user, &given_case_fields(&fields))?;
    let case = input::injury_case(fields, &*state.catalogue().await?)?;
    authorize_report(user, &case.hospital_id)?;
    if state.store.hospital_design_on(&case.hospital_id, &case.treated_on).await?.is_none() {
        return Err(ApiError::new(
            ErrorCode::NotSentinel,
            format!(
                "hospital {} was not in the sentinel register on {}: an administrator registers it first",
                case.hospital_id, case.treated_on
            ),
        ));
    }
    let outcome = state.store.report_injury(&case, Some(user.id)).await?;
    Ok((outcome, CaseReceipt { case_id: case.case_id }))
}

/// The answer to a reported case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseReceipt {
    pub case_id: String,
}

/// The filter and grouping of national estimates.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EstimateParams {
    /// Product category code (the catalogue's).
    pub product_code: Option<String>,
    pub hazard_code: Option<String>,
    /// First treatment day (YYYY-MM-DD).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last treatment day (YYYY-MM-DD).
    #[param(format = Date)]
    pub to: Option<String>,
    /// Comma-separated: year, sex, age_group, body_part, diagnosis, disposition, product_code, province.
    pub group_by: Option<String>,
}

/// How the estimates are computed, as the answer says.
const ESTIMATE_METHOD: &str = "weighted total; Taylor linearisation with hospitals as sampling units drawn with \
    replacement within strata; 95% normal interval";

/// National injury estimates for a filter, per group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InjuryEstimates {
    pub filter: EstimateFilter,
    /// The groupings, in the order of each estimate's `group`.
    pub group_by: Vec<&'static str>,
    /// Sentinel hospitals reporting in the period: the sampling units.
    pub hospitals: usize,
    pub method: &'static str,
    pub stability_rule: StabilityRule,
    pub estimates: Vec<InjuryEstimate>,
}

/// The filter the estimates are for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EstimateFilter {
    pub product_code: Option<String>,
    pub hazard_code: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// CPSC's rule: an estimate is unstable under `estimate_below`, from under `cases_below` cases, or with a CV over
/// `cv_above`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StabilityRule {
    pub estimate_below: f64,
    pub cases_below: u64,
    pub cv_above: f64,
}

/// One group's estimate; the numbers are null when they cannot be computed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InjuryEstimate {
    /// The group's value per grouping, e.g. `{"product_code": "C05"}`.
    pub group: BTreeMap<String, String>,
    /// Reported cases in the group.
    pub cases: u64,
    /// The weighted national total.
    pub estimate: Option<f64>,
    pub se: Option<f64>,
    pub cv: Option<f64>,
    /// The 95% interval, its lower end at least 0.
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub unstable: bool,
}

/// National estimates, one per group.
pub async fn compute(state: &Services, params: EstimateParams) -> Result<InjuryEstimates, ApiError> {
    let group_by: Vec<InjuryGroup> = match optional_text(params.group_by) {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|name| {
                InjuryGroup::from_name(name.trim()).ok_or_else(|| {
                    let names: Vec<&str> = InjuryGroup::ALL.iter().map(|g| g.name()).collect();
                    ApiError::invalid(format!("group_by '{name}' is not one of {}", names.join(", ")))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    for (field, value) in [("from", &params.from), ("to", &params.to)] {
        if let Some(text) = value.as_deref().filter(|t| !t.trim().is_empty()) {
            input::date(field, text.trim())?;
        }
    }
    let filter = InjuryFilter {
        from: optional_text(params.from),
        to: optional_text(params.to),
        product_code: optional_text(params.product_code),
        hazard_code: optional_text(params.hazard_code),
    };
    let (totals, counts) = state.store.injury_counts(&filter, &group_by).await?;
    let mut groups: BTreeMap<Vec<String>, BTreeMap<String, (u64, f64)>> = BTreeMap::new();
    for count in counts {
        groups.entry(count.group).or_default().insert(count.hospital_id, (count.cases, count.weight));
    }
    let z = stats::distributions::normal_quantile(0.975);
    let mut estimates = Vec::with_capacity(groups.len());
    for (key, matched) in groups {
        // Every hospital of the period is a sampling unit, whether or not it saw this group.
        let psus: Vec<Psu> = totals
            .iter()
            .map(|t| Psu {
                stratum: t.stratum.clone(),
                records: t.cases,
                weight: t.weight,
                weighted_successes: matched.get(&t.hospital_id).map_or(0.0, |m| m.1),
                squared_weights: t.squared_weights,
            })
            .collect();
        let cases: u64 = matched.values().map(|m| m.0).sum();
        let estimate = weighted_proportion(&psus).ok();
        let (total, se, cv) = estimate.map_or((f64::NAN, f64::NAN, f64::NAN), |e| (e.total, e.total_se, e.total_cv));
        // An estimate that could not be computed (NaN) is unstable too.
        let stable = total >= UNSTABLE_ESTIMATE && cases >= UNSTABLE_CASES && cv <= UNSTABLE_CV;
        let unstable = !stable;
        let group = group_by.iter().zip(key).map(|(g, v)| (g.name().to_owned(), v)).collect();
        let finite = |x: f64| x.is_finite().then_some(x);
        let interval = total.is_finite() && se.is_finite();
        estimates.push(InjuryEstimate {
            group,
            cases,
            estimate: finite(total),
            se: finite(se),
            cv: finite(cv),
            lower: interval.then(|| (total - z * se).max(0.0)),
            upper: interval.then_some(total + z * se),
            unstable,
        });
    }
    Ok(InjuryEstimates {
        filter: EstimateFilter {
            product_code: filter.product_code,
            hazard_code: filter.hazard_code,
            from: filter.from,
            to: filter.to,
        },
        group_by: group_by.iter().map(|g| g.name()).collect(),
        hospitals: totals.len(),
        method: ESTIMATE_METHOD,
        stability_rule: StabilityRule {
            estimate_below: UNSTABLE_ESTIMATE,
            cases_below: UNSTABLE_CASES,
            cv_above: UNSTABLE_CV,
        },
        estimates,
    })
}

/// A hospital's register entry.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HospitalBody {
    /// Required.
    pub name: Option<String>,
    /// The design stratum; required.
    pub stratum: Option<String>,
    /// The inverse of the hospital's sampling fraction in its stratum; required, at least 1.
    #[schema(minimum = 1)]
    pub weight: Option<f64>,
    /// The day the design takes effect (YYYY-MM-DD); cases treated before keep the earlier design. Default: the
    /// start, for a new hospital; today, for a change.
    #[schema(format = Date)]
    pub valid_from: Option<String>,
}

/// A register entry in force and the day it took effect.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HospitalEntry {
    /// The hospital's USCC.
    pub id: String,
    pub name: String,
    /// The GB/T 2260 region of the USCC.
    pub region_code: String,
    pub stratum: String,
    /// The inverse of the hospital's sampling fraction in its stratum.
    pub weight: f64,
    /// YYYY-MM-DD; `0001-01-01` for a design in force from the start.
    #[schema(format = Date)]
    pub valid_from: String,
}

/// The sentinel hospital a hospital account reports for; `None` for other roles, an account without a USCC, or
/// a hospital not in the register.
pub async fn hospital_of(state: &Services, user: &User) -> Result<Option<store::injuries::Hospital>, ApiError> {
    match user.uscc.as_deref() {
        Some(uscc) if user.role == Role::Hospital => Ok(state.store.hospital(&input::stored_uscc(uscc)?).await?),
        _ => Ok(None),
    }
}

/// Registers a sentinel hospital (its USCC) or changes its stratum and weight from a day on (admins: the design is
/// national). Returns the register entry in force and the day it took effect.
pub async fn register_hospital(
    state: &Services,
    user: &User,
    id: &str,
    body: HospitalBody,
) -> Result<HospitalEntry, ApiError> {
    ownership::check(Record::Hospital, user, &["name", "stratum", "weight"])?;
    let uscc = input::uscc("id", Some(id))?;
    let region = uscc.region().filter(|r| r.in_use).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidRegion,
            format!("the USCC's region {} is not a division in use", uscc.region_code()),
        )
    })?;
    let name = optional_text(body.name).ok_or_else(|| ApiError::invalid("name is required"))?;
    let stratum = optional_text(body.stratum).ok_or_else(|| ApiError::invalid("stratum is required"))?;
    let weight = body
        .weight
        .filter(|w| w.is_finite() && *w >= 1.0)
        .ok_or_else(|| ApiError::invalid("weight is the inverse sampling fraction: a number of at least 1"))?;
    let registered = state.store.hospital(&uscc).await?.is_some();
    let valid_from = match optional_text(body.valid_from) {
        Some(text) => input::date("valid_from", &text)?.to_string(),
        None if registered => crate::today().to_string(),
        None => "0001-01-01".to_owned(),
    };
    let hospital = store::injuries::Hospital {
        id: uscc.as_str().to_owned(),
        name,
        region_code: region.code.clone(),
        stratum,
        weight,
    };
    state.store.register_hospital(&hospital, &valid_from, Some(user.id)).await?;
    let current = state.store.hospital(&uscc).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    Ok(HospitalEntry {
        id: current.id,
        name: current.name,
        region_code: current.region_code,
        stratum: current.stratum,
        weight: current.weight,
        valid_from,
    })
}
