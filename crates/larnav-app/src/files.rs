//! Uploaded files, kept under the data directory (`documents/<random key>`) with their name,
//! type and size in the database: eligibility documents for admission, documents of working
//! models and mentorship pairs. A file is written completely (to a `.part` file, synced, then
//! renamed, and the directory synced) before its row is committed, and removed again if the row cannot be written, so a row never
//! points at half a file.

use crate::{App, AppError, Result};

/// A file name as shown and offered for download: the last path segment, without control
/// characters, at most 200 characters.
pub fn clean_file_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

/// A table written as a file to download or save: `csv` (UTF-8 with a byte-order mark, so
/// spreadsheet programs read å/ä/ö) or `xlsx`. Returns the bytes and their MIME type.
///
/// # Errors
/// [`AppError::NotFound`] for another format; an internal error if writing fails.
pub fn table_file(
    format: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(Vec<u8>, &'static str)> {
    use larnav_ingest::tabular::{write_csv, write_xlsx};
    match format {
        "csv" => Ok((
            write_csv(headers, rows).map_err(|e| AppError::internal("writing a CSV table", e))?,
            "text/csv; charset=utf-8",
        )),
        "xlsx" => Ok((
            write_xlsx("Lärnav", headers, rows)
                .map_err(|e| AppError::internal("writing an XLSX table", e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        _ => Err(AppError::NotFound),
    }
}

impl App {
    fn documents_dir(&self) -> std::path::PathBuf {
        self.settings.server.data_dir.join("documents")
    }

    /// Writes `bytes` under a new random key and returns the key.
    pub(crate) async fn write_file(&self, bytes: &[u8]) -> Result<String> {
        let key = crate::security::random_token();
        let dir = self.documents_dir();
        let bytes = bytes.to_vec();
        let name = key.clone();
        // Durable before the row commits: the file's data is synced, then the rename, by
        // syncing the directory — a power loss cannot leave a committed row without its file.
        let write = move || -> std::io::Result<()> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!("{name}.part"));
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, dir.join(&name))?;
            std::fs::File::open(&dir)?.sync_all()
        };
        tokio::task::spawn_blocking(write)
            .await
            .map_err(|e| AppError::internal("storing a document", e))?
            .map_err(|e| AppError::internal("storing a document", e))?;
        Ok(key)
    }

    /// Removes a file whose row could not be written.
    pub(crate) async fn discard_file(&self, key: &str) {
        let _ = tokio::fs::remove_file(self.documents_dir().join(key)).await;
    }

    pub(crate) async fn read_file(&self, key: &str) -> Result<Vec<u8>> {
        tokio::fs::read(self.documents_dir().join(key))
            .await
            .map_err(|e| AppError::internal("reading a document", e))
    }
}
