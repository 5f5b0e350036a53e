// Follow-up (issue 25) on the demo data: the provider opens last year's finished group of the
// pilot course from the course page, reads a session's roll call and corrects one result with a
// reason; enrols three people directly on the coming occasion, is told why nobody completes a
// course that has not started, and records an interruption instead. The participant sees the
// result on their record. axe on each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a provider follows a group up and the participant sees the result", async () => {
  const staff = await newPage(browser);
  await login(staff, "utbildare@demo.larnav.se");
  await staff.goto(`${BASE}/catalogue?q=pilotkurs`);
  await staff.getByRole("link", { name: "Vård- och omsorgsarbete, pilotkurs" }).first().click();
  const groups = staff.getByRole("link", { name: /^Deltagare och närvaro/ });
  assert.equal(await groups.count(), 2, "last year's occasion and the coming one");

  // Last year's group: 20 participants, all ended; two interrupted.
  await groups.first().click();
  await staff.getByRole("heading", { name: /^Deltagare: / }).waitFor();
  await expectAccessible(staff, "a finished group");
  const table = staff.getByRole("table");
  assert.equal(await table.getByRole("row").count(), 21);
  assert.equal(await table.getByText(/^Avbruten/).count(), 2);
  assert.equal(await table.getByText(/^Fullföljd/).count(), 18);

  // A session's roll call, read only now that everyone has ended.
  await staff.getByRole("link", { name: "Träff 1", exact: true }).click();
  await staff.getByRole("heading", { name: "Närvaro: Träff 1" }).waitFor();
  await expectAccessible(staff, "a roll call");
  await staff.getByRole("link", { name: "Deltagare", exact: true }).click();

  // A correction needs its reason; with it, the result changes and is marked as corrected.
  await staff.getByLabel("Alva Sundin").check();
  await staff.getByLabel("Ej godkänd").check();
  await staff.getByRole("button", { name: "Spara för markerade" }).click();
  await staff.getByText("Skriv varför du rättar en avslutad deltagare.").first().waitFor();
  await expectAccessible(staff, "a refused correction");
  assert.ok(await staff.getByLabel("Alva Sundin").isChecked(), "the selection is kept");
  await staff.getByLabel("Skäl till rättelse").fill("Fel person markerad som fullföljd");
  await staff.getByRole("button", { name: "Spara för markerade" }).click();
  await staff.getByText("1 deltagare är uppdaterad.").waitFor();
  const alva = staff.getByRole("row", { name: /Alva Sundin/ });
  assert.match(await alva.innerText(), /Ej godkänd .* rättad/s);

  // The coming occasion: enrol three directly; completing before the start is refused.
  await staff.goto(`${BASE}/catalogue?q=pilotkurs`);
  await staff.getByRole("link", { name: "Vård- och omsorgsarbete, pilotkurs" }).first().click();
  await staff.getByRole("link", { name: /^Deltagare och närvaro/ }).last().click();
  for (const n of ["02", "03", "05"]) {
    await staff.getByLabel(/^Deltagarens e-postadress/).fill(`kursdeltagare${n}@demo.larnav.se`);
    await staff.getByRole("button", { name: "Skriv in" }).click();
    await staff.getByText("Deltagaren är inskriven.").waitFor();
  }
  await staff.getByLabel(/^Deltagarens e-postadress/).fill("ingen-alls@demo.larnav.se");
  await staff.getByRole("button", { name: "Skriv in" }).click();
  await staff.getByText("Ingen har ett konto med den e-postadressen").first().waitFor();
  await expectAccessible(staff, "an enrolment refused");
  await staff.getByLabel("Bilal Haddad").check();
  await staff.getByLabel("Fullföljd").check();
  await staff.getByRole("button", { name: "Spara för markerade" }).click();
  await staff.getByText(/Ingen kan fullfölja eller bli underkänd innan utbildningen har börjat/).first().waitFor();
  await staff.getByLabel("Avbruten").check();
  await staff.getByLabel("Skäl till avbrott").selectOption({ label: "fick arbete" });
  await staff.getByLabel("Datum").fill("");
  await staff.getByRole("button", { name: "Spara för markerade" }).click();
  await staff.getByText("1 deltagare är uppdaterad.").waitFor();
  assert.match(await staff.getByRole("row", { name: /Bilal Haddad/ }).innerText(), /Avbruten .*\(fick arbete\)/s);

  // The participant's own record.
  const learner = await newPage(browser);
  await login(learner, "kursdeltagare03@demo.larnav.se");
  await learner.goto(`${BASE}/account/record`);
  const text = await learner.getByRole("region", { name: "Mina utbildningar" }).innerText();
  assert.match(text, /Fullföljd/);
  assert.match(text, /7,5 VG/);
  await expectAccessible(learner, "the record with courses");
  await learner.getByRole("link", { name: /^Intyg/ }).first().click();
  await learner.getByRole("heading", { name: "Intyg om fullföljd utbildning" }).waitFor();
  assert.match(await learner.locator("main").innerText(), /Camilla Wik har fullföljt utbildningen Vård- och omsorgsarbete, pilotkurs\./);
  await expectAccessible(learner, "a certificate of completion");
});

test("the analyst reads the follow-up for Gävleborg with small counts suppressed", async () => {
  const analyst = await newPage(browser);
  await login(analyst, "strateg@demo.larnav.se");
  await analyst.goto(`${BASE}/semaforen`);
  await analyst.getByRole("link", { name: "Uppföljning av utbildningar" }).click();
  await analyst.getByLabel("Område").selectOption({ label: "Gävleborgs län" });
  await analyst.getByRole("button", { name: "Visa" }).click();
  await analyst.getByRole("heading", { name: "Deltagare per kommun" }).waitFor();
  await expectAccessible(analyst, "the follow-up view");
  // Last year's pilot group in Gävle: 20 participants; the two interruptions are hidden (and
  // whatever else would give them back); no count of 1–4 shows anywhere in the row.
  const gavle = analyst.getByRole("row", { name: /^Gävle/ });
  const cells = await gavle.getByRole("cell").allInnerTexts();
  assert.equal(cells[0], "20");
  assert.equal(cells[2], "–", "the two interruptions");
  for (const c of cells.slice(0, 5)) assert.ok(c === "–" || c === "0" || Number(c) >= 5, cells.join(" | "));
  // Six months on: 20 asked, 17 answered, 15 in work.
  const care = analyst.getByRole("row", { name: /Undersköterskor/ });
  assert.match(await care.innerText(), /20\s+17\s+85 %\s+15 \(88 %\)/);
  assert.ok(await analyst.locator("svg[role=img]").isVisible(), "the chart is drawn with its table");
});

test("the loop back: a published list shows what answered it, and the funder reports download", async () => {
  const { execFileSync } = await import("node:child_process");
  const analyst = await newPage(browser);
  await login(analyst, "strateg@demo.larnav.se");
  await analyst.goto(`${BASE}/published`);
  await analyst.getByRole("link", { name: /Gävleborgs län/ }).first().click();
  await analyst.getByRole("heading", { name: "Vad som svarade på listan" }).waitFor();
  await expectAccessible(analyst, "a published list with what answered it");
  // The pilot course, created from the list with "answer a need": the chain, protected.
  const row = analyst.getByRole("row", { name: /Undersköterskor, hemtjänst/ });
  const cells = await row.getByRole("cell").allInnerTexts();
  assert.equal(cells[4], "20", "started");
  assert.equal(cells[5], "–", "completed: 18 of 20 would give the two back");
  assert.match(await analyst.locator("main").innerText(), /Prioriterad \d{4} → .*20 började → \d+ i arbete inom yrket/);

  // The vocational report from the follow-up view: an XLSX whose header row is the layout.
  await analyst.goto(`${BASE}/outcomes?area=21`);
  const [download] = await Promise.all([
    analyst.waitForEvent("download"),
    analyst.getByRole("link", { name: "Excel (XLSX)", exact: true }).click(),
  ]);
  const file = await download.path();
  const header = execFileSync("python3", ["-c", `
import sys, zipfile, re
z = zipfile.ZipFile(sys.argv[1])
strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
print(";".join(strings[:7]))`, file]).toString().trim();
  assert.equal(header, "yrkesomrade;yrken;platser;deltagare;deltagare_prioriterade_yrken;andel_prioriterade_procent;prioriterade_yrken_pa_listan");

  // The provider's monthly participant file from its organisation page.
  const staff = await newPage(browser);
  await login(staff, "utbildare@demo.larnav.se");
  await staff.goto(`${BASE}/organisations`);
  await staff.getByRole("link", { name: "Högskolan i Gävle" }).first().click();
  const [csv] = await Promise.all([
    staff.waitForEvent("download"),
    staff.getByRole("link", { name: "CSV", exact: true }).last().click(),
  ]);
  const text = (await import("node:fs")).readFileSync(await csv.path(), "utf8").replace(/^\uFEFF/, "");
  assert.match(text.split(/\r?\n/)[0], /^deltagar_id;manad;utbildning;kommun;ssyk;status_manadens_borjan/);
});

test("a participant gives the details funders ask for, declines one, and reads why each is asked", async () => {
  // The seventh participant of the pilot course gave nothing yet.
  const learner = await newPage(browser);
  await login(learner, "kursdeltagare07@demo.larnav.se");
  await learner.goto(`${BASE}/account/record`);
  await learner.getByRole("link", { name: /^Uppgifter för rapportering/ }).first().click();
  await learner.getByRole("heading", { name: "Uppgifter för rapportering" }).waitFor();
  await expectAccessible(learner, "the reporting details form");
  const text = await learner.locator("main").innerText();
  assert.match(text, /Används i: månadsfilen över deltagare \(ESF\)\./);
  assert.match(text, /Sparas i 36 månader efter kursens slut/);
  await learner.getByLabel("Kommun där du bor", { exact: true }).selectOption({ label: "Gävle" });
  await learner.getByLabel("Födelseår (femårsintervall)", { exact: true }).selectOption({ label: "1985–1989" });
  await learner.getByLabel("Kön", { exact: true }).selectOption({ label: "Vill inte uppge" });
  await learner.getByLabel("Högsta avslutade utbildning", { exact: true }).selectOption({ label: "Gymnasial utbildning" });
  await learner.getByRole("button", { name: "Spara", exact: true }).click();
  await learner.getByText("Uppgifterna är sparade.").waitFor();
  // Shown again as given; what was left out stays not given.
  await learner.getByRole("link", { name: /^Uppgifter för rapportering/ }).first().click();
  assert.equal(await learner.getByLabel("Kön", { exact: true }).inputValue(), "declined");
  assert.equal(await learner.getByLabel("Kommun där du bor", { exact: true }).inputValue(), "2180");
  assert.equal(await learner.getByLabel("Sysselsättning när kursen började", { exact: true }).inputValue(), "");
});
