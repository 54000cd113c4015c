//! The rules of complaint handling that need no storage: the classifier of Chinese complaint text (rules as data in
//! `data/complaint_classifier.json`, shown to regulators so they can inspect and correct it), the deadlines of
//! 《市场监督管理投诉举报处理暂行办法》 on working days, the grounds the rules enumerate, and masking of personal data.

use std::sync::OnceLock;

use calendar::Calendar;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};
use store::complaints::Complaint;

/// The kinds of filing.
pub const KINDS: &[(&str, &str, &str)] =
    &[("complaint", "投诉", "complaint"), ("report", "举报", "report"), ("enquiry", "咨询", "enquiry")];

/// Grounds for not accepting a complaint (Art 15), by code.
pub const REFUSAL_GROUNDS: &[(&str, &str, &str)] = &[
    ("1", "不属于本部门职责或管辖范围", "outside the department's duties or jurisdiction"),
    (
        "2",
        "已由法院、仲裁机构、其他行政机关或调解组织受理",
        "already before a court, arbitration, another agency or mediator",
    ),
    ("3", "不是为生活消费需要或没有消费纠纷", "not for personal consumption, or no dispute shown"),
    ("4", "知道或应当知道权益受损之日起超过三年", "more than three years since the harm was known"),
    ("5", "未提供必要材料", "required materials missing"),
    ("6", "法律、法规、规章规定不予受理的其他情形", "other grounds in law"),
];

/// Grounds for ending mediation (Art 21), by code.
pub const TERMINATION_GROUNDS: &[(&str, &str, &str)] = &[
    ("withdrawn", "投诉人撤回投诉或双方自行和解", "withdrawn or settled by the parties"),
    ("no_testing_agreement", "双方对检测鉴定机构或费用不能达成一致", "no agreement on the lab or the cost of testing"),
    ("party_refused", "一方拒绝调解或无正当理由不参加", "a party refuses or does not attend"),
    ("agreement_impossible", "一方明确表示无法达成调解协议", "a party declares agreement impossible"),
    ("time_limit", "自受理之日起四十五个工作日内未达成调解协议", "no agreement within 45 working days of acceptance"),
    ("refusal_ground", "发现不予受理情形", "a ground for refusal found later"),
    ("other", "其他应当终止的情形", "other grounds"),
];

/// Working days: to accept or refuse (Art 14), for mediation (Art 21), to verify a report (Art 23) and its
/// extension, to tell the parties of a termination (Art 21), to tell a real-name reporter of the decision (Art 31).
pub const ACCEPT_DAYS: u32 = 7;
pub const MEDIATION_DAYS: u32 = 45;
pub const VERIFY_DAYS: u32 = 15;
pub const VERIFY_EXTENSION_DAYS: u32 = 15;
pub const TERMINATION_NOTICE_DAYS: u32 = 7;
pub const REPORTER_NOTICE_DAYS: u32 = 5;

#[derive(Debug, Deserialize)]
pub struct Classifier {
    pub version: String,
    pub method: String,
    pub categories: Vec<Label>,
    pub issues: Vec<Label>,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    pub code: String,
    /// A found term of a higher-priority label wins over any score of a lower one (safety outranks the rest).
    #[serde(default)]
    pub priority: u8,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub terms: Vec<String>,
}

/// The classifier's rules.
pub fn classifier() -> &'static Classifier {
    static RULES: OnceLock<Classifier> = OnceLock::new();
    RULES.get_or_init(|| {
        serde_json::from_str(include_str!("../data/complaint_classifier.json"))
            .expect("complaint_classifier.json is valid")
    })
}

/// The best label for a text and the evidence: the terms found and every label's score.
fn best(labels: &[Label], text: &str) -> (Option<String>, Value) {
    let mut winner: Option<(usize, &Label)> = None;
    let mut evidence = Vec::new();
    for label in labels {
        let found: Vec<&str> = label.terms.iter().filter(|t| text.contains(t.as_str())).map(String::as_str).collect();
        let score: usize = found.iter().map(|t| t.chars().count()).sum();
        if score == 0 {
            continue;
        }
        evidence.push(json!({"code": label.code, "score": score, "priority": label.priority, "terms": found}));
        if winner.is_none_or(|(top, best)| (label.priority, score) > (best.priority, top)) {
            winner = Some((score, label));
        }
    }
    (winner.map(|(_, label)| label.code.clone()), Value::Array(evidence))
}

/// Classifies a filing's text into a product category and an issue type, with the evidence for each.
pub fn classify(text: &str) -> (Option<String>, Option<String>, Value) {
    let rules = classifier();
    let (category, category_evidence) = best(&rules.categories, text);
    let (issue, issue_evidence) = best(&rules.issues, text);
    let evidence = json!({
        "method": "keywords", "version": rules.version,
        "category": {"code": category, "candidates": category_evidence},
        "issue": {"code": issue, "candidates": issue_evidence},
    });
    (category, issue, evidence)
}

/// The issue types' codes.
pub fn is_issue(code: &str) -> bool {
    classifier().issues.iter().any(|label| label.code == code)
}

/// The N-th working day after a day; the flag says the count ran past the loaded notices (weekends and statutory
/// holidays taken off there), so the date is provisional until that year's notice is loaded.
fn add(calendar: &Calendar, from: &str, days: u32) -> Option<(NaiveDate, bool)> {
    let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?;
    let due = calendar.deadline(from, days);
    Some((due.date, due.provisional))
}

/// A filing's deadlines as they stand, and the one running now (`due`), as JSON; dates are `YYYY-MM-DD`.
pub fn deadlines(complaint: &Complaint, calendar: &Calendar) -> Value {
    let mut out = serde_json::Map::new();
    let mut provisional = Vec::new();
    let mut put = |name: &str, value: Option<(NaiveDate, bool)>| {
        if let Some((date, guess)) = value {
            out.insert(name.to_owned(), json!(date.to_string()));
            if guess {
                provisional.push(name.to_owned());
            }
        }
    };
    match complaint.kind.as_str() {
        "report" => {
            let days = VERIFY_DAYS + if complaint.extended { VERIFY_EXTENSION_DAYS } else { 0 };
            put("verify_by", add(calendar, &complaint.accept_base_on, days));
            if !complaint.anonymous {
                put("notify_by", complaint.decided_on.as_deref().and_then(|d| add(calendar, d, REPORTER_NOTICE_DAYS)));
            }
        }
        "enquiry" => put("reply_by", add(calendar, &complaint.accept_base_on, ACCEPT_DAYS)),
        _ => {
            put("accept_by", add(calendar, &complaint.accept_base_on, ACCEPT_DAYS));
            if complaint.suspended_since.is_none() {
                let days = MEDIATION_DAYS + complaint.suspended_days.max(0) as u32;
                put("mediation_by", complaint.accepted_on.as_deref().and_then(|d| add(calendar, d, days)));
            }
            if complaint.status == "terminated" || complaint.outcome.as_deref() == Some("terminated") {
                put(
                    "notify_by",
                    complaint.decided_on.as_deref().and_then(|d| add(calendar, d, TERMINATION_NOTICE_DAYS)),
                );
            }
        }
    }
    let mut value = Value::Object(out);
    if !provisional.is_empty() {
        value["provisional"] = json!(provisional);
    }
    value
}

/// The deadline that the filing's state has running now: its name and date, or none when nothing is due.
pub fn running(complaint: &Complaint, calendar: &Calendar) -> (Option<String>, Option<String>) {
    let all = deadlines(complaint, calendar);
    let name = match (complaint.kind.as_str(), complaint.status.as_str()) {
        (_, "closed") | (_, "suspended") => return (None, None),
        ("report", "pending") => "verify_by",
        ("report", "decided") => "notify_by",
        ("enquiry", "pending") => "reply_by",
        (_, "pending") => "accept_by",
        (_, "accepted" | "mediating") => "mediation_by",
        (_, "terminated") => "notify_by",
        _ => return (None, None),
    };
    match all[name].as_str() {
        Some(day) => (Some(name.to_owned()), Some(day.to_owned())),
        None => (None, None),
    }
}

/// Masks a name: the family name stays (张**).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Masks a phone number: the first three and last four digits stay (138****1234).
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= chars.len() - 4 { *c } else { '*' }).collect()
}

/// Masks an identity number: the first and last character stay.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    chars.iter().enumerate().map(|(i, c)| if i == 0 || i + 1 == chars.len() { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_the_longest_evidence() {
        let (category, issue, evidence) = classify("买的电动自行车充电时电池起火，烧伤了手");
        assert_eq!(category.as_deref(), Some("0503"));
        assert_eq!(issue.as_deref(), Some("safety"));
        assert_eq!(evidence["issue"]["candidates"][0]["terms"], json!(["起火", "烧伤"]));
        let (category, issue, _) = classify("羽绒服洗了一次就起球，商家不予退换");
        assert_eq!(category.as_deref(), Some("0301"));
        assert_eq!(issue.as_deref(), Some("after_sales"), "不予退换 outweighs 起球");
        // A brake that failed and nearly hurt a child is a safety matter, though the consumer asks for a refund
        // and a repair (after-sales terms that score more).
        let (category, issue, evidence) = classify("电动车刹车失灵，差点撞到孩子，要求退货退款或者维修");
        assert_eq!(category.as_deref(), Some("0503"), "{evidence}");
        assert_eq!(issue.as_deref(), Some("safety"), "{evidence}");
        let (category, issue, _) = classify("没有任何线索的文字");
        assert_eq!((category, issue), (None, None));
    }

    #[test]
    fn masks_personal_data() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id("110101199003071234"), "1****************4");
    }
}
