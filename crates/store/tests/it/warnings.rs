//! Risk assessments and warnings on both backends.

use serde_json::json;
use store::warnings::{RiskAssessment, Warning, WarningChange, WarningStage};

use crate::stores;

#[tokio::test]
async fn warnings_change_once_per_state_and_publish_for_search() {
    for (store, _dir) in stores().await {
        let now = store::now();
        let id = store.next_number("risk_assessments", "ZL-RA", 2026).await.unwrap();
        assert_eq!(id, "ZL-RA-2026-0001");
        let assessment = RiskAssessment {
            id: id.clone(),
            title: "锂电池起火".into(),
            product_code: "0503".into(),
            hazard: "battery_fire".into(),
            steps: json!([{"description": "缺陷", "probability": 0.001}]),
            severity: 4,
            probability: 0.001,
            level: "serious".into(),
            matrix_version: "2026-11-29".into(),
            signal: serde_json::Value::Null,
            region_code: "330100".into(),
            created_at: now.clone(),
        };
        store.create_assessment(&assessment, None).await.unwrap();
        assert_eq!(store.assessment(&id).await.unwrap().unwrap().steps[0]["probability"], 0.001);
        let warning = Warning {
            id: "ZL-RW-2026-0001".into(),
            assessment_id: id,
            title: "电动自行车锂电池风险警示".into(),
            body: "请勿在室内充电".into(),
            level: "serious".into(),
            status: "draft".into(),
            region_code: "330100".into(),
            scope: json!({"product_codes": ["0503"]}),
            drafted_by: None,
            published_on: None,
            withdrawn_on: None,
            created_at: now.clone(),
            updated_at: now,
        };
        store.create_warning(&warning, None).await.unwrap();
        let stage = WarningStage { stage: "review", note: None, data: None };
        let reviewed = WarningChange { status: Some("reviewed".into()), ..Default::default() };
        store.change_warning(&warning.id, "draft", &stage, &reviewed, None).await.unwrap();
        // A second clerk acting on the state that is gone is refused.
        assert!(
            store.change_warning(&warning.id, "draft", &stage, &reviewed, None).await.is_err(),
            "{}",
            store.backend_name()
        );
        assert!(store.warnings(true, Some("锂电池"), 10).await.unwrap().is_empty());
        let published = WarningChange {
            status: Some("published".into()),
            published_on: Some("2026-11-29".into()),
            ..Default::default()
        };
        store
            .change_warning(
                &warning.id,
                "reviewed",
                &WarningStage { stage: "publish", note: None, data: None },
                &published,
                None,
            )
            .await
            .unwrap();
        let found = store.warnings(true, Some("锂电池"), 10).await.unwrap();
        assert_eq!(found.len(), 1, "{}", store.backend_name());
        assert_eq!(store.warning_events(&warning.id).await.unwrap().len(), 3);
    }
}

#[tokio::test]
async fn signal_runs_keep_their_method_parameters_and_signals() {
    for (store, _dir) in crate::stores().await {
        let run = store::warnings::SignalRun {
            id: 0,
            source: "complaints".into(),
            method: "cusum".into(),
            by_region: true,
            period_from: "2020-11-21".into(),
            period_to: "2026-11-20".into(),
            parameters: serde_json::json!({"k_sigma": 0.5, "h_sigma": 4.0}),
            signals: serde_json::json!([{"product_code": "0503", "region": "330000", "statistic": 9.5}]),
            signal_count: 1,
            user_id: None,
            computed_at: String::new(),
        };
        let first = store.save_signal_run(&run).await.unwrap();
        let second = store.save_signal_run(&run).await.unwrap();
        let kept = store.signal_run(first).await.unwrap().unwrap();
        assert_eq!(
            (kept.parameters.clone(), kept.signals.clone(), kept.by_region),
            (run.parameters.clone(), run.signals.clone(), true)
        );
        let listed: Vec<i64> = store.signal_runs(10).await.unwrap().iter().map(|r| r.id).collect();
        assert_eq!(listed, [second, first]);
        assert!(store.signal_run(second + 1).await.unwrap().is_none());
    }
}
