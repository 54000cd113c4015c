//! Demo credit lists, through the service layer so the due process is the real one: an enterprise on the serious-violation
//! list now, one repaired off it after a year, and one whose abnormal-operations listing ran its three years and
//! was swept off — each publication, repair and removal an entry of the public log. Then credit files: penalties
//! and quality awards recorded by the regulator (certificate suspensions and revocations come from the
//! certification and licensing workflows, loaded before), a tax department's records sent through
//! the exchange, and a scoring run that puts every organization in a class (A to D), each first class a log entry.

use serde_json::json;
use service::credit::{ProposalBody, StepBody};
use service::credit_file::{DepartmentBody, RecomputeBody, RecordFields};
use service::{ApiError, Services};
use store::{NewUser, Role, Store, User};

use crate::demo_injuries::account_of;

/// A JSON body as the step's fields: the demo writes them as a client would.
fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> anyhow::Result<T> {
    Ok(serde_json::from_value(value)?)
}

fn failed(error: ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo credit: {}", error.message)
}

/// Loads the listings; returns how many.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let enterprises = store.sampling_frame("33", None).await?;
    anyhow::ensure!(enterprises.len() >= 14, "the demo needs fourteen enterprises in Zhejiang");
    let account = |name: &str, role, region: Option<&str>, uscc: Option<&str>| NewUser {
        name: name.into(),
        role,
        region_code: region.map(Into::into),
        uscc: uscc.map(Into::into),
        login: None,
        password: None,
    };
    let (_, regulator) =
        store.add_user(&account("演示：浙江省市场监管局信用监管处", Role::Regulator, Some("330000"), None)).await?;
    let (_, admin) = store.add_user(&account("演示：信用平台管理员", Role::Admin, None, None)).await?;
    let (_, repaired_enterprise) =
        store.add_user(&account("演示：信用修复企业", Role::Enterprise, None, Some(&enterprises[1]))).await?;
    let services = Services::new(store.clone());
    let regulator = account_of(store, &regulator).await?;
    let admin = account_of(store, &admin).await?;
    let repaired_enterprise = account_of(store, &repaired_enterprise).await?;
    let listings = [
        (
            &enterprises[0],
            "serious_violation",
            "生产销售不合格电动自行车锂电池，被处以从重罚款",
            Some("浙市监罚〔2025〕17号"),
            ["2025-03-03", "2025-03-12", "2025-03-13"],
        ),
        (
            &enterprises[1],
            "serious_violation",
            "在婴幼儿配方乳粉中添加非食用物质，被吊销许可证",
            Some("杭市监罚〔2024〕52号"),
            ["2024-05-06", "2024-05-15", "2024-05-16"],
        ),
        (
            &enterprises[2],
            "abnormal_operations",
            "未按规定期限公示年度报告",
            None,
            ["2023-03-01", "2023-03-10", "2023-03-13"],
        ),
    ];
    let mut ids = Vec::new();
    let credit = |user: &User, id: String, action: &'static str, fields: serde_json::Value| {
        let services = services.clone();
        let user = user.clone();
        async move {
            let fields: StepBody = body(fields)?;
            service::credit::step(&services, &user, &id, action, fields).await.map_err(failed)
        }
    };
    for (uscc, list, grounds, penalty, dates) in listings {
        let proposal: ProposalBody =
            body(json!({"list": list, "uscc": uscc, "grounds": grounds, "penalty_ref": penalty, "on": dates[0]}))?;
        let proposed = service::credit::propose(&services, &regulator, proposal).await.map_err(failed)?;
        let id = proposed.listing.id;
        credit(&regulator, id.clone(), "notify", json!({"on": dates[0]})).await?;
        credit(&regulator, id.clone(), "decide", json!({"on": dates[1], "listed": true})).await?;
        credit(&regulator, id.clone(), "publish", json!({"on": dates[2]})).await?;
        ids.push(id);
    }
    let conditions = json!(["penalties_fulfilled", "harm_removed", "no_new_heavier_penalty"]);
    let repair = json!({"on": "2025-06-02", "conditions": conditions, "note": "罚款已缴清，问题产品已全部召回销毁"});
    credit(&repaired_enterprise, ids[1].clone(), "repair-apply", repair).await?;
    credit(&regulator, ids[1].clone(), "repair-decide", json!({"on": "2025-06-20", "granted": true})).await?;
    service::credit::sweep(&services, &admin).await.map_err(failed)?;
    // Awards and good records go to enterprises with a clean record so far, so that the demo has class A too.
    let mut clean = Vec::new();
    const PENALISED: [usize; 5] = [3, 4, 5, 8, 11];
    for (index, uscc) in enterprises.iter().enumerate().skip(3) {
        if !PENALISED.contains(&index) && store.credit_record_candidates(Some(uscc)).await?.is_empty() {
            clean.push(uscc.clone());
        }
    }
    anyhow::ensure!(clean.len() >= 4, "the demo needs four Zhejiang enterprises without failed samples");
    load_files(&services, &regulator, &admin, &enterprises, &clean).await?;
    Ok(ids.len())
}

/// Records from the regulator and from a department, then a scoring run over everyone.
async fn load_files(
    services: &Services,
    regulator: &User,
    admin: &User,
    enterprises: &[String],
    clean: &[String],
) -> anyhow::Result<()> {
    let day = |days_ago: u64| (service::today() - chrono::Days::new(days_ago)).to_string();
    let records = [
        (3, "penalty", "销售不符合国家标准的电动自行车充电器，没收违法所得并处罚款", Some("浙市监罚〔2026〕31号"), 60),
        (4, "penalty", "生产不合格儿童服装（绳带要求不合格），处货值金额二倍罚款", Some("杭市监罚〔2026〕8号"), 120),
        (5, "penalty_heavier", "生产不合格燃气灶具造成事故，吊销工业产品生产许可证", Some("浙市监罚〔2026〕5号"), 90),
        (3, "penalty_minor", "产品标识不规范，通报批评", Some("浙市监罚〔2026〕44号"), 20),
    ];
    for (index, kind, title, decision_no, days_ago) in records {
        let fields: RecordFields =
            body(json!({"kind": kind, "title": title, "decision_no": decision_no, "occurred_on": day(days_ago)}))?;
        service::credit_file::add_record(services, regulator, &enterprises[index], fields).await.map_err(failed)?;
    }
    for (uscc, title, days_ago) in [(&clean[0], "浙江省人民政府质量奖", 200), (&clean[1], "杭州市人民政府质量奖", 300)]
    {
        let fields: RecordFields =
            body(json!({"kind": "quality_award", "title": title, "occurred_on": day(days_ago)}))?;
        service::credit_file::add_record(services, regulator, uscc, fields).await.map_err(failed)?;
    }
    let department: DepartmentBody = body(
        json!({"code": "tax-zj", "name": "国家税务总局浙江省税务局", "kinds": ["good_record", "penalty"], "region_code": "330000"}),
    )?;
    let department = service::credit_file::create_department(services, admin, department).await.map_err(failed)?;
    let token = department.token.as_str();
    let sent = [
        (&clean[0], "good_record", "2025年度纳税信用A级纳税人", "ZJTAX-2026-0001", 150),
        (&clean[2], "good_record", "2025年度纳税信用A级纳税人", "ZJTAX-2026-0002", 150),
        (&clean[3], "good_record", "2025年度纳税信用A级纳税人", "ZJTAX-2026-0003", 150),
        (&enterprises[11], "penalty", "虚开增值税专用发票，罚款并追缴税款", "ZJTAX-2026-0104", 75),
    ];
    let batch: Vec<serde_json::Value> = sent
        .iter()
        .map(|(uscc, kind, title, reference, days_ago)| {
            json!({"uscc": uscc, "kind": kind, "title": title, "reference": reference, "occurred_on": day(*days_ago)})
        })
        .collect();
    let batch = json!({"records": batch}).to_string();
    let sent = service::credit_file::exchange(services, token, false, &batch).await.map_err(failed)?;
    sent.map_err(|rejected| anyhow::anyhow!("demo credit exchange rejected rows: {:?}", rejected.rows))?;
    service::credit_file::recompute(services, admin, RecomputeBody::default()).await.map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_lists_one_repairs_one_and_sweeps_one_into_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
        crate::demo::load(&store, crate::demo::Scale::Small, 2011).await.unwrap();
        let all = store.listings(None, None, true, None, 10).await.unwrap();
        let mut states: Vec<(String, Option<String>)> =
            all.iter().map(|l| (l.status.clone(), l.removal_reason.clone())).collect();
        states.sort();
        assert_eq!(
            states,
            [
                ("published".into(), None),
                ("removed".into(), Some("period_ended".into())),
                ("removed".into(), Some("repaired".into()))
            ]
        );
        let size = store.log_size().await.unwrap();
        let kinds: Vec<String> = store.log_entries(0, size as i64).await.unwrap().into_iter().map(|e| e.kind).collect();
        for kind in [
            "credit_listed",
            "credit_repaired",
            "credit_removed",
            "warning_publish",
            "recall_notice",
            "inspection_result",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} missing from the demo log");
        }
        let classes: Vec<String> = store.credit_class_counts().await.unwrap().into_iter().map(|(c, _)| c).collect();
        assert_eq!(classes, ["A", "B", "C", "D"], "enterprises in every class");
        let organizations = store.count_organizations().await.unwrap();
        assert!(
            kinds.iter().filter(|k| *k == "credit_class").count() as i64 >= organizations,
            "every first class is logged"
        );
    }
}
