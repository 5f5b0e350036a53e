// The strategist's path through Semaforen, as a new user would take it: load the real signals,
// file and import employer needs, read the computed list for the län and one of its areas,
// override an occupation with a reason, publish, and open the public page. axe on each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a strategist goes from signals to a published priority list", async () => {
  const page = await newPage(browser);
  await login(page, "strateg@demo.larnav.se");

  // Load the real forecast and ad-count data.
  await page.getByRole("link", { name: "Efterfrågan" }).click();
  await page.getByRole("button", { name: "Läs in Arbetsförmedlingens data" }).click();
  await page.getByText(/Inläst: .* prognosrader/).waitFor();
  await expectAccessible(page, "signals after the import");

  // File a need on the form, for an employer met on a visit.
  await page.getByRole("link", { name: "Mina organisationer" }).click();
  await page.getByRole("link", { name: "Region Gävleborg (demo)" }).click();
  await page.getByRole("link", { name: "Kompetensbehov" }).click();
  await page.getByLabel(/^Arbetsgivare/).fill("Bollnäs Bygg AB (exempel)");
  await page.getByLabel(/^Yrke/).fill("7111 Träarbetare, snickare m.fl.");
  await page.getByLabel(/^Kommun/).selectOption({ label: "Bollnäs" });
  await page.getByLabel("Nu").fill("4");
  await page.getByLabel("Inom 1 år").fill("6");
  await page.getByLabel("Hur svårt är det att rekrytera?").selectOption("5");
  await page.getByRole("button", { name: "Anmäl behovet" }).click();
  await page.getByText("Bollnäs Bygg AB (exempel)").first().waitFor();

  // A file with a mistake is refused with its line and column; the corrected file is imported.
  const header = "arbetsgivare;ssyk;kommun;behov_nu;behov_inom_1_ar;behov_inom_3_ar;svarighet;kommentar\n";
  await page.getByLabel("Fil", { exact: true }).setInputFiles({
    name: "behov.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(header + "Sandvik (exempel);7212;Sandviken;5;5;5;9;\n"),
  });
  await page.getByRole("button", { name: "Importera" }).click();
  await page.getByText("Filen importerades inte").waitFor();
  assert.ok(await page.getByRole("cell", { name: "svarighet" }).isVisible());
  await expectAccessible(page, "needs import with errors");
  await page.getByLabel("Fil", { exact: true }).setInputFiles({
    name: "behov.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(header + "Sandvik (exempel);7212;Sandviken;5;5;5;5;\nGävle sjukhus (exempel);2221;Gävle;6;4;0;4;\n"),
  });
  await page.getByRole("button", { name: "Importera" }).click();
  await page.getByText("2 behov är importerade").waitFor();
  await expectAccessible(page, "needs after the import");

  // The computed list for the län, then for the region's own area Hälsingland.
  await page.getByRole("link", { name: "Semaforen" }).click();
  await page.getByLabel("Område").selectOption({ label: "Gävleborgs län" });
  await page.getByRole("button", { name: "Visa listan" }).click();
  await page.getByRole("heading", { name: "Bristyrken i Gävleborgs län" }).waitFor();
  await expectAccessible(page, "the list for Gävleborgs län");
  await page.goto(`${BASE}/semaforen`);
  await page.getByLabel("Område").selectOption({ label: "Hälsingland (Region Gävleborg (demo))" });
  await page.getByRole("button", { name: "Visa listan" }).click();
  await page.getByRole("heading", { name: "Bristyrken i Hälsingland" }).waitFor();
  await page.getByRole("link", { name: "Svetsare och gasskärare" }).first().click();
  await page.getByRole("heading", { name: "Hur poängen räknas" }).waitFor();
  assert.ok(await page.getByText("Hudiksvalls Mekaniska AB").first().isVisible(), "the need behind the figure");
  await expectAccessible(page, "the explanation of one occupation");

  // The region's priority list: start it, override one occupation with a reason, publish.
  await page.goto(`${BASE}/organisations/1/lists`);
  await page.getByLabel("Område").selectOption({ label: "Gävleborgs län" });
  await page.getByLabel(/^År/).fill("2025");
  await page.getByRole("button", { name: "Skapa listan" }).click();
  await page.getByRole("heading", { name: "Prioriterade bristyrken i Gävleborgs län 2025" }).waitFor();
  await expectAccessible(page, "the working list");
  // The occupation is searched among the list's occupations ("7212 Svetsare … (Rött)").
  const option = await page.locator("#override-occupations option").nth(3).getAttribute("value");
  await page.getByLabel("Yrke", { exact: true }).fill(option);
  const chosen = option.replace(/^\d{4} /, "").replace(/ \([^)]*\)$/, "");
  await page.getByLabel("Trafikljus").selectOption("red");
  await page.getByRole("button", { name: "Spara ändringen" }).click();
  await page.getByText("Skriv en motivering").first().waitFor();
  await expectAccessible(page, "an override without a reason");
  await page.getByLabel("Motivering").fill("Regionens egen kartläggning visar större behov.");
  await page.getByRole("button", { name: "Spara ändringen" }).click();
  await page.getByText("Ändringen är sparad.").waitFor();
  await page.getByRole("button", { name: "Publicera listan" }).click();
  await page.getByText("Listan är publicerad.").waitFor();
  const publishedUrl = page.url();

  // Anyone can read it without signing in.
  const visitor = await newPage(browser);
  await visitor.goto(publishedUrl);
  await visitor.getByRole("heading", { name: "Prioriterade bristyrken i Gävleborgs län 2025" }).waitFor();
  assert.ok(await visitor.getByText(chosen).first().isVisible(), `${chosen} is on the public list`);
  assert.ok(await visitor.getByText("Regionens egen kartläggning visar större behov.").isVisible());
  await expectAccessible(visitor, "the published list");
  await visitor.goto(`${BASE}/published`);
  await visitor.getByRole("link", { name: "Prioriterade bristyrken i Gävleborgs län 2025" }).waitFor();
  await visitor.context().close();
  await page.context().close();
});
