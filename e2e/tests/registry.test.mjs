// The network's shared knowledge as a new user would meet it, on the demo data: a visitor finds
// learning centres by län and reads a profile; Lärcentrum Hudiksvall's coordinator corrects its
// opening hours (a refused time keeps what was typed), searches the working models with a typo,
// records that Hudiksvall adopted the study bus, and describes a model of its own with a
// document. axe on each page, also with errors showing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a visitor finds learning centres by län and reads a profile", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/`);
  await page.getByRole("link", { name: "Lärcentra", exact: true }).click();
  await page.getByRole("heading", { name: "Gävleborgs län" }).waitFor();
  await expectAccessible(page, "the list of learning centres");
  await page.getByLabel("Län", { exact: true }).selectOption({ label: "Gävleborgs län" });
  await page.getByLabel("Tjänst", { exact: true }).selectOption({ label: "Rum för videomöten" });
  await page.getByRole("button", { name: "Visa" }).click();
  const centres = await page.locator(".card h3").allInnerTexts();
  assert.deepEqual(centres, ["Lärcentrum Hudiksvall (demo)"]);
  await page.getByRole("link", { name: "Lärcentrum Hudiksvall (demo)" }).click();
  await page.getByRole("heading", { name: "Öppettider" }).waitFor();
  await page.getByText("Studerande 2025").waitFor();
  await expectAccessible(page, "a learning centre's profile");
});

test("a coordinator keeps the profile up to date and shares working models", async () => {
  const page = await newPage(browser);
  await login(page, "samordnare@demo.larnav.se");
  await page.goto(`${BASE}/centres`);
  await page.getByRole("link", { name: "Profil för Lärcentrum Hudiksvall (demo)" }).click();
  await expectAccessible(page, "the profile form");
  // Saturday closes before it opens: refused, the new description kept.
  await page.getByLabel("Beskrivning", { exact: true }).fill("Studieplatser, vägledning och tentamen – nu även lördagar.");
  await page.getByLabel("Lördag: Öppnar").fill("14:00");
  await page.getByLabel("Lördag: Stänger").fill("10:00");
  await page.getByRole("button", { name: "Spara profilen" }).click();
  await page.getByText("Stängningstiden måste vara senare än öppningstiden.").first().waitFor();
  assert.equal(await page.getByLabel("Beskrivning", { exact: true }).inputValue(), "Studieplatser, vägledning och tentamen – nu även lördagar.");
  await expectAccessible(page, "the profile form with an error");
  await page.getByLabel("Lördag: Öppnar").fill("10:00");
  await page.getByLabel("Lördag: Stänger").fill("14:00");
  await page.getByRole("button", { name: "Spara profilen" }).click();
  await page.getByText("Profilen är sparad.").waitFor();
  await page.getByRole("row", { name: /Lördag 10:00–14:00/ }).waitFor();

  // The registry: a typo still finds the study bus; Hudiksvall records that it adopted it.
  await page.getByRole("link", { name: "Arbetssätt", exact: true }).click();
  await page.getByLabel("Sök arbetssätt").fill("studiebusen");
  await page.getByRole("button", { name: "Sök", exact: true }).click();
  const hits = await page.locator(".hit h3").allInnerTexts();
  assert.deepEqual(hits, ["Uppsökande turné med studiebuss"]);
  await expectAccessible(page, "registry search results");
  await page.getByRole("link", { name: "Uppsökande turné med studiebuss" }).click();
  await page.getByRole("heading", { name: /De som har tagit efter/ }).waitFor();
  await expectAccessible(page, "a working model with its adoption history");
  await page.getByLabel("Månad då ni började").fill("2030-01");
  await page.getByRole("button", { name: "Spara er erfarenhet" }).click();
  await page.getByText("Månaden har inte kommit än.").first().waitFor();
  await expectAccessible(page, "a refused adoption");
  await page.getByLabel("Månad då ni började").fill("2025-02");
  await page.getByLabel("Hur långt har ni kommit?").selectOption({ label: "Provar" });
  await page.getByLabel("Hur gick det?").fill("Bussen stod i Delsbo och Forsa; 40 besökare.");
  await page.getByRole("button", { name: "Spara er erfarenhet" }).click();
  await page.getByText("Tack! Er erfarenhet är sparad.").waitFor();
  await page.getByText("Bussen stod i Delsbo och Forsa; 40 besökare.").waitFor();
  await page.getByRole("heading", { name: "Lärcentrum Hudiksvall (demo), Gävleborgs län" }).waitFor();

  // A model of Hudiksvall's own, with a document.
  await page.goto(`${BASE}/models`);
  await page.getByRole("link", { name: "Beskriv ett arbetssätt" }).click();
  await page.getByRole("button", { name: "Spara arbetssättet" }).click();
  await page.getByText("Välj minst ett tema.").first().waitFor();
  await expectAccessible(page, "the model form with errors");
  await page.getByLabel("Namn på arbetssättet").fill("Tentamensservice för hela Hälsingland");
  await page.getByLabel("Sammanfattning").fill("Ett gemensamt schema för tentamensskrivning på fem lärcentra.");
  await page.getByLabel(/^Beskrivning \(/).fill("Lärcentren turas om att ha kvällsöppet för tentamen.");
  await page.getByLabel("Startår").fill("2022");
  await page.getByLabel("Alternativa utbildningsformat").check();
  await page.getByRole("button", { name: "Spara arbetssättet" }).click();
  await page.getByText("Arbetssättet är sparat.").waitFor();
  await page.locator("input#f-document").setInputFiles({
    name: "schema.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.7\n% tentamensschema\n"),
  });
  await page.getByRole("button", { name: "Ladda upp" }).click();
  await page.getByText("Dokumentet är uppladdat.").waitFor();
  await page.getByRole("link", { name: "schema.pdf" }).waitFor();
  await expectAccessible(page, "a new working model with a document");
});
