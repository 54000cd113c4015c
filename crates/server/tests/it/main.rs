//! Server tests: the router answers requests without a socket (`oneshot`), on a fresh SQLite store.

mod access;
mod api;
mod calendar;
mod campaigns;
mod catalogue;
mod certification;
mod complaints;
mod credit;
mod credit_file;
mod epcis;
mod equipment;
mod hygiene;
mod injuries;
mod inspections;
mod labs;
mod licensing;
mod log;
mod pages;
mod recalls;
mod standards;
mod warnings;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use server::{app, AppState};
use store::{NewUser, Role, Store};
use tower::ServiceExt;

/// A fresh application with one account per interesting role.
#[allow(missing_debug_implementations)]
pub struct TestApp {
    pub state: AppState,
    pub admin: String,
    pub hangzhou_regulator: String,
    pub enterprise: String,
    pub lab: String,
    _dir: tempfile::TempDir,
}

/// The enterprise account's own USCC (Hangzhou, Xihu district 330106).
pub const OWN_USCC: &str = "91330106MA27XL1Q3A";

/// The laboratory account's USCC: samples name their laboratory by it.
pub const LAB_USCC: &str = "12100000400000624D";

impl TestApp {
    /// A fresh application on a temporary SQLite file, or on a fresh PostgreSQL database when
    /// `ZHILIANG_TEST_SERVER_BACKEND=postgres` (the test script runs the suite both ways).
    pub async fn new() -> TestApp {
        if std::env::var("ZHILIANG_TEST_SERVER_BACKEND").as_deref() == Ok("postgres") {
            return TestApp::on_postgres().await.expect("ZHILIANG_TEST_POSTGRES_URL names the test cluster");
        }
        TestApp::on_sqlite().await
    }

    /// Always on a temporary SQLite file: for the tests that rewrite the database file behind the server's back.
    pub async fn on_sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        TestApp::on(store, dir).await
    }

    /// The same on a fresh database of the PostgreSQL test cluster, when `ZHILIANG_TEST_POSTGRES_URL` names one.
    pub async fn on_postgres() -> Option<TestApp> {
        let admin_url = std::env::var("ZHILIANG_TEST_POSTGRES_URL").ok()?;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let name = format!("zl_server_{}_{nanos}", std::process::id());
        let created = std::process::Command::new("psql")
            .args([admin_url.as_str(), "-q", "-c", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("psql runs");
        assert!(created.success(), "could not create {name}");
        let base = admin_url.rsplit_once('/').expect("URL has a database").0;
        let store = Store::open(&format!("{base}/{name}")).await.unwrap();
        Some(TestApp::on(store, tempfile::tempdir().unwrap()).await)
    }

    async fn on(store: Store, dir: tempfile::TempDir) -> TestApp {
        let token = |role, region: Option<&str>, uscc: Option<&str>| {
            let store = store.clone();
            let user = NewUser {
                name: format!("{role:?}"),
                role,
                region_code: region.map(Into::into),
                uscc: uscc.map(Into::into),
                // Every test account can also sign in to the pages as its role name with password "secret".
                login: Some(format!("{role:?}").to_lowercase()),
                password: Some("secret".into()),
            };
            async move { store.add_user(&user).await.unwrap().1 }
        };
        TestApp {
            admin: token(Role::Admin, None, None).await,
            hangzhou_regulator: token(Role::Regulator, Some("330100"), None).await,
            enterprise: token(Role::Enterprise, None, Some(OWN_USCC)).await,
            lab: token(Role::Lab, None, Some(LAB_USCC)).await,
            // Each app keeps the log's key and memory in its own folder, whatever the backend.
            state: AppState::new(store)
                .with_log(server::log_signing::LogConfig::in_dir(dir.path(), server::log_signing::DEFAULT_ORIGIN)),
            _dir: dir,
        }
    }

    /// Sends a request and returns the status and body text.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, String) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())),
            None => request.body(Body::empty()),
        }
        .unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        held_to_the_error_table(uri, status, &bytes);
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Sends a text body of a content type with a bearer token; returns the status and the JSON answer.
    pub async fn send_text(&self, uri: &str, token: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        held_to_the_error_table(uri, status, &bytes);
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{uri}: {e}: {bytes:?}")))
    }

    /// GET returning JSON.
    pub async fn get_json(&self, uri: &str) -> (StatusCode, Value) {
        let (status, body) = self.send(Method::GET, uri, None, None).await;
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}")))
    }

    /// A write returning JSON.
    pub async fn write(&self, method: Method, uri: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (status, text) = self.send(method, uri, token, Some(body)).await;
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: {e}: {text}")))
    }
}

/// The rows of a rejected batch: row, field and code of each.
pub fn rejected_rows(rejected: &Value) -> Vec<(u64, String, String)> {
    rejected["rejected"]
        .as_array()
        .unwrap_or_else(|| panic!("not a rejected batch: {rejected}"))
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["field"].as_str().unwrap().to_owned(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every `{code, message}` error any test provokes carries a code of the table, with the table's status.
fn held_to_the_error_table(uri: &str, status: StatusCode, body: &[u8]) {
    if !(status.is_client_error() || status.is_server_error()) || uri.starts_with("/epcis/") {
        return;
    }
    let Some(code) = serde_json::from_slice::<Value>(body).ok().and_then(|v| v["code"].as_str().map(str::to_owned))
    else {
        return;
    };
    let listed = server::ErrorCode::ALL.iter().find(|c| c.as_str() == code);
    assert_eq!(listed.map(|c| c.status()), Some(status), "{uri}: code {code} with status {status}");
}

impl TestApp {
    /// Registers an organization as the registry import would.
    pub async fn organization(&self, uscc: &str, name: &str, region_code: &str) {
        let organization = store::NewOrganization {
            uscc: uscc.parse().unwrap(),
            name: name.into(),
            region_code: region_code.parse().unwrap(),
            address: None,
            legal_representative: None,
            entity_type: None,
            status: store::RegistrationStatus::Active,
            registered_on: None,
        };
        self.state.store.upsert_organization(&organization, None).await.unwrap();
    }

    /// A form post with cookies; returns the status, the `Location` header and the body.
    pub async fn post_form(&self, uri: &str, cookie: &str, form: &str) -> (StatusCode, Option<String>, String) {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        held_to_the_error_table(uri, status, &bytes);
        (status, location, String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Cookies of a signed-in page session for a test account (`admin`, `regulator`, `enterprise`, `lab`).
    pub async fn session_cookie(&self, login: &str, csrf: &str) -> String {
        let user = self.state.store.user_by_password(login, "secret").await.unwrap().expect("test account");
        let key = self.state.store.create_session(user.id, 1).await.unwrap();
        format!("zl_session={key}; zl_csrf={csrf}")
    }

    /// A GET with cookies.
    pub async fn get_with_cookie(&self, uri: &str, cookie: &str) -> (StatusCode, String) {
        let request = Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        held_to_the_error_table(uri, status, &bytes);
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }
}
