//! Typed configuration: defaults → `larnav.toml` → `LARNAV_SECTION__KEY` environment variables →
//! command-line flags (applied by the CLI). Unknown keys are errors, so a typo never silently
//! falls back to a default. Secrets (database and SMTP URLs may carry passwords) are redacted in
//! `Debug` output and logs.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A string that never shows up in `Debug` output.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("\"[redacted]\"")
        }
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub security: SecuritySettings,
    pub search: SearchSettings,
    pub privacy: PrivacySettings,
    pub log: LogSettings,
}

/// How long what learners give for reporting is kept (`larnav_domain::reporting`); the
/// housekeeping tick deletes it then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Months each reporting attribute is kept after the enrolment ended.
    pub home_kommun_months: u32,
    pub birth_year_band_months: u32,
    pub gender_months: u32,
    pub prior_education_months: u32,
    pub employment_at_start_months: u32,
    /// Months a follow-up's answers are kept after they were given.
    pub follow_up_answer_months: u32,
}

impl PrivacySettings {
    /// How long `attribute` is kept after the enrolment ended, in months.
    pub fn months(&self, attribute: larnav_domain::reporting::Attribute) -> u32 {
        use larnav_domain::reporting::Attribute;
        match attribute {
            Attribute::HomeKommun => self.home_kommun_months,
            Attribute::BirthYearBand => self.birth_year_band_months,
            Attribute::Gender => self.gender_months,
            Attribute::PriorEducation => self.prior_education_months,
            Attribute::EmploymentAtStart => self.employment_at_start_months,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchSettings {
    /// How often (milliseconds) each instance applies catalogue changes written by other
    /// instances to its own index. Its own changes are applied at once.
    pub sync_interval_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address and port to listen on.
    pub bind: String,
    /// The address people use to reach Lärnav; links in e-mails start with it. Empty: derived
    /// from `bind`.
    pub public_url: String,
    /// Where Lärnav keeps its files: the SQLite database, the e-mail outbox, uploads.
    pub data_dir: PathBuf,
    /// On SIGTERM or Ctrl-C, requests under way get this many seconds to finish; then the
    /// remaining connections are closed and the process exits.
    pub shutdown_grace_secs: u64,
    /// Client addresses (exact IPs) of the reverse proxies in front of Lärnav. Only a request
    /// from one of them has its `X-Forwarded-For` read, for login throttling and the logs;
    /// empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
    /// The bearer token Prometheus sends for `/metrics`. Empty: `/metrics` answers only to
    /// clients on this machine.
    pub metrics_token: Secret,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`. Empty: `sqlite://<data_dir>/larnav.db`.
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// `smtp://HOST:PORT` (plain, for a local relay), `smtp://USER:PASS@HOST:587?tls=required` or
    /// `smtps://…`. Empty: messages are written as .eml files to `<data_dir>/outbox`.
    pub smtp_url: Secret,
    /// The sender of every message.
    pub from: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// How long a login lasts without signing in again.
    pub session_hours: i64,
    /// Failed logins for one account, or from one client address, before further tries wait.
    pub max_login_failures: i64,
    /// The window those failures are counted in, and how long the wait lasts.
    pub login_window_minutes: i64,
    /// How long a password-reset link works.
    pub reset_link_minutes: i64,
    /// How long an invitation works.
    pub invitation_days: i64,
    /// Send cookies only over HTTPS. Leave on `auto` (follows `public_url`) unless behind a
    /// proxy that terminates TLS: then `true`.
    pub secure_cookies: SecureCookies,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    Auto,
    True,
    False,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A tracing filter such as `info` or `larnav=debug,tower_http=info`.
    pub level: String,
    /// `pretty` for people, `json` for log collectors.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server: ServerSettings {
                bind: "127.0.0.1:8080".into(),
                public_url: String::new(),
                data_dir: PathBuf::from("larnav-data"),
                shutdown_grace_secs: 10,
                trusted_proxies: Vec::new(),
                metrics_token: Secret::default(),
            },
            database: DatabaseSettings {
                url: Secret::default(),
                max_connections: 10,
            },
            mail: MailSettings {
                smtp_url: Secret::default(),
                from: "Lärnav <noreply@larnav.invalid>".into(),
            },
            security: SecuritySettings {
                session_hours: 12,
                max_login_failures: 5,
                login_window_minutes: 15,
                reset_link_minutes: 60,
                invitation_days: 14,
                secure_cookies: SecureCookies::Auto,
            },
            search: SearchSettings {
                sync_interval_ms: 1000,
            },
            privacy: PrivacySettings {
                home_kommun_months: 36,
                birth_year_band_months: 36,
                gender_months: 36,
                prior_education_months: 36,
                employment_at_start_months: 36,
                follow_up_answer_months: 36,
            },
            log: LogSettings {
                level: "info".into(),
                format: LogFormat::Pretty,
            },
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Settings::default().server
    }
}
impl Default for DatabaseSettings {
    fn default() -> Self {
        Settings::default().database
    }
}
impl Default for MailSettings {
    fn default() -> Self {
        Settings::default().mail
    }
}
impl Default for SecuritySettings {
    fn default() -> Self {
        Settings::default().security
    }
}
impl Default for SearchSettings {
    fn default() -> Self {
        Settings::default().search
    }
}
impl Default for PrivacySettings {
    fn default() -> Self {
        Settings::default().privacy
    }
}
impl Default for LogSettings {
    fn default() -> Self {
        Settings::default().log
    }
}

/// The commented default configuration that `larnav default-config` prints.
pub const DEFAULT_CONFIG: &str = include_str!("../../../larnav.example.toml");

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads defaults, then `file` (if given it must exist; `larnav.toml` in the working
    /// directory is read when present), then `LARNAV_…__…` environment variables.
    ///
    /// # Errors
    /// [`ConfigError`] naming the file, key and problem.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError(format!(
                        "the configuration file {} does not exist",
                        path.display()
                    )));
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file("larnav.toml")),
        }
        Self::extract(figment.merge(env_provider()))
    }

    /// Parses a configuration text on top of the defaults (no environment), for tests.
    ///
    /// # Errors
    /// [`ConfigError`].
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::extract(
            Figment::from(Serialized::defaults(Settings::default())).merge(Toml::string(text)),
        )
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        figment.extract::<Settings>().map_err(|e| {
            let messages: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            ConfigError(messages.join("; "))
        })
    }

    /// The database URL in force: the configured one or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.0.is_empty() {
            format!(
                "sqlite://{}",
                self.server.data_dir.join("larnav.db").display()
            )
        } else {
            self.database.url.0.clone()
        }
    }

    /// The public address without a trailing slash.
    pub fn public_url(&self) -> String {
        if self.server.public_url.is_empty() {
            format!("http://{}", self.server.bind)
        } else {
            self.server.public_url.trim_end_matches('/').to_string()
        }
    }

    pub fn secure_cookies(&self) -> bool {
        match self.security.secure_cookies {
            SecureCookies::Auto => self.public_url().starts_with("https://"),
            SecureCookies::True => true,
            SecureCookies::False => false,
        }
    }
}

/// `LARNAV_SERVER__BIND=…` → `server.bind`. Variables without a `__` (such as
/// `LARNAV_TEST_DATABASE_URL`) are not configuration and are ignored.
fn env_provider() -> Env {
    Env::prefixed("LARNAV_")
        .filter(|k| k.as_str().contains("__"))
        .split("__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_example_config_is_the_default() {
        let parsed = Settings::from_toml(DEFAULT_CONFIG).unwrap();
        assert_eq!(
            parsed,
            Settings::default(),
            "larnav.example.toml is stale: update it"
        );
    }

    #[test]
    fn an_unknown_key_is_an_error_that_names_it() {
        let err = Settings::from_toml("[server]\nbnid = \"x\"").unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_an_error_that_names_the_key() {
        let err = Settings::from_toml("[database]\nmax_connections = \"many\"").unwrap_err();
        assert!(err.to_string().contains("max_connections"), "{err}");
    }

    #[test]
    fn broken_toml_is_an_error() {
        assert!(Settings::from_toml("[server\nbind = 1").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let s =
            Settings::from_toml("[database]\nurl = \"postgres://u:hemligt@db/larnav\"").unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hemligt"), "{shown}");
        assert_eq!(s.database_url(), "postgres://u:hemligt@db/larnav");
    }

    #[test]
    fn the_database_defaults_to_sqlite_in_the_data_directory() {
        let s = Settings::default();
        assert_eq!(s.database_url(), "sqlite://larnav-data/larnav.db");
        assert_eq!(s.public_url(), "http://127.0.0.1:8080");
        assert!(!s.secure_cookies());
    }
}
