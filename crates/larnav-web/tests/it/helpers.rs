use std::path::PathBuf;

use larnav_app::admin::NewAccount;
use larnav_app::domain::{Actor, Role};
use larnav_app::organisations::OrganisationForm;
use larnav_app::settings::{Secret, Settings};
use larnav_app::{App, now};
use larnav_store::testing::{TestDatabase, backends};
use larnav_store::{AuditRecord, Backend};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};

pub const PASSWORD: &str = "korrekt häst batteri";

pub struct TestApp {
    pub address: String,
    pub app: App,
    pub client: Client,
    pub data_dir: PathBuf,
    db: Option<TestDatabase>,
}

/// Runs `test` against a fresh server on every available backend.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = TestApp>,
{
    for backend in backends() {
        let app = spawn_app(backend).await;
        let app = test(app).await;
        app.cleanup().await;
    }
}

/// Waits (up to five seconds) for an e-mail containing `needle`; mails are sent in the background.
pub async fn wait_for_mail(t: &TestApp, needle: &str) {
    for _ in 0..100 {
        if t.outbox().iter().any(|m| m.contains(needle)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no e-mail containing {needle:?}");
}

pub fn settings_for(db: &TestDatabase, data_dir: &std::path::Path) -> Settings {
    let mut s = Settings::default();
    s.database.url = Secret(db.url.clone());
    s.server.data_dir = data_dir.to_path_buf();
    // Tests act as a reverse proxy on loopback: a request with `X-Forwarded-For` comes from
    // that address (login throttling per client), one without it from 127.0.0.1.
    s.server.trusted_proxies = vec!["127.0.0.1".into()];
    s
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let db = TestDatabase::create(backend).await;
    let data_dir = std::env::temp_dir().join(format!(
        "larnav-web-test-{}",
        larnav_app::security::random_token()
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let mut settings = settings_for(&db, &data_dir);
    settings.server.public_url = address.clone();
    let (app, _) = App::open(settings).await.expect("app opens");
    tokio::spawn(larnav_web::serve(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    TestApp {
        address,
        app,
        client: new_client(),
        data_dir,
        db: Some(db),
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn cleanup(mut self) {
        self.app.store().close().await;
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }

    /// Another app instance serving the same database with its own data directory (and so
    /// its own search index), as a second server behind a load balancer.
    pub async fn spawn_second_instance(&self) -> SecondInstance {
        let db = self.db.as_ref().expect("database");
        let dir = std::env::temp_dir().join(format!(
            "larnav-web-second-{}",
            larnav_app::security::random_token()
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let (app, _) = App::open(settings_for(db, &dir))
            .await
            .expect("second instance opens");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(larnav_web::serve(app.clone(), listener, async move {
            let _ = stopped.await;
        }));
        SecondInstance {
            address,
            app,
            dir,
            stop,
            client: new_client(),
        }
    }

    /// A second browser on the same server (a fresh cookie jar), beside this one. It does not
    /// own the database: clean up only the original.
    pub fn clone_browser(&self) -> Self {
        Self {
            address: self.address.clone(),
            app: self.app.clone(),
            client: new_client(),
            data_dir: self.data_dir.clone(),
            db: None,
        }
    }

    /// The same server seen from another browser (a fresh cookie jar).
    pub fn another_browser(self) -> Self {
        Self {
            client: new_client(),
            ..self
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The CSRF token this client's pages carry (visiting a page first sets the cookie).
    pub async fn csrf(&self) -> String {
        let (_, html) = self.get_text("/login").await;
        extract_csrf(&html)
    }

    /// Submits a form as a browser would, with the page's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    /// Uploads `bytes` as file `name` in the `field` of a multipart form to `path`, with the
    /// CSRF token as the form's first field, as the pages send it.
    pub async fn upload_as(&self, path: &str, field: &str, name: &str, bytes: Vec<u8>) -> Response {
        self.upload_with(path, &[], field, name, bytes).await
    }

    /// [`TestApp::upload_as`] with the form's text `fields` between the token and the file.
    pub async fn upload_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        field: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf().await);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let form = form.part(field.to_string(), part);
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// [`TestApp::upload_as`] in the `document` field.
    pub async fn upload(&self, path: &str, name: &str, bytes: Vec<u8>) -> Response {
        self.upload_as(path, "document", name, bytes).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Logs in as a browser at client address `ip` behind the (trusted) proxy would.
    pub async fn login_from(&self, ip: &str, email: &str, password: &str) -> Response {
        let token = self.csrf().await;
        self.client
            .post(self.url("/login"))
            .header("x-forwarded-for", ip)
            .form(&[
                ("csrf", token.as_str()),
                ("email", email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Creates an account directly through the app.
    pub async fn create_user(&self, email: &str, name: &str, platform_admin: bool) -> i64 {
        let account = NewAccount {
            email: email.into(),
            display_name: name.into(),
            password: PASSWORD.into(),
            platform_admin,
        };
        self.app
            .create_account(&Actor::system(), &account)
            .await
            .unwrap()
            .id
    }

    pub async fn create_org(&self, name: &str) -> i64 {
        let form = OrganisationForm {
            name: name.into(),
            kind: "learning_centre".into(),
            organisation_number: String::new(),
            kommun_code: "2184".into(),
            parent_id: String::new(),
        };
        self.app
            .create_organisation(&Actor::system(), &form)
            .await
            .unwrap()
            .id
    }

    /// A new organisation with a new person holding `role` in it: (organisation, person).
    pub async fn org_with(
        &self,
        org_name: &str,
        email: &str,
        name: &str,
        role: Role,
    ) -> (i64, i64) {
        let org = self.create_org(org_name).await;
        let user = self.create_user(email, name, false).await;
        self.grant(org, user, &[role]).await;
        (org, user)
    }

    pub async fn grant(&self, org: i64, user: i64, roles: &[Role]) {
        let audit = AuditRecord::new(None, "member.roles_change", "test");
        self.app
            .store()
            .set_member_roles(org, user, roles, now(), &audit)
            .await
            .unwrap();
    }

    /// An API token for an existing user.
    pub async fn token_for(&self, user_id: i64) -> String {
        let user = self.app.store().get_user(user_id).await.unwrap();
        let caller = larnav_app::accounts::Caller {
            actor: self.app.actor_for(&user).await.unwrap(),
            user,
        };
        self.app.create_api_token(&caller, "test").await.unwrap().1
    }

    /// The messages in the e-mail outbox, decoded, oldest first.
    pub fn outbox(&self) -> Vec<String> {
        let dir = self.data_dir.join("outbox");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).collect())
            .unwrap_or_default();
        files.sort_by_key(|f| f.metadata().and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|f| decode_quoted_printable(&std::fs::read_to_string(f.path()).unwrap()))
            .collect()
    }

    /// Sends what the outbox holds now and waits (up to five seconds) until nothing to `to`
    /// (anyone, when empty) is pending: mail goes out through the outbox worker, not inside
    /// the request.
    pub async fn deliver_mail_to(&self, to: &str) {
        for _ in 0..100 {
            self.app.deliver_mail().await.unwrap();
            let (unsent, _) = self.app.store().unsent_mails(1000).await.unwrap();
            if !unsent
                .iter()
                .any(|m| (to.is_empty() || m.recipient == to) && m.status == "pending")
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("mail to {to} still pending");
    }

    /// The first link to `path_prefix` in the newest message sent to `to`.
    pub async fn link_in_mail(&self, to: &str, path_prefix: &str) -> String {
        self.deliver_mail_to(to).await;
        let mail = self
            .outbox()
            .into_iter()
            .rev()
            .find(|m| m.contains(to))
            .unwrap_or_else(|| panic!("no mail to {to}"));
        let start = mail
            .find(&format!("{}{path_prefix}", self.address))
            .expect("a link in the mail");
        let link: String = mail[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        link.trim_start_matches(&self.address).to_string()
    }
}

/// A JSON call with a bearer token: (status, body).
pub async fn call(
    t: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut r = reqwest::Client::new()
        .request(method, t.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

pub fn extract_csrf(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field on the page") + marker.len();
    html[start..].chars().take_while(|c| *c != '"').collect()
}

/// Undoes quoted-printable encoding (soft line breaks and =XX escapes) of a whole message.
fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A second server on the test's database (see [`TestApp::spawn_second_instance`]).
pub struct SecondInstance {
    pub address: String,
    pub app: App,
    pub client: Client,
    dir: PathBuf,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl SecondInstance {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.app.store().close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
