//! Every table of the schema says how it travels between copies (union, field merge, or
//! local to a copy), on both backends: a table added later without a class fails here.

mod common;

#[tokio::test]
async fn every_table_has_a_class_and_every_class_a_table() {
    for t in common::stores().await {
        let query = match t.label {
            "sqlite" => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            _ => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
        };
        use sqlx::Row;
        let pool = sqlx::AnyPool::connect(&t.url).await.unwrap();
        let mut tables: Vec<String> = sqlx::query(query)
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get(0).unwrap())
            .collect();
        tables.sort();
        pool.close().await;
        assert!(tables.len() > 40, "{}: {tables:?}", t.label);
        let unclassified: Vec<&String> = tables
            .iter()
            .filter(|t| sigida_store::sync::class_of(t).is_none())
            .collect();
        assert!(
            unclassified.is_empty(),
            "{}: tables without a sync class (union, merge or local) in sync/classes.rs: {unclassified:?}",
            t.label
        );
        let missing: Vec<&str> = sigida_store::sync::CLASSES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !tables.iter().any(|t| t == name))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: classes of no table: {missing:?}",
            t.label
        );
        t.store.close().await;
    }
}
