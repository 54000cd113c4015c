//! Special equipment and legal metrology: the registering region's regulator registers equipment (all or
//! nothing, every rejected row named), an inspection body records inspections that move the due day, and the
//! regulator's queue lists what is overdue, due within the month or failed; an owner files its instruments, an
//! institute records verifications, a lab files its measurement standards.

use axum::http::{Method, StatusCode};
use chrono::{Days, Months};
use serde_json::Value;

use crate::{TestApp, LAB_USCC, OWN_USCC};

const EQUIPMENT: &str =
    "code,user_uscc,registration_number,region_code,location,in_service_on,registered_on,next_inspection_due\n";

async fn queue(test: &TestApp, uri: &str, token: &str) -> (StatusCode, Value) {
    let (status, text) = test.send(Method::GET, uri, Some(token), None).await;
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")))
}

fn codes_in(queue: &Value, field: &str) -> Vec<String> {
    queue.as_array().unwrap().iter().map(|v| v["equipment"][field].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn equipment_is_registered_inspected_and_queued_when_due() {
    let test = TestApp::new().await;
    let today = service::today();
    let ago = |months: u32| (today - Months::new(months)).to_string();
    let year = (today - Months::new(24)).format("%Y").to_string();
    let overdue = format!("311033010{year}00001");
    let current = format!("311033010{year}00002");
    let due_soon = format!("430033010{year}00003");
    let before = test.state.store.row_counts().await.unwrap();
    let bad = format!(
        "{EQUIPMENT}3110330102020001,{OWN_USCC},梯11浙A00001,330106,文三路1号,{a},{a},\n\
         991033010202000001,{OWN_USCC},梯11浙A00002,330106,文三路1号,{a},{a},\n\
         {current},{OWN_USCC},梯11浙A00003,330106,文三路1号,{a},{a},{far}\n",
        a = ago(2),
        far = today + Months::new(13),
    );
    let uri = "/api/v1/equipment";
    let (status, rejected) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let fields: Vec<(u64, String)> = crate::rejected_rows(&rejected).into_iter().map(|(r, f, _)| (r, f)).collect();
    assert_eq!(
        fields,
        [(2, "code".to_owned()), (3, "code".to_owned()), (4, "next_inspection_due".to_owned())],
        "fields that do not read first: {rejected}"
    );
    let misfits = format!(
        "{EQUIPMENT}{current},{OWN_USCC},梯11苏A00003,320106,南京,{a},{a},\n\
         {overdue},{OWN_USCC},梯11浙A00001,330106,文三路1号,{a},{a},\n\
         {overdue},{OWN_USCC},梯11浙A00001,330106,文三路1号,{a},{a},\n",
        a = ago(2),
    );
    let (_, rejected) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &misfits).await;
    let rows: Vec<(u64, String, String)> = crate::rejected_rows(&rejected);
    assert_eq!(
        rows,
        [(2, "region_code".to_owned(), "forbidden".to_owned()), (4, "code".to_owned(), "conflict".to_owned())],
        "{rejected}"
    );
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a rejected registration stores nothing");

    // In service 14 months ago (due 2 months ago), 2 months ago (due in 10), a tower crane 12 months less 10 days
    // ago (due within the month), registered 40 days after it went into service.
    let good = format!(
        "{EQUIPMENT}{overdue},{OWN_USCC},梯11浙A00001,330106,文三路1号1号梯,{a14},{a14},\n\
         {current},{OWN_USCC},梯11浙A00002,330106,文三路1号2号梯,{a2},{a2},\n\
         {due_soon},{OWN_USCC},起17浙A00003,330110,余杭区工地,{a11},{late},\n",
        a14 = ago(14),
        a2 = ago(2),
        a11 = (today - Months::new(12)) + Days::new(10),
        late = (today - Months::new(12)) + Days::new(50),
    );
    for other in [&test.enterprise, &test.lab] {
        let (status, _) = test.send_text(uri, other, "text/csv", &good).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused registration stores nothing");
    let (status, receipt) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &good).await;
    assert_eq!((status, receipt["received"].as_u64()), (StatusCode::OK, Some(3)), "{receipt}");
    let (_, again) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &good).await;
    assert_eq!(crate::rejected_rows(&again)[0].2, "conflict", "{again}");

    let (status, due) = queue(&test, "/api/v1/equipment/due", &test.hangzhou_regulator).await;
    assert_eq!(status, StatusCode::OK, "{due}");
    assert_eq!(
        codes_in(&due, "code"),
        [overdue.clone(), due_soon.clone()],
        "most overdue first, the current lift left out"
    );
    let standings: Vec<&str> = due.as_array().unwrap().iter().map(|v| v["standing"].as_str().unwrap()).collect();
    assert_eq!(standings, ["overdue", "due_soon"]);
    assert_eq!(due[1]["registered_late"], true, "{due}");
    let (status, _) = queue(&test, "/api/v1/equipment/due?region=320100", &test.hangzhou_regulator).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another province's queue");
    let (status, _) = queue(&test, "/api/v1/equipment/due", &test.enterprise).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The inspection body passes the overdue lift and fails the crane: the lift leaves the queue, the crane stays
    // as failed. A regulator cannot record inspections; a wrong verdict names its row.
    let inspections = "/api/v1/equipment/inspections";
    let header = "equipment_code,inspected_on,report_number,verdict,next_due_on\n";
    let wrong = format!("{header}{overdue},{t},DT-1,maybe,\n{current},{t},DT-2,pass,\n", t = today);
    let (status, rejected) = test.send_text(inspections, &test.lab, "text/csv", &wrong).await;
    assert_eq!(
        (status, crate::rejected_rows(&rejected)[0].1.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "verdict"),
        "{rejected}"
    );
    let results = format!("{header}{overdue},{t},DT-1,合格,\n{due_soon},{t},QZ-3,不合格,\n", t = today);
    let (status, _) = test.send_text(inspections, &test.hangzhou_regulator, "text/csv", &results).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, receipt) = test.send_text(inspections, &test.lab, "text/csv", &results).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, due) = queue(&test, "/api/v1/equipment/due", &test.hangzhou_regulator).await;
    assert_eq!(codes_in(&due, "code"), std::slice::from_ref(&due_soon));
    assert_eq!(due[0]["standing"], "failed");

    let (status, lift) = test.get_json(&format!("/api/v1/equipment/{overdue}")).await;
    assert_eq!(status, StatusCode::OK, "{lift}");
    assert_eq!(lift["view"]["standing"], "current");
    assert_eq!(lift["view"]["equipment"]["next_inspection_due"], (today + Months::new(12)).to_string());
    assert_eq!(lift["inspections"][0]["inspector_uscc"], LAB_USCC);
    let (_, mine) = test.get_json(&format!("/api/v1/equipment?uscc={OWN_USCC}")).await;
    assert_eq!(mine.as_array().unwrap().len(), 3);

    // The failed crane is stopped: it leaves the queue; scrapped is final.
    let status_uri = format!("/api/v1/equipment/{due_soon}/status");
    let stop = serde_json::json!({"status": "停用", "note": "使用单位报停"});
    let (status, _) = test.write(Method::POST, &status_uri, Some(&test.enterprise), stop.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, stopped) = test.write(Method::POST, &status_uri, Some(&test.hangzhou_regulator), stop).await;
    assert_eq!((status, stopped["view"]["standing"].as_str()), (StatusCode::OK, Some("out_of_use")), "{stopped}");
    let (_, due) = queue(&test, "/api/v1/equipment/due", &test.hangzhou_regulator).await;
    assert_eq!(due, serde_json::json!([]), "nothing left to act on");
    let scrap = serde_json::json!({"status": "scrapped", "note": "报废注销"});
    let (status, _) = test.write(Method::POST, &status_uri, Some(&test.hangzhou_regulator), scrap.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let back = serde_json::json!({"status": "in_use", "note": "恢复使用"});
    let (status, refused) = test.write(Method::POST, &status_uri, Some(&test.hangzhou_regulator), back).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")), "{refused}");

    let page = test.send(Method::GET, &format!("/equipment/{due_soon}"), None, None).await.1;
    assert!(page.contains("报废") && page.contains("QZ-3"), "the page shows the scrapping and the failed inspection");
}

#[tokio::test]
async fn instruments_are_filed_verified_and_queued_and_labs_file_their_standards() {
    let test = TestApp::new().await;
    let today = service::today();
    let header = "owner_uscc,serial_number,kind,use,region_code,location,registered_on,next_verification_due\n";
    let other = LAB_USCC;
    let rows = format!(
        "{header}{OWN_USCC},JY-1,燃油加油机,贸易结算,330106,1号加油站1号枪,{t},{soon}\n\
         {OWN_USCC},JY-2,fuel_dispenser,trade_settlement,330106,1号加油站2号枪,{t},{later}\n\
         {other},XY-1,sphygmomanometer,medical_care,330106,社区卫生服务中心,{t},{later}\n",
        t = today,
        soon = today + Days::new(10),
        later = today + Months::new(5),
    );
    let uri = "/api/v1/instruments";
    let before = test.state.store.row_counts().await.unwrap();
    let (status, rejected) = test.send_text(uri, &test.enterprise, "text/csv", &rows).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let rows_named = crate::rejected_rows(&rejected);
    assert_eq!(rows_named.len(), 1, "{rejected}");
    assert_eq!((rows_named[0].0, rows_named[0].2.as_str()), (4, "forbidden"), "{rejected}");
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "nothing of a rejected filing is stored");
    let own: String = rows.lines().take(3).map(|l| format!("{l}\n")).collect();
    let (status, receipt) = test.send_text(uri, &test.enterprise, "text/csv", &own).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");

    let (_, due) = queue(&test, "/api/v1/instruments/due", &test.hangzhou_regulator).await;
    let serials: Vec<&str> =
        due.as_array().unwrap().iter().map(|v| v["instrument"]["serial_number"].as_str().unwrap()).collect();
    assert_eq!(serials, ["JY-1"], "{due}");

    let verifications = "/api/v1/instruments/verifications";
    let vheader = "owner_uscc,serial_number,verified_on,certificate_number,verdict,next_due_on\n";
    let results = format!("{vheader}{OWN_USCC},JY-1,{today},ZJ-1,pass,\n{OWN_USCC},JY-2,{today},ZJ-2,fail,\n");
    let (status, _) = test.send_text(verifications, &test.enterprise, "text/csv", &results).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an owner does not verify its own instruments");
    let unknown = format!("{vheader}{OWN_USCC},JY-9,{today},ZJ-9,pass,\n");
    let (_, rejected) = test.send_text(verifications, &test.lab, "text/csv", &unknown).await;
    assert_eq!(crate::rejected_rows(&rejected)[0].2, "not_found", "{rejected}");
    let (status, receipt) = test.send_text(verifications, &test.lab, "text/csv", &results).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, due) = queue(&test, "/api/v1/instruments/due", &test.hangzhou_regulator).await;
    let standing: Vec<(&str, &str)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["instrument"]["serial_number"].as_str().unwrap(), v["standing"].as_str().unwrap()))
        .collect();
    assert_eq!(standing, [("JY-2", "failed")], "the verified one leaves, the failed one stays");
    let (status, one) = test.get_json(&format!("/api/v1/instruments/{OWN_USCC}/JY-1")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["view"]["instrument"]["next_verification_due"], (today + Months::new(6)).to_string());
    assert_eq!(one["view"]["procedure"], "JJG 443-2015");

    // The owner stops the failed dispenser: it leaves the queue; another enterprise may not touch it.
    let status_uri = format!("/api/v1/instruments/{OWN_USCC}/JY-2/status");
    let stop = serde_json::json!({"status": "stopped", "note": "检定不合格，停止使用"});
    let (status, _) = test.write(Method::POST, &status_uri, Some(&test.lab), stop.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a lab does not set an owner's instrument status");
    let (status, stopped) = test.write(Method::POST, &status_uri, Some(&test.enterprise), stop).await;
    assert_eq!((status, stopped["view"]["standing"].as_str()), (StatusCode::OK, Some("out_of_use")), "{stopped}");
    let (_, due) = queue(&test, "/api/v1/instruments/due", &test.hangzhou_regulator).await;
    assert_eq!(due, serde_json::json!([]));

    let standards = "/api/v1/measurement-standards";
    let sheader = "certificate_number,holder_uscc,name,range,uncertainty,valid_until,serves\n";
    let mine = format!(
        "{sheader}[2023]浙量标证字第001号,{LAB_USCC},燃油加油机检定装置,(5~120) L/min,0.05%,2027-06-30,JJG 443-2015\n"
    );
    let theirs = format!("{sheader}[2023]浙量标证字第002号,{OWN_USCC},装置,1 L,0.1%,2027-06-30,JJG 443-2015\n");
    let (_, rejected) = test.send_text(standards, &test.lab, "text/csv", &theirs).await;
    assert_eq!(crate::rejected_rows(&rejected)[0].1, "holder_uscc", "{rejected}");
    let (status, _) = test.send_text(standards, &test.enterprise, "text/csv", &mine).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, receipt) = test.send_text(standards, &test.lab, "text/csv", &mine).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, held) = test.get_json(&format!("{standards}?uscc={LAB_USCC}")).await;
    assert_eq!(held[0]["serves"][0], "JJG 443-2015", "{held}");
}

/// The register forms: a regulator registers equipment on its page (a refused row comes back with what was typed
/// and the reason beside the field), an inspection body records an inspection, an owner files an instrument and
/// a metrology institute records its verification; the public sees none of the forms.
#[tokio::test]
async fn the_register_pages_take_one_row_each_through_the_import() {
    let test = TestApp::new().await;
    let today = service::today();
    let ago = (today - Months::new(2)).to_string();
    let year = (today - Months::new(24)).format("%Y").to_string();
    let code = format!("311033010{year}00007");
    let (_, public) = test.send(Method::GET, "/equipment", None, None).await;
    assert!(!public.contains("登记特种设备"), "no form for the public");
    let regulator = test.session_cookie("regulator", "r1").await;
    let (_, page) = test.get_with_cookie("/equipment", &regulator).await;
    assert!(page.contains("登记特种设备") && page.contains("name=\"in_service_on\""), "{page}");

    let row = |code: &str, region: &str| {
        format!(
            "csrf=r1&code={code}&user_uscc={OWN_USCC}&registration_number=R-7&region_code={region}\
             &location=%E6%96%87%E4%B8%89%E8%B7%AF7%E5%8F%B7&in_service_on={ago}&registered_on={ago}&next_inspection_due="
        )
    };
    let (status, _, refused) = test.post_form("/equipment", &regulator, &row("991033010202000001", "330106")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("value=\"991033010202000001\"") && refused.contains("文三路7号"), "typed values kept");
    assert!(refused.contains("class=\"error\""), "{refused}");
    let (status, _, outside) = test.post_form("/equipment", &regulator, &row(&code, "110101")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another region: {outside}");
    let (status, _, _) = test.post_form("/equipment", &regulator, &row(&code, "330106").replace("r1", "stale")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a stale token stores nothing");
    let (status, location, _) = test.post_form("/equipment", &regulator, &row(&code, "330106")).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/equipment/{code}").as_str())));

    let lab = test.session_cookie("lab", "l1").await;
    let (_, page) = test.get_with_cookie(&format!("/equipment/{code}"), &lab).await;
    assert!(page.contains("录入定期检验结果"), "{page}");
    let inspection = format!("csrf=l1&inspected_on={today}&report_number=TJ-7&verdict=fail&next_due_on=");
    let uri = format!("/equipment/{code}/inspections");
    let (status, _, _) = test.post_form(&uri, &regulator, &inspection.replace("l1", "r1")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "inspections are the inspection body's");
    let (status, _, _) = test.post_form(&uri, &lab, &inspection).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, stored) = test.get_json(&format!("/api/v1/equipment/{code}")).await;
    assert_eq!(stored["inspections"][0]["report_number"], "TJ-7", "{stored}");
    assert_eq!(stored["view"]["standing"], "failed", "a failed inspection shows on the item: {stored}");

    let owner = test.session_cookie("enterprise", "e1").await;
    let filing = format!(
        "csrf=e1&owner_uscc={OWN_USCC}&serial_number=JY%2F7&kind=fuel_dispenser&use=trade_settlement\
         &region_code=330106&location=1%E5%8F%B7%E6%9E%AA&registered_on={today}&next_verification_due={}",
        today + Months::new(3)
    );
    let (status, location, _) = test.post_form("/instruments", &owner, &filing).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(format!("/instruments/{OWN_USCC}/JY%2F7").as_str()))
    );
    let (_, page) = test.get_with_cookie(&format!("/instruments/{OWN_USCC}/JY%2F7"), &lab).await;
    assert!(page.contains("录入检定结果"), "{page}");
    let verification = format!("csrf=l1&verified_on={today}&certificate_number=ZJ-7&verdict=pass&next_due_on=");
    let (status, _, _) =
        test.post_form(&format!("/instruments/{OWN_USCC}/JY%2F7/verifications"), &lab, &verification).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = test.send(Method::GET, &format!("/instruments/{OWN_USCC}/JY%2F7"), None, None).await;
    assert!(page.contains("ZJ-7") && !page.contains("录入检定结果"), "{page}");
}
