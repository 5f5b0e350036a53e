// The catalogue as a new user would meet it: a university's provider builds a contract course
// from a template, adds an occasion with 13 online sessions and two teachers, sends it for review
// and publishes it; a learner finds it by a misspelt query and by facets.
// axe on each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TITLE = "Digital dokumentation i omsorgen";

test("a provider publishes a contract course and a learner finds it", async () => {
  const page = await newPage(browser);
  await login(page, "utbildare@demo.larnav.se");

  // The workspace: start from the template for contract education with online sessions.
  await page.getByRole("link", { name: "Mina organisationer" }).click();
  await page.getByRole("link", { name: "Högskolan i Gävle (demo)" }).click();
  await page.getByRole("link", { name: "Utbildningar och bemanning" }).click();
  await expectAccessible(page, "the provider workspace");
  await page.getByLabel("Börja från").selectOption({ label: "Uppdragsutbildning med digitala träffar" });
  await page.getByRole("button", { name: "Skapa utkast" }).click();
  await expectAccessible(page, "the new offering form from a template");

  // A form with a mistake first: the error summary names the field.
  await page.getByLabel(/^Namn/).fill("");
  await page.getByRole("button", { name: "Spara", exact: true }).click();
  await page.getByRole("alert").getByText("Formuläret innehåller fel").waitFor();
  await expectAccessible(page, "the offering form with errors");

  await page.getByLabel(/^Namn/).fill(TITLE);
  await page.getByLabel(/^Kort beskrivning/).fill("Uppdragsutbildning för omsorgspersonal i journalföring och digitala verktyg.");
  await page.getByLabel(/^Beskrivning/).fill("Tretton digitala träffar med övningar i den egna verksamheten.");
  await page.getByLabel(/^Leder till yrken/).fill("5321, 5330");
  await page.getByLabel(/^SeQF-nivå/).fill("4");
  await page.getByLabel("Poäng", { exact: true }).fill("7,5");
  await page.getByLabel(/^Kommun/).selectOption({ label: "Hudiksvall" });
  await page.getByLabel(/^Beställande arbetsgivare/).selectOption({ label: "Hälsinge Vård & Omsorg AB (demo)" });
  await page.getByRole("button", { name: "Spara", exact: true }).click();
  await page.getByRole("heading", { name: TITLE }).waitFor();
  await expectAccessible(page, "the draft offering");

  // One occasion outside the semester calendar, then 13 weekly online sessions in one step.
  await page.locator("summary", { hasText: "Lägg till tillfälle" }).click();
  await page.getByLabel(/^Startdatum/).fill("2030-03-04");
  await page.getByLabel(/^Slutdatum/).fill("2030-06-14");
  await page.getByLabel(/^Platser/).fill("18");
  await page.getByLabel("Löpande antagning").check();
  await page.getByRole("button", { name: "Lägg till tillfälle" }).click();
  await page.locator("summary", { hasText: "Lägg till träffar" }).click();
  await page.getByLabel(/^Datum/).fill("2030-03-05");
  await page.getByLabel(/^Starttid/).fill("13:00");
  await page.getByLabel(/^Sluttid/).fill("15:30");
  await page.getByLabel(/^Antal träffar/).fill("13");
  await page.getByLabel(/^Länk till mötet/).fill("https://meet.example.org/dokumentation");
  await page.getByRole("button", { name: "Lägg till träffar" }).click();
  await page.getByText("13 träffar").waitFor();
  await expectAccessible(page, "the offering with 13 sessions");

  // Two teachers, each planned on the occasion.
  for (const name of ["Karin Nord", "Ali Haddad"]) {
    await page.getByRole("link", { name: "Utbildningar och bemanning" }).click();
    await page.locator("summary", { hasText: "Lägg till lärare" }).click();
    await page.getByLabel(/^Namn/).fill(name);
    await page.getByLabel(/^Kapacitet/).fill("300");
    await page.getByRole("button", { name: "Lägg till lärare" }).click();
    await page.getByRole("link", { name: TITLE }).click();
    await page.getByLabel("Lärare", { exact: true }).selectOption({ label: name });
    await page.getByLabel("Timmar", { exact: true }).fill("45");
    await page.getByRole("button", { name: "Bemanna" }).click();
    await page.getByText(`${name}: 45 h`).waitFor();
  }
  await page.getByRole("button", { name: "Skicka på granskning" }).click();
  await page.getByText("Klar för granskning").first().waitFor();
  await expectAccessible(page, "the offering in review");

  // The demo's provider sent it to review herself: someone else publishes it — or she, as the
  // organisation's administrator, publishes it explicitly without review (recorded in the log).
  await page.getByText("Du skickade själv utbildningen till granskning").waitFor();
  await page.getByLabel("Kommentar (valfri)").last().fill("Granskad av programansvarig");
  await page.getByLabel(/Publicera utan granskning av någon annan/).check();
  await page.getByRole("button", { name: "Publicera" }).click();
  await page.getByText("Utbildningen är publicerad och sökbar").waitFor();
  await page.getByText("Granskad av programansvarig").waitFor();

  // A learner: a misspelt search, then facets, then the offering page and its calendar link.
  const learner = await newPage(browser);
  await learner.goto(`${BASE}/catalogue`);
  await expectAccessible(learner, "the catalogue");
  await learner.getByLabel("Vad vill du läsa?").fill("dokumentasion omsorgen");
  await learner.getByRole("button", { name: "Sök", exact: true }).click();
  await learner.getByRole("link", { name: TITLE }).waitFor();
  assert.ok(await learner.locator("mark").first().isVisible(), "hits are highlighted");
  await expectAccessible(learner, "search results for a misspelt query");

  await learner.goto(`${BASE}/catalogue`);
  await learner.getByRole("link", { name: "Uppdragsutbildning", exact: true }).click();
  await learner.getByRole("link", { name: "Digitala träffar", exact: true }).click();
  await learner.getByRole("link", { name: TITLE }).waitFor();
  await expectAccessible(learner, "the catalogue with facets");
  await learner.getByRole("link", { name: TITLE }).click();
  await learner.getByText("13 träffar").waitFor();
  await expectAccessible(learner, "the public offering page");
});

test("search as you type updates the results without a submit", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/catalogue`);
  await page.getByLabel("Vad vill du läsa?").pressSequentially("usk", { delay: 50 });
  await page.getByRole("heading", { name: /utbildningar/ }).first().waitFor();
  await page.waitForFunction(() => location.search.includes("q=usk"));
  const first = await page.locator(".hit h3").first().innerText();
  assert.match(first, /[Uu]ndersköterska/);
  await expectAccessible(page, "live search results");
});
