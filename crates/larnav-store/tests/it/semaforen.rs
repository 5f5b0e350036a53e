use larnav_domain::OrganisationKind;
use larnav_store::{
    AuditFilter, AuditRecord, NewAd, NewNeedReport, NewPublication, NewSignalSource,
    NewSupplyPlace, PublishedEntry, Store,
};

use crate::{each_backend, now, organisation};

async fn region(store: &Store) -> i64 {
    organisation(store, "Region", OrganisationKind::Region).await
}

fn need(ssyk: &str, kommun: &str, now_: i64) -> NewNeedReport {
    NewNeedReport {
        employer_name: "Vård AB".into(),
        on_behalf: true,
        ssyk_code: ssyk.into(),
        kommun_code: kommun.into(),
        needed_now: now_,
        needed_1y: 2,
        needed_3y: 0,
        difficulty: 4,
        comment: String::new(),
    }
}

#[tokio::test]
async fn need_reports_are_stored_all_or_nothing() {
    each_backend(|store, _| async move {
        let org = region(&store).await;
        let audit = AuditRecord::new(None, "need.import", "");
        // The data version (what cached Semaforen lists are valid for) moves with every
        // committed change to a list's inputs, and with nothing else.
        let v0 = store.data_version().await.unwrap();
        organisation(&store, "Kommunen", OrganisationKind::Municipality).await;
        assert_eq!(store.data_version().await.unwrap(), v0, "not an input");
        store
            .create_need_reports(
                org,
                &[need("5321", "2184", 3), need("5321", "2180", 1)],
                &[],
                None,
                now(),
                &audit,
            )
            .await
            .unwrap();
        let v1 = store.data_version().await.unwrap();
        assert!(v1 > v0);
        // An unknown kommun in the second row: the first row is not stored either, and the
        // report it was to replace stays.
        let first = store.list_need_reports(Some(org)).await.unwrap()[0].id;
        let bad = store
            .create_need_reports(
                org,
                &[need("5321", "2184", 5), need("5321", "9999", 1)],
                &[first],
                None,
                now(),
                &audit,
            )
            .await;
        assert!(bad.is_err());
        assert_eq!(
            store.data_version().await.unwrap(),
            v1,
            "rolled back with the import"
        );
        let reports = store.list_need_reports(Some(org)).await.unwrap();
        assert_eq!(reports.len(), 2);
        assert_eq!(
            reports[0].occupation_name,
            "Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering"
        );
        let rows = store
            .need_rows(now() - chrono::Duration::days(1))
            .await
            .unwrap();
        assert_eq!(rows.iter().map(|r| r.needed_now).sum::<i64>(), 4);
        store
            .delete_need_report(reports[0].id, now(), &audit)
            .await
            .unwrap();
        assert_eq!(store.list_need_reports(None).await.unwrap().len(), 1);
        assert!(store.data_version().await.unwrap() > v1);
    })
    .await;
}

#[tokio::test]
async fn a_published_list_cannot_change_or_disappear_even_by_sql() {
    each_backend(|store, _| async move {
        let org = region(&store).await;
        let audit = AuditRecord::new(None, "priority_list.create", "");
        let id = store
            .create_priority_list(
                org,
                "21",
                2025,
                "Prioriterade bristyrken",
                "{}",
                now(),
                &audit,
            )
            .await
            .unwrap();
        let list = store.get_priority_list(id).await.unwrap();
        let entry = PublishedEntry {
            position: 1,
            ssyk_code: "5321".into(),
            occupation_name: "Undersköterskor".into(),
            field_name: "Hälso- och sjukvård".into(),
            band: "4".into(),
            light: "red".into(),
            computed_light: "yellow".into(),
            score: 71.5,
            reason: Some("Stor pensionsavgång".into()),
        };
        let publication = NewPublication {
            title: list.title.clone(),
            area_name: "Gävleborgs län".into(),
            weights: "{}".into(),
            sources: "Yrkesbarometer".into(),
            published_by: None,
        };
        let v1 = store
            .publish_priority_list(
                &list,
                &publication,
                std::slice::from_ref(&entry),
                now(),
                &audit,
            )
            .await
            .unwrap();
        let v2 = store
            .publish_priority_list(&list, &publication, &[], now(), &audit)
            .await
            .unwrap();
        let (first, entries) = store.get_published(v1).await.unwrap();
        assert_eq!((first.version, entries), (1, vec![entry]));
        assert_eq!(store.get_published(v2).await.unwrap().0.version, 2);

        for sql in [
            "UPDATE published_entry SET light = 'green'",
            "DELETE FROM published_entry",
            "UPDATE published_list SET title = 'ändrad'",
            "DELETE FROM published_list",
        ] {
            assert!(
                store.execute_unchecked(sql).await.is_err(),
                "{sql} was allowed"
            );
        }
        assert_eq!(store.get_published(v1).await.unwrap().1.len(), 1);
        let events = store
            .list_audit_events(AuditFilter {
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "priority_list.create")
                .count(),
            3
        );
    })
    .await;
}

fn ad(id: &str, kommun: &str, period: &str) -> NewAd {
    NewAd {
        id: id.into(),
        ssyk_code: "5321".into(),
        kommun_code: kommun.into(),
        period: period.into(),
        vacancies: 2,
    }
}

#[tokio::test]
async fn streamed_ads_count_each_id_once_across_batches_and_reruns() {
    each_backend(|store, _| async move {
        region(&store).await;
        let audit = AuditRecord::new(None, "ads.import", "");
        let (run, source) = store
            .start_ad_import("a.jsonl", 100, None, now(), &audit)
            .await
            .unwrap();
        let batch = [
            ad("1", "2184", "2024-01"),
            ad("2", "2184", "2024-01"),
            ad("2", "2184", "2024-01"),
            ad("3", "2180", "2024-02"),
        ];
        let r = store
            .store_ad_batch(
                run,
                source,
                &batch,
                &[(7, "broken: x".into())],
                5,
                50,
                now(),
            )
            .await
            .unwrap();
        assert_eq!((r.accepted, r.duplicates), (3, 1));
        // The same lines again (a re-run after a crash): nothing new is counted.
        let r = store
            .store_ad_batch(run, source, &batch, &[], 4, 50, now())
            .await
            .unwrap();
        assert_eq!((r.accepted, r.duplicates), (0, 4));
        let r = store
            .store_ad_batch(
                run,
                source,
                &[ad("4", "2184", "2024-01")],
                &[],
                1,
                10,
                now(),
            )
            .await
            .unwrap();
        assert_eq!(r.accepted, 1);
        store
            .finish_ad_import(run, source, "done", "", now())
            .await
            .unwrap();

        let rows = store.ad_year_rows().await.unwrap();
        let total: i64 = rows.iter().map(|r| r.ads).sum();
        assert_eq!(total, 4);
        let periods = store.ad_periods_for("5321").await.unwrap();
        let hudik_jan: i64 = periods
            .iter()
            .filter(|(_, k, p, _)| k == "2184" && p == "2024-01")
            .map(|r| r.3)
            .sum();
        assert_eq!(hudik_jan, 3);
        let import = store.get_ad_import(run).await.unwrap();
        assert!(
            !import.stalled(now(), chrono::Duration::minutes(2)),
            "finished runs never stall"
        );
        let (stopped, _) = store
            .start_ad_import(
                "b.jsonl",
                1,
                None,
                now() - chrono::Duration::minutes(5),
                &audit,
            )
            .await
            .unwrap();
        let stopped = store.get_ad_import(stopped).await.unwrap();
        assert!(
            stopped.stalled(now(), chrono::Duration::minutes(2)),
            "running without progress"
        );
        assert_eq!(
            (
                import.status.as_str(),
                import.lines_done,
                import.accepted,
                import.duplicates,
                import.rejected
            ),
            ("done", 10, 4, 5, 1)
        );
        assert_eq!(
            store.ad_import_rejections(run, 10).await.unwrap(),
            [(7, "broken: x".to_string())]
        );
        let sources = store.list_signal_sources().await.unwrap();
        assert_eq!(
            sources.iter().find(|s| s.id == source).unwrap().row_count,
            2
        );
    })
    .await;
}

#[tokio::test]
async fn confirmed_supply_links_survive_a_new_import() {
    each_backend(|store, _| async move {
        region(&store).await;
        let audit = AuditRecord::new(None, "signals.import", "");
        let source = NewSignalSource {
            kind: "supply".into(),
            name: "YH".into(),
            publisher: "MYH".into(),
            period: "2024".into(),
            imported_by: None,
        };
        let row = |kommun: &str| NewSupplyPlace {
            reference: "MYH 2024/1".into(),
            education_name: "Undersköterska".into(),
            provider: "Skolan".into(),
            sun_code: "723a".into(),
            seqf_level: Some(5),
            kommun_code: kommun.into(),
            applied_places: 40,
            granted_places: 30,
            places: 15,
            suggested_ssyk: Some("5321".into()),
            suggestion_confidence: Some(100),
        };
        store
            .replace_supply(&source, &[row("2184"), row("2180")], now(), &audit)
            .await
            .unwrap();
        assert!(
            store.confirmed_places().await.unwrap().is_empty(),
            "suggestions do not count"
        );
        assert_eq!(
            store.unconfirmed_places().await.unwrap().len(),
            2,
            "but are known as unconfirmed"
        );
        let waiting = store.list_supply(Some(false), true).await.unwrap();
        assert_eq!(waiting.len(), 2);
        assert_eq!(
            waiting[0].suggested_name.as_deref(),
            Some("Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering")
        );
        store
            .link_supply(waiting[0].id, Some("5321"), None, now(), &audit)
            .await
            .unwrap();
        assert_eq!(
            store.list_supply(Some(true), true).await.unwrap().len(),
            2,
            "the whole education"
        );

        store
            .replace_supply(&source, &[row("2184"), row("2180")], now(), &audit)
            .await
            .unwrap();
        let mut places = store.confirmed_places().await.unwrap();
        places.sort();
        assert_eq!(
            places,
            [
                ("5321".into(), "2180".into(), 15),
                ("5321".into(), "2184".into(), 15)
            ]
        );
        assert!(store.unconfirmed_places().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn suggestions_are_confirmed_in_bulk_per_education_with_one_audit_row() {
    each_backend(|store, _| async move {
        region(&store).await;
        let audit = AuditRecord::new(None, "signals.import", "");
        let source = NewSignalSource {
            kind: "supply".into(),
            name: "YH".into(),
            publisher: "MYH".into(),
            period: "2024".into(),
            imported_by: None,
        };
        let row = |reference: &str, kommun: &str, suggested: Option<&str>| NewSupplyPlace {
            reference: reference.into(),
            education_name: "Utbildning".into(),
            provider: "Skolan".into(),
            sun_code: "723a".into(),
            seqf_level: Some(5),
            kommun_code: kommun.into(),
            applied_places: 40,
            granted_places: 30,
            places: 10,
            suggested_ssyk: suggested.map(str::to_string),
            suggestion_confidence: suggested.map(|_| 80),
        };
        let rows = [
            row("A", "2184", Some("5321")),
            row("A", "2180", Some("5321")),
            row("B", "2184", Some("5321")),
            row("C", "2184", None),
        ];
        store
            .replace_supply(&source, &rows, now(), &audit)
            .await
            .unwrap();
        let all = store.list_supply(None, true).await.unwrap();
        let id = |r: &str, k: &str| {
            all.iter()
                .find(|s| s.reference == r && s.kommun_code == k)
                .unwrap()
                .id
        };
        let bulk = AuditRecord::new(None, "supply.confirm", "supply").with_detail("test");
        let n = store
            .confirm_supply_suggestions(&[id("A", "2184"), id("C", "2184")], None, now(), &bulk)
            .await
            .unwrap();
        assert_eq!(n, 1, "A is one education; C has no suggestion");
        let linked = store.list_supply(Some(true), true).await.unwrap();
        assert_eq!(linked.len(), 2, "both of A's kommuner");
        assert!(
            linked
                .iter()
                .all(|s| s.ssyk_code.as_deref() == Some("5321"))
        );
        let n = store
            .confirm_supply_suggestions(&[id("A", "2180")], None, now(), &bulk)
            .await
            .unwrap();
        assert_eq!(n, 0, "already confirmed");
        let audit_rows = store
            .list_audit_events(larnav_store::AuditFilter {
                organisation_id: None,
                before_id: None,
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            audit_rows
                .iter()
                .filter(|a| a.action == "supply.confirm")
                .count(),
            1,
            "nothing confirmed, nothing audited"
        );
        assert_eq!(
            store.unconfirmed_places().await.unwrap(),
            [("5321".into(), "2184".into(), 10)]
        );
    })
    .await;
}
