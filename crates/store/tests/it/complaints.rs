//! Complaints on both backends: concurrent filings committed together and each acknowledged with its own id,
//! tracking numbers unique, secrets checked by hash, steps refused on a stale read, the work queue by region and
//! deadline, and the counts that statistics, signals and the credit file read.

use store::complaints::{Complaint, ComplaintGroup, ComplaintStep};
use store::StoreError;

use crate::stores;

fn filing(number: &str, region: &str, received_on: &str, due_on: Option<&str>) -> Complaint {
    Complaint {
        id: 0,
        tracking_number: number.into(),
        kind: "complaint".into(),
        channel: "web".into(),
        parent_id: None,
        received_on: received_on.into(),
        anonymous: false,
        submitter_name: Some("张三".into()),
        submitter_phone: Some("13812345678".into()),
        submitter_id_number: None,
        submitter_address: None,
        respondent_name: "某商户".into(),
        respondent_uscc: Some("91330106MA27XL1Q3A".into()),
        respondent_address: None,
        region_code: region.into(),
        routing: "{}".into(),
        product_gtin: None,
        product_lot: None,
        product_name: None,
        category: Some("0503".into()),
        issue: Some("safety".into()),
        classification: "{}".into(),
        facts: "电池起火".into(),
        request: None,
        harm_known_on: None,
        handling_region: region.into(),
        status: if due_on.is_some() { "pending" } else { "closed" }.into(),
        accept_base_on: received_on.into(),
        accepted_on: None,
        decided_on: None,
        closed_on: None,
        suspended_since: None,
        suspended_days: 0,
        extended: false,
        due_kind: due_on.map(|_| "accept_by".into()),
        due_on: due_on.map(Into::into),
        outcome: None,
        ground: None,
        enterprise_response: None,
        rating: None,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

fn step(stage: &str) -> ComplaintStep {
    ComplaintStep { stage: stage.into(), note: None, data: None }
}

#[tokio::test]
async fn concurrent_filings_share_commits_and_each_gets_its_own_id() {
    for (store, _dir) in stores().await {
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let complaint = filing(&format!("TS2026110{i:04}"), "330106", "2026-11-02", Some("2026-11-11"));
                store.file_complaint(&complaint, &format!("secret{i}"), &[step("registered")], None).await
            }));
        }
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().unwrap());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 40, "every filing has its own id");
        assert_eq!(store.count_complaints().await.unwrap(), 40);
        let stored = store.complaint(ids[0]).await.unwrap().unwrap();
        assert_eq!(store.complaint_events(stored.id).await.unwrap().len(), 1);

        let again = filing("TS20261100001", "330106", "2026-11-02", None);
        let duplicate = store.file_complaint(&again, "x", &[], None).await;
        assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
        assert_eq!(store.count_complaints().await.unwrap(), 40, "nothing else was stored");

        let found = store.complaint_by_secret("TS20261100007", "secret7").await.unwrap();
        assert_eq!(found.map(|c| c.tracking_number), Some("TS20261100007".into()));
        assert!(store.complaint_by_secret("TS20261100007", "secret8").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn steps_are_refused_on_a_stale_read_and_the_queue_follows_deadlines() {
    for (store, _dir) in stores().await {
        let rows = [
            ("TS1", "330106", "2026-10-01", Some("2026-10-12")),
            ("TS2", "330110", "2026-10-20", Some("2026-10-29")),
            ("TS3", "440305", "2026-10-21", Some("2026-10-30")),
            ("TS4", "330106", "2025-05-05", None),
        ];
        for (number, region, received, due) in rows {
            store
                .file_complaint(&filing(number, region, received, due), "s", &[step("registered")], None)
                .await
                .unwrap();
        }
        let zhejiang = store.complaint_queue("33", "2026-10-29", 10).await.unwrap();
        let numbers: Vec<&str> = zhejiang.iter().map(|q| q.tracking_number.as_str()).collect();
        assert_eq!(numbers, ["TS1", "TS2"]);
        let national = store.complaint_queue("", "2026-12-31", 10).await.unwrap();
        let numbers: Vec<&str> = national.iter().map(|q| q.tracking_number.as_str()).collect();
        assert_eq!(numbers, ["TS1", "TS2", "TS3"]);
        assert_eq!(store.complaint_queue_counts("", "2026-10-29", "2026-10-29").await.unwrap(), (1, 2));
        assert_eq!(store.complaint_queue_counts("3301", "2026-10-13", "2026-11-30").await.unwrap(), (1, 2));

        let first = store.complaint_queue("330106", "2026-12-31", 1).await.unwrap()[0].id;
        let read = store.complaint(first).await.unwrap().unwrap();
        let mut accepted = read.clone();
        accepted.status = "accepted".into();
        accepted.due_on = Some("2026-12-04".into());
        store.save_complaint(&read, &accepted, &step("accepted"), None).await.unwrap();
        let mut stale = read.clone();
        stale.status = "closed".into();
        let refused = store.save_complaint(&read, &stale, &step("not_accepted"), None).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
        let now = store.complaint(first).await.unwrap().unwrap();
        assert_eq!((now.status.as_str(), now.due_on.as_deref()), ("accepted", Some("2026-12-04")));
        let stages: Vec<String> = store.complaint_events(first).await.unwrap().into_iter().map(|e| e.stage).collect();
        assert_eq!(stages, ["registered", "accepted"]);

        let mut closed = now.clone();
        closed.status = "closed".into();
        closed.due_on = None;
        store.save_complaint(&now, &closed, &step("closed"), None).await.unwrap();
        let outcomes = store.complaint_outcomes_after(0, 10).await.unwrap();
        assert_eq!(outcomes.len(), 1);
        assert_eq!((outcomes[0].2.as_deref(), outcomes[0].3.as_str()), (Some("91330106MA27XL1Q3A"), "closed"));

        let provinces = store.complaint_counts(ComplaintGroup::Province, "2026-01-01", "2026-12-31", "").await.unwrap();
        assert_eq!(provinces, [("330000".to_owned(), 2), ("440000".to_owned(), 1)]);
        let months = store.complaint_counts(ComplaintGroup::Month, "2025-01-01", "2026-12-31", "33").await.unwrap();
        assert_eq!(months, [("2026-10".to_owned(), 2), ("2025-05".to_owned(), 1)]);
        let table = store.complaint_table("2026-01-01", "2026-12-31").await.unwrap();
        assert_eq!(table, [("0503".to_owned(), "safety".to_owned(), 3)]);
        let mut daily = store.complaint_daily("2026-10-01", "2026-10-31", true).await.unwrap();
        daily.sort();
        assert_eq!(daily[0], ("0503".to_owned(), "330000".to_owned(), "2026-10-01".to_owned(), 1));
        assert_eq!(daily.len(), 3);
    }
}
