//! Small key-value settings shared by every instance (e.g. the CSRF signing secret, the loaded
//! reference-data version): state that must not live in one process's memory.

use crate::{Result, Store, on_pool};

impl Store {
    /// # Errors
    /// A database error.
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let v: Option<(String,)> = on_pool!(self, p => sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(p)
            .await)?;
        Ok(v.map(|(v,)| v))
    }

    /// Stores `value` under `key` unless a value is already there, and returns the stored value.
    /// Two instances starting at once therefore agree on one value.
    ///
    /// # Errors
    /// A database error.
    pub async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        on_pool!(self, p => sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(p)
            .await
            .map(|_| ()))?;
        self.meta_get(key).await?.ok_or(crate::StoreError::NotFound)
    }

    /// # Errors
    /// A database error.
    pub async fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
