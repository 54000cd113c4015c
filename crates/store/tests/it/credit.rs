//! Credit listings on both backends: a public step and its log entry are one write; a stale step is refused; the
//! public filters and the expiry query.

use store::credit::{Listing, ListingStep, Proposal};
use store::public_log::NewEntry;
use store::StoreError;

use crate::stores;

fn listing(id: &str, uscc: &str) -> Listing {
    Listing::proposed(Proposal {
        id: id.into(),
        list: "serious_violation".into(),
        uscc: uscc.into(),
        organization_name: "示范企业".into(),
        region_code: "330106".into(),
        grounds: "从重处罚".into(),
        legal_basis: "令第44号".into(),
        penalty_ref: Some("罚〔2024〕1号".into()),
        proposed_on: "2023-01-02".into(),
    })
}

fn step(stage: &str, public: Option<NewEntry>) -> ListingStep {
    ListingStep { stage: stage.into(), on_date: "2023-01-05".into(), note: None, public }
}

#[tokio::test]
async fn publication_and_its_log_entry_are_one_write() {
    for (store, _dir) in stores().await {
        store.propose_listing(&listing("L1", "U1"), &step("proposed", None), None).await.unwrap();
        store.propose_listing(&listing("L2", "U2"), &step("proposed", None), None).await.unwrap();
        let read = store.listing("L1").await.unwrap().unwrap();
        let mut published = read.clone();
        published.status = "published".into();
        published.published_on = Some("2023-01-05".into());
        published.expires_on = Some("2026-01-05".into());
        published.hearing_requested = true;
        let entry = NewEntry { kind: "credit_listed".into(), subject: "U1".into(), data: "{\"id\":\"L1\"}".into() };
        let index = store.step_listing(&read, &published, &step("published", Some(entry)), None).await.unwrap();
        assert_eq!(index, Some(0));
        let stale = store.step_listing(&read, &published, &step("published", None), None).await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        assert_eq!(store.log_size().await.unwrap(), 1, "the refused step wrote nothing");

        let stored = store.listing("L1").await.unwrap().unwrap();
        assert!(stored.hearing_requested);
        let events = store.listing_events("L1").await.unwrap();
        assert_eq!((events.len(), events[1].log_index), (2, Some(0)));
        let public: Vec<String> =
            store.listings(None, None, true, None, 10).await.unwrap().into_iter().map(|l| l.id).collect();
        assert_eq!(public, ["L1"]);
        assert_eq!(store.listings(Some("U2"), Some("serious_violation"), false, None, 10).await.unwrap().len(), 1);
        assert_eq!(store.listings(None, None, false, Some("示范"), 10).await.unwrap().len(), 2);
        assert_eq!(store.expired_listings("2026-01-04").await.unwrap().len(), 0);
        assert_eq!(store.expired_listings("2026-01-05").await.unwrap()[0].id, "L1");
    }
}
