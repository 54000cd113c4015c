//! Risk signals (风险信号) over the stored reports of a source: injury cases, supervision sampling failures and
//! complaints. This module fetches the counts; which detector a method names and what the counts signal is the
//! `signals` room's. Each signal carries its method and parameters, and a run can be kept with them.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use signals::{Daily, Detector, Method, Report, Series, Source};
use stats::temporal::FarringtonConfig;

use crate::input::{self, optional_text};
use crate::schema::vocabulary;
use crate::{ApiError, Services};

/// Signals are for regulators and admins.
pub fn regulator(user: &store::User) -> Result<(), ApiError> {
    match user.role {
        store::Role::Admin | store::Role::Regulator => Ok(()),
        _ => Err(ApiError::forbidden("signals are for regulators")),
    }
}

/// Weekly counts of one product for the last `weeks` weeks up to `to`, with the detector's expected value and
/// threshold for each: what a signal's chart draws.
pub async fn series(
    state: &Services,
    source: Source,
    detector: Detector,
    product_code: &str,
    region: Option<&str>,
    to: NaiveDate,
    weeks: usize,
) -> Result<Series, ApiError> {
    let span = signals::series_span(weeks, &FarringtonConfig::default());
    let from = to - Duration::days((span * 7) as i64 - 1);
    let daily = daily(state, source, &from.to_string(), &to.to_string(), region.is_some()).await?;
    let counts = signals::weekly_counts(&daily, product_code, region, to, span);
    Ok(signals::series(detector, &counts, product_code, region, to, weeks))
}

/// Reads the `source` parameter (injuries by default).
pub fn source(value: Option<&str>) -> Result<Source, ApiError> {
    let name = value.map(str::trim).filter(|v| !v.is_empty()).unwrap_or(Source::Injuries.as_str());
    name.parse().map_err(|_| ApiError::invalid(format!("source '{name}' is not injuries, inspections or complaints")))
}

/// Report counts per product × hazard in a period.
async fn table(state: &Services, source: Source, from: &str, to: &str) -> Result<Vec<(String, String, u64)>, ApiError> {
    Ok(match source {
        Source::Injuries => state.store.injury_table(from, to).await?,
        Source::Complaints => state.store.complaint_table(from, to).await?,
        Source::Inspections => signals::failure_table(&state.store.failures_between(from, to).await?),
    })
}

/// Report counts per product, region (empty unless `by_region`) and day in a period.
async fn daily(
    state: &Services,
    source: Source,
    from: &str,
    to: &str,
    by_region: bool,
) -> Result<Vec<Daily>, ApiError> {
    Ok(match source {
        Source::Injuries => state.store.injury_daily(from, to, by_region).await?,
        Source::Complaints => state.store.complaint_daily(from, to, by_region).await?,
        Source::Inspections => signals::failure_daily(state.store.failures_between(from, to).await?, by_region),
    })
}

/// What to compute signals of: the query of `GET /api/v1/signals`, the body of `POST /api/v1/signals/runs`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct SignalParams {
    /// injuries (the default), inspections or complaints.
    pub source: Option<String>,
    /// disproportionality (the default), farrington, ears_c1, ears_c2, ears_c3, cusum, ewma or glr.
    pub method: Option<String>,
    /// First day (YYYY-MM-DD) of a disproportionality period; default: a year before `to`. Temporal detectors
    /// look back over their own baseline.
    #[param(format = Date)]
    #[schema(format = Date)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); default: today.
    #[param(format = Date)]
    #[schema(format = Date)]
    pub to: Option<String>,
    /// Temporal detection per product and province rather than per product.
    #[serde(default)]
    pub by_region: bool,
}

/// The signals of one method over a period of a source's reports.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalAnswer {
    #[serde(flatten)]
    pub report: Report,
    pub period: Period,
    #[schema(schema_with = vocabulary::<Source>)]
    pub source: Source,
}

/// The days a computation covered, both included.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[schema(as = SignalPeriod)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The signals of one method over stored reports of a source, for regulators.
pub async fn compute(
    state: &Services,
    user: &store::User,
    source: Source,
    method: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by_region: bool,
) -> Result<SignalAnswer, ApiError> {
    regulator(user)?;
    let to = match optional_text(to) {
        Some(text) => input::date("to", &text)?,
        None => crate::today(),
    };
    let name = optional_text(method).unwrap_or_else(|| signals::DISPROPORTIONALITY.into());
    let method = Method::parse(&name)
        .ok_or_else(|| ApiError::invalid(format!("method '{name}' is not {}", Method::names().join(", "))))?;
    let (report, from) = match method {
        Method::Disproportionality => {
            let from = match optional_text(from) {
                Some(text) => input::date("from", &text)?,
                None => to - Duration::days(365),
            };
            (signals::disproportionality(&table(state, source, &from.to_string(), &to.to_string()).await?), from)
        }
        Method::Temporal(detector) => {
            let config = FarringtonConfig::default();
            let from = to - Duration::days(((config.years + 1) * config.period * 7) as i64 - 1);
            let daily = daily(state, source, &from.to_string(), &to.to_string(), by_region).await?;
            (signals::temporal(&daily, to, detector, &config), from)
        }
    };
    Ok(SignalAnswer { report, period: Period { from, to }, source })
}

/// Computes signals and keeps them with their method, parameters, period and source; returns the stored run.
pub async fn compute_and_keep(
    state: &Services,
    user: &store::User,
    params: SignalParams,
) -> Result<store::warnings::SignalRun, ApiError> {
    let source = source(params.source.as_deref())?;
    let answer = compute(state, user, source, params.method, params.from, params.to, params.by_region).await?;
    let mut run = store::warnings::SignalRun {
        id: 0,
        source: source.as_str().into(),
        method: answer.report.method,
        by_region: params.by_region,
        period_from: answer.period.from.to_string(),
        period_to: answer.period.to.to_string(),
        parameters: answer.report.parameters,
        signal_count: answer.report.signals.len() as i64,
        signals: serde_json::to_value(&answer.report.signals).map_err(ApiError::internal)?,
        user_id: Some(user.id),
        computed_at: String::new(),
    };
    run.id = state.store.save_signal_run(&run).await?;
    state.store.signal_run(run.id).await?.ok_or_else(|| ApiError::not_found("the run just stored is gone"))
}
