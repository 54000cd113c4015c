//! Risk assessment and risk warnings (风险警示): a regulator assesses an injury scenario (RAG method, the
//! `warnings` room's matrix), drafts a warning from it, a second regulator reviews it, it is published, updated and
//! withdrawn, and the responses taken (早处置: sampling ordered, recall opened, notice to enterprises) are recorded.
//! Published warnings are public.

use chrono::Datelike;
use product_catalogue::Catalogue;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::warnings::{RiskAssessment, Warning, WarningChange, WarningEvent, WarningStage};
use store::{Role, User};

use crate::access::authorize_supervision;
use crate::error::stored;
use crate::input::{self, optional_text};
use crate::{ApiError, ErrorCode, Services};
use warnings::lifecycle::transition;
use warnings::{assess, ResponseAction, Step, WarningStatus, WarningStep};

/// Assessing risks and issuing warnings is for regulators and admins.
pub fn regulator(user: &User) -> Result<(), ApiError> {
    match user.role {
        Role::Admin | Role::Regulator => Ok(()),
        other => Err(ApiError::forbidden(format!("role {} may not assess risks or issue warnings", other.as_str()))),
    }
}

/// The region a regulator works for (the whole country for an admin).
fn own_region(user: &User) -> String {
    user.region_code.clone().filter(|_| user.role == Role::Regulator).unwrap_or_else(|| "000000".into())
}

/// An injury scenario to assess.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AssessmentBody {
    /// Required.
    pub title: Option<String>,
    /// Product category code (the catalogue's); required.
    pub product_code: Option<String>,
    /// Required.
    pub hazard: Option<String>,
    /// 1 to 4; required.
    #[schema(minimum = 1, maximum = 4)]
    pub severity: Option<i64>,
    /// The scenario's steps, at least one; its probability is their product.
    #[serde(default)]
    #[schema(value_type = Vec<ScenarioStep>, min_items = 1)]
    pub steps: Vec<Step>,
    /// The signal that prompted it, as the signals API gave it.
    #[schema(value_type = Option<Object>)]
    pub signal: Option<Value>,
}

// The schema of `warnings::Step`: the rule crate does not depend on utoipa.
/// One step of an injury scenario.
#[derive(Debug, utoipa::ToSchema)]
pub struct ScenarioStep {
    pub description: String,
    /// The probability that the step happens given the steps before: 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    pub probability: f64,
}

/// Assesses a scenario (its steps' probabilities and the severity) by the RAG matrix and keeps the assessment.
pub async fn create_assessment(
    state: &Services,
    user: &User,
    body: AssessmentBody,
) -> Result<RiskAssessment, ApiError> {
    regulator(user)?;
    let product_code = optional_text(body.product_code).ok_or_else(|| ApiError::invalid("product_code is required"))?;
    input::product_category(&*state.catalogue().await?, "product_code", Some(product_code.clone()))?;
    let severity = body.severity.ok_or_else(|| ApiError::invalid("severity (1–4) is required"))?;
    let result = assess(&body.steps, severity).map_err(ApiError::invalid)?;
    let today = crate::today();
    let assessment = RiskAssessment {
        id: state.store.next_number("risk_assessments", "ZL-RA", today.year()).await?,
        title: optional_text(body.title).ok_or_else(|| ApiError::invalid("title is required"))?,
        product_code,
        hazard: optional_text(body.hazard).ok_or_else(|| ApiError::invalid("hazard is required"))?,
        steps: serde_json::to_value(&body.steps).unwrap_or_default(),
        severity,
        probability: result.probability,
        level: result.level.as_str().to_owned(),
        matrix_version: result.matrix_version,
        signal: body.signal.unwrap_or(Value::Null),
        region_code: own_region(user),
        created_at: store::now(),
    };
    state.store.create_assessment(&assessment, Some(user.id)).await?;
    Ok(assessment)
}

/// A stored assessment, for regulators.
pub async fn assessment(state: &Services, user: &User, id: &str) -> Result<RiskAssessment, ApiError> {
    regulator(user)?;
    state.store.assessment(id).await?.ok_or_else(|| ApiError::not_found(format!("no risk assessment {id}")))
}

/// The body of a draft and of every step of a warning; each reads the fields it needs.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct WarningBody {
    /// The assessment a draft is made from; required to draft.
    pub assessment_id: Option<String>,
    /// Required to draft; an update may change it.
    pub title: Option<String>,
    /// Required to draft; an update may change it.
    pub body: Option<String>,
    /// `{product_codes, regions, gtins, lots}`: product category codes (default: the assessment's), GB/T 2260
    /// regions, GTINs and lots; a draft or an update sets it.
    #[schema(value_type = Option<Object>)]
    pub scope: Option<Value>,
    /// Required to update (what changed) and to withdraw (why).
    pub note: Option<String>,
    /// A response's action: sampling_ordered, recall_opened or notice_to_enterprises.
    pub action: Option<String>,
    /// A response's reference to the record of what was done, such as a recall's id.
    pub reference: Option<String>,
}

/// A warning with its history, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningView {
    #[serde(flatten)]
    pub warning: Warning,
    pub events: Vec<WarningEvent>,
}

/// A warning's scope: product categories, GB/T 2260 regions, GTINs and lots, each checked.
fn scope(value: Option<Value>, product_code: &str, catalogue: &Catalogue) -> Result<Value, ApiError> {
    let value = value.unwrap_or_else(|| json!({}));
    let list = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let mut products = list("product_codes");
    if products.is_empty() {
        products.push(product_code.to_owned());
    }
    for code in &products {
        input::product_category(catalogue, "scope.product_codes", Some(code.clone()))?;
    }
    let regions = list("regions");
    for region in &regions {
        input::region("scope.regions", region)?;
    }
    let gtins: Vec<String> =
        list("gtins").iter().map(|g| input::gtin(Some(g)).map(|g| g.to_gtin14())).collect::<Result<_, _>>()?;
    Ok(json!({"product_codes": products, "regions": regions, "gtins": gtins, "lots": list("lots")}))
}

/// Drafts a warning from an assessment of the regulator's region; returns its view.
pub async fn draft(state: &Services, user: &User, body: WarningBody) -> Result<WarningView, ApiError> {
    regulator(user)?;
    let assessment_id =
        optional_text(body.assessment_id).ok_or_else(|| ApiError::invalid("assessment_id is required"))?;
    let assessment =
        state.store.assessment(&assessment_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::UnknownAssessment, format!("no risk assessment {assessment_id}"))
        })?;
    authorize_supervision(user, &assessment.region_code)?;
    let now = store::now();
    let warning = Warning {
        id: state.store.next_number("warnings", "ZL-RW", crate::today().year()).await?,
        assessment_id,
        title: optional_text(body.title).ok_or_else(|| ApiError::invalid("title is required"))?,
        body: optional_text(body.body).ok_or_else(|| ApiError::invalid("body is required"))?,
        level: assessment.level.clone(),
        status: WarningStatus::Draft.as_str().into(),
        region_code: assessment.region_code.clone(),
        scope: scope(body.scope, &assessment.product_code, &*state.catalogue().await?)?,
        drafted_by: Some(user.id),
        published_on: None,
        withdrawn_on: None,
        created_at: now.clone(),
        updated_at: now,
    };
    state.store.create_warning(&warning, Some(user.id)).await?;
    view(state, warning).await
}

/// A warning's answer: the warning and its history ([`WarningView`]).
pub async fn view(state: &Services, warning: Warning) -> Result<WarningView, ApiError> {
    let events = state.store.warning_events(&warning.id).await?;
    Ok(WarningView { warning, events })
}

pub async fn warning_or_404(state: &Services, id: &str) -> Result<Warning, ApiError> {
    state.store.warning(id).await?.ok_or_else(|| ApiError::not_found(format!("no warning {id}")))
}

/// The status a step takes the warning to, or the state's refusal.
fn next(warning: &Warning, step: WarningStep) -> Result<WarningStatus, ApiError> {
    Ok(transition(&warning.id, stored(&warning.status)?, step)?)
}

/// Takes one step of a warning (review, publish, update, withdraw, a response) for a regulator of its region:
/// the one way the API and the pages advance a warning. Returns its view after the step.
pub async fn advance(
    state: &Services,
    user: &User,
    id: &str,
    step: WarningStep,
    body: WarningBody,
) -> Result<WarningView, ApiError> {
    regulator(user)?;
    let warning = warning_or_404(state, id).await?;
    authorize_supervision(user, &warning.region_code)?;
    let status = next(&warning, step)?;
    let today = crate::today().to_string();
    let (note, change, data) = match step {
        WarningStep::Review => {
            // Four eyes: the reviewer is not the one who drafted it.
            if warning.drafted_by == Some(user.id) {
                return Err(ApiError::forbidden("a warning is reviewed by someone other than its drafter"));
            }
            (optional_text(body.note), WarningChange::default(), None)
        }
        WarningStep::Publish => {
            (optional_text(body.note), WarningChange { published_on: Some(today), ..Default::default() }, None)
        }
        WarningStep::Update => {
            let note = optional_text(body.note).ok_or_else(|| ApiError::invalid("note (what changed) is required"))?;
            let product_code = warning.scope["product_codes"][0].as_str().unwrap_or_default().to_owned();
            let catalogue = state.catalogue().await?;
            let change = WarningChange {
                title: optional_text(body.title),
                body: optional_text(body.body),
                scope: body.scope.map(|s| scope(Some(s), &product_code, &catalogue)).transpose()?,
                ..Default::default()
            };
            (Some(note), change, None)
        }
        WarningStep::Withdraw => {
            let note =
                optional_text(body.note).ok_or_else(|| ApiError::invalid("note (why it is withdrawn) is required"))?;
            (Some(note), WarningChange { withdrawn_on: Some(today), ..Default::default() }, None)
        }
        WarningStep::Response => {
            let action = optional_text(body.action).ok_or_else(|| ApiError::invalid("action is required"))?;
            let action: ResponseAction = action.parse().map_err(|_| {
                ApiError::invalid(format!(
                    "action '{action}' is not sampling_ordered, recall_opened or notice_to_enterprises"
                ))
            })?;
            let data = json!({"action": action, "reference": optional_text(body.reference)});
            (optional_text(body.note), WarningChange::default(), Some(data))
        }
        WarningStep::Draft => return Err(ApiError::not_found("a warning is drafted from an assessment, not stepped")),
    };
    // A response records what was done; it leaves the warning's status as it is.
    let change = if step == WarningStep::Response {
        change
    } else {
        WarningChange { status: Some(status.as_str().into()), ..change }
    };
    let stage = WarningStage { stage: step.as_str(), note, data };
    state.store.change_warning(&warning.id, &warning.status, &stage, &change, Some(user.id)).await?;
    view(state, warning_or_404(state, &warning.id).await?).await
}

/// A warning for `user` (`None`: the public): published ones for everyone, drafts for regulators.
pub async fn visible(state: &Services, user: Option<&User>, id: &str) -> Result<WarningView, ApiError> {
    let warning = warning_or_404(state, id).await?;
    let public = warning.published_on.is_some();
    if !public && user.is_none_or(|u| regulator(u).is_err()) {
        return Err(ApiError::not_found(format!("no warning {id}")));
    }
    view(state, warning).await
}
