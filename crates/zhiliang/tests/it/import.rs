//! `zhiliang import`: every rejected row reported with its line and reason, keys updated not duplicated,
//! exit codes 0 / 2 / 1, and a crash that loses only the batch in progress.

use crate::{rejects, stderr, stdout, Scratch};

const GOOD_A: &str = "91350100M000100Y43";
const GOOD_B: &str = "91110000600037341L";

#[tokio::test]
async fn csv_import_reports_rejects_and_updates_on_reimport() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "orgs.csv",
        &format!(
            "uscc,name,region_code,registered_on\n\
             {GOOD_A},福州闽江食品厂,,2016-01-02\n\
             91350100M000100Y44,校验位错误公司,,\n\
             {GOOD_B},北京某某有限公司,,\n\
             ,没有代码的公司,,\n\
             91211302JURQ283F54,日期错误公司,,2016-02-30\n\
             91211302JURQ283F54,地区错误公司,999999,\n\
             only,two\n"
        ),
    );
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 2, updated 0, rejected 5");
    let rows = rejects(&scratch.dir.path().join("orgs.csv.rejects.csv"));
    assert_eq!(
        rows,
        [
            "3,uscc,invalid_uscc,check character (character 18) is '4', expected '3'",
            "5,uscc,invalid_uscc,uscc is required",
            "6,registered_on,invalid_request,'2016-02-30' is not a date YYYY-MM-DD",
            "7,region_code,invalid_region,region code 999999 is not in the GB/T 2260 code history",
            "8,,invalid_row,row has 2 fields, the header has 4",
        ]
    );

    // Importing again updates the same keys instead of duplicating them.
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), "imported 0, updated 2, rejected 5");
    assert_eq!(scratch.store().await.count_organizations().await.unwrap(), 2);
}

#[tokio::test]
async fn json_lines_products_need_registered_producers() {
    let scratch = Scratch::new();
    let orgs = scratch.file("orgs.jsonl", &format!("{{\"uscc\": \"{GOOD_A}\", \"name\": \"福州闽江食品厂\"}}\n"));
    assert_eq!(scratch.run(&["import", "organizations", orgs.to_str().unwrap()]).status.code(), Some(0));
    let products = scratch.file(
        "products.jsonl",
        &format!(
            "{{\"gtin\": \"6901234567892\", \"name\": \"鱼丸\", \"uscc\": \"{GOOD_A}\", \"category_code\": \"0103\"}}\n\
             {{\"gtin\": \"6901234567809\", \"name\": \"鱼丸\", \"uscc\": \"{GOOD_B}\"}}\n\
             {{\"gtin\": \"6901234567890\", \"name\": \"坏条码\", \"uscc\": \"{GOOD_A}\"}}\n\
             not json\n\
             {{\"gtin\": 6901234567816, \"name\": \"数字条码\", \"uscc\": \"{GOOD_A}\", \"colour\": \"red\"}}\n"
        ),
    );
    let output = scratch.run(&["import", "products", products.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 1, updated 0, rejected 4");
    let rows = rejects(&scratch.dir.path().join("products.jsonl.rejects.csv"));
    for expected in [
        "3,gtin,invalid_gtin,check digit is '0', expected '2'",
        "4,,invalid_json,not valid JSON: expected ident at line 1 column 2",
        "5,colour,invalid_request,unknown field 'colour'",
        &format!("2,uscc,unknown_organization,producer {GOOD_B} is not registered"),
    ] {
        assert!(rows.iter().any(|row| row == expected), "{expected} not in {rows:?}");
    }
    let store = scratch.store().await;
    assert_eq!(
        store.product(&"06901234567892".parse().unwrap()).await.unwrap().unwrap().category_code.as_deref(),
        Some("0103")
    );
}

#[tokio::test]
async fn nothing_importable_exits_1_and_bad_headers_import_nothing() {
    let scratch = Scratch::new();
    let all_bad = scratch.file("bad.csv", "uscc,name\n91350100M000100Y44,x\n123,y\n");
    let output = scratch.run(&["import", "organizations", all_bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).trim(), "imported 0, updated 0, rejected 2");

    let unknown_column = scratch.file("cols.csv", &format!("uscc,name,colour\n{GOOD_A},x,red\n"));
    let output = scratch.run(&["import", "organizations", unknown_column.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("line 1: unknown column 'colour'"), "{}", stderr(&output));
    let missing = scratch.file("missing.csv", &format!("uscc\n{GOOD_A}\n"));
    let output = scratch.run(&["import", "organizations", missing.to_str().unwrap()]);
    assert!(stderr(&output).contains("required column 'name' is missing"), "{}", stderr(&output));
    assert_eq!(scratch.store().await.count_organizations().await.unwrap(), 0);
}

#[tokio::test]
async fn a_killed_import_keeps_whole_batches_only() {
    let scratch = Scratch::new();
    let mut csv = String::from("uscc,name\n");
    for i in 0..60_000usize {
        let body = format!("MB{:06}", i);
        let uscc = codes::Uscc::assemble("91330106", &body).unwrap();
        csv.push_str(&format!("{uscc},杭州测试{i}号食品有限公司\n"));
    }
    let file = scratch.file("big.csv", &csv);
    // Make sure the schema exists so the count below measures only the import.
    scratch.store().await.close().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["import", "organizations", file.to_str().unwrap(), "--batch-size", "1000"])
        .env("ZHILIANG_DATABASE_URL", scratch.url())
        .env("ZHILIANG_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches have committed (or it has finished).
    let store = scratch.store().await;
    // Up to 60 s: a slow machine may take seconds to load the segmenter's dictionary before the first batch.
    for _ in 0..6000 {
        if store.count_organizations().await.unwrap() >= 3000 || child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().ok();
    child.wait().unwrap();
    let count = store.count_organizations().await.unwrap();
    assert!(count > 0, "some batches committed before the kill");
    assert_eq!(count % 1000, 0, "a partial batch is visible: {count}");
    // Resuming the import completes it without duplicates.
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), format!("imported {}, updated {count}, rejected 0", 60_000 - count));
}

#[tokio::test]
async fn inspection_results_import_with_consistent_campaigns_and_strata() {
    let scratch = Scratch::new();
    let header = "sample_id,campaign_id,campaign_level,sampled_on,product_category,uscc,region_code,channel,verdict,failed_items,stratum,stratum_population\n";
    let file = scratch.file(
        "results.csv",
        &format!(
            "{header}\
             S1,2025-GC-01,国家,2025-03-02,0401,{GOOD_A},350102,流通,合格,,A,500\n\
             S2,2025-GC-01,national,2025-03-02,0401,{GOOD_A},350102,online,不合格,GB 6675.2-2014 4.1,A,500\n\
             S3,2025-GC-01,national,2025-03-02,0401,{GOOD_A},350102,retail,pass,,A,800\n\
             S4,2025-GC-01,provincial,2025-03-02,0401,{GOOD_A},350102,retail,pass,,A,500\n\
             S5,2025-GC-01,national,2025-03-02,9999,{GOOD_A},350102,retail,pass,,A,500\n\
             S6,2025-GC-01,national,2999-01-01,0401,{GOOD_A},350102,retail,pass,,A,500\n\
             S7,2025-GC-01,national,2025-03-02,0401,{GOOD_A},350102,retail,maybe,,A,500\n\
             S8,2025-GC-01,national,2025-03-02,0401,{GOOD_A},350102,retail,pass,小零件,A,500\n"
        ),
    );
    let output = scratch.run(&["import", "inspections", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 2, updated 0, rejected 6");
    let rows = rejects(&scratch.dir.path().join("results.csv.rejects.csv"));
    assert_eq!(
        rows,
        [
            "4,stratum_population,invalid_request,stratum population 800 differs from 500 in an earlier row",
            "5,campaign_level,invalid_request,campaign 2025-GC-01 is national in an earlier row",
            "6,product_category,invalid_request,'9999' is not a code of the product catalogue",
            "7,sampled_on,invalid_request,2999-01-01 is in the future",
            "8,verdict,invalid_request,verdict 'maybe' is not one of pass, fail",
            "9,failed_items,invalid_request,a passing sample has no failed items",
        ]
    );
    // A later file may not change the recorded stratum population either.
    let later = scratch.file(
        "later.csv",
        &format!("{header}S9,2025-GC-01,national,2025-04-01,0401,{GOOD_A},350102,retail,pass,,A,900\n"),
    );
    let output = scratch.run(&["import", "inspections", later.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let rows = rejects(&scratch.dir.path().join("later.csv.rejects.csv"));
    assert_eq!(rows, ["2,stratum_population,invalid_request,stratum population 900 differs from the recorded 500"]);
}

#[tokio::test]
async fn injury_cases_import_with_every_bad_row_named() {
    let scratch = Scratch::new();
    let hospital = codes::Uscc::assemble("12330100", "H0000001").unwrap().to_string();
    let header = "case_id,treated_on,hospital_id,stratum,weight,age,sex,product_code,body_part,diagnosis,disposition,hazard_code,narrative\n";
    let file = scratch.file(
        "injuries.csv",
        &format!(
            "{header}\
             I1,2026-03-02,{hospital},S1,25,34,男,0503,手,烧烫伤,处理后离院,battery_fire,充电时起火\n\
             I2,2026-03-03,{hospital},S1,25,8,female,0401,head,contusion,observed,,\n\
             I3,2026-03-03,{hospital},S1,25,140,male,0401,head,contusion,observed,,\n\
             I4,2026-03-03,12330100H0000009,S1,25,40,male,0401,head,contusion,observed,,\n\
             I5,2026-03-03,{hospital},S1,25,40,male,0401,elbow,contusion,observed,,\n\
             I6,2026-03-03,{hospital},S1,-3,40,male,0401,head,contusion,observed,,\n"
        ),
    );
    let output = scratch.run(&["import", "injuries", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 2, updated 0, rejected 4");
    let rows = rejects(&scratch.dir.path().join("injuries.csv.rejects.csv"));
    assert_eq!(rows.len(), 4, "{rows:?}");
    for (row, (line, field)) in
        rows.iter().zip([("4", "age"), ("5", "hospital_id"), ("6", "body_part"), ("7", "weight")])
    {
        assert!(row.starts_with(&format!("{line},{field},")), "{row}");
    }
    let store = scratch.store().await;
    let case = store.injury_case("I1").await.unwrap().unwrap();
    assert_eq!((case.sex.as_str(), case.body_part.as_str(), case.diagnosis.as_str()), ("male", "hand", "burn"));
    assert_eq!(store.hospital(&hospital.parse().unwrap()).await.unwrap().unwrap().region_code, "330100");
    // Importing again corrects rather than duplicates.
    let output = scratch.run(&["import", "injuries", file.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), "imported 0, updated 2, rejected 4");
}

#[tokio::test]
async fn historical_complaints_import_routed_and_classified_with_every_bad_row_named() {
    let scratch = Scratch::new();
    let header = "tracking_number,kind,received_on,submitter_name,submitter_phone,respondent_name,respondent_address,facts,outcome,closed_on,anonymous\n";
    let file = scratch.file(
        "complaints.csv",
        &format!(
            "{header}\
             TS2025001,complaint,2025-03-02,王五,13800000001,某电动车店,浙江省杭州市西湖区文三路,电动车电池充电起火,mediated_settlement,2025-03-20,\n\
             TS2025002,complaint,2025-03-03,赵六,13800000002,某服装店,上海市浦东新区世纪大道,羽绒服起球质量差,,,\n\
             TS2025003,complaint,2025-03-03,赵六,13800000002,某服装店,某某路,羽绒服起球质量差,,,\n\
             TS2025004,complaint,2025-03-03,,13800000002,某服装店,上海市浦东新区,羽绒服起球质量差,,,\n\
             TS2025005,report,2025-03-04,,,某作坊,广东省深圳市南山区,生产无标签充电宝,case_opened,2025-02-01,true\n\
             TS2025006,report,2025-03-04,,,某作坊,广东省深圳市南山区,生产无标签充电宝,case_opened,2025-03-10,yes\n\
             TS2025007,complaint,2025-03-05,钱七,13800000003,某超市,北京市朝阳区,奶粉结块变质,lost,2025-03-09,\n"
        ),
    );
    let output = scratch.run(&["import", "complaints", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 2, updated 0, rejected 5");
    let rows = rejects(&scratch.dir.path().join("complaints.csv.rejects.csv"));
    let mut named: Vec<(String, String)> = rows
        .iter()
        .map(|r| r.split(',').take(2).map(str::to_owned).collect::<Vec<_>>())
        .map(|v| (v[0].clone(), v[1].clone()))
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            ("4", "respondent_address"),
            ("5", "submitter_name"),
            ("6", "closed_on"),
            ("7", "anonymous"),
            ("8", "outcome")
        ]
        .map(|(l, f)| (l.to_owned(), f.to_owned()))
    );
    let store = scratch.store().await;
    let (counts, _) = (
        store
            .complaint_counts(store::complaints::ComplaintGroup::Province, "2025-01-01", "2025-12-31", "")
            .await
            .unwrap(),
        (),
    );
    assert_eq!(counts, [("310000".to_owned(), 1), ("330000".to_owned(), 1)]);
    let queue = store.complaint_queue("", "2099-01-01", 10).await.unwrap();
    assert_eq!(queue.len(), 1, "the closed case has no deadline running");
    assert_eq!((queue[0].tracking_number.as_str(), queue[0].handling_region.as_str()), ("TS2025002", "310115"));
    assert_eq!(queue[0].category.as_deref(), Some("0301"));
    // Importing again refuses every row rather than duplicating it.
    let output = scratch.run(&["import", "complaints", file.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), "imported 0, updated 0, rejected 7");
}

/// An unterminated quote used to swallow the rest of the file into one record: half the rows vanished while a
/// few hundred rejects were reported. Now the damaged line is rejected and every other line is imported.
#[tokio::test]
async fn a_broken_quote_costs_its_own_line_and_every_record_is_counted() {
    let scratch = Scratch::new();
    let mut text = String::from("uscc,name,address\n");
    for i in 0..1_000 {
        let uscc = codes::Uscc::assemble("91330100", &format!("{i:08}")).unwrap();
        let address = if i == 10 { "\"杭州市西湖区,未闭合".to_owned() } else { format!("杭州市{i}号") };
        text.push_str(&format!("{uscc},杭州企业{i},{address}\n"));
    }
    let file = scratch.file("broken.csv", &text);
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "imported 999, updated 0, rejected 1");
    let rows = rejects(&scratch.dir.path().join("broken.csv.rejects.csv"));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with("12,,invalid_row,a quote opened on this line is not closed"), "{rows:?}");
    assert_eq!(scratch.store().await.count_organizations().await.unwrap(), 999);
}

/// An import acts as a named account: its batches' audit rows and the closing import row carry it; an unknown
/// account imports nothing.
#[tokio::test]
async fn an_import_as_a_named_account_is_audited_with_it() {
    let scratch = Scratch::new();
    let clerk = store::NewUser {
        name: "登记员".into(),
        role: store::Role::Regulator,
        region_code: Some("350100".into()),
        uscc: None,
        login: Some("fz-clerk".into()),
        password: None,
    };
    let (clerk, _) = scratch.store().await.add_user(&clerk).await.unwrap();
    let file = scratch.file("orgs.csv", &format!("uscc,name\n{GOOD_A},福州闽江食品厂\n"));
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap(), "--as", "nobody"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no account signs in as 'nobody'"), "{}", stderr(&output));
    assert_eq!(scratch.store().await.count_organizations().await.unwrap(), 0);
    let output = scratch.run(&["import", "organizations", file.to_str().unwrap(), "--as", "fz-clerk"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let store = scratch.store().await;
    let batch = store.audit_entries("organization", "batch of 1").await.unwrap();
    assert_eq!(batch.iter().map(|e| e.user_id).collect::<Vec<_>>(), [Some(clerk.id)]);
    let run = store.audit_entries("import", "organizations orgs.csv").await.unwrap();
    assert_eq!(run.len(), 1);
    assert_eq!((run[0].user_id, run[0].after.as_ref().unwrap()["inserted"].as_u64()), (Some(clerk.id), Some(1)));
    assert_eq!(run[0].after.as_ref().unwrap()["account"], "fz-clerk");
}
