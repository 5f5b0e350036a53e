//! My account: profile, language, password, memberships and API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use larnav_app::records::{ApiToken, MembershipRecord};
use larnav_app::{App, AppError};
use serde::Deserialize;

use super::{
    Base, FormState, PageResult, is_form_error, redirect_with, render, shown_again, submitted,
};
use crate::ctx::Ctx;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    base: Base<'a>,
    profile: FormState,
    password: FormState,
    token_form: FormState,
    memberships: Vec<MembershipRecord>,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
}

/// Which of the page's forms failed, so that its errors are shown beside it.
enum Failed<'e> {
    None,
    Profile(&'e AppError, &'e ProfileForm),
    Password(&'e AppError),
    Token(&'e AppError, &'e str),
}

async fn account_page(
    app: &App,
    ctx: &Ctx,
    failed: Failed<'_>,
    new_token: Option<String>,
) -> PageResult {
    let caller = ctx.caller()?;
    let user = &caller.user;
    let mut profile = FormState::with_values(&[
        ("display_name", &user.display_name),
        ("locale", &user.locale),
    ]);
    let mut password = FormState::default();
    let mut token_form = FormState::default();
    match failed {
        Failed::None => {}
        Failed::Profile(e, f) => {
            profile = FormState::failed(
                ctx,
                e,
                &[("display_name", &f.display_name), ("locale", &f.locale)],
            )
        }
        Failed::Password(e) => password = FormState::failed(ctx, e, &[]),
        Failed::Token(e, name) => token_form = FormState::failed(ctx, e, &[("name", name)]),
    }
    render(&AccountPage {
        base: Base::new(ctx, ctx.tr.t("account.title")),
        profile,
        password,
        token_form,
        memberships: app.my_memberships(caller).await?,
        tokens: app.api_tokens(caller).await?,
        new_token,
    })
}

pub async fn show(State(app): State<App>, ctx: Ctx) -> PageResult {
    account_page(&app, &ctx, Failed::None, None).await
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    locale: String,
}

pub async fn update_profile(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<ProfileForm>,
) -> PageResult {
    match app
        .update_profile(ctx.caller()?, &f.display_name, &f.locale)
        .await
    {
        Ok(_) => {
            // The chosen language applies at once, also over a browser-wide language cookie.
            let mut r = redirect_with(&app, "/account", "common.saved");
            let lang = larnav_app::i18n::Lang::parse(&f.locale).unwrap_or_default();
            r.headers_mut().append(
                axum::http::header::SET_COOKIE,
                crate::ctx::make_cookie(
                    &app,
                    crate::ctx::LANG_COOKIE,
                    lang.code().to_string(),
                    Some(crate::ctx::YEAR_SECS),
                ),
            );
            Ok(r)
        }
        Err(e) if is_form_error(&e) => shown_again(
            &e,
            account_page(&app, &ctx, Failed::Profile(&e, &f), None).await,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn change_password(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let result = app
        .change_password(
            ctx.caller()?,
            &f.current_password,
            &f.password,
            &f.password_confirm,
            ctx.session_token.as_deref(),
        )
        .await;
    submitted(
        result,
        |()| redirect_with(&app, "/account", "account.password_changed"),
        async |e| account_page(&app, &ctx, Failed::Password(e), None).await,
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(app): State<App>,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> PageResult {
    match app.create_api_token(ctx.caller()?, &f.name).await {
        // Shown once, on this response; never stored in clear.
        Ok((_, secret)) => account_page(&app, &ctx, Failed::None, Some(secret)).await,
        Err(e) if is_form_error(&e) => shown_again(
            &e,
            account_page(&app, &ctx, Failed::Token(&e, &f.name), None).await,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    app.revoke_api_token(ctx.caller()?, id).await?;
    Ok(redirect_with(&app, "/account", "account.token_revoked"))
}

#[derive(Template)]
#[template(path = "verify_email.html")]
struct VerifyEmailPage<'a> {
    base: Base<'a>,
    token: String,
}

/// The link in the mail opens a page with one button, so that a mail scanner that follows
/// links does not use it up.
pub async fn verify_email_page(ctx: Ctx, Path(token): Path<String>) -> PageResult {
    render(&VerifyEmailPage {
        base: Base::new(&ctx, ctx.tr.t("verify.title")),
        token,
    })
}

pub async fn verify_email(
    State(app): State<App>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> PageResult {
    app.verify_email(&token).await?;
    let to = if ctx.actor.is_signed_in() {
        "/account"
    } else {
        "/login"
    };
    Ok(redirect_with(&app, to, "verify.done"))
}

pub async fn resend_verification(State(app): State<App>, ctx: Ctx) -> PageResult {
    app.resend_email_verification(ctx.caller()?, ctx.tr.lang)
        .await?;
    Ok(redirect_with(&app, "/account", "verify.sent"))
}
