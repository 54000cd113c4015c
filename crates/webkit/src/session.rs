//! Signing in to the pages with a login name and password (or an API token), and the CSRF check of every form.
//!
//! A sign-in starts a session: the cookie holds a random key (HttpOnly, SameSite=Strict, eight hours) that the
//! database keeps only as a hash. Every form also carries a random CSRF value that must equal the one in its
//! own cookie (double submit), so another site can neither read nor forge a post.

use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use store::User;

use crate::i18n::Lang;
use crate::layout::{error_page, page, urlencode, with_lang};
use crate::net::ClientAddress;
use crate::{ApiError, AppState, ErrorCode};

const SESSION: &str = "zl_session";
const CSRF: &str = "zl_csrf";

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The signed-in user of a page request, if any, and the CSRF value its forms must carry.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub user: Option<User>,
    pub csrf: Option<String>,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = match cookie(&parts.headers, SESSION) {
            Some(key) => state.store.session_user(key).await?,
            None => None,
        };
        Ok(PageUser { user, csrf: cookie(&parts.headers, CSRF).map(str::to_owned) })
    }
}

impl PageUser {
    /// Checks a posted form's CSRF value against the cookie and returns the signed-in user.
    pub fn authorise(&self, posted_csrf: &str) -> Result<&User, ApiError> {
        let user = self.user.as_ref().ok_or_else(ApiError::unauthorized)?;
        match &self.csrf {
            Some(expected) if !posted_csrf.is_empty() && expected == posted_csrf => Ok(user),
            _ => Err(ApiError::forbidden("the form's security token is missing or stale; reload the page")),
        }
    }

    /// The hidden CSRF field of a form.
    pub fn field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf.clone().unwrap_or_default()); }
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginParams {
    #[serde(default)]
    lang: Lang,
    next: Option<String>,
}

/// Only local paths are followed after signing in: one leading slash, then no backslash (browsers read `/\\x`
/// as `//x`), no scheme-relative form and no control characters (a CR/LF would split the header).
fn local(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub async fn login_page(Query(params): Query<LoginParams>, session: PageUser) -> Response {
    let lang = params.lang;
    let csrf = session.csrf.clone().unwrap_or_else(|| hex(&rand::random::<[u8; 16]>()));
    let body = html! {
        h1 { (lang.t("登录", "Sign in")) }
        @if let Some(user) = &session.user {
            p.muted { (lang.t("当前账户：", "Signed in as ")) (user.name) " (" (user.role.as_str()) ")" }
            form method="post" action="/logout" {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { (lang.t("退出登录", "Sign out")) }
            }
        }
        form method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(local(params.next.as_deref()));
            p { label { (lang.t("登录名", "Login")) br; input type="text" name="login" autocomplete="username"; } }
            p { label { (lang.t("密码", "Password")) br; input type="password" name="password" autocomplete="current-password"; } }
            p.muted { (lang.t("或使用 API 令牌：", "Or an API token: ")) input type="password" name="token" autocomplete="off"; }
            button type="submit" { (lang.t("登录", "Sign in")) }
        }
    };
    let cookie = format!("{CSRF}={csrf}; Path=/; SameSite=Strict; HttpOnly");
    ([(SET_COOKIE, cookie)], page(lang, lang.t("登录", "Sign in"), body)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    login: Option<String>,
    password: Option<String>,
    token: Option<String>,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    session: PageUser,
    ClientAddress(client): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = Lang::Zh;
    if session.csrf.as_deref() != Some(form.csrf.as_str()) {
        return error_page(
            lang,
            &ApiError::forbidden("the form's security token is missing or stale; reload the page"),
        );
    }
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    // Failed sign-ins are counted per login name and per address; past the limit every attempt is refused
    // until the window passes, whether the password is right or not.
    let login = text(&form.login).unwrap_or_else(|| "(token)".to_owned());
    if let Err(wait) = crate::net::login_allowed(&state, &login, client) {
        let error = ApiError::new(
            ErrorCode::RateLimited,
            format!("too many failed sign-ins; try again in {} minutes", wait.div_ceil(60)),
        );
        return error_page(lang, &error);
    }
    let user = match (text(&form.login), form.password.as_deref().filter(|p| !p.is_empty()), text(&form.token)) {
        (Some(login), Some(password), _) => state.store.user_by_password(&login, password).await,
        (_, _, Some(token)) => state.store.user_by_token(&token).await,
        _ => Ok(None),
    };
    let session = match user {
        Ok(Some(user)) => state.store.create_session(user.id, state.web.session_hours).await,
        Ok(None) => {
            crate::net::login_failed(&state, &login, client);
            return error_page(lang, &ApiError::unauthorized());
        }
        Err(error) => return error_page(lang, &error.into()),
    };
    match session {
        Ok(key) => {
            let cookie = format!(
                "{SESSION}={key}; Path=/; Max-Age={}; SameSite=Strict; HttpOnly",
                state.web.session_hours * 3600
            );
            ([(SET_COOKIE, cookie)], Redirect::to(&local(form.next.as_deref()))).into_response()
        }
        Err(error) => error_page(lang, &error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: PageUser,
    Form(form): Form<LogoutForm>,
) -> Response {
    if session.csrf.as_deref() != Some(form.csrf.as_str()) {
        return error_page(Lang::Zh, &ApiError::forbidden("the form's security token is missing or stale"));
    }
    if let Some(key) = cookie(&headers, SESSION) {
        if let Err(error) = state.store.end_session(key).await {
            return error_page(Lang::Zh, &error.into());
        }
    }
    let cookie = format!("{SESSION}=; Path=/; Max-Age=0; SameSite=Strict; HttpOnly");
    ([(SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A link to sign in and come back here.
pub fn sign_in_link(lang: Lang, back: &str) -> Markup {
    html! { a href=(with_lang(&format!("/login?next={}", urlencode(back)), lang)) { (lang.t("登录后办理", "Sign in to act")) } }
}
