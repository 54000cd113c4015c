//! Testing bodies: labs registered, a lab's scope uploaded (all or nothing, an unknown edition named by its row),
//! and an SME's search for a lab that tests a product to a standard edition, by region.

use axum::http::{Method, StatusCode};

use crate::{TestApp, LAB_USCC};

fn jiangsu_lab() -> String {
    codes::Uscc::assemble("12320000", "46600011").unwrap().to_string()
}

fn labs_of(found: &serde_json::Value) -> Vec<&str> {
    found.as_array().unwrap().iter().map(|m| m["lab"]["uscc"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn an_sme_finds_a_lab_for_a_product_and_a_standard_edition() {
    let test = TestApp::new().await;
    let labs = format!(
        "uscc,name,cma,cnas,region_code\n{LAB_USCC},浙江省产品质量检验研究院,160011050398,CNAS L0123,330100\n{},江苏省产品质量监督检验研究院,160010340287,,320100\n",
        jiangsu_lab()
    );
    let empty = test.state.store.row_counts().await.unwrap();
    for other in [&test.hangzhou_regulator, &test.lab, &test.enterprise] {
        let (status, _) = test.send_text("/api/v1/labs", other, "text/csv", &labs).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), empty, "a refused registration stores nothing");
    let (status, receipt) = test.send_text("/api/v1/labs", &test.admin, "text/csv", &labs).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");

    let header = "lab,product,parameter,standard,method,limitation,suspended\n";
    let own = format!(
        "{header}{LAB_USCC},K23-06-01,可迁移元素 铅,GB 6675.4-2014 4.2,ICP-MS,,\n\
         {LAB_USCC},K23-06-01,小零件,GB 6675.2-2014 4.1,,,\n\
         {LAB_USCC},K23-07-01,总迁移量,GB 4806.7-2016 4.2,,,\n"
    );
    let bad = format!(
        "{own}{LAB_USCC},K23-06-01,燃烧性能,GB 9999-2020 5,,,\n{},K23-06-01,小零件,GB 6675.2-2014 4.1,,,\n{LAB_USCC},K99,x,GB 6675.2-2014,,,\n",
        jiangsu_lab()
    );
    let before = test.state.store.row_counts().await.unwrap();
    let (status, rejected) = test.send_text("/api/v1/labs/scopes", &test.lab, "text/csv", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(5, "standard", "invalid_request"), (6, "lab", "forbidden"), (7, "product", "invalid_request")]);
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a rejected upload stores nothing");
    let (status, _) = test.send_text("/api/v1/labs/scopes", &test.enterprise, "text/csv", &own).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused upload stores nothing");
    let (status, receipt) = test.send_text("/api/v1/labs/scopes", &test.lab, "text/csv", &own).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let other = format!(
        "{header}{0},K23-06-01,可迁移元素 铅,GB 6675.4-2014 4.2.1,,,\n{0},K23-06-01,小零件,GB 6675.2-2014 4.1,,,是\n",
        jiangsu_lab()
    );
    let (status, receipt) = test.send_text("/api/v1/labs/scopes", &test.admin, "text/csv", &other).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");

    // The earlier toy category finds the catalogue's toy labs; a standard without its year means its current editions.
    let (status, found) = test.get_json("/api/v1/labs?product=0401&standard=GB%206675.4&clause=4.2").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let mut both = labs_of(&found);
    both.sort();
    let mut expected = vec![LAB_USCC.to_owned(), jiangsu_lab()];
    expected.sort();
    assert_eq!(both, expected);
    let (_, zhejiang) = test.get_json("/api/v1/labs?product=0401&standard=GB%206675.4&region=33").await;
    assert_eq!(labs_of(&zhejiang), [LAB_USCC]);
    let (_, suspended) = test.get_json("/api/v1/labs?product=K23-06-01&standard=GB%206675.2-2014").await;
    assert_eq!(labs_of(&suspended), [LAB_USCC], "a suspended item does not count");
    let (_, none) = test.get_json("/api/v1/labs?product=K23-06-01&standard=GB%206675.4&clause=5").await;
    assert_eq!(none, serde_json::json!([]));

    // Only a superseded edition is in scope: not found among current editions unless asked.
    let (_, current) = test.get_json("/api/v1/labs?product=K23-07-01&standard=GB%204806.7").await;
    assert_eq!(current, serde_json::json!([]));
    let (_, any) = test.get_json("/api/v1/labs?product=K23-07-01&standard=GB%204806.7&all_editions=true").await;
    assert_eq!(labs_of(&any), [LAB_USCC]);
    let (status, bad) = test.get_json("/api/v1/labs?standard=GB%206675.4").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    let (status, lab) = test.get_json(&format!("/api/v1/labs/{LAB_USCC}")).await;
    assert_eq!(status, StatusCode::OK, "{lab}");
    assert_eq!(lab["scope"].as_array().unwrap().len(), 3);
    let flagged: Vec<&str> = lab["citations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["flagged"] == true)
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["GB 4806.7-2016"]);
    let (status, _) = test.send(Method::GET, "/api/v1/labs/91330106MA27XL1Q3A", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The lab page links each scope row to the measurement standards filed for its edition; an expired one is marked.
    let standards = format!(
        "certificate_number,holder_uscc,name,range,uncertainty,valid_until,serves
         MS-LEAD,{LAB_USCC},电感耦合等离子体质谱仪校准装置,(0.1~100) mg/kg,2%,2030-06-30,GB 6675.4-2014
         MS-OLD,{LAB_USCC},旧装置,1 mg/kg,5%,2020-06-30,GB 6675.4-2014
"
    );
    let (status, receipt) = test.send_text("/api/v1/measurement-standards", &test.lab, "text/csv", &standards).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, page) = test.send(Method::GET, &format!("/labs/{LAB_USCC}"), None, None).await;
    let lead_row = page.split("<tr>").find(|row| row.contains("可迁移元素 铅")).expect("the lead row");
    assert!(lead_row.contains("href=\"#ms-MS-LEAD\"") && lead_row.contains("href=\"#ms-MS-OLD\""), "{lead_row}");
    assert!(lead_row.contains("已过期"), "{lead_row}");
    let parts_row = page.split("<tr>").find(|row| row.contains("小零件")).expect("the small-parts row");
    assert!(!parts_row.contains("#ms-"), "{parts_row}");
    assert!(page.contains("id=\"ms-MS-LEAD\""));
}

/// A campaign lists its test items; a lab is assigned only when its scope covers some of them for the
/// campaign's product, the answer names the items no assigned lab covers, and samples go only to assigned labs.
#[tokio::test]
async fn a_campaign_assigns_only_labs_whose_scope_covers_its_test_items() {
    let test = TestApp::new().await;
    let labs = format!(
        "uscc,name,cma,cnas,region_code\n{LAB_USCC},浙江省产品质量检验研究院,160011050398,,330100\n{},江苏省产品质量监督检验研究院,160010340287,,320100\n",
        jiangsu_lab()
    );
    let (status, _) = test.send_text("/api/v1/labs", &test.admin, "text/csv", &labs).await;
    assert_eq!(status, StatusCode::OK);
    let scopes = format!(
        "lab,product,parameter,standard,method,limitation,suspended\n\
         {LAB_USCC},K23-06-01,可迁移元素,GB 6675.4-2014 4,,,\n\
         {LAB_USCC},K23-06-01,小零件,GB 6675.2-2014 4.1,,,\n\
         {LAB_USCC},K23-07-01,燃烧性能,GB 6675.3-2014,,,\n\
         {0},K23-06-01,可迁移元素,GB 6675.4-2014 4.2.1,,,\n\
         {0},K23-06-01,小零件,GB 6675.2-2014 4.1,,,是\n",
        jiangsu_lab()
    );
    let (status, receipt) = test.send_text("/api/v1/labs/scopes", &test.admin, "text/csv", &scopes).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let plan = serde_json::json!({"id": "2026-HZ-TOYS", "level": "city", "product_category": "0401", "year": 2026});
    let (status, campaign) = test.write(Method::POST, "/api/v1/campaigns", Some(&test.hangzhou_regulator), plan).await;
    assert_eq!(status, StatusCode::CREATED, "{campaign}");

    let labs_uri = "/api/v1/campaigns/2026-HZ-TOYS/labs";
    let assign = |lab: String| serde_json::json!({"lab_uscc": lab});
    let (status, early) =
        test.write(Method::POST, labs_uri, Some(&test.hangzhou_regulator), assign(LAB_USCC.into())).await;
    assert_eq!((status, early["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")), "items first: {early}");

    let items_uri = "/api/v1/campaigns/2026-HZ-TOYS/test-items";
    let items = |third: &str| {
        serde_json::json!({"items": [
            {"parameter": "可迁移元素 铅", "standard": "GB 6675.4-2014 4.2"},
            {"parameter": "小零件", "standard": "GB 6675.2-2014 4.1"},
            {"parameter": "燃烧性能", "standard": third},
        ]})
    };
    let (status, unknown) =
        test.write(Method::PUT, items_uri, Some(&test.hangzhou_regulator), items("GB 6675.3-1999 5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an edition the catalogue does not hold: {unknown}");
    let (status, _) = test.write(Method::PUT, items_uri, Some(&test.enterprise), items("GB 6675.3-2014 5")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, set) =
        test.write(Method::PUT, items_uri, Some(&test.hangzhou_regulator), items("GB 6675.3-2014 5")).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["uncovered"].as_array().unwrap().len(), 3, "no lab assigned yet");

    // The Jiangsu lab's lead row is for a narrower clause, its small-parts row is suspended: it covers nothing.
    let (status, refused) =
        test.write(Method::POST, labs_uri, Some(&test.hangzhou_regulator), assign(jiangsu_lab())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("covers none"), "{refused}");
    let (status, covered) =
        test.write(Method::POST, labs_uri, Some(&test.hangzhou_regulator), assign(LAB_USCC.into())).await;
    assert_eq!(status, StatusCode::OK, "{covered}");
    let by_item: Vec<usize> =
        covered["items"].as_array().unwrap().iter().map(|i| i["labs"].as_array().unwrap().len()).collect();
    assert_eq!(by_item, [1, 1, 0], "clause 4 covers 4.2; flammability is in scope for another product only");
    assert_eq!(covered["uncovered"][0]["edition"], "GB 6675.3-2014", "{covered}");
    let (_, read) = test.get_json(labs_uri).await;
    assert_eq!(read["labs"][0]["uscc"], LAB_USCC);

    // A sample goes to an assigned lab only.
    test.organization(crate::OWN_USCC, "杭州玩具有限公司", "330106").await;
    test.organization(&jiangsu_lab(), "江苏省产品质量监督检验研究院", "320100").await;
    let sample = serde_json::json!({"sample_id": "S-TOY-1", "campaign_id": "2026-HZ-TOYS", "uscc": crate::OWN_USCC,
        "sampled_on": service::today().to_string(), "channel": "production", "lab_uscc": jiangsu_lab()});
    let (status, refused) = test.write(Method::POST, "/api/v1/samples", Some(&test.hangzhou_regulator), sample).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("not assigned"), "{refused}");
    let page = test.send(Method::GET, "/campaigns/2026-HZ-TOYS", None, None).await.1;
    assert!(
        page.contains("无承检机构覆盖") && page.contains("GB 6675.3-2014"),
        "the campaign page names the uncovered item"
    );

    // The same through the campaign page's forms, signed in as the regulator.
    let plan = serde_json::json!({"id": "2026-HZ-TOYS2", "level": "city", "product_category": "0401", "year": 2026});
    let (status, _) = test.write(Method::POST, "/api/v1/campaigns", Some(&test.hangzhou_regulator), plan).await;
    assert_eq!(status, StatusCode::CREATED);
    let cookie = test.session_cookie("regulator", "k1").await;
    let lines = "可迁移元素 铅 | GB 6675.4-2014 4.2\n小零件 | GB 6675.2-2014 4.1\n";
    let form = format!("csrf=k1&items={}", webkit::layout::urlencode(lines));
    let (status, location, body) = test.post_form("/campaigns/2026-HZ-TOYS2/test-items", &cookie, &form).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/campaigns/2026-HZ-TOYS2")), "{body}");
    let form = format!("csrf=k1&lab_uscc={}", jiangsu_lab());
    let (status, _, _) = test.post_form("/campaigns/2026-HZ-TOYS2/labs", &cookie, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a lab covering nothing is refused on the page too");
    let form = format!("csrf=k1&lab_uscc={LAB_USCC}");
    let (status, _, _) = test.post_form("/campaigns/2026-HZ-TOYS2/labs", &cookie, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, coverage) = test.get_json("/api/v1/campaigns/2026-HZ-TOYS2/labs").await;
    assert_eq!(coverage["uncovered"], serde_json::json!([]), "{coverage}");
    let stale = test.post_form("/campaigns/2026-HZ-TOYS2/labs", &cookie, "csrf=k2&lab_uscc=x").await.0;
    assert_eq!(stale, StatusCode::FORBIDDEN, "a stale form token is refused");
}
