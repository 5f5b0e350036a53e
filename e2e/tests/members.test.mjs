// A coordinator invites a new member by e-mail, the member accepts by creating an account, and
// the coordinator changes the member's role — through the browser, with a real SMTP catcher.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, linkInMail, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("log in, invite a member, accept the invitation and change the member's role", async () => {
  const admin = await newPage(browser);
  await login(admin, "samordnare@demo.larnav.se");
  await admin.getByRole("link", { name: "Mina organisationer" }).click();
  await admin.getByRole("link", { name: "Lärcentrum Hudiksvall (demo)" }).click();
  const orgUrl = admin.url();
  await expectAccessible(admin, "organisation page");

  const email = `ny.medarbetare.${Date.now()}@demo.larnav.se`;
  await admin.getByLabel("E-postadress").fill(email);
  await admin.getByLabel("Roll", { exact: true }).selectOption("coordinator");
  await admin.getByRole("button", { name: "Skicka inbjudan" }).click();
  await admin.getByText("Inbjudan är skickad.").waitFor();
  await admin.getByRole("cell", { name: email, exact: true }).waitFor();

  const link = await linkInMail(email, "/invitations/");
  const invitee = await newPage(browser);
  await invitee.goto(`${BASE}${link}`);
  await invitee.getByText("Du är inbjuden till Lärcentrum Hudiksvall (demo) med rollen Samordnare.").waitFor();
  await expectAccessible(invitee, "invitation page");
  // A mistake first: the passwords differ, and the form says so.
  await invitee.getByLabel("Ditt namn").fill("Nora Nyström");
  await invitee.getByLabel(/^Lösenord/).fill("ett långt lösenord");
  await invitee.getByLabel("Upprepa lösenordet").fill("ett annat lösenord");
  await invitee.getByRole("button", { name: "Tacka ja" }).click();
  await invitee.getByText("Lösenorden är inte likadana.").first().waitFor();
  await expectAccessible(invitee, "invitation form with errors");
  await invitee.getByLabel(/^Lösenord/).fill("ett långt lösenord");
  await invitee.getByLabel("Upprepa lösenordet").fill("ett långt lösenord");
  await invitee.getByRole("button", { name: "Tacka ja" }).click();
  await invitee.getByText("Välkommen! Du är nu medlem i organisationen.").waitFor();
  assert.equal(invitee.url(), orgUrl);

  await admin.goto(orgUrl);
  const row = admin.getByRole("row", { name: /Nora Nyström/ });
  // The analyst role reaches beyond the organisation: its own admin is told who grants it.
  await row.getByRole("checkbox", { name: "Analytiker" }).check();
  await row.getByRole("button", { name: /Spara roller/ }).click();
  await admin.getByText(/Bara en plattformsadministratör kan ge den här rollen/).waitFor();
  await expectAccessible(admin, "a role only the platform grants");
  const again = admin.getByRole("row", { name: /Nora Nyström/ });
  assert.equal(await again.getByRole("checkbox", { name: "Analytiker" }).isChecked(), false);
  await again.getByRole("checkbox", { name: "Granskare" }).check();
  await again.getByRole("button", { name: /Spara roller/ }).click();
  await admin.getByText("Rollerna är sparade.").waitFor();
  const saved = admin.getByRole("row", { name: /Nora Nyström/ });
  assert.equal(await saved.getByRole("checkbox", { name: "Granskare" }).isChecked(), true);
  assert.equal(await saved.getByRole("checkbox", { name: "Samordnare" }).isChecked(), true);

  await admin.getByRole("link", { name: "Händelselogg för organisationen" }).click();
  await admin.getByRole("cell", { name: "member.roles_change" }).first().waitFor();
});

test("a wrong password is answered in Swedish and the language can be switched to English", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/login`);
  await page.getByLabel("E-postadress").fill("elev@demo.larnav.se");
  await page.getByLabel("Lösenord").fill("fel lösenord");
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.getByText("Fel e-postadress eller lösenord.").waitFor();
  await expectAccessible(page, "login with error");
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Log in" }).waitFor();
  await page.getByRole("button", { name: "Svenska" }).click();
  await page.getByRole("heading", { name: "Logga in" }).waitFor();
});

test("search as you type finds occupations and places with å, ä and ö", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/`);
  await page.getByLabel("Yrke, yrkesgrupp, SSYK-kod, län eller kommun").pressSequentially("underskö", { delay: 30 });
  await page.locator("#live-results").getByRole("link", { name: /Undersköterska/ }).first().waitFor();
  await expectAccessible(page, "home with live results");
  await page.locator("#live-results").getByRole("link", { name: /^5321 / }).first().click();
  await page.getByRole("heading", { level: 1, name: /5321/ }).waitFor();
  await page.getByRole("heading", { name: /Kompetenser/ }).waitFor();
});
