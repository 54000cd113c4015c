//! The pages as people use them, in a real browser: Debian's headless Chromium driven through ChromeDriver
//! against `zhiliang serve --demo`. A member of the public files a complaint and follows it; a regulator signs
//! in, accepts it and runs one step of a sampling campaign; the public opens a recall, the trace page and the
//! credit lists. `scripts/test` installs `chromium` and `chromium-driver` when they are missing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

use crate::{free_port, fresh_postgres_url, stderr, wait_for, Scratch};

const PASSWORD: &str = "browser test secret";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn chromedriver() -> String {
    let path = std::env::var("ZHILIANG_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: install Debian's chromium and chromium-driver (scripts/test does), or set ZHILIANG_CHROMEDRIVER"
    );
    path
}

/// Clicks a form's button and waits for the page it leads to: the old page's `main` goes stale first.
async fn submit(browser: &fantoccini::Client, button: &str) {
    let old = browser.find(Locator::Css("main")).await.expect("a page");
    browser.find(Locator::Css(button)).await.unwrap_or_else(|e| panic!("{button}: {e}")).click().await.unwrap();
    let started = Instant::now();
    while old.text().await.is_ok() && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser.wait().for_element(Locator::Css("main")).await.expect("the next page");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_of_work_in_a_real_browser_on_sqlite() {
    let scratch = Scratch::new();
    a_day_of_work(&scratch, &scratch.url()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_day_of_work_in_a_real_browser_on_postgres() {
    let Some(url) = tokio::task::spawn_blocking(|| fresh_postgres_url("browser")).await.unwrap() else { return };
    a_day_of_work(&Scratch::new(), &url).await;
}

async fn a_day_of_work(scratch: &Scratch, database_url: &str) {
    let driver_path = chromedriver();
    let mut add = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["user", "add", "--role", "regulator", "--region", "33", "--login", "zj", "--password-stdin"])
        .env("ZHILIANG_DATABASE_URL", database_url)
        .env("ZHILIANG_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), format!("{PASSWORD}\n").as_bytes()).unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", stderr(&added));

    let port = free_port();
    let _server = Killed(
        Command::new(env!("CARGO_BIN_EXE_zhiliang"))
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .env("ZHILIANG_DATABASE_URL", database_url)
            .env("ZHILIANG_LOG_KEY_FILE", scratch.dir.path().join("log.key"))
            .env("ZHILIANG_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/api/v1/regions"), "zhiliang serve --demo");
    let driver_port = free_port();
    let _driver = Killed(
        Command::new(driver_path)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!("http://127.0.0.1:{driver_port}/status"), "chromedriver");

    let profile = scratch.dir.path().join("chromium");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            format!("--user-data-dir={}", profile.display())]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session");
    let page = |path: &str| format!("{base}{path}");
    let fill = |name: &'static str, value: String| {
        let browser = browser.clone();
        async move {
            let field = browser.find(Locator::Css(&format!("[name='{name}']"))).await.expect(name);
            field.send_keys(&value).await.expect(name);
        }
    };

    // The public files a complaint on the form and is given a tracking number and a secret.
    browser.goto(&page("/complaints/new")).await.unwrap();
    fill("submitter_name", "王小明".into()).await;
    fill("submitter_phone", "13912345678".into()).await;
    fill("respondent_name", "杭州某电器商店".into()).await;
    fill("region_code", "330106".into()).await;
    fill("facts", "购买的电热水壶第一次使用就漏电，手被电麻".into()).await;
    submit(&browser, "form.stack button").await;
    let codes = browser.find_all(Locator::Css("dd code")).await.unwrap();
    assert!(codes.len() >= 2, "the receipt shows the tracking number and the secret");
    let number = codes[0].text().await.unwrap();
    let secret = codes[1].text().await.unwrap();
    assert!(number.starts_with("TS"), "tracking number {number}");
    let receipt = browser.source().await.unwrap();
    assert!(receipt.contains("已收到"), "the receipt page");

    // … and follows it with the two.
    browser.goto(&page("/complaints/track")).await.unwrap();
    fill("tracking_number", number.clone()).await;
    fill("secret", secret).await;
    submit(&browser, "form.stack button").await;
    let tracked = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(tracked.contains(&number) && tracked.contains("待受理"), "{tracked}");

    // A regulator of Zhejiang signs in and accepts it.
    browser.goto(&page("/login")).await.unwrap();
    fill("login", "zj".into()).await;
    fill("password", PASSWORD.into()).await;
    submit(&browser, "form[action='/login'] button").await;
    browser.goto(&page(&format!("/complaints/{number}"))).await.unwrap();
    submit(&browser, "form[action$='/accept'] button").await;
    let handled = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(handled.contains("已受理"), "the page shows the complaint accepted: {handled}");

    // … and runs a step of a sampling campaign: planned on the form, then drawn.
    browser.goto(&page("/campaigns/new")).await.unwrap();
    fill("id", "2026-ZJ-BROWSER".into()).await;
    browser.find(Locator::Css("select[name='level']")).await.unwrap().select_by_value("provincial").await.unwrap();
    fill("strata", "全部, 100, 1".into()).await;
    submit(&browser, "form[action='/campaigns'] button").await;
    assert!(browser.current_url().await.unwrap().path().ends_with("/campaigns/2026-ZJ-BROWSER"));
    submit(&browser, "form[action$='/draw'] button").await;
    let campaign = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(campaign.contains("已抽取"), "the campaign page lists the drawn organization: {campaign}");

    // The public (signed out) opens a published recall, the trace page and the credit lists.
    browser.delete_all_cookies().await.unwrap();
    browser.goto(&page("/recalls")).await.unwrap();
    browser.find(Locator::Css("td a[href^='/recalls/']")).await.expect("a published recall").click().await.unwrap();
    let recall = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(recall.contains("召回进度"), "the recall's notice and progress: {recall}");
    browser.goto(&page("/trace?id=urn:epc:class:lgtin:6979000030.00001.B1")).await.unwrap();
    let trace = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(trace.contains("请先") && !trace.contains("起点"), "the trace is closed to the public: {trace}");
    browser.goto(&page("/credit")).await.unwrap();
    let credit = browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(credit, "质量失信名单");
    browser.close().await.unwrap();
}
