//! Logging in and out, registration, password reset and the language switch.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use larnav_app::App;
use larnav_app::accounts::Registration;
use larnav_app::i18n::Lang;
use serde::Deserialize;

use super::{
    Base, FormState, PageResult, is_form_error, redirect_with, render, safe_next, shown_again,
};
use crate::ClientAddr;
use crate::ctx::{CSRF_COOKIE, Ctx, LANG_COOKIE, SESSION_COOKIE, YEAR_SECS, make_cookie};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    base: Base<'a>,
    form: FormState,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> PageResult {
    render(&LoginPage {
        base: Base::new(&ctx, ctx.tr.t("login.title")),
        form: FormState::default(),
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Sets the session cookie of a new login (for the configured session length) and a fresh CSRF
/// cookie, so that nothing planted before the login carries over into the session.
pub fn with_session(app: &App, mut response: Response, token: String) -> Response {
    let secs = app.settings.security.session_hours * 3600;
    let csrf = larnav_app::security::random_token();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        make_cookie(app, SESSION_COOKIE, token, Some(secs)),
    );
    headers.append(
        header::SET_COOKIE,
        make_cookie(app, CSRF_COOKIE, csrf, Some(YEAR_SECS)),
    );
    response
}

pub async fn login(
    State(app): State<App>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let next = safe_next(f.next.as_deref());
    match app.login(&f.email, &f.password, &client.0).await {
        Ok(login) => Ok(with_session(
            &app,
            redirect_with(&app, &next, "login.done"),
            login.session_token,
        )),
        Err(e) if is_form_error(&e) => {
            let e = &e;
            shown_again(e, {
                render(&LoginPage {
                    base: Base::new(&ctx, ctx.tr.t("login.title")),
                    form: FormState::failed(&ctx, e, &[("email", &f.email)]),
                    next,
                })
            })
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(app): State<App>, ctx: Ctx) -> PageResult {
    if let Some(token) = &ctx.session_token {
        app.logout(token).await?;
    }
    Ok(signed_out(&app, "logout.done"))
}

/// To the start page, the session cookie cleared, with a message.
pub fn signed_out(app: &App, flash_key: &str) -> axum::response::Response {
    let mut r = redirect_with(app, "/", flash_key);
    r.headers_mut().append(
        header::SET_COOKIE,
        make_cookie(app, SESSION_COOKIE, String::new(), Some(0)),
    );
    r
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    base: Base<'a>,
    form: FormState,
}

pub async fn register_page(ctx: Ctx) -> PageResult {
    if ctx.caller.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    render(&RegisterPage {
        base: Base::new(&ctx, ctx.tr.t("register.title")),
        form: FormState::default(),
    })
}

pub async fn register(State(app): State<App>, ctx: Ctx, Form(f): Form<Registration>) -> PageResult {
    match app.register(&ctx.actor, &f, ctx.tr.lang).await {
        Ok(login) => Ok(with_session(
            &app,
            redirect_with(&app, "/account", "register.done"),
            login.session_token,
        )),
        Err(e) if is_form_error(&e) => {
            let e = &e;
            shown_again(e, {
                render(&RegisterPage {
                    base: Base::new(&ctx, ctx.tr.t("register.title")),
                    form: FormState::failed(
                        &ctx,
                        e,
                        &[("display_name", &f.display_name), ("email", &f.email)],
                    ),
                })
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reset_request.html")]
struct ResetRequestPage<'a> {
    base: Base<'a>,
    form: FormState,
}

pub async fn reset_request_page(ctx: Ctx) -> PageResult {
    render(&ResetRequestPage {
        base: Base::new(&ctx, ctx.tr.t("reset.title")),
        form: FormState::default(),
    })
}

#[derive(Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

pub async fn reset_request(
    State(app): State<App>,
    ctx: Ctx,
    client: ClientAddr,
    Form(f): Form<ResetRequestForm>,
) -> PageResult {
    let title = ctx.tr.t("reset.title");
    match app
        .request_password_reset(&f.email, ctx.tr.lang, &client.0)
        .await
    {
        // The same answer whether the address has an account or not.
        Ok(()) => Ok(redirect_with(&app, "/login", "reset.sent")),
        Err(e) if is_form_error(&e) => {
            let e = &e;
            shown_again(e, {
                render(&ResetRequestPage {
                    base: Base::new(&ctx, title),
                    form: FormState::failed(&ctx, e, &[("email", &f.email)]),
                })
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reset_new.html")]
struct ResetNewPage<'a> {
    base: Base<'a>,
    form: FormState,
    token: String,
}

pub async fn reset_new_page(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    if !app.reset_link_is_valid(&token).await? {
        return Err(larnav_app::AppError::LinkInvalid.into());
    }
    render(&ResetNewPage {
        base: Base::new(&ctx, ctx.tr.t("reset.new_title")),
        form: FormState::default(),
        token,
    })
}

#[derive(Deserialize)]
pub struct ResetNewForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn reset_new(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<ResetNewForm>,
) -> PageResult {
    match app
        .reset_password(&token, &f.password, &f.password_confirm)
        .await
    {
        Ok(()) => Ok(redirect_with(&app, "/login", "reset.done")),
        Err(e) if is_form_error(&e) => {
            let e = &e;
            shown_again(e, {
                render(&ResetNewPage {
                    base: Base::new(&ctx, ctx.tr.t("reset.new_title")),
                    form: FormState::failed(&ctx, e, &[]),
                    token: token.clone(),
                })
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    back: Option<String>,
}

/// Switches the interface language for this browser (a year-long cookie).
pub async fn language(State(app): State<App>, Form(f): Form<LanguageForm>) -> Response {
    let lang = Lang::parse(&f.lang).unwrap_or_default();
    let mut r = Redirect::to(&safe_next(f.back.as_deref())).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        make_cookie(&app, LANG_COOKIE, lang.code().to_string(), Some(YEAR_SECS)),
    );
    r
}
