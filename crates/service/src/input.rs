//! Checks of incoming master-data records, shared by the API and the bulk importers: every field is
//! validated here once, and each failure names the field and a stable code.

use codes::{Gtin, RegionCode, Uscc};
use product_catalogue::Catalogue;
use store::{NewOrganization, NewProduct, RegistrationStatus};

use complaints::Kind;

use crate::ErrorCode;

/// A field that failed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, by its API name.
    pub field: &'static str,
    /// Stable code: `invalid_uscc`, `invalid_gtin`, `invalid_region`, `invalid_request`.
    pub code: ErrorCode,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// A field error with its stable code.
    pub fn new(field: &'static str, code: ErrorCode, message: impl ToString) -> Self {
        FieldError { field, code, message: message.to_string() }
    }
}

/// Raw organization fields as they arrive, by API name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrganizationInput)]
pub struct OrganizationFields {
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    /// Required.
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// Defaults to the registering authority's region in the USCC when that is a known code.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub entity_type: Option<String>,
    /// active, revoked, cancelled or dissolved.
    #[schema(max_length = 12)]
    pub status: Option<String>,
    #[schema(format = Date)]
    pub registered_on: Option<String>,
}

/// Raw product fields as they arrive, by API name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProductInput)]
pub struct ProductFields {
    #[schema(max_length = 14)]
    pub gtin: Option<String>,
    /// Required.
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// The producer; required.
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    pub category_code: Option<String>,
    pub brand: Option<String>,
    pub specification: Option<String>,
}

/// Organization field names, in the order files and documents list them.
pub const ORGANIZATION_FIELDS: &[&str] =
    &["uscc", "name", "region_code", "address", "legal_representative", "entity_type", "status", "registered_on"];
/// Product field names.
pub const PRODUCT_FIELDS: &[&str] = &["gtin", "name", "uscc", "category_code", "brand", "specification"];

/// Trims an optional text field; empty means absent.
pub fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A USCC field.
pub fn uscc(field: &'static str, value: Option<&str>) -> Result<Uscc, FieldError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let value = value.ok_or_else(|| FieldError::new(field, ErrorCode::InvalidUscc, format!("{field} is required")))?;
    Uscc::parse(value).map_err(|e| FieldError::new(field, ErrorCode::InvalidUscc, e))
}

/// A USCC read back from the database or from a record's own data; one that does not parse was stored by
/// something other than this code, an integrity fault rather than the caller's error.
pub fn stored_uscc(text: &str) -> Result<Uscc, crate::ApiError> {
    Uscc::parse(text).map_err(|e| crate::ApiError::integrity(format!("stored USCC {text:?}: {e}")))
}

/// A GTIN read back from the database; see `stored_uscc`.
pub fn stored_gtin(text: &str) -> Result<Gtin, crate::ApiError> {
    Gtin::parse(text).map_err(|e| crate::ApiError::integrity(format!("stored GTIN {text:?}: {e}")))
}

/// A GTIN field.
pub fn gtin(value: Option<&str>) -> Result<Gtin, FieldError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let value = value.ok_or_else(|| FieldError::new("gtin", ErrorCode::InvalidGtin, "gtin is required"))?;
    Gtin::parse(value).map_err(|e| FieldError::new("gtin", ErrorCode::InvalidGtin, e))
}

/// A region code or prefix.
pub fn region(field: &'static str, value: &str) -> Result<RegionCode, FieldError> {
    RegionCode::parse(value).map_err(|e| FieldError::new(field, ErrorCode::InvalidRegion, e))
}

fn name(value: Option<String>) -> Result<String, FieldError> {
    let name =
        optional_text(value).ok_or_else(|| FieldError::new("name", ErrorCode::InvalidRequest, "name is required"))?;
    if name.chars().count() > 200 {
        return Err(FieldError::new("name", ErrorCode::InvalidRequest, "name is longer than 200 characters"));
    }
    Ok(name)
}

/// Checks an organization; `path_uscc` is the key from the URL on an update, which the body may repeat.
pub fn organization(fields: OrganizationFields, path_uscc: Option<&Uscc>) -> Result<NewOrganization, FieldError> {
    let uscc = match (path_uscc, fields.uscc.as_deref()) {
        (Some(path), None) => path.clone(),
        (Some(path), Some(body)) => {
            let body = uscc("uscc", Some(body))?;
            if &body != path {
                return Err(FieldError::new(
                    "uscc",
                    ErrorCode::InvalidRequest,
                    "the USCC in the body differs from the one in the path",
                ));
            }
            body
        }
        (None, body) => uscc("uscc", body)?,
    };
    let name = name(fields.name)?;
    let region = match optional_text(fields.region_code) {
        Some(code) => region("region_code", &code)?,
        None => RegionCode::parse(uscc.region_code()).map_err(|_| {
            FieldError::new(
                "region_code",
                ErrorCode::InvalidRegion,
                format!("region_code is required: the USCC's region part {} is not a known code", uscc.region_code()),
            )
        })?,
    };
    let status = match optional_text(fields.status) {
        None => RegistrationStatus::Active,
        Some(text) => text.parse::<RegistrationStatus>().map_err(|_| {
            let known: Vec<&str> = RegistrationStatus::ALL.iter().map(|s| s.as_str()).collect();
            FieldError::new("status", ErrorCode::InvalidRequest, format!("status must be one of {}", known.join(", ")))
        })?,
    };
    let registered_on = optional_text(fields.registered_on);
    if let Some(text) = &registered_on {
        date("registered_on", text)?;
    }
    Ok(NewOrganization {
        uscc,
        name,
        region_code: region,
        address: optional_text(fields.address),
        legal_representative: optional_text(fields.legal_representative),
        entity_type: optional_text(fields.entity_type),
        status,
        registered_on,
    })
}

/// Checks a product; `path_gtin` is the key from the URL on an update. The producer's existence is the
/// caller's check, since it needs the database.
pub fn product(
    fields: ProductFields,
    path_gtin: Option<&Gtin>,
    catalogue: &Catalogue,
) -> Result<NewProduct, FieldError> {
    let gtin = match (path_gtin, fields.gtin.as_deref()) {
        (Some(path), None) => path.clone(),
        (Some(path), Some(body)) => {
            let body = gtin(Some(body))?;
            if body.to_gtin14() != path.to_gtin14() {
                return Err(FieldError::new(
                    "gtin",
                    ErrorCode::InvalidRequest,
                    "the GTIN in the body differs from the one in the path",
                ));
            }
            body
        }
        (None, body) => gtin(body)?,
    };
    let name = name(fields.name)?;
    let producer = uscc("uscc", fields.uscc.as_deref())?;
    let category_code = product_category(catalogue, "category_code", fields.category_code)?;
    Ok(NewProduct {
        gtin: gtin.into_gtin14(),
        name,
        uscc: producer,
        category_code,
        brand: optional_text(fields.brand),
        specification: optional_text(fields.specification),
    })
}

/// Raw fields of one inspection sample, by API and import-column name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleFields {
    pub sample_id: Option<String>,
    pub campaign_id: Option<String>,
    pub campaign_level: Option<String>,
    pub sampled_on: Option<String>,
    pub product_category: Option<String>,
    pub uscc: Option<String>,
    pub region_code: Option<String>,
    pub channel: Option<String>,
    pub verdict: Option<String>,
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub production_date: Option<String>,
    pub lab: Option<String>,
    pub sampler: Option<String>,
    pub failed_items: Option<String>,
    pub stratum: Option<String>,
    pub stratum_population: Option<String>,
}

/// How many of `SAMPLE_FIELDS`, from the first, every sample must have.
pub const REQUIRED_SAMPLE_FIELDS: usize = 9;

/// Sample field names, in file order: the required ones first.
pub const SAMPLE_FIELDS: &[&str] = &[
    "sample_id",
    "campaign_id",
    "campaign_level",
    "sampled_on",
    "product_category",
    "uscc",
    "region_code",
    "channel",
    "verdict",
    "gtin",
    "lot",
    "production_date",
    "lab",
    "sampler",
    "failed_items",
    "stratum",
    "stratum_population",
];

/// Campaign levels, with the Chinese names clerks write.
pub const CAMPAIGN_LEVELS: &[(&str, &[&str])] = &[
    ("national", &["国家", "国家级", "国抽"]),
    ("provincial", &["省", "省级", "省抽"]),
    ("city", &["市", "市级"]),
    ("county", &["县", "县级"]),
];
/// Where a sample was taken.
pub const CHANNELS: &[(&str, &[&str])] = &[
    ("production", &["生产", "生产环节"]),
    ("retail", &["流通", "销售", "流通环节"]),
    ("online", &["电商", "网络", "网购"]),
];
/// Sample verdicts.
pub const VERDICTS: &[(&str, &[&str])] = &[("pass", &["合格"]), ("fail", &["不合格"])];

/// One of a fixed set of values, by its name or a Chinese synonym.
fn choice(
    field: &'static str,
    value: Option<String>,
    choices: &'static [(&'static str, &'static [&'static str])],
) -> Result<String, FieldError> {
    let value = optional_text(value)
        .ok_or_else(|| FieldError::new(field, ErrorCode::InvalidRequest, format!("{field} is required")))?;
    let lower = value.to_ascii_lowercase();
    choices
        .iter()
        .find(|(name, synonyms)| *name == lower || synonyms.contains(&value.as_str()))
        .map(|(name, _)| (*name).to_owned())
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            FieldError::new(
                field,
                ErrorCode::InvalidRequest,
                format!("{field} '{value}' is not one of {}", names.join(", ")),
            )
        })
}

/// A campaign level by its name or a Chinese synonym (`国家`, `省级`, …).
pub fn campaign_level(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    choice(field, value, CAMPAIGN_LEVELS)
}

/// An identifier such as a sample or campaign id: 1 to 64 characters, no spaces or control characters.
fn identifier(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    let value = optional_text(value)
        .ok_or_else(|| FieldError::new(field, ErrorCode::InvalidRequest, format!("{field} is required")))?;
    if value.chars().count() > 64 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(FieldError::new(
            field,
            ErrorCode::InvalidRequest,
            format!("{field} must be 1 to 64 characters without spaces"),
        ));
    }
    Ok(value)
}

/// A date YYYY-MM-DD.
pub fn date(field: &'static str, value: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, ErrorCode::InvalidRequest, format!("'{value}' is not a date YYYY-MM-DD")))
}

/// Checks one sample's fields.
pub fn sample(fields: SampleFields, catalogue: &Catalogue) -> Result<store::inspections::NewSample, FieldError> {
    let sample_id = identifier("sample_id", fields.sample_id)?;
    let campaign_id = identifier("campaign_id", fields.campaign_id)?;
    let campaign_level = campaign_level("campaign_level", fields.campaign_level)?;
    let sampled_on_text = optional_text(fields.sampled_on)
        .ok_or_else(|| FieldError::new("sampled_on", ErrorCode::InvalidRequest, "sampled_on is required"))?;
    let sampled_on = date("sampled_on", &sampled_on_text)?;
    if sampled_on > chrono::Utc::now().date_naive() {
        return Err(FieldError::new("sampled_on", ErrorCode::InvalidRequest, format!("{sampled_on} is in the future")));
    }
    let product_category =
        product_category(catalogue, "product_category", fields.product_category)?.ok_or_else(|| {
            FieldError::new("product_category", ErrorCode::InvalidRequest, "product_category is required")
        })?;
    let uscc = uscc("uscc", fields.uscc.as_deref())?;
    let region_text = optional_text(fields.region_code)
        .ok_or_else(|| FieldError::new("region_code", ErrorCode::InvalidRegion, "region_code is required"))?;
    let region = region("region_code", &region_text)?;
    let channel = choice("channel", fields.channel, CHANNELS)?;
    let verdict = choice("verdict", fields.verdict, VERDICTS)?;
    let gtin = optional_text(fields.gtin).map(|g| gtin(Some(&g)).map(|g| g.to_gtin14())).transpose()?;
    let production_date = optional_text(fields.production_date);
    if let Some(text) = &production_date {
        if date("production_date", text)? > sampled_on {
            return Err(FieldError::new(
                "production_date",
                ErrorCode::InvalidRequest,
                "production_date is after sampled_on",
            ));
        }
    }
    let failed_items = optional_text(fields.failed_items);
    if verdict == sampling::Verdict::Pass.as_str() && failed_items.is_some() {
        return Err(FieldError::new("failed_items", ErrorCode::InvalidRequest, "a passing sample has no failed items"));
    }
    let stratum = optional_text(fields.stratum);
    let stratum_population = optional_text(fields.stratum_population)
        .map(|text| match text.parse::<i64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(FieldError::new(
                "stratum_population",
                ErrorCode::InvalidRequest,
                format!("'{text}' is not a positive whole number"),
            )),
        })
        .transpose()?;
    if stratum_population.is_some() && stratum.is_none() {
        return Err(FieldError::new("stratum", ErrorCode::InvalidRequest, "stratum_population needs a stratum"));
    }
    Ok(store::inspections::NewSample {
        sample_id,
        campaign_id,
        campaign_level,
        sampled_on: sampled_on.to_string(),
        product_category,
        uscc: uscc.to_string(),
        region_code: region.to_string(),
        channel,
        verdict,
        gtin,
        lot: optional_text(fields.lot),
        production_date,
        lab: optional_text(fields.lab),
        sampler: optional_text(fields.sampler),
        failed_items,
        stratum,
        stratum_population,
    })
}

/// Sex as coded on the injury report card.
const SEXES: &[(&str, &[&str])] =
    &[("male", &["男", "M", "m", "1"]), ("female", &["女", "F", "f", "2"]), ("unknown", &["不详", "U", "9"])];
/// Injured body part.
pub const BODY_PARTS: &[(&str, &[&str])] = &[
    ("head", &["头部"]),
    ("face", &["面部"]),
    ("neck", &["颈部"]),
    ("chest", &["胸部"]),
    ("abdomen", &["腹部"]),
    ("back", &["背部", "腰背部"]),
    ("pelvis", &["骨盆", "会阴"]),
    ("upper_limb", &["上肢"]),
    ("hand", &["手", "手部"]),
    ("lower_limb", &["下肢"]),
    ("foot", &["足", "足部"]),
    ("multiple", &["多部位"]),
    ("whole_body", &["全身"]),
    ("unknown", &["不详"]),
];
/// Nature of the injury.
pub const DIAGNOSES: &[(&str, &[&str])] = &[
    ("fracture", &["骨折"]),
    ("sprain", &["扭伤", "拉伤"]),
    ("laceration", &["锐器伤", "割伤", "刺伤"]),
    ("contusion", &["挫伤", "擦伤"]),
    ("burn", &["烧烫伤", "烧伤", "烫伤"]),
    ("concussion", &["脑震荡", "脑挫裂伤"]),
    ("organ_injury", &["内脏器官伤"]),
    ("poisoning", &["中毒"]),
    ("foreign_body", &["异物"]),
    ("suffocation", &["窒息"]),
    ("electric_shock", &["电击伤"]),
    ("amputation", &["截肢", "离断伤"]),
    ("other", &["其他"]),
];
/// What happened to the patient.
pub const DISPOSITIONS: &[(&str, &[&str])] = &[
    ("treated_released", &["处理后离院"]),
    ("observed", &["留观"]),
    ("hospitalized", &["住院"]),
    ("transferred", &["转院"]),
    ("died", &["死亡"]),
    ("left", &["自动离院"]),
    ("unknown", &["不详"]),
];
pub const INJURY_LOCATIONS: &[(&str, &[&str])] = &[
    ("home", &["家中"]),
    ("public_place", &["公共场所"]),
    ("school", &["学校"]),
    ("road", &["公路", "街道"]),
    ("workplace", &["工作场所"]),
    ("sports", &["体育场所"]),
    ("other", &["其他"]),
];
pub const INTENTS: &[(&str, &[&str])] = &[
    ("unintentional", &["非故意"]),
    ("self_harm", &["自残", "自杀"]),
    ("assault", &["暴力", "他人故意"]),
    ("unknown", &["不详"]),
];

/// Fields of an injury case, as a form, an API body or an import row gives them.
pub const INJURY_FIELDS: &[&str] = &[
    "case_id",
    "treated_on",
    "hospital_id",
    "stratum",
    "weight",
    "age",
    "sex",
    "product_code",
    "body_part",
    "diagnosis",
    "disposition",
    "product_code_2",
    "location",
    "intent",
    "hazard_code",
    "narrative",
    "hospital_name",
];
/// The first fields are required.
pub const REQUIRED_INJURY_FIELDS: usize = 11;

/// An injury case's fields, every one as text.
#[derive(Debug, Default, serde::Deserialize)]
pub struct InjuryFields {
    pub case_id: Option<String>,
    pub treated_on: Option<String>,
    pub hospital_id: Option<String>,
    pub stratum: Option<String>,
    pub weight: Option<String>,
    pub age: Option<String>,
    pub sex: Option<String>,
    pub product_code: Option<String>,
    pub body_part: Option<String>,
    pub diagnosis: Option<String>,
    pub disposition: Option<String>,
    pub product_code_2: Option<String>,
    pub location: Option<String>,
    pub intent: Option<String>,
    pub hazard_code: Option<String>,
    pub narrative: Option<String>,
    pub hospital_name: Option<String>,
}

/// A product code of the key-product catalogue that a new record may name: in the catalogue and not retired.
pub fn product_category(
    catalogue: &Catalogue,
    field: &'static str,
    value: Option<String>,
) -> Result<Option<String>, FieldError> {
    match optional_text(value) {
        None => Ok(None),
        Some(code) if catalogue.accepts(&code) => Ok(Some(code)),
        Some(code) if catalogue.entry(&code).is_some() => Err(FieldError::new(
            field,
            ErrorCode::InvalidRequest,
            format!("'{code}' is retired from the product catalogue"),
        )),
        Some(code) => Err(FieldError::new(
            field,
            ErrorCode::InvalidRequest,
            format!("'{code}' is not a code of the product catalogue"),
        )),
    }
}

/// Checks an imported injury case; returns it with its hospital (the hospital's id is its USCC, whose region it
/// takes). A registry file carries each hospital's stratum and weight.
pub fn injury(
    fields: InjuryFields,
    catalogue: &Catalogue,
) -> Result<(store::injuries::InjuryCase, store::injuries::Hospital), FieldError> {
    let (stratum, weight, name) = (fields.stratum.clone(), fields.weight.clone(), fields.hospital_name.clone());
    let mut case = injury_case(fields, catalogue)?;
    let stratum = optional_text(stratum)
        .ok_or_else(|| FieldError::new("stratum", ErrorCode::InvalidRequest, "stratum is required"))?;
    let weight =
        optional_text(weight).and_then(|w| w.parse::<f64>().ok()).filter(|w| w.is_finite() && *w > 0.0).ok_or_else(
            || FieldError::new("weight", ErrorCode::InvalidRequest, "weight is required and must be a positive number"),
        )?;
    let name = optional_text(name);
    case.stratum = stratum.clone();
    case.weight = weight;
    let region_code = uscc("hospital_id", Some(&case.hospital_id))?.region_code().to_owned();
    let name = name.unwrap_or_else(|| case.hospital_id.clone());
    let hospital = store::injuries::Hospital { id: case.hospital_id.clone(), name, region_code, stratum, weight };
    Ok((case, hospital))
}

/// Checks the clinical fields of an injury case as a hospital reports it. Its stratum and weight are left empty:
/// they are the register's, and the store takes them from the design in force on the treatment date.
pub fn injury_case(fields: InjuryFields, catalogue: &Catalogue) -> Result<store::injuries::InjuryCase, FieldError> {
    let case_id = identifier("case_id", fields.case_id)?;
    let treated_text = optional_text(fields.treated_on)
        .ok_or_else(|| FieldError::new("treated_on", ErrorCode::InvalidRequest, "treated_on is required"))?;
    let treated_on = date("treated_on", &treated_text)?;
    if treated_on > chrono::Utc::now().date_naive() {
        return Err(FieldError::new("treated_on", ErrorCode::InvalidRequest, format!("{treated_on} is in the future")));
    }
    let hospital = uscc("hospital_id", fields.hospital_id.as_deref())?;
    let age =
        optional_text(fields.age).and_then(|a| a.parse::<i64>().ok()).filter(|a| (0..=120).contains(a)).ok_or_else(
            || FieldError::new("age", ErrorCode::InvalidRequest, "age is required, in whole years from 0 to 120"),
        )?;
    let product_code = product_category(catalogue, "product_code", fields.product_code)?
        .ok_or_else(|| FieldError::new("product_code", ErrorCode::InvalidRequest, "product_code is required"))?;
    Ok(store::injuries::InjuryCase {
        case_id,
        hospital_id: hospital.to_string(),
        treated_on: treated_on.to_string(),
        stratum: String::new(),
        weight: 0.0,
        age,
        sex: choice("sex", fields.sex, SEXES)?,
        product_code,
        product_code_2: product_category(catalogue, "product_code_2", fields.product_code_2)?,
        body_part: choice("body_part", fields.body_part, BODY_PARTS)?,
        diagnosis: choice("diagnosis", fields.diagnosis, DIAGNOSES)?,
        disposition: choice("disposition", fields.disposition, DISPOSITIONS)?,
        location: optional_text(fields.location.clone())
            .map(|_| choice("location", fields.location, INJURY_LOCATIONS))
            .transpose()?,
        intent: optional_text(fields.intent.clone()).map(|_| choice("intent", fields.intent, INTENTS)).transpose()?,
        hazard_code: optional_text(fields.hazard_code),
        narrative: optional_text(fields.narrative),
    })
}

/// Raw complaint, report or enquiry fields as they arrive from the form, the API or a file, by API name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ComplaintInput)]
pub struct ComplaintFields {
    /// complaint (投诉, default) | report (举报) | enquiry (咨询)
    #[schema(value_type = Option<crate::complaints::FilingKind>, inline)]
    pub kind: Option<String>,
    /// Only for clerks entering a filing received earlier and for imports; the public's is today.
    #[schema(format = Date)]
    pub received_on: Option<String>,
    /// Reports only: no name, phone or ID is kept.
    #[serde(default)]
    pub anonymous: bool,
    /// Required for a complaint (Art 9).
    #[schema(max_length = 50)]
    pub submitter_name: Option<String>,
    /// Required for a complaint: 7 to 15 digits, with `+`, `-` or spaces.
    #[schema(max_length = 20)]
    pub submitter_phone: Option<String>,
    /// A resident identity number (GB 11643).
    #[schema(max_length = 18)]
    pub submitter_id_number: Option<String>,
    #[schema(max_length = 200)]
    pub submitter_address: Option<String>,
    /// Required except for an enquiry.
    #[schema(max_length = 200)]
    pub respondent_name: Option<String>,
    #[schema(max_length = 18)]
    pub respondent_uscc: Option<String>,
    /// Where the respondent operates; a full address (province, city, county) routes the filing.
    #[schema(max_length = 200)]
    pub respondent_address: Option<String>,
    /// A merchant on an e-commerce platform: the platform, whose domicile has jurisdiction when the merchant's is
    /// unknown (Art 12).
    #[schema(max_length = 18)]
    pub platform_uscc: Option<String>,
    /// The region where the respondent operates, or for a report where the act occurred (GB/T 2260).
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    #[schema(max_length = 14)]
    pub product_gtin: Option<String>,
    #[schema(max_length = 64)]
    pub product_lot: Option<String>,
    #[schema(max_length = 200)]
    pub product_name: Option<String>,
    /// Required: what happened, at least five characters.
    #[schema(max_length = 5000)]
    pub facts: Option<String>,
    /// What the submitter asks for.
    #[schema(max_length = 2000)]
    pub request: Option<String>,
    /// When the consumer knew of the harm.
    #[schema(format = Date)]
    pub harm_known_on: Option<String>,
    /// Set by a clerk or a file; otherwise the classifier decides. A product category code.
    pub category: Option<String>,
    /// An issue type of the classifier (see `/api/v1/complaints/classifier`).
    pub issue: Option<String>,
}

/// Complaint field names, in the order files list them.
pub const COMPLAINT_FIELDS: &[&str] = &[
    "kind",
    "received_on",
    "anonymous",
    "submitter_name",
    "submitter_phone",
    "submitter_id_number",
    "submitter_address",
    "respondent_name",
    "respondent_uscc",
    "respondent_address",
    "platform_uscc",
    "region_code",
    "product_gtin",
    "product_lot",
    "product_name",
    "facts",
    "request",
    "harm_known_on",
    "category",
    "issue",
];

/// A checked filing: every field valid, the submitter's data dropped when anonymous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedComplaint {
    pub kind: Kind,
    pub received_on: chrono::NaiveDate,
    pub anonymous: bool,
    pub submitter_name: Option<String>,
    pub submitter_phone: Option<String>,
    pub submitter_id_number: Option<String>,
    pub submitter_address: Option<String>,
    pub respondent_name: String,
    pub respondent_uscc: Option<Uscc>,
    pub respondent_address: Option<String>,
    pub platform_uscc: Option<Uscc>,
    pub region_code: Option<RegionCode>,
    pub product_gtin: Option<Gtin>,
    pub product_lot: Option<String>,
    pub product_name: Option<String>,
    pub facts: String,
    pub request: Option<String>,
    pub harm_known_on: Option<chrono::NaiveDate>,
    pub category: Option<String>,
    pub issue: Option<String>,
}

fn limited(field: &'static str, value: Option<String>, max: usize) -> Result<Option<String>, FieldError> {
    match optional_text(value) {
        Some(text) if text.chars().count() > max => {
            Err(FieldError::new(field, ErrorCode::InvalidRequest, format!("{field} is longer than {max} characters")))
        }
        other => Ok(other),
    }
}

/// A mainland resident identity number (GB 11643): 17 digits and a check character.
pub fn id_number(field: &'static str, value: &str) -> Result<String, FieldError> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECKS: &[u8; 11] = b"10X98765432";
    let upper = value.trim().to_uppercase();
    let bytes = upper.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return Err(FieldError::new(
            field,
            ErrorCode::InvalidIdNumber,
            "an identity number has 17 digits and a check character",
        ));
    }
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let expected = CHECKS[(sum % 11) as usize];
    if bytes[17] != expected {
        return Err(FieldError::new(
            field,
            ErrorCode::InvalidIdNumber,
            format!("check character is '{}', expected '{}'", bytes[17] as char, expected as char),
        ));
    }
    Ok(upper)
}

/// Checks a filing. `today` bounds every date; `may_backdate` lets a clerk or a file set `received_on`.
pub fn complaint(
    fields: ComplaintFields,
    today: chrono::NaiveDate,
    may_backdate: bool,
    catalogue: &Catalogue,
) -> Result<CheckedComplaint, FieldError> {
    let kind = match optional_text(fields.kind) {
        None => Kind::Complaint,
        Some(text) => text.parse::<Kind>().map_err(|_| {
            FieldError::new("kind", ErrorCode::InvalidKind, format!("'{text}' is not complaint, report or enquiry"))
        })?,
    };
    let received_on = match optional_text(fields.received_on) {
        Some(_) if !may_backdate => {
            return Err(FieldError::new(
                "received_on",
                ErrorCode::InvalidRequest,
                "the day of receipt is set by the platform",
            ))
        }
        Some(text) => date("received_on", &text)?,
        None => today,
    };
    if received_on > today {
        return Err(FieldError::new(
            "received_on",
            ErrorCode::InvalidRequest,
            format!("{received_on} is in the future"),
        ));
    }
    let anonymous = fields.anonymous;
    if anonymous && kind != Kind::Report {
        return Err(FieldError::new("anonymous", ErrorCode::InvalidRequest, "only a report (举报) may be anonymous"));
    }
    let (mut name, mut phone, mut id, mut address) = (
        limited("submitter_name", fields.submitter_name, 50)?,
        limited("submitter_phone", fields.submitter_phone, 20)?,
        optional_text(fields.submitter_id_number),
        limited("submitter_address", fields.submitter_address, 200)?,
    );
    if anonymous {
        (name, phone, id, address) = (None, None, None, None);
    }
    if kind == Kind::Complaint && (name.is_none() || phone.is_none()) {
        let field = if name.is_none() { "submitter_name" } else { "submitter_phone" };
        return Err(FieldError::new(
            field,
            ErrorCode::InvalidRequest,
            "a complaint gives the complainant's name and phone (Art 9)",
        ));
    }
    if let Some(number) = &phone {
        let digits = number.chars().filter(char::is_ascii_digit).count();
        if !(7..=15).contains(&digits) || !number.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
            return Err(FieldError::new(
                "submitter_phone",
                ErrorCode::InvalidPhone,
                format!("'{number}' is not a phone number"),
            ));
        }
    }
    let id = id.map(|value| id_number("submitter_id_number", &value)).transpose()?;
    let respondent_name = limited("respondent_name", fields.respondent_name, 200)?;
    let respondent_name = match (kind, respondent_name) {
        (_, Some(name)) => name,
        (Kind::Enquiry, None) => String::new(),
        (_, None) => {
            return Err(FieldError::new(
                "respondent_name",
                ErrorCode::InvalidRequest,
                "the respondent's name is required",
            ))
        }
    };
    let respondent_uscc =
        optional_text(fields.respondent_uscc).map(|v| uscc("respondent_uscc", Some(&v))).transpose()?;
    let platform_uscc = optional_text(fields.platform_uscc).map(|v| uscc("platform_uscc", Some(&v))).transpose()?;
    let region_code = optional_text(fields.region_code).map(|v| region("region_code", &v)).transpose()?;
    let product_gtin = optional_text(fields.product_gtin)
        .map(|v| Gtin::parse(&v).map_err(|e| FieldError::new("product_gtin", ErrorCode::InvalidGtin, e)))
        .transpose()?;
    let facts = limited("facts", fields.facts, 5_000)?
        .ok_or_else(|| FieldError::new("facts", ErrorCode::InvalidRequest, "the facts are required"))?;
    if facts.chars().count() < 5 {
        return Err(FieldError::new("facts", ErrorCode::InvalidRequest, "the facts need at least five characters"));
    }
    let harm_known_on = optional_text(fields.harm_known_on).map(|v| date("harm_known_on", &v)).transpose()?;
    if harm_known_on.is_some_and(|day| day > received_on) {
        return Err(FieldError::new("harm_known_on", ErrorCode::InvalidRequest, "the harm was known after the filing"));
    }
    let category = product_category(catalogue, "category", fields.category)?;
    let issue = optional_text(fields.issue);
    if let Some(code) = &issue {
        if !complaints::classify::is_issue(code) {
            return Err(FieldError::new("issue", ErrorCode::InvalidRequest, format!("'{code}' is not an issue type")));
        }
    }
    Ok(CheckedComplaint {
        kind,
        received_on,
        anonymous,
        submitter_name: name,
        submitter_phone: phone,
        submitter_id_number: id,
        submitter_address: address,
        respondent_name,
        respondent_uscc,
        respondent_address: limited("respondent_address", fields.respondent_address, 200)?,
        platform_uscc,
        region_code,
        product_gtin,
        product_lot: limited("product_lot", fields.product_lot, 64)?,
        product_name: limited("product_name", fields.product_name, 200)?,
        facts,
        request: limited("request", fields.request, 2_000)?,
        harm_known_on,
        category,
        issue,
    })
}
