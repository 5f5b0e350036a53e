use larnav_app::domain::Role;

use crate::helpers::{PASSWORD, each_backend, location};

#[tokio::test]
async fn an_admin_invites_a_member_who_accepts_by_creating_an_account_and_gets_a_new_role() {
    each_backend(|t| async move {
        let (org, _) = t
            .org_with(
                "Lärcentrum Hudiksvall",
                "admin@lc.se",
                "Örjan Östlund",
                Role::OrganisationAdmin,
            )
            .await;
        t.login("admin@lc.se", PASSWORD).await;

        let page = format!("/organisations/{org}");
        let (status, html) = t.get_text(&page).await;
        assert_eq!(status, 200);
        assert!(html.contains("Bjud in en medlem"));

        let r = t
            .post_form(
                &format!("{page}/invitations"),
                &[("email", "inte en adress"), ("role", "coordinator")],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Skriv en e-postadress"));

        let r = t
            .post_form(
                &format!("{page}/invitations"),
                &[("email", "Ny.Person@Example.se"), ("role", "coordinator")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&page).await;
        assert!(html.contains("Inbjudan är skickad."));
        assert!(html.contains("ny.person@example.se"), "listed as pending");

        let link = t
            .link_in_mail("ny.person@example.se", "/invitations/")
            .await;
        let mail = t.outbox().into_iter().last().unwrap();
        assert!(mail.contains("Subject: Inbjudan till"), "{mail}");
        assert!(
            mail.contains(
                "har bjudit in dig till Lärcentrum Hudiksvall i Lärnav med rollen Samordnare"
            ),
            "{mail}"
        );

        // The invitee, in their own browser, creates an account and is a member.
        let invitee = t.another_browser();
        let (status, html) = invitee.get_text(&link).await;
        assert_eq!(status, 200);
        assert!(html.contains("Du är inbjuden till Lärcentrum Hudiksvall med rollen Samordnare."));
        let r = invitee
            .post_form(
                &link,
                &[
                    ("display_name", "Ny Person"),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), page);
        let (status, html) = invitee.get_text(&page).await;
        assert_eq!(status, 200);
        assert!(html.contains("Välkommen! Du är nu medlem i organisationen."));
        assert!(html.contains("Ny Person"));
        assert_eq!(
            invitee.get(&link).await.status(),
            410,
            "an invitation is used once"
        );

        // Back as the admin: the analyst role reaches every organisation's need reports and
        // the national job-ad signal, so an organisation's own admin may not grant it — not to
        // a member, not to themselves, not by invitation.
        let admin_view = invitee.another_browser();
        admin_view.login("admin@lc.se", PASSWORD).await;
        let members = admin_view.app.store().list_members(org).await.unwrap();
        let find = |email: &str| members.iter().find(|m| m.email == email).unwrap().user_id;
        let (new_member, admin) = (find("ny.person@example.se"), find("admin@lc.se"));
        for (who, roles) in [
            (
                new_member,
                vec![("roles", "coordinator"), ("roles", "analyst")],
            ),
            (
                admin,
                vec![("roles", "organisation_admin"), ("roles", "analyst")],
            ),
        ] {
            let r = admin_view
                .post_form(&format!("{page}/members/{who}/roles"), &roles)
                .await;
            assert_eq!(r.status(), 422);
            assert!(
                r.text()
                    .await
                    .unwrap()
                    .contains("Bara en plattformsadministratör")
            );
        }
        let r = admin_view
            .post_form(
                &format!("{page}/invitations"),
                &[("email", "analytiker@example.se"), ("role", "analyst")],
            )
            .await;
        assert_eq!(r.status(), 422, "nor by invitation");
        let token = admin_view.token_for(admin).await;
        let (status, _) = crate::helpers::call(
            &admin_view,
            reqwest::Method::PUT,
            &format!("/api/v1/organisations/{org}/members/{admin}"),
            &token,
            Some(serde_json::json!({"roles": ["organisation_admin", "analyst"]})),
        )
        .await;
        assert_eq!(status, 422, "nor through the API");
        let unchanged = admin_view.app.store().list_members(org).await.unwrap();
        assert!(unchanged.iter().all(|m| !m.roles.contains(&Role::Analyst)));
        // A platform administrator grants it.
        let platform = admin_view
            .create_user("plattform@example.se", "Plattform", true)
            .await;
        let token = admin_view.token_for(platform).await;
        let (status, _) = crate::helpers::call(
            &admin_view,
            reqwest::Method::PUT,
            &format!("/api/v1/organisations/{org}/members/{new_member}"),
            &token,
            Some(serde_json::json!({"roles": ["coordinator", "analyst"]})),
        )
        .await;
        assert_eq!(status, 204);
        let members = admin_view.app.store().list_members(org).await.unwrap();
        let m = members.iter().find(|m| m.user_id == new_member).unwrap();
        assert_eq!(m.roles, [Role::Coordinator, Role::Analyst]);
        // The admin may still change the member's other roles, keeping the analyst role.
        let r = admin_view
            .post_form(
                &format!("{page}/members/{new_member}/roles"),
                &[("roles", "provider_staff"), ("roles", "analyst")],
            )
            .await;
        assert_eq!(r.status(), 303);

        // The audit log shows who did what.
        let (_, audit) = admin_view.get_text(&format!("{page}/audit")).await;
        for action in [
            "invitation.create",
            "invitation.accept",
            "member.roles_change",
        ] {
            assert!(audit.contains(action), "{action} in the audit log");
        }
        // Events are named in Swedish, with their code beside.
        assert!(audit.contains("Inbjudan accepterad <code"), "named events");
        assert!(audit.contains("Roller ändrade"));

        // Filtered by what, who and when; the same selection exported as CSV and XLSX.
        let log = format!("{page}/audit");
        let (status, only) = admin_view
            .get_text(&format!("{log}?what=member.roles_change"))
            .await;
        assert_eq!(status, 200);
        assert!(only.contains("Roller ändrade <code"));
        assert!(
            !only.contains("Inbjudan accepterad <code"),
            "other events are left out"
        );
        let today = larnav_app::catalogue::today_in_sweden();
        let tomorrow = today + chrono::Duration::days(1);
        let (_, none) = admin_view.get_text(&format!("{log}?from={tomorrow}")).await;
        assert!(none.contains("Inga händelser."), "nothing from tomorrow");
        let (_, today_only) = admin_view
            .get_text(&format!(
                "{log}?from={today}&to={today}&who=nobody-with-this"
            ))
            .await;
        assert!(today_only.contains("Inga händelser."), "who narrows too");
        let (status, bad) = admin_view
            .get_text(&format!("{log}?from=igår&what=nonsense"))
            .await;
        assert_eq!(status, 422);
        assert!(
            bad.contains("Skriv datumet som ÅÅÅÅ-MM-DD"),
            "the field is named"
        );
        let csv = admin_view
            .get(&format!(
                "{log}/export/csv?what=member.roles_change&from={today}&to={today}"
            ))
            .await
            .text()
            .await
            .unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[0].contains("När") && lines[0].contains("Händelse"),
            "{}",
            lines[0]
        );
        assert!(lines.len() >= 3, "two role changes: {csv}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.contains("Roller ändrade") && l.contains("member.roles_change"))
        );
        let xlsx = admin_view
            .get(&format!("{log}/export/xlsx?what=member.roles_change"))
            .await
            .bytes()
            .await
            .unwrap();
        let table = larnav_ingest::tabular::read_table(&xlsx).unwrap();
        assert_eq!(
            table.rows.len(),
            lines.len() - 1,
            "the same rows in both formats"
        );
        admin_view
    })
    .await;
}

#[tokio::test]
async fn the_last_organisation_admin_cannot_be_removed() {
    each_backend(|t| async move {
        let (org, admin) = t
            .org_with(
                "Lärcentrum",
                "admin@lc.se",
                "Admin",
                Role::OrganisationAdmin,
            )
            .await;
        t.login("admin@lc.se", PASSWORD).await;
        let r = t
            .post_form(
                &format!("/organisations/{org}/members/{admin}/roles"),
                &[("remove", "1")],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Organisationen måste ha minst en administratör")
        );
        assert_eq!(t.app.store().list_members(org).await.unwrap().len(), 1);
        t
    })
    .await;
}

#[tokio::test]
async fn an_invitation_for_another_address_cannot_be_accepted_by_a_signed_in_person() {
    each_backend(|t| async move {
        let (org, _) = t
            .org_with(
                "Lärcentrum",
                "admin@lc.se",
                "Admin",
                Role::OrganisationAdmin,
            )
            .await;
        t.create_user("someone@else.se", "Someone", false).await;
        t.login("admin@lc.se", PASSWORD).await;
        t.post_form(
            &format!("/organisations/{org}/invitations"),
            &[("email", "invited@lc.se"), ("role", "reviewer")],
        )
        .await;
        let link = t.link_in_mail("invited@lc.se", "/invitations/").await;
        let other = t.another_browser();
        other.login("someone@else.se", PASSWORD).await;
        assert!(
            other
                .get_text(&link)
                .await
                .1
                .contains("Inbjudan gäller en annan e-postadress")
        );
        let r = other.post_form(&link, &[]).await;
        assert_eq!(r.status(), 409);
        assert_eq!(other.app.store().list_members(org).await.unwrap().len(), 1);
        other
    })
    .await;
}

#[tokio::test]
async fn organisation_details_are_validated_field_by_field_in_swedish() {
    each_backend(|t| async move {
        let admin = t.create_user("admin@x.se", "Admin", true).await;
        let _ = admin;
        t.login("admin@x.se", PASSWORD).await;
        let r = t
            .post_form(
                "/admin/organisations",
                &[
                    ("name", "Ny skola"),
                    ("kind", "university"),
                    ("organisation_number", "556036-0794"),
                    ("kommun_code", "9999"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("kontrollsiffran stämmer inte"));
        assert!(html.contains("Det finns ingen kommun med den koden."));
        assert!(html.contains("value=\"Ny skola\""), "input is kept");
        let r = t
            .post_form(
                "/admin/organisations",
                &[
                    ("name", "Ny skola"),
                    ("kind", "university"),
                    ("organisation_number", "811218-9876"),
                    ("kommun_code", "21a4"),
                ],
            )
            .await;
        let html = r.text().await.unwrap();
        assert!(html.contains("ser ut som ett personnummer"));
        assert!(html.contains("En kommunkod har fyra siffror"));
        assert!(
            t.app
                .store()
                .list_organisations(None, 10, 0)
                .await
                .unwrap()
                .is_empty(),
            "nothing was created"
        );

        let r = t
            .post_form(
                "/admin/organisations",
                &[
                    ("name", "Ny skola"),
                    ("kind", "university"),
                    ("organisation_number", "5560360793"),
                    ("kommun_code", "2184"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&location(&r)).await;
        assert!(html.contains("556036-0793"));
        assert!(html.contains("Hudiksvall"));
        let r = t
            .post_form(
                "/admin/organisations",
                &[
                    ("name", "Kopia"),
                    ("kind", "university"),
                    ("organisation_number", "556036-0793"),
                    ("kommun_code", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("En organisation med det organisationsnumret finns redan.")
        );
        t
    })
    .await;
}

#[tokio::test]
async fn someone_with_an_account_logs_in_from_the_invitation_and_accepts_it() {
    each_backend(|t| async move {
        let (org, _) = t
            .org_with(
                "Högskolan",
                "admin@hig.se",
                "Admin",
                Role::OrganisationAdmin,
            )
            .await;
        t.create_user("lärare@hig.se", "Lärare", false).await;
        t.login("admin@hig.se", PASSWORD).await;
        t.post_form(
            &format!("/organisations/{org}/invitations"),
            &[("email", "LÄRARE@hig.se"), ("role", "provider_staff")],
        )
        .await;
        let link = t.link_in_mail("lärare@hig.se", "/invitations/").await;

        let invitee = t.another_browser();
        let (_, html) = invitee.get_text(&link).await;
        assert!(html.contains("Du har redan ett konto."));
        let r = invitee
            .post_form(
                "/login",
                &[
                    ("email", "lärare@hig.se"),
                    ("password", PASSWORD),
                    ("next", &link),
                ],
            )
            .await;
        assert_eq!(
            location(&r),
            link,
            "back to the invitation after logging in"
        );
        let r = invitee.post_form(&link, &[]).await;
        assert_eq!(r.status(), 303);
        let members = invitee.app.store().list_members(org).await.unwrap();
        assert!(
            members
                .iter()
                .any(|m| m.email == "lärare@hig.se" && m.roles == [Role::ProviderStaff])
        );
        invitee
    })
    .await;
}

#[tokio::test]
async fn a_platform_admin_disables_an_account_but_cannot_lock_themselves_out() {
    each_backend(|t| async move {
        let admin = t.create_user("admin@x.se", "Admin", true).await;
        let user = t.create_user("user@x.se", "User", false).await;
        t.login("admin@x.se", PASSWORD).await;
        let r = t
            .post_form(&format!("/admin/users/{user}"), &[("disabled", "1")])
            .await;
        assert_eq!(r.status(), 303);
        let other = t.another_browser();
        assert_eq!(
            other.login("user@x.se", PASSWORD).await.status(),
            401,
            "a disabled account cannot log in"
        );
        let t = other.another_browser();
        t.login("admin@x.se", PASSWORD).await;
        let r = t.post_form(&format!("/admin/users/{admin}"), &[]).await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Du kan inte ta bort din egen")
        );
        assert!(t.app.store().get_user(admin).await.unwrap().platform_admin);
        t
    })
    .await;
}

#[tokio::test]
async fn an_analyst_defines_a_labour_market_area_and_bad_input_is_explained() {
    each_backend(|t| async move {
        let (org, _) = t
            .org_with(
                "Region Gävleborg",
                "analys@region.se",
                "Analytiker",
                Role::Analyst,
            )
            .await;
        t.login("analys@region.se", PASSWORD).await;
        let page = format!("/organisations/{org}/areas");
        let (_, html) = t.get_text(&page).await;
        assert!(html.contains("Skapa område") && html.contains("Gävleborgs län"));

        let r = t.post_form(&page, &[("name", "")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Fältet måste fyllas i.") && html.contains("Välj minst en kommun."));

        let r = t
            .post_form(
                &page,
                &[
                    ("name", "Hälsingland"),
                    ("kommuner", "2184"),
                    ("kommuner", "2132"),
                    ("kommuner", "2161"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let area_page = location(&r);
        let (_, html) = t.get_text(&area_page).await;
        assert!(
            html.contains("Området är skapat.")
                && html.contains("Hudiksvall")
                && html.contains("Ljusdal")
        );
        assert!(
            html.contains("checked"),
            "the kommuner are ticked in the edit form"
        );

        let r = t
            .post_form(&page, &[("name", "Hälsingland"), ("kommuner", "2180")])
            .await;
        assert_eq!(r.status(), 409, "one name per organisation");
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("har redan ett område med det namnet")
        );
        let r = t
            .post_form(&area_page, &[("name", "Hälsingland"), ("kommuner", "9999")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Det finns ingen kommun med den koden.")
        );

        let r = t.post_form(&format!("{area_page}/delete"), &[]).await;
        assert_eq!(location(&r), page);
        assert!(
            t.get_text(&page)
                .await
                .1
                .contains("Inga egna områden ännu.")
        );
        t
    })
    .await;
}
