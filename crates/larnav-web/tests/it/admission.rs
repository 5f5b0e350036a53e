//! Admission over HTTP: a provider opens a round, learners apply and upload documents, staff
//! review eligibility, run (a concurrent run is refused), compare what-if seats, publish;
//! an admitted learner declines and the first reserve is offered the seat — with e-mails.

use larnav_app::domain::{Actor, Role};

use crate::helpers::{PASSWORD, TestApp, each_backend, location, wait_for_mail};

async fn actor(t: &TestApp, user: i64) -> Actor {
    let u = t.app.store().get_user(user).await.unwrap();
    t.app.actor_for(&u).await.unwrap()
}

#[tokio::test]
async fn a_round_from_applications_to_promoted_reserves() {
    each_backend(|t| async move {
        let (uni, _) = t
            .org_with(
                "Högskolan i Gävle",
                "antagning@x.se",
                "Antagning",
                Role::ProviderStaff,
            )
            .await;
        let course = |title: &str| larnav_app::catalogue::OfferingForm {
            title: title.into(),
            summary: "Kurs.".into(),
            description: "Beskrivning.".into(),
            kind: "course".into(),
            ssyk_codes: "5321".into(),
            format: "distance".into(),
            credit_kind: "hp".into(),
            credits: "7,5".into(),
            payer: "free".into(),
            language: "sv".into(),
            ..Default::default()
        };
        let pilot = crate::catalogue::publish(&t.app, uni, &course("Undersköterska, pilot")).await;
        let other = crate::catalogue::publish(&t.app, uni, &course("Vårdhygien")).await;
        let occasion_of = |offering: i64| {
            let app = t.app.clone();
            async move { app.store().occasions(offering).await.unwrap()[0].id }
        };
        let (pilot_occ, other_occ) = (occasion_of(pilot).await, occasion_of(other).await);

        assert_eq!(t.login("antagning@x.se", PASSWORD).await.status(), 303);
        let today = larnav_app::catalogue::today_in_sweden();
        let opens = (today - chrono::Duration::days(1)).to_string();
        let closes = (today + chrono::Duration::days(10)).to_string();
        // Bad settings are refused with the field named.
        let r = t
            .post_form(
                &format!("/organisations/{uni}/rounds"),
                &[
                    ("name", "Våren"),
                    ("opens_on", &closes),
                    ("closes_on", &opens),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("före öppningsdagen"));
        let r = t
            .post_form(
                &format!("/organisations/{uni}/rounds"),
                &[
                    ("name", "Våren"),
                    ("opens_on", &opens),
                    ("closes_on", &closes),
                    ("max_choices", "2"),
                    ("reply_days", "7"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let round: i64 = location(&r).trim_start_matches("/rounds/").parse().unwrap();
        // Quotas above the seats are refused; then two occasions with their rules.
        let r = t
            .post_form(
                &format!("/rounds/{round}/occasions"),
                &[
                    ("occasion_id", &pilot_occ.to_string()),
                    ("seats", "3"),
                    ("groups", "Betyg: 2\nProv: 2"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Kvoterna blir fler än platserna")
        );
        for (occ, seats) in [(pilot_occ, "3"), (other_occ, "1")] {
            let r = t
                .post_form(
                    &format!("/rounds/{round}/occasions"),
                    &[
                        ("occasion_id", &occ.to_string()),
                        ("seats", seats),
                        ("groups", ""),
                    ],
                )
                .await;
            assert_eq!(r.status(), 303);
        }

        // Six learners apply: everyone wants the pilot first.
        let mut learners = Vec::new();
        for i in 0..6 {
            let id = t
                .create_user(&format!("sokande{i}@x.se"), &format!("Sökande {i}"), false)
                .await;
            learners.push(id);
        }
        for (i, &l) in learners.iter().enumerate().skip(1) {
            let choices = if i % 2 == 0 {
                vec![pilot_occ, other_occ]
            } else {
                vec![pilot_occ]
            };
            t.app
                .apply(&actor(&t, l).await, round, &choices)
                .await
                .unwrap();
        }
        // The first through the pages, with bad input first.
        let me = t.clone_browser();
        assert_eq!(me.login("sokande0@x.se", PASSWORD).await.status(), 303);
        let (status, html) = me.get_text(&format!("/admission/{round}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Undersköterska, pilot"));
        let p = pilot_occ.to_string();
        let r = me
            .post_form(
                &format!("/admission/{round}/apply"),
                &[("choice_1", &p), ("choice_2", &p)],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Samma utbildning är vald två gånger")
        );
        let r = me
            .post_form(
                &format!("/admission/{round}/apply"),
                &[("choice_1", "999999")],
            )
            .await;
        assert_eq!(r.status(), 409);
        let too_many = t
            .app
            .apply(
                &actor(&t, learners[0]).await,
                round,
                &[pilot_occ, other_occ, 999],
            )
            .await;
        assert_eq!(too_many.unwrap_err().code(), "validation_failed");
        let r = me
            .post_form(&format!("/admission/{round}/apply"), &[("choice_1", &p)])
            .await;
        assert_eq!(r.status(), 303);
        wait_for_mail(&t, "tagit emot din ansökan i Våren").await;

        // Someone who registered with an address they have not verified cannot apply: anyone
        // could otherwise apply in another person's name and have the results sent to them.
        let stranger = t.clone_browser();
        let r = stranger
            .post_form(
                "/register",
                &[
                    ("display_name", "Okänd Person"),
                    ("email", "nagon-annans@x.se"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (status, html) = stranger.get_text(&format!("/admission/{round}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Bekräfta din e-postadress först"));
        assert!(
            !html.contains(&format!("action=\"/admission/{round}/apply\"")),
            "no form to send"
        );
        let r = stranger
            .post_form(&format!("/admission/{round}/apply"), &[("choice_1", &p)])
            .await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Bekräfta din e-postadress först")
        );
        let doc = stranger
            .upload(
                &format!("/admission/{round}/documents"),
                "betyg.pdf",
                b"%PDF-1.4 x".to_vec(),
            )
            .await;
        assert_eq!(doc.status(), 409, "no documents either");

        // Documents: judged by content and size; a good one is kept.
        let path = format!("/admission/{round}/documents");
        let upload = |name: &'static str, bytes: Vec<u8>| me.upload(&path, name, bytes);
        let r = upload("betyg.pdf", b"MZ\x90\x00 not a pdf".to_vec()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("inte en PDF"));
        let r = upload("betyg.png", b"%PDF-1.7 a pdf".to_vec()).await;
        assert_eq!(r.status(), 422);
        let r = upload(
            "betyg.pdf",
            [b"%PDF-1.7".as_slice(), &[0u8; 11 * 1024 * 1024]].concat(),
        )
        .await;
        assert_eq!(r.status(), 422, "over the limit");
        assert!(r.text().await.unwrap().contains("för stor"));
        let r = upload("betyg.pdf", b"%PDF-1.7 grades".to_vec()).await;
        assert_eq!(r.status(), 303);
        let (_, html) = me.get_text(&format!("/admission/{round}")).await;
        assert!(html.contains("betyg.pdf"));

        // Staff: applications are open until the late window ends (applicants were told they
        // may change their choices until then), so a run is refused and says why.
        let r = t
            .post_form(&format!("/rounds/{round}/run"), &[("seed", "7")])
            .await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Ansökan är fortfarande öppen")
        );
        let (_, html) = t.get_text(&format!("/rounds/{round}")).await;
        assert!(
            html.contains("Urvalet kan köras från"),
            "the page says when"
        );
        // Closing early is an explicit decision: it needs a reason, e-mails every applicant
        // and shows on every page; it cannot be done twice.
        let close = format!("/rounds/{round}/close");
        let r = t.post_form(&close, &[("reason", "  ")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Fältet måste fyllas i"));
        let r = t
            .post_form(&close, &[("reason", "Kursen startar tidigare än planerat")])
            .await;
        assert_eq!(r.status(), 303);
        t.deliver_mail_to("").await;
        let told = t
            .outbox()
            .iter()
            .filter(|m| m.contains("stängdes i förtid") && m.contains("Kursen startar tidigare"))
            .count();
        assert_eq!(told, 6, "every applicant is told, once");
        let r = t.post_form(&close, &[("reason", "Igen")]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("redan stängd"));
        let (_, html) = me.get_text(&format!("/admission/{round}")).await;
        assert!(
            html.contains("stängdes i förtid"),
            "the applicant's page shows it"
        );
        assert!(html.contains("Kursen startar tidigare än planerat"));
        let r = me
            .post_form(&format!("/admission/{round}/apply"), &[("choice_1", &p)])
            .await;
        assert_eq!(r.status(), 409, "no changes after closing");
        assert!(
            !t.app
                .open_rounds()
                .await
                .unwrap()
                .iter()
                .any(|o| o.id == round),
            "the round is no longer listed as open"
        );

        // A run waits for every eligibility decision.
        let r = t
            .post_form(&format!("/rounds/{round}/run"), &[("seed", "7")])
            .await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("väntar fortfarande på behörighetsprövning")
        );
        let learner_view = t
            .app
            .review_queue(&actor(&t, learners[0]).await, round, None)
            .await;
        assert_eq!(
            learner_view.unwrap_err().code(),
            "forbidden",
            "learners do not see the queue"
        );
        let staff = t
            .app
            .store()
            .find_user_by_email("antagning@x.se")
            .await
            .unwrap()
            .unwrap();
        let staff_actor = t.app.actor_for(&staff).await.unwrap();
        let (_, _, choices) = t.app.review_queue(&staff_actor, round, None).await.unwrap();
        assert_eq!(choices.len(), 8);
        // Several staff reviewing at the same moment: every decision is saved (SQLite used to
        // answer "database is locked" when two read-then-write transactions met).
        let reviews = (0..16).map(|i| {
            let (app, actor, choice) = (t.app.clone(), staff_actor.clone(), choices[i % 8].id);
            tokio::spawn(async move {
                let form = larnav_app::admission::DecisionForm {
                    eligibility: "needs_completion".into(),
                    note: format!("Granskning {i}"),
                    ..Default::default()
                };
                app.decide_choice(&actor, round, choice, &form).await
            })
        });
        for review in futures_util::future::join_all(reviews).await {
            review.unwrap().expect("a concurrent review is saved");
        }
        // Sökande 1 is not eligible; the rest are, ticked in one decision.
        let mut fields: Vec<(&str, String)> = vec![("eligibility", "eligible".into())];
        for c in choices.iter().filter(|c| c.applicant_name != "Sökande 1") {
            fields.push(("choice", c.id.to_string()));
        }
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            t.post_form(&format!("/rounds/{round}/decisions"), &refs)
                .await
                .status(),
            303
        );
        let one = choices
            .iter()
            .find(|c| c.applicant_name == "Sökande 1")
            .unwrap();
        let r = t
            .post_form(
                &format!("/rounds/{round}/choices/{}", one.id),
                &[
                    ("eligibility", "not_eligible"),
                    ("note", "Saknar Svenska 2"),
                    ("merits", "tjugo"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "a merit must be a number");
        let r = t
            .post_form(
                &format!("/rounds/{round}/choices/{}", one.id),
                &[("eligibility", "eligible"), ("merits", "Intervju: 3")],
            )
            .await;
        assert_eq!(r.status(), 422, "a named merit must name one of the groups");
        assert!(r.text().await.unwrap().contains("med gruppens namn"));
        let r = t
            .post_form(
                &format!("/rounds/{round}/choices/{}", one.id),
                &[
                    ("eligibility", "not_eligible"),
                    ("note", "Saknar Svenska 2"),
                    ("merits", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);

        // A run under way refuses a second one and is not disturbed.
        let now = larnav_app::now();
        assert!(
            t.app
                .store()
                .lock_run(round, now, now - chrono::Duration::minutes(10))
                .await
                .unwrap()
        );
        let r = t
            .post_form(&format!("/rounds/{round}/run"), &[("seed", "7")])
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("körs redan"));
        t.app.store().unlock_run(round).await.unwrap();

        let r = t
            .post_form(&format!("/rounds/{round}/run"), &[("seed", "7")])
            .await;
        assert_eq!(r.status(), 303);
        let (status, html) = t.get_text(&format!("/rounds/{round}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Sökande per plats"));
        // Five applicants for three pilot seats: 1,7 per seat (Swedish decimal comma).
        assert!(
            html.contains(">1,7<") || html.contains(">2<"),
            "applicants per seat shown"
        );
        // What-if: one more pilot seat, compared side by side, nothing stored.
        let (status, html) = t
            .get_text(&format!(
                "/rounds/{round}/results?seats_{pilot_occ}=4&seats_{other_occ}=1"
            ))
            .await;
        assert_eq!(status, 200);
        assert!(html.contains("Nu och med ändringen"));
        assert!(html.contains("Sökande som får ett annat resultat"));
        let run = t
            .app
            .round_view(
                &staff_actor,
                round,
                &larnav_app::i18n::Tr::new(larnav_app::i18n::Lang::Sv),
            )
            .await
            .unwrap();
        assert_eq!(run.occasions[0].occasion.seats, 3, "what-if stores nothing");

        // Publish while the mail server is down: the result e-mails wait in the outbox.
        let outbox = t.data_dir.join("outbox");
        std::fs::remove_dir_all(&outbox).unwrap();
        std::fs::write(&outbox, b"not a directory: every send fails").unwrap();
        assert_eq!(
            t.post_form(&format!("/rounds/{round}/publish"), &[])
                .await
                .status(),
            303
        );
        // The server's own worker may hold some of them mid-attempt: wait until each has
        // been tried once, by this call or by the worker.
        let (mut unsent, mut counts) = (Vec::new(), Default::default());
        for _ in 0..100 {
            t.app.deliver_mail().await.unwrap();
            (unsent, counts) = t.app.store().unsent_mails(100).await.unwrap();
            if unsent.iter().all(|m| m.attempts >= 1) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let results: Vec<_> = unsent
            .iter()
            .filter(|m| {
                m.template == "mail.admission.offer" || m.template == "mail.admission.result"
            })
            .collect();
        assert_eq!(
            results.len(),
            6,
            "one result e-mail per applicant, queued with the publish"
        );
        assert!(
            results
                .iter()
                .all(|m| m.status == "pending" && m.attempts >= 1)
        );
        assert_eq!(counts.dead, 0);
        // The clock of an offer starts when its e-mail goes out: nothing expires meanwhile.
        let far = larnav_app::catalogue::today_in_sweden() + chrono::Duration::days(60);
        assert_eq!(t.app.store().overdue_offers(far).await.unwrap(), []);
        // The server is back; an administrator retries now: everyone is e-mailed exactly once.
        std::fs::remove_file(&outbox).unwrap();
        std::fs::create_dir(&outbox).unwrap();
        let admin = t.create_user("plattform@x.se", "Plattform", true).await;
        assert!(t.app.retry_mail_now(&actor(&t, admin).await).await.unwrap() >= 6);
        for i in 0..6 {
            t.deliver_mail_to(&format!("sokande{i}@x.se")).await;
        }
        t.app.deliver_mail().await.unwrap();
        for i in 0..6 {
            let to = format!("sokande{i}@x.se");
            let n = t
                .outbox()
                .iter()
                .filter(|m| m.contains(&to) && m.contains("Urvalet i Våren är klart"))
                .count();
            assert_eq!(n, 1, "{to} gets one result e-mail");
        }
        let r = t
            .post_form(
                &format!("/rounds/{round}/occasions"),
                &[("occasion_id", &pilot_occ.to_string()), ("seats", "10")],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("Omgången är publicerad"));
        wait_for_mail(&t, "Tacka ja eller nej senast").await;

        // The applicant's learning record lists the course with its published outcome.
        let (status, html) = me.get_text("/account/record").await;
        assert_eq!(status, 200);
        assert!(html.contains("Undersköterska, pilot"), "{html}");
        let record: serde_json::Value = me.get("/account/record.json").await.json().await.unwrap();
        let course = &record["courses"][0];
        assert_eq!(course["offering_title"], "Undersköterska, pilot");
        assert!(course["outcome"].is_string(), "{record}");
        assert_eq!(course["completed"], false, "the occasion has not ended");

        // An admitted learner of the pilot declines; the first pilot reserve is offered the seat.
        let (_, _, choices) = t.app.review_queue(&staff_actor, round, None).await.unwrap();
        let pilot_admitted: Vec<_> = choices
            .iter()
            .filter(|c| c.occasion_id == pilot_occ && c.outcome.as_deref() == Some("admitted"))
            .collect();
        assert_eq!(pilot_admitted.len(), 3);
        let reserve = choices
            .iter()
            .filter(|c| c.occasion_id == pilot_occ && c.outcome.as_deref() == Some("reserve"))
            .min_by_key(|c| c.reserve_position)
            .expect("a pilot reserve")
            .clone();
        let decliner = pilot_admitted[0].clone();
        let who = learners
            .iter()
            .position(|&l| l == decliner.user_id)
            .unwrap();
        let browser = t.clone_browser();
        assert_eq!(
            browser
                .login(&format!("sokande{who}@x.se"), PASSWORD)
                .await
                .status(),
            303
        );
        // Another person's offer cannot be answered.
        let r = browser
            .post_form(
                &format!("/admission/{round}/choices/{}/reply", pilot_admitted[1].id),
                &[("answer", "decline")],
            )
            .await;
        assert_eq!(r.status(), 404);
        let r = browser
            .post_form(
                &format!("/admission/{round}/choices/{}/reply", decliner.id),
                &[("answer", "decline")],
            )
            .await;
        assert_eq!(r.status(), 303);
        // Twice is refused: the offer is gone.
        let r = browser
            .post_form(
                &format!("/admission/{round}/choices/{}/reply", decliner.id),
                &[("answer", "accept")],
            )
            .await;
        assert_eq!(r.status(), 409);
        let (_, _, after) = t.app.review_queue(&staff_actor, round, None).await.unwrap();
        let promoted = after.iter().find(|c| c.id == reserve.id).unwrap();
        assert_eq!(promoted.offer_status.as_deref(), Some("offered"));
        assert_eq!(promoted.promoted, Some(true));
        assert_eq!(
            after
                .iter()
                .find(|c| c.id == decliner.id)
                .unwrap()
                .offer_status
                .as_deref(),
            Some("declined")
        );
        wait_for_mail(&t, "har blivit ledig och du erbjuds den som reserv").await;
        // Both pages say where each stands now (issue 31: the promoted reserve was still told
        // "Inte antagen … reserv nr 1" above the offer, the decliner "Antagen").
        let (_, html) = browser.get_text(&format!("/admission/{round}")).await;
        assert!(html.contains("Du tackade nej till ditt 1:a val"), "{html}");
        assert!(!html.contains("Antagen till ditt"), "{html}");
        let reserve_who = learners.iter().position(|&l| l == reserve.user_id).unwrap();
        let promoted_browser = t.clone_browser();
        promoted_browser
            .login(&format!("sokande{reserve_who}@x.se"), PASSWORD)
            .await;
        let (_, html) = promoted_browser
            .get_text(&format!("/admission/{round}"))
            .await;
        assert!(html.contains("Antagen till ditt 1:a val"), "{html}");
        assert!(!html.contains("Inte antagen"), "{html}");
        // Accepting makes the place an enrolment (issue 25): the occasion's group lists them.
        let r = promoted_browser
            .post_form(
                &format!("/admission/{round}/choices/{}/reply", reserve.id),
                &[("answer", "accept")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let group = t
            .app
            .group(&staff_actor, reserve.occasion_id)
            .await
            .unwrap();
        let enrolled = group
            .enrolments
            .iter()
            .find(|e| e.user_id == reserve.user_id)
            .expect("the accepted place is an enrolment");
        assert_eq!(
            (enrolled.source.as_str(), enrolled.status.as_str()),
            ("offer", "enrolled")
        );
        let (status, html) = t
            .get_text(&format!("/occasions/{}/group", reserve.occasion_id))
            .await;
        assert_eq!(status, 200);
        assert!(html.contains(&enrolled.name), "{html}");
        assert_eq!(
            promoted_browser
                .get_text(&format!("/occasions/{}/group", reserve.occasion_id))
                .await
                .0,
            403,
            "a learner does not see the group"
        );
        // Staff record a second decline by phone; the published result itself never changed.
        let second = pilot_admitted[1];
        let r = t
            .post_form(
                &format!("/rounds/{round}/choices/{}/reply", second.id),
                &[("answer", "decline")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, _, last) = t.app.review_queue(&staff_actor, round, None).await.unwrap();
        for (a, b) in choices.iter().zip(&last) {
            assert_eq!(a.outcome, b.outcome, "published outcomes are frozen");
        }
        let offered = last
            .iter()
            .filter(|c| c.occasion_id == pilot_occ && c.offer_status.as_deref() == Some("offered"))
            .count();
        let accepted_or_offered = last
            .iter()
            .filter(|c| {
                c.occasion_id == pilot_occ
                    && matches!(c.offer_status.as_deref(), Some("offered" | "accepted"))
            })
            .count();
        assert!(accepted_or_offered <= 3, "never more offers than seats");
        assert!(offered >= 1);
        // The reply-by date passes (the housekeeping tick, run here as on day 8): offers not
        // answered expire and their seats go on; a reply after that is refused.
        let open_before: Vec<i64> = last
            .iter()
            .filter(|c| c.offer_status.as_deref() == Some("offered"))
            .map(|c| c.id)
            .collect();
        assert!(!open_before.is_empty());
        // Offers' clocks start when their e-mails go out.
        t.deliver_mail_to("").await;
        let expired = t
            .app
            .expire_overdue_offers(today + chrono::Duration::days(8))
            .await
            .unwrap();
        assert!(expired >= open_before.len(), "{expired} expired");
        let (_, _, swept) = t.app.review_queue(&staff_actor, round, None).await.unwrap();
        for id in &open_before {
            let c = swept.iter().find(|c| c.id == *id).unwrap();
            assert_eq!(c.offer_status.as_deref(), Some("expired"));
        }
        let late = swept.iter().find(|c| c.id == open_before[0]).unwrap();
        let owner = learners.iter().position(|&l| l == late.user_id).unwrap();
        let late_browser = t.clone_browser();
        assert_eq!(
            late_browser
                .login(&format!("sokande{owner}@x.se"), PASSWORD)
                .await
                .status(),
            303
        );
        let r = late_browser
            .post_form(
                &format!("/admission/{round}/choices/{}/reply", late.id),
                &[("answer", "accept")],
            )
            .await;
        assert_eq!(r.status(), 409, "a reply after the deadline is refused");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("inget erbjudande att svara på")
        );
        wait_for_mail(&t, "svarade inte på erbjudandet").await;

        // The applicant's page explains the result.
        let (_, html) = me.get_text(&format!("/admission/{round}")).await;
        assert!(html.contains("val"), "{html}");
        // The export has one row per choice.
        let r = t.get(&format!("/rounds/{round}/export/csv")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap().lines().count(), 9);
        t
    })
    .await;
}
