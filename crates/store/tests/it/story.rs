//! The storage story: reference data, organizations and products, search, import batches, users, audit.

use store::{Indexed, NewOrganization, NewProduct, NewUser, Role, StoreError, WriteOutcome};

fn org(uscc: &str, name: &str, region: &str) -> NewOrganization {
    NewOrganization {
        uscc: uscc.parse().unwrap(),
        name: name.into(),
        region_code: region.parse().unwrap(),
        address: Some("测试路1号".into()),
        legal_representative: None,
        entity_type: Some("企业".into()),
        status: store::RegistrationStatus::Active,
        registered_on: Some("2015-10-01".into()),
    }
}

const HANGZHOU: &str = "91330106MA27XL1Q3A";
const FUZHOU: &str = "91350100M000100Y43";

#[tokio::test]
async fn master_data_story_on_every_backend() {
    for (store, _dir) in crate::stores().await {
        let backend = store.backend_name();
        // Reference data is loaded once.
        let categories = store.catalogue_entries().await.unwrap();
        let toys = categories.iter().find(|c| c.entry.code == "0401").expect("the earlier toy category");
        assert_eq!(
            (toys.entry.name_zh.as_str(), toys.entry.maps_to.as_deref()),
            ("玩具", Some("K23-06-01")),
            "{backend}"
        );
        assert!(toys.import_id.is_some(), "the seed filled its mapping as a shipped load");

        // Insert, then update: the second write is an update and both are audited with before/after.
        let first = org(HANGZHOU, "杭州娃哈哈食品有限公司", "330106");
        assert_eq!(store.upsert_organization(&first, None).await.unwrap(), WriteOutcome::Inserted);
        let mut renamed = first.clone();
        renamed.name = "杭州娃哈哈饮料有限公司".into();
        assert_eq!(store.upsert_organization(&renamed, None).await.unwrap(), WriteOutcome::Updated, "{backend}");
        let stored = store.organization(&HANGZHOU.parse().unwrap()).await.unwrap().expect("stored");
        assert_eq!(stored.name, "杭州娃哈哈饮料有限公司");
        let audit = store.audit_entries("organization", HANGZHOU).await.unwrap();
        assert_eq!(audit.len(), 2, "{backend}");
        assert_eq!(audit[1].action, "update");
        assert_eq!(audit[1].before.as_ref().unwrap()["name"], "杭州娃哈哈食品有限公司");
        assert_eq!(audit[1].after.as_ref().unwrap()["name"], "杭州娃哈哈饮料有限公司");

        // Search follows the update: the old word no longer matches, the new one does.
        store.upsert_organization(&org(FUZHOU, "福州闽江食品厂", "350100"), None).await.unwrap();
        let found = store.search_organizations("饮料", None, None, 10).await.unwrap();
        assert_eq!(found.items.iter().map(|o| o.uscc.as_str()).collect::<Vec<_>>(), [HANGZHOU], "{backend}");
        let found = store.search_organizations("食品", None, None, 10).await.unwrap();
        assert_eq!(found.items.iter().map(|o| o.uscc.as_str()).collect::<Vec<_>>(), [FUZHOU], "{backend}");
        let in_zhejiang = store.search_organizations("", Some("33"), None, 10).await.unwrap();
        assert_eq!(in_zhejiang.items.len(), 1, "{backend}");

        // A product needs its producer.
        let product = NewProduct {
            gtin: "06901234567892".parse().unwrap(),
            name: "纯净水".into(),
            uscc: HANGZHOU.parse().unwrap(),
            category_code: Some("0102".into()),
            brand: Some("娃哈哈".into()),
            specification: Some("596ml".into()),
        };
        assert_eq!(store.upsert_product(&product, None).await.unwrap(), WriteOutcome::Inserted);
        let orphan = NewProduct {
            uscc: "91110000600037341L".parse().unwrap(),
            gtin: "06901234567809".parse().unwrap(),
            ..product.clone()
        };
        assert!(matches!(store.upsert_product(&orphan, None).await, Err(StoreError::MissingReference { .. })));
        let by_brand = store.search_products("娃哈哈", None, 10).await.unwrap();
        assert_eq!(by_brand.items.len(), 1, "{backend}");

        // Rebuilding the derived index changes nothing visible.
        assert_eq!(store.rebuild_search_index().await.unwrap(), 3);
        let again = store.search_organizations("饮料", None, None, 10).await.unwrap();
        assert_eq!(again.items.len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn import_batches_count_inserts_and_updates_and_page_by_cursor() {
    for (store, _dir) in crate::stores().await {
        let backend = store.backend_name();
        // More keys than one IN list holds, so the existence check runs in several queries.
        let batch: Vec<Indexed<NewOrganization>> = (0..12_000)
            .map(|i| {
                let uscc = codes::Uscc::assemble("91330106", &format!("MA{:06}", i * 7)).expect("valid characters");
                org(uscc.as_str(), &format!("测试企业{i}号食品有限公司"), "330106").into()
            })
            .collect();
        let outcome = store.import_organizations(batch.clone(), None).await.unwrap();
        assert_eq!(outcome.inserted as usize, batch.len(), "{backend}");
        let outcome = store.import_organizations(batch[..100].to_vec(), None).await.unwrap();
        assert_eq!((outcome.inserted, outcome.updated), (0, 100), "{backend}");
        assert_eq!(store.count_organizations().await.unwrap() as usize, batch.len());

        // Cursor paging visits every row once, in key order.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.search_organizations("食品", Some("3301"), cursor.as_deref(), 500).await.unwrap();
            seen.extend(page.items.into_iter().map(|o| o.uscc));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected: Vec<String> = batch.iter().map(|o| o.record.uscc.to_string()).collect();
        expected.sort();
        assert_eq!(seen, expected, "{backend}");
    }
}

#[tokio::test]
async fn tokens_identify_users_and_are_stored_hashed() {
    for (store, _dir) in crate::stores().await {
        let new = NewUser {
            name: "杭州市监局".into(),
            role: Role::Regulator,
            region_code: Some("330100".into()),
            uscc: None,
            login: Some("hz-regulator".into()),
            password: Some("correct horse".into()),
        };
        let (user, token) = store.add_user(&new).await.unwrap();
        assert!(token.starts_with("zl_") && token.len() == 67);
        assert_eq!(store.user_by_token(&token).await.unwrap(), Some(user.clone()));
        assert_eq!(store.user_by_token("zl_wrong").await.unwrap(), None);
        // Passwords: right, wrong, unknown login.
        assert_eq!(store.user_by_password("hz-regulator", "correct horse").await.unwrap(), Some(user.clone()));
        assert_eq!(store.user_by_password("hz-regulator", "wrong").await.unwrap(), None);
        assert_eq!(store.user_by_password("nobody", "correct horse").await.unwrap(), None);
        // Sessions: a key finds its user until it is ended.
        let key = store.create_session(user.id, 8).await.unwrap();
        assert_eq!(store.session_user(&key).await.unwrap(), Some(user.clone()));
        let expired = store.create_session(user.id, -1).await.unwrap();
        assert_eq!(store.session_user(&expired).await.unwrap(), None);
        store.end_session(&key).await.unwrap();
        assert_eq!(store.session_user(&key).await.unwrap(), None);
    }
}
