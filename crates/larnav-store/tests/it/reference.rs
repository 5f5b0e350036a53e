use larnav_domain::reference::{
    Kommun, Lan, OccupationGroup, OccupationName, ReferenceData, Skill,
};

use crate::each_backend;

/// A small but complete slice of the real data: Gävleborg with two kommuner, one SSYK branch.
pub fn sample() -> ReferenceData {
    let group = |code: &str, level: u8, name: &str, parent: Option<&str>| OccupationGroup {
        code: code.into(),
        level,
        name: name.into(),
        definition: format!("Definition av {name}"),
        parent_code: parent.map(Into::into),
        jobtech_id: format!("id-{code}"),
    };
    ReferenceData {
        lan: vec![
            Lan {
                code: "21".into(),
                name: "Gävleborgs län".into(),
                jobtech_id: "zupA".into(),
                nuts3: "SE313".into(),
            },
            Lan {
                code: "03".into(),
                name: "Uppsala län".into(),
                jobtech_id: "zdoY".into(),
                nuts3: "SE121".into(),
            },
        ],
        kommuner: vec![
            Kommun {
                code: "2184".into(),
                name: "Hudiksvall".into(),
                lan_code: "21".into(),
                jobtech_id: "Hud".into(),
            },
            Kommun {
                code: "2180".into(),
                name: "Gävle".into(),
                lan_code: "21".into(),
                jobtech_id: "Gav".into(),
            },
            Kommun {
                code: "2132".into(),
                name: "Nordanstig".into(),
                lan_code: "21".into(),
                jobtech_id: "Nor".into(),
            },
            Kommun {
                code: "0381".into(),
                name: "Enköping".into(),
                lan_code: "03".into(),
                jobtech_id: "Enk".into(),
            },
            Kommun {
                code: "0382".into(),
                name: "Östhammar".into(),
                lan_code: "03".into(),
                jobtech_id: "Ost".into(),
            },
        ],
        occupation_groups: vec![
            group("5", 1, "Yrken inom service, omsorg och försäljning", None),
            group("53", 2, "Omsorgsyrken", Some("5")),
            group("532", 3, "Vård- och omsorgspersonal", Some("53")),
            group(
                "5321",
                4,
                "Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering",
                Some("532"),
            ),
        ],
        occupation_names: vec![
            OccupationName {
                jobtech_id: "n1".into(),
                name: "Undersköterska, hemtjänst".into(),
                group_code: "5321".into(),
            },
            OccupationName {
                jobtech_id: "n2".into(),
                name: "Vårdbiträde".into(),
                group_code: "5321".into(),
            },
        ],
        skills: vec![Skill {
            jobtech_id: "s1".into(),
            name: "Demensvård".into(),
        }],
        group_skills: vec![("5321".into(), "s1".into())],
        sun_fields: vec![],
        sun_levels: vec![],
    }
}

#[tokio::test]
async fn reference_data_loads_in_one_go_and_reads_back() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let counts = store.reference_counts().await.unwrap();
        assert_eq!(
            (
                counts.lan,
                counts.kommuner,
                counts.occupation_groups,
                counts.occupation_names
            ),
            (2, 5, 4, 2)
        );
        assert_eq!(
            store
                .meta_get("reference_data_version")
                .await
                .unwrap()
                .as_deref(),
            Some("v1")
        );

        let g = store.get_occupation_group("5321").await.unwrap();
        assert_eq!(g.parent_code.as_deref(), Some("532"));
        assert_eq!(store.list_occupation_names("5321").await.unwrap().len(), 2);
        assert_eq!(
            store.list_group_skills("5321").await.unwrap()[0].name,
            "Demensvård"
        );
        assert_eq!(store.list_occupation_groups(None).await.unwrap().len(), 1);
        assert_eq!(
            store.get_kommun("2184").await.unwrap().lan_name,
            "Gävleborgs län"
        );
        assert!(matches!(
            store.get_kommun("9999").await,
            Err(larnav_store::StoreError::NotFound)
        ));

        // The same version again is a no-op; a new version replaces, never duplicates.
        assert!(!store.replace_reference_data(&sample(), "v1").await.unwrap());
        assert!(store.replace_reference_data(&sample(), "v2").await.unwrap());
        assert_eq!(store.reference_counts().await.unwrap().occupation_names, 2);
    })
    .await;
}

#[tokio::test]
async fn places_are_listed_in_swedish_order() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let names: Vec<_> = store
            .list_kommuner(None)
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(
            names,
            ["Enköping", "Gävle", "Hudiksvall", "Nordanstig", "Östhammar"]
        );
        let lan: Vec<_> = store
            .list_lan()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(lan, ["Gävleborgs län", "Uppsala län"]);
    })
    .await;
}

#[tokio::test]
async fn search_folds_swedish_case_and_treats_wildcards_literally() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let (_, kommuner) = store.search_places("ÖSTH", 10).await.unwrap();
        assert_eq!(kommuner.len(), 1, "Ö folds to ö on both backends");
        let (_, kommuner) = store.search_places("osth", 10).await.unwrap();
        assert!(kommuner.is_empty(), "o is not ö");
        let (_, kommuner) = store.search_places("%", 10).await.unwrap();
        assert!(kommuner.is_empty(), "% is matched literally");
        let (groups, names) = store.search_occupations("underskö", 10).await.unwrap();
        assert_eq!(groups[0].code, "5321");
        assert_eq!(names[0].name, "Undersköterska, hemtjänst");
        let (groups, _) = store.search_occupations("532", 10).await.unwrap();
        assert_eq!(
            groups.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
            ["5321", "532"]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_load_the_reference_data_once() {
    each_backend(|store, _| async move {
        // Enough rows that the loads overlap in time.
        let mut data = sample();
        data.skills = (0..20_000)
            .map(|i| Skill {
                jobtech_id: format!("s{i}"),
                name: format!("Kompetens {i}"),
            })
            .collect();
        let loads = (0..4).map(|_| {
            let store = store.clone();
            let data = data.clone();
            tokio::spawn(async move { store.replace_reference_data(&data, "v1").await })
        });
        // Spawn all before awaiting any.
        let loads: Vec<_> = loads.collect();
        let mut loaded = 0;
        for handle in loads {
            if handle.await.unwrap().expect("no instance fails") {
                loaded += 1;
            }
        }
        assert_eq!(loaded, 1, "exactly one instance loaded");
        assert_eq!(store.reference_counts().await.unwrap().kommuner, 5);
    })
    .await;
}
