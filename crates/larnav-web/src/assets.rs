//! The stylesheet, script and icon, embedded in the binary: Lärnav loads nothing from a CDN.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use larnav_app::AppError;

use crate::error::WebError;

const FILES: [(&str, &str, &str); 3] = [
    (
        "larnav.css",
        "text/css; charset=utf-8",
        include_str!("../assets/larnav.css"),
    ),
    (
        "larnav.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/larnav.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../assets/favicon.svg"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => {
            let mut r = (*body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        None => WebError(AppError::NotFound).into_response(),
    }
}
