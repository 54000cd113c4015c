//! Who reads which supply-chain events and traces. An administrator reads everything; a regulator the events
//! that name a party, location or producer in its region and the traces of products made there; an enterprise
//! the events it is party to or that name its own products, and the forward trace of its own products (what a
//! recall needs). Other roles and the public read no events: a recall's published scope is what they see.

use std::collections::{BTreeSet, HashMap};

use epcis::trace::Direction;
use serde_json::Value;
use store::{Role, User};

use crate::{ApiError, Services};

/// What a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    All,
    /// A regulator's jurisdiction: the region-code prefix.
    Region(String),
    /// An enterprise, by its USCC.
    Enterprise(String),
}

impl ReadScope {
    /// The scope of an account, or 403 for a role that reads no events.
    pub fn of(user: &User) -> Result<ReadScope, ApiError> {
        match user.role {
            Role::Admin => Ok(ReadScope::All),
            Role::Regulator => crate::access::supervised_prefix(user).map(ReadScope::Region),
            Role::Enterprise => user
                .uscc
                .clone()
                .map(ReadScope::Enterprise)
                .ok_or_else(|| ApiError::forbidden("this enterprise account has no USCC")),
            other => Err(ApiError::forbidden(format!("role {} may not read supply-chain events", other.as_str()))),
        }
    }
}

/// The GLNs (parties and locations) and GTINs (products) an event names, in its JSON form.
fn event_keys(event: &Value) -> (Vec<String>, Vec<String>) {
    let mut glns = Vec::new();
    let mut gtins = Vec::new();
    let mut place = |id: Option<&str>| {
        if let Some(gln) = id.and_then(|id| epcis::gln_of(&epcis::canonical_id(id))) {
            glns.push(gln);
        }
    };
    place(event["readPoint"]["id"].as_str());
    place(event["bizLocation"]["id"].as_str());
    for (list, key) in [("sourceList", "source"), ("destinationList", "destination")] {
        for party in event[list].as_array().into_iter().flatten() {
            place(party[key].as_str());
        }
    }
    let mut product = |id: Option<&str>| {
        if let Some(gtin) = id.and_then(|id| epcis::gtin_of(&epcis::canonical_id(id))) {
            gtins.push(gtin);
        }
    };
    product(event["parentID"].as_str());
    for list in ["epcList", "childEPCs", "inputEPCList", "outputEPCList"] {
        for id in event[list].as_array().into_iter().flatten() {
            product(id.as_str());
        }
    }
    for list in ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] {
        for element in event[list].as_array().into_iter().flatten() {
            product(element["epcClass"].as_str());
        }
    }
    (glns, gtins)
}

/// The producers of GTINs and their regions, as registered: `gtin → (uscc, region)`.
async fn producers(state: &Services, gtins: &BTreeSet<String>) -> Result<HashMap<String, (String, String)>, ApiError> {
    let mut out = HashMap::new();
    for gtin in gtins {
        let Some(product) = state.store.product(&crate::input::stored_gtin(gtin)?).await? else { continue };
        let region = state
            .store
            .organization(&crate::input::stored_uscc(&product.uscc)?)
            .await?
            .map(|o| o.region_code)
            .unwrap_or_default();
        out.insert(gtin.clone(), (product.uscc, region));
    }
    Ok(out)
}

/// Which of `events` the scope may read, in order.
pub async fn visible(state: &Services, scope: &ReadScope, events: &[Value]) -> Result<Vec<bool>, ApiError> {
    if *scope == ReadScope::All {
        return Ok(vec![true; events.len()]);
    }
    let keys: Vec<(Vec<String>, Vec<String>)> = events.iter().map(event_keys).collect();
    let mut glns: Vec<String> = keys.iter().flat_map(|(g, _)| g.iter().cloned()).collect();
    glns.sort();
    glns.dedup();
    let registrations = state.store.gln_registrations(&glns).await?;
    let gtins: BTreeSet<String> = keys.iter().flat_map(|(_, g)| g.iter().cloned()).collect();
    let producers = producers(state, &gtins).await?;
    Ok(keys
        .iter()
        .map(|(glns, gtins)| match scope {
            ReadScope::All => true,
            ReadScope::Enterprise(uscc) => {
                glns.iter().any(|g| registrations.get(g).and_then(|r| r.uscc.as_ref()) == Some(uscc))
                    || gtins.iter().any(|g| producers.get(g).is_some_and(|(producer, _)| producer == uscc))
            }
            ReadScope::Region(prefix) => {
                glns.iter().any(|g| registrations.get(g).is_some_and(|r| r.region_code.starts_with(prefix.as_str())))
                    || gtins
                        .iter()
                        .any(|g| producers.get(g).is_some_and(|(_, region)| region.starts_with(prefix.as_str())))
            }
        })
        .collect())
}

/// Whether the scope may run this trace: an enterprise forward from its own products only, a regulator from
/// products made in its region.
pub async fn may_trace(state: &Services, scope: &ReadScope, start: &str, direction: Direction) -> Result<(), ApiError> {
    if *scope == ReadScope::All {
        return Ok(());
    }
    let gtin = epcis::gtin_of(&epcis::canonical_id(start));
    let producer = match &gtin {
        Some(gtin) => producers(state, &BTreeSet::from([gtin.clone()])).await?.remove(gtin),
        None => None,
    };
    match (scope, producer) {
        (ReadScope::Enterprise(uscc), Some((producer, _))) if *uscc == producer => {
            if direction == Direction::Forward {
                Ok(())
            } else {
                Err(ApiError::forbidden(
                    "an enterprise traces its own products forward (where they went); the backward trace is the regulators'",
                ))
            }
        }
        (ReadScope::Region(prefix), Some((_, region))) if region.starts_with(prefix.as_str()) => Ok(()),
        (ReadScope::Enterprise(_), _) => {
            Err(ApiError::forbidden(format!("{start} is not a product registered to this enterprise")))
        }
        _ => Err(ApiError::forbidden(format!("{start} is not a product made in this regulator's jurisdiction"))),
    }
}
