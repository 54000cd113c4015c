//! The key-product catalogue as data: the shipped classes and products with their regimes, the earlier
//! categories mapped onto them, an administrator's load (all or nothing, every misfit named by its row) that
//! pages and checks use at once, and a retired product refused for new records.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{TestApp, OWN_USCC};

fn codes(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn the_shipped_catalogue_lists_regimes_and_maps_the_earlier_categories() {
    let test = TestApp::new().await;
    let (status, ccc) = test.get_json("/api/v1/catalogue/entries?regime=ccc").await;
    assert_eq!(status, StatusCode::OK, "{ccc}");
    let ccc = codes(&ccc);
    assert!(ccc.contains(&"K23-06-01") && ccc.contains(&"0401"), "toys, old and new code: {ccc:?}");
    assert!(!ccc.contains(&"K23-01-03"), "cement needs a licence, not CCC");
    let (_, classes) = test.get_json("/api/v1/catalogue/entries?edition=2023").await;
    let classes: Vec<&Value> = classes.as_array().unwrap().iter().filter(|e| e["level"] == "class").collect();
    assert_eq!(classes.len(), 13);

    let (status, toys) = test.get_json("/api/v1/catalogue/entries/K23-06-01").await;
    assert_eq!(status, StatusCode::OK, "{toys}");
    assert_eq!(toys["name_zh"], "玩具");
    assert_eq!(codes(&toys["mapped_from"]), ["0401"]);
    assert_eq!(toys["regimes"], json!(["sampling", "ccc", "monitoring", "recall"]));
    let (_, old) = test.get_json("/api/v1/catalogue/entries/0401").await;
    assert_eq!((old["maps_to"].as_str(), &old["regimes"]), (Some("K23-06-01"), &toys["regimes"]));
    let (_, class) = test.get_json("/api/v1/catalogue/entries/K23-06").await;
    assert!(codes(&class["products"]).contains(&"K23-06-04"));
    let (status, missing) = test.get_json("/api/v1/catalogue/entries/K99").await;
    assert_eq!((status, missing["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, bad) = test.get_json("/api/v1/catalogue/entries?regime=3c").await;
    assert_eq!((status, bad["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_kind")));

    // The older route lists the same table.
    let (_, categories) = test.get_json("/api/v1/categories").await;
    assert!(codes(&categories["items"]).contains(&"K23-05-02"));
}

const ADD: &str = "code,name_zh,name_en,level,parent,edition,regimes,maps_to,listing\n\
K23-09-01,老年人助行器,Walking aids for older people,product,K23-09,2023,监督抽查;风险监测;recall,,\n";

#[tokio::test]
async fn an_administrator_adds_a_product_that_records_may_name_at_once() {
    let test = TestApp::new().await;
    test.organization(OWN_USCC, "杭州助行器械有限公司", "330106").await;
    let product =
        json!({"gtin": "6901234567892", "name": "折叠助行器", "uscc": OWN_USCC, "category_code": "K23-09-01"});
    let (status, refused) = test.write(Method::POST, "/api/v1/products", Some(&test.admin), product.clone()).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")), "{refused}");

    let uri = "/api/v1/catalogue/entries?note=provincial%20addition";
    let before = test.state.store.row_counts().await.unwrap();
    for token in [&test.hangzhou_regulator, &test.enterprise, &test.lab] {
        let (status, _) = test.send_text(uri, token, "text/csv", ADD).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused load stores nothing");

    // Every misfit is named by its line, and nothing of the load is stored.
    let bad = "code,name_zh,name_en,level,parent,edition,regimes,maps_to,listing\n\
K23-09-01,老年人助行器,Walking aids,product,K23-09,2023,监督抽查,,\n\
K23-09-02,老年鞋,Shoes for older people,product,K23-99,2023,sampling,,\n\
K23-09-03,老年手机,Phones for older people,product,K23-09,2023,,,\n\
K 23,坏,Bad,product,K23-09,2023,sampling,,\n\
K23-09-04,护理床,Care beds,group,K23-09,2023,sampling,,\n";
    let (status, rejected) = test.send_text(uri, &test.admin, "text/csv", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(5, "code", "invalid_request"), (6, "level", "invalid_kind")], "fields first: {rejected}");
    let whole = "code,name_zh,name_en,level,parent,edition,regimes,maps_to,listing\n\
K23-09-02,老年鞋,Shoes for older people,product,K23-99,2023,sampling,,\n\
K23-09-03,老年手机,Phones for older people,product,K23-09,2023,,,\n\
K23-06,儿童用品,Children's products,class,,2023,,,retired\n";
    let (status, rejected) = test.send_text(uri, &test.admin, "text/csv", whole).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(2, "parent"), (3, "regimes"), (4, "listing")], "{rejected}");
    assert_eq!(test.state.store.row_counts().await.unwrap(), before);

    let (status, receipt) = test.send_text(uri, &test.admin, "text/csv", ADD).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!((receipt["added"].as_u64(), receipt["changed"].as_u64()), (Some(1), Some(0)));
    let (status, body) = test.write(Method::POST, "/api/v1/products", Some(&test.admin), product).await;
    assert_eq!(status, StatusCode::CREATED, "the new product is accepted without a restart: {body}");
    let (status, page) = test.send(Method::GET, "/catalogue/K23-09-01", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("老年人助行器") && page.contains("缺陷产品召回"), "{page}");

    // Retiring it keeps the earlier version and refuses it for new records; older records still read.
    let retire = json!({"entries": [{"code": "K23-09-01", "name_zh": "老年人助行器", "name_en": "Walking aids for older people",
        "level": "product", "parent": "K23-09", "edition": "2023", "regimes": "sampling;monitoring;recall", "listing": "retired"}]});
    let (status, receipt) = test.write(Method::POST, "/api/v1/catalogue/entries", Some(&test.admin), retire).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, entry) = test.get_json("/api/v1/catalogue/entries/K23-09-01").await;
    assert_eq!((entry["listing"].as_str(), entry["history"][0]["listing"].as_str()), (Some("retired"), Some("listed")));
    let another = json!({"gtin": "6901234567809", "name": "助行器", "uscc": OWN_USCC, "category_code": "K23-09-01"});
    let (status, refused) = test.write(Method::POST, "/api/v1/products", Some(&test.admin), another).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["message"].as_str().unwrap().contains("retired"), "{refused}");
    let (_, imports) = test.get_json("/api/v1/catalogue/imports").await;
    let sources: Vec<&str> = imports.as_array().unwrap().iter().map(|i| i["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["loaded", "loaded", "shipped"]);
    assert_eq!(imports[1]["note"], "provincial addition");
}
