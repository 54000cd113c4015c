//! Credit files and classes on both backends: records are stored once per source key and all-or-nothing,
//! department tokens are kept as hashes, scoring pages read in USCC order, and a class change is one write with its
//! public-log entry and history row.

use store::credit_file::{ClassUpdate, CreditRecord};
use store::NewOrganization;

use crate::stores;

// Three registered organizations, in USCC order.
const U1: &str = "91110000600037341L";
const U2: &str = "91330106MA27XL1Q3A";
const U3: &str = "91350100M000100Y43";

fn typed(uscc: &str) -> codes::Uscc {
    uscc.parse().unwrap()
}

fn organization(uscc: &str) -> NewOrganization {
    NewOrganization {
        uscc: uscc.parse().unwrap(),
        name: format!("企业{uscc}"),
        region_code: "330106".parse().unwrap(),
        address: None,
        legal_representative: None,
        entity_type: None,
        status: store::RegistrationStatus::Active,
        registered_on: None,
    }
}

fn record(id: &str, uscc: &str, source_ref: &str) -> CreditRecord {
    CreditRecord {
        id: id.into(),
        uscc: uscc.into(),
        kind: "penalty".into(),
        source: "department".into(),
        department: "tax".into(),
        source_ref: source_ref.into(),
        title: "行政处罚".into(),
        legal_basis: "令第45号".into(),
        decision_no: None,
        occurred_on: "2026-03-01".into(),
        public_until: "2029-03-01".into(),
        withdrawn_on: None,
        withdrawn_reason: None,
        created_by: None,
        created_at: String::new(),
        log_index: None,
        withdrawn_log_index: None,
    }
}

fn update(uscc: &str, previous: Option<&str>, class: &str, score: i64) -> ClassUpdate {
    ClassUpdate {
        uscc: uscc.into(),
        previous_class: previous.map(str::to_owned),
        class: class.into(),
        score,
        model_version: "test".into(),
        reasons: "[]".into(),
        as_of: "2026-06-01".into(),
    }
}

#[tokio::test]
async fn records_are_kept_once_per_source_key_and_scoring_reads_them_in_order() {
    for (store, _dir) in stores().await {
        for uscc in [U1, U2, U3] {
            store.upsert_organization(&organization(uscc), None).await.unwrap();
        }
        let batch = [record("R1", U2, "a"), record("R2", U2, "b"), record("R3", U3, "c")];
        assert_eq!(store.insert_credit_records(&batch, None).await.unwrap(), 3);
        let again = [record("R4", U2, "a"), record("R5", U1, "d")];
        assert_eq!(store.insert_credit_records(&again, None).await.unwrap(), 1, "key 'a' is already present");
        assert!(store.credit_record("R4").await.unwrap().is_none());
        // Each new record has its own log entry, committing to the record's digest; the skipped one has none.
        assert_eq!(store.log_size().await.unwrap(), 4);
        let r5 = store.credit_record("R5").await.unwrap().unwrap();
        assert_eq!(r5.log_index, Some(3));
        let entry = &store.log_entries(3, 4).await.unwrap()[0];
        assert!(entry.data.contains(&store::credit_file::record_digest(&r5)), "{}", entry.data);

        assert_eq!(store.withdraw_credit_record("R2", "2026-04-01", "decision revoked", None).await.unwrap(), 4);
        assert_eq!(store.credit_record("R2").await.unwrap().unwrap().withdrawn_log_index, Some(4));
        assert!(store.withdraw_credit_record("R2", "2026-04-02", "again", None).await.is_err());
        assert_eq!(store.credit_records(&typed(U2), None).await.unwrap().len(), 2);
        assert_eq!(
            store.credit_records(&typed(U2), Some("2026-06-01")).await.unwrap().len(),
            1,
            "withdrawn is not public"
        );
        assert!(
            store.credit_records(&typed(U2), Some("2029-03-02")).await.unwrap().is_empty(),
            "past its public period"
        );

        // No workflow has produced anything yet; the collection query runs on this backend.
        assert!(store.credit_record_candidates(None).await.unwrap().is_empty());
        assert!(store.credit_record_candidates(Some(U1)).await.unwrap().is_empty());

        let page = store.scoring_page("", 2, None).await.unwrap();
        assert_eq!(page.usccs, [U1, U2]);
        let ids: Vec<&str> = page.records.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(ids, ["R5", "R1"], "in USCC order, withdrawn records left out");
        let rest = store.scoring_page(U2, 2, None).await.unwrap();
        assert_eq!((rest.usccs.len(), rest.records.len()), (1, 1));
        assert!(store.scoring_page(U3, 2, None).await.unwrap().usccs.is_empty());
    }
}

#[tokio::test]
async fn class_changes_are_written_with_their_log_entries() {
    for (store, _dir) in stores().await {
        for uscc in [U1, U2] {
            store.upsert_organization(&organization(uscc), None).await.unwrap();
        }
        let first = [update(U1, None, "B", 85), update(U2, None, "C", 70)];
        assert_eq!(store.apply_class_updates(&first).await.unwrap(), [0, 1]);
        // A score change within the class is stored but not logged; a class change is both.
        let second = [update(U1, Some("B"), "B", 80), update(U2, Some("C"), "D", 50)];
        assert_eq!(store.apply_class_updates(&second).await.unwrap(), [2]);
        assert_eq!(store.log_size().await.unwrap(), 3);
        // A run that read U1 before the first one stored it: its update is stale and dropped, not logged again.
        assert!(store.apply_class_updates(&[update(U1, None, "A", 95)]).await.unwrap().is_empty());
        assert_eq!(store.log_size().await.unwrap(), 3);
        let u1 = store.credit_class(&typed(U1)).await.unwrap().unwrap();
        assert_eq!((u1.class.as_str(), u1.score, u1.log_index), ("B", 80, Some(0)));
        let changes = store.credit_class_changes(&typed(U2)).await.unwrap();
        let seen: Vec<(Option<&str>, &str, Option<i64>)> =
            changes.iter().map(|c| (c.previous_class.as_deref(), c.class.as_str(), c.log_index)).collect();
        assert_eq!(seen, [(Some("C"), "D", Some(2)), (None, "C", Some(1))]);
        let entry = &store.log_entries(2, 3).await.unwrap()[0];
        assert!(
            entry.data.contains("\"class\":\"D\"") && entry.data.contains("\"previous_class\":\"C\""),
            "{}",
            entry.data
        );
        assert_eq!(store.credit_class_counts().await.unwrap(), [("B".to_owned(), 1), ("D".to_owned(), 1)]);
        let classes = store.sampling_frame_classes(&[U2.into(), "U9".into(), U1.into()]).await.unwrap();
        assert_eq!(classes, [Some("D".to_owned()), None, Some("B".to_owned())]);
    }
}

#[tokio::test]
async fn department_tokens_are_checked_by_hash_and_can_be_revoked() {
    for (store, _dir) in stores().await {
        store
            .create_department("tax", "税务部门", "zld_secret", "penalty,good_record", Some("330000"), None)
            .await
            .unwrap();
        assert!(store.create_department("tax", "again", "zld_other", "penalty", None, None).await.is_err());
        let found = store.department_by_token("zld_secret").await.unwrap().unwrap();
        assert_eq!((found.code.as_str(), found.kinds.as_str()), ("tax", "penalty,good_record"));
        assert_eq!(found.region_code.as_deref(), Some("330000"));
        assert!(store.department_by_token("zld_wrong").await.unwrap().is_none());
        store.revoke_department("tax", None).await.unwrap();
        assert!(store.department_by_token("zld_secret").await.unwrap().is_none());
        assert_eq!(store.departments().await.unwrap().len(), 1);
        let audit = store.audit_entries("credit_department", "tax").await.unwrap();
        assert_eq!(audit.len(), 2, "registration and revocation are audited");
    }
}
