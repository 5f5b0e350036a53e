//! The audit log: who changed what, when; and which requests were refused.

use chrono::{DateTime, Utc};

use crate::model::*;
use crate::{AuditRecord, Result, Store, on_pool, write_audit};

impl Store {
    /// Writes an audit event on its own (for events that change nothing else, such as a login
    /// or a refused request).
    ///
    /// # Errors
    /// A database error.
    pub async fn audit(&self, record: &AuditRecord, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, p => write_audit!(p, record, now).map(|_| ()))?;
        Ok(())
    }

    /// Audit events, newest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn list_audit_events(&self, filter: AuditFilter) -> Result<Vec<AuditEvent>> {
        let who = filter
            .actor_email
            .as_deref()
            .map(|w| format!("%{}%", larnav_domain::text::escape_like(&w.to_lowercase())));
        Ok(on_pool!(self, p => sqlx::query_as(
            "SELECT a.id, a.at, a.actor_user_id, u.email AS actor_email, a.organisation_id, o.name AS organisation_name,
                    a.action, a.target, a.detail
             FROM audit_event a LEFT JOIN app_user u ON u.id = a.actor_user_id
             LEFT JOIN organisation o ON o.id = a.organisation_id
             WHERE ($1 IS NULL OR a.organisation_id = $1) AND ($2 IS NULL OR a.id < $2)
               AND ($4 IS NULL OR u.email LIKE $4 ESCAPE '\\') AND ($5 IS NULL OR a.action = $5)
               AND ($6 IS NULL OR a.at >= $6) AND ($7 IS NULL OR a.at < $7)
             ORDER BY a.id DESC LIMIT $3")
            .bind(filter.organisation_id).bind(filter.before_id).bind(filter.limit)
            .bind(&who).bind(&filter.action).bind(filter.from).bind(filter.to)
            .fetch_all(p).await)?)
    }
}
