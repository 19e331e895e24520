//! Stores to run the story on: SQLite always; PostgreSQL when `SIGIDA_TEST_POSTGRES_URL`
//! names a server whose role may create databases (CI sets it). Each PostgreSQL store gets
//! a database of its own, so tests run in parallel without seeing each other.

use sigida_store::Store;

pub struct TestStore {
    pub store: Store,
    pub label: &'static str,
    /// Where to connect behind the store's back (to play the one who edits the database).
    #[allow(dead_code)] // read by the stories that tamper, not by every test file
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn stores() -> Vec<TestStore> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::open_dir(dir.path()).await.unwrap();
    let url = format!(
        "sqlite://{}",
        dir.path().join(sigida_store::SQLITE_FILE).display()
    );
    let mut stores = vec![TestStore {
        store: sqlite,
        label: "sqlite",
        url,
        _dir: Some(dir),
    }];
    match std::env::var("SIGIDA_TEST_POSTGRES_URL") {
        Ok(url) => {
            let (store, url) = fresh_postgres(&url).await;
            stores.push(TestStore {
                store,
                label: "postgres",
                url,
                _dir: None,
            })
        }
        Err(_) => {
            sigida_testkit::needed("PostgreSQL (SIGIDA_TEST_POSTGRES_URL)", false);
        }
    }
    stores
}

pub async fn fresh_postgres(url: &str) -> (Store, String) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let name = format!("sigida_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::AnyPool::connect(url).await.unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await;
    let (base, _) = url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    (Store::connect(&url).await.unwrap(), url)
}
