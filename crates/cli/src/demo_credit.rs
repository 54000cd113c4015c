//! Demo credit lists, through the API so the due process is the real one: an enterprise on the serious-violation
//! list now, one repaired off it after a year, and one whose abnormal-operations listing ran its three years and
//! was swept off — each publication, repair and removal an entry of the public log.

use serde_json::json;
use store::{NewUser, Role, Store};

use crate::demo_injuries::call;

/// Loads the listings; returns how many.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let enterprises = store.sampling_frame("33", None).await?;
    anyhow::ensure!(enterprises.len() >= 3, "the demo needs three enterprises in Zhejiang");
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
    let app = server::app(server::AppState::new(store.clone()));
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
    for (uscc, list, grounds, penalty, dates) in listings {
        let proposed = call(
            &app,
            &regulator,
            "/api/v1/credit/listings",
            json!({"list": list, "uscc": uscc, "grounds": grounds, "penalty_ref": penalty, "on": dates[0]}),
        )
        .await?;
        let id = proposed["id"].as_str().unwrap_or_default().to_owned();
        let path = |step: &str| format!("/api/v1/credit/listings/{id}/{step}");
        call(&app, &regulator, &path("notify"), json!({"on": dates[0]})).await?;
        call(&app, &regulator, &path("decide"), json!({"on": dates[1], "listed": true})).await?;
        call(&app, &regulator, &path("publish"), json!({"on": dates[2]})).await?;
        ids.push(id);
    }
    let conditions = json!(["penalties_fulfilled", "harm_removed", "no_new_heavier_penalty"]);
    call(
        &app,
        &repaired_enterprise,
        &format!("/api/v1/credit/listings/{}/repair-apply", ids[1]),
        json!({"on": "2025-06-02", "conditions": conditions, "note": "罚款已缴清，问题产品已全部召回销毁"}),
    )
    .await?;
    call(
        &app,
        &regulator,
        &format!("/api/v1/credit/listings/{}/repair-decide", ids[1]),
        json!({"on": "2025-06-20", "granted": true}),
    )
    .await?;
    call(&app, &admin, "/api/v1/credit/listings/sweep", json!({})).await?;
    Ok(ids.len())
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
        let kinds: Vec<String> = store.log_entries(0, 10_000).await.unwrap().into_iter().map(|e| e.kind).collect();
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
    }
}
