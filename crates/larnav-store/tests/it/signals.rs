use larnav_store::{
    AuditFilter, AuditRecord, NewAdCount, NewForecast, NewSignalSource, StoreError,
};

use crate::reference::sample;
use crate::{each_backend, now};

fn source(kind: &str, period: &str) -> NewSignalSource {
    NewSignalSource {
        kind: kind.into(),
        name: "Test".into(),
        publisher: "Arbetsförmedlingen".into(),
        period: period.into(),
        imported_by: None,
    }
}

fn forecast(area: &str, chances: &str) -> NewForecast {
    NewForecast {
        barometer_id: "B1".into(),
        barometer_name: "Undersköterskor".into(),
        ssyk_code: "5321".into(),
        area_code: area.into(),
        job_chances: chances.into(),
        outlook: "increase".into(),
    }
}

fn ads(kommun: &str, n: i64) -> NewAdCount {
    NewAdCount {
        ssyk_code: "5321".into(),
        kommun_code: kommun.into(),
        period: "2024".into(),
        ads: n,
    }
}

#[tokio::test]
async fn a_new_import_of_the_same_period_replaces_the_old_one_whole() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "signals.import", "");
        store
            .replace_forecasts(
                &source("forecast", "2025"),
                &[forecast("SE", "large"), forecast("21", "medium")],
                now(),
                &audit,
            )
            .await
            .unwrap();
        store
            .replace_forecasts(
                &source("forecast", "2025"),
                &[forecast("SE", "small")],
                now(),
                &audit,
            )
            .await
            .unwrap();
        let f = store.forecasts_for("5321").await.unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].area_name.as_str(), f[0].job_chances.as_str()),
            ("Riket", "small")
        );
        let sources = store.list_signal_sources().await.unwrap();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].row_count, 1);
        let events = store
            .list_audit_events(AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "signals.import")
                .count(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn a_failing_import_leaves_the_previous_figures_in_place() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "signals.import", "");
        store
            .replace_ad_counts(&source("ads", "2024"), &[ads("2184", 10)], now(), &audit)
            .await
            .unwrap();
        let err = store
            .replace_ad_counts(
                &source("ads", "2024"),
                &[ads("2184", 5), ads("9999", 1)],
                now(),
                &audit,
            )
            .await;
        assert!(
            matches!(err, Err(StoreError::Database(_))),
            "an unknown kommun violates a foreign key"
        );
        let by_area = store.ads_by_area_for("5321").await.unwrap();
        let riket = by_area.iter().find(|a| a.area_code == "SE").unwrap();
        assert_eq!(riket.ads, 10, "the old import is intact");
        assert_eq!(store.list_signal_sources().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn ads_are_summed_per_lan_and_for_the_whole_country() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "signals.import", "");
        let rows = [ads("2184", 10), ads("2180", 5), ads("0381", 7)];
        store
            .replace_ad_counts(&source("ads", "2024"), &rows, now(), &audit)
            .await
            .unwrap();
        let by_area = store.ads_by_area_for("5321").await.unwrap();
        let get = |code: &str| by_area.iter().find(|a| a.area_code == code).map(|a| a.ads);
        assert_eq!(get("SE"), Some(22));
        assert_eq!(get("21"), Some(15));
        assert_eq!(get("03"), Some(7));
        assert!(store.ads_by_area_for("5").await.unwrap().is_empty());
    })
    .await;
}
