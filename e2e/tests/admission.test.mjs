// Admission as a new user would meet it, on the demo's 20-place pilot course with 150 demo
// applicants: a learner applies and uploads a document; staff review eligibility in bulk, run
// the round, compare a what-if, publish; offers go out by e-mail; two admitted decline (one
// herself, one by phone through staff) and reserves are promoted automatically. axe on each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible, mails } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The demo applicants' names and e-mail addresses (as crates/larnav-app/src/demo.rs makes them).
const FIRST = ["Anna", "Björn", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan", "Ida", "Jonas", "Karin", "Leila", "Mats", "Nora", "Östen"];
const LAST = ["Andersson", "Berg", "Çelik", "Dahl", "Ek", "Forsberg", "Gustafsson", "Holm", "Lindqvist", "Åberg"];
function demoEmail(name) {
  const [first, last] = name.trim().split(" ");
  const i = LAST.indexOf(last) * FIRST.length + FIRST.indexOf(first);
  assert.ok(i >= 0, `a demo applicant: ${name}`);
  return `sokande${String(i + 1).padStart(3, "0")}@demo.larnav.se`;
}

async function waitForMail(text) {
  for (let i = 0; i < 100; i++) {
    if (mails().some((m) => m.includes(text))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no e-mail containing ${text}`);
}

test("a provider runs the pilot round from applications to promoted reserves", async () => {
  // A learner applies in the open round and uploads grades; a file that is not a PDF is refused.
  const learner = await newPage(browser);
  await login(learner, "elev@demo.larnav.se");
  await learner.getByRole("link", { name: "Antagning" }).click();
  await expectAccessible(learner, "the admission start page");
  await learner.getByRole("link", { name: /Pilotkursen/ }).click();
  const pilot = learner.getByLabel("Val 1").locator("option", { hasText: "Vård- och omsorgsarbete, pilotkurs" });
  await learner.getByLabel("Val 1").selectOption(await pilot.getAttribute("value"));
  await learner.getByRole("button", { name: "Skicka ansökan" }).click();
  await learner.getByText("Din ansökan är mottagen").waitFor();
  await learner.getByLabel("Betyg eller intyg").setInputFiles({ name: "betyg.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ not really a pdf") });
  await learner.getByRole("button", { name: "Ladda upp" }).click();
  await learner.getByRole("alert").getByText("inte en PDF").waitFor();
  await learner.getByLabel("Betyg eller intyg").setInputFiles({ name: "betyg.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% grades\n") });
  await learner.getByRole("button", { name: "Ladda upp" }).click();
  await learner.getByRole("link", { name: "betyg.pdf" }).waitFor();
  await expectAccessible(learner, "the application page");
  await waitForMail("tagit emot din ansökan");

  // Staff find the round through their organisation.
  const staff = await newPage(browser);
  await login(staff, "utbildare@demo.larnav.se");
  await staff.getByRole("link", { name: "Mina organisationer" }).click();
  await staff.getByRole("link", { name: "Högskolan i Gävle (demo)" }).click();
  await staff.getByRole("link", { name: "Antagningsomgångar" }).click();
  await expectAccessible(staff, "the provider's rounds");
  await staff.getByRole("link", { name: /Pilotkursen/ }).click();
  await staff.getByText("151 sökande").waitFor();
  await expectAccessible(staff, "the round");

  // The demo round takes (late) applications for three more weeks: the selection cannot run
  // yet and the page says from when. Staff close applications early, as an explicit decision
  // with a reason that every applicant is e-mailed and that every page of the round shows.
  await staff.getByText("Urvalet kan köras från").waitFor();
  assert.equal(await staff.getByRole("button", { name: "Kör urvalet" }).count(), 0);
  await staff.getByText("Stäng ansökan i förtid").click();
  const closeNow = staff.getByRole("button", { name: "Stäng ansökan nu och meddela alla sökande" });
  await closeNow.click();
  await staff.getByRole("alert").getByText("Fältet måste fyllas i").waitFor();
  await expectAccessible(staff, "closing applications early, reason missing");
  await staff.getByLabel(/Skäl som sökande får läsa/).fill("Kursen startar två veckor tidigare.");
  await closeNow.click();
  await staff.getByText("Ansökan är stängd och alla sökande får e-post om det").waitFor();
  await staff.getByText(/stängdes i förtid .*: Kursen startar två veckor tidigare/).waitFor();
  await waitForMail("Kursen startar två veckor tidigare");
  await learner.reload();
  await learner.getByText(/stängdes i förtid/).waitFor();
  await expectAccessible(learner, "an application after applications closed early");

  // Running before every choice is reviewed is refused, with the reason.
  await staff.getByRole("button", { name: "Kör urvalet" }).click();
  await staff.getByRole("alert").getByText("väntar fortfarande på behörighetsprövning").waitFor();

  // Eligibility: all shown are marked eligible in one decision.
  await staff.getByRole("link", { name: /Pröva behörighet/ }).click();
  await expectAccessible(staff, "the eligibility queue");
  await staff.getByLabel("Markera alla som visas").check();
  await staff.getByLabel("Behörighet", { exact: true }).last().selectOption({ label: "Behörig" });
  await staff.getByRole("button", { name: "Spara beslutet" }).click();
  await staff.getByText("Inga val att visa.").waitFor();

  // Run, look at the result and statistics, compare a what-if with 22 seats, publish.
  await staff.getByRole("link", { name: /Pilotkursen/ }).click();
  await staff.getByLabel("Lottningsfrö").fill("2027");
  await staff.getByRole("button", { name: "Kör urvalet" }).click();
  await staff.getByRole("heading", { name: /Resultat/ }).waitFor();
  await expectAccessible(staff, "the results");
  await staff.getByLabel(/^Platser: Vård- och omsorgsarbete/).fill("22");
  await staff.getByRole("button", { name: "Jämför" }).click();
  await staff.getByText("Sökande som får ett annat resultat").waitFor();
  await expectAccessible(staff, "the what-if comparison");
  await staff.getByRole("link", { name: /Pilotkursen/ }).click();
  await staff.getByRole("cell", { name: "151", exact: true }).first().waitFor(); // applicants for 20 seats
  await staff.getByRole("button", { name: "Publicera och skicka besked" }).click();
  await staff.getByText("Omgången är publicerad och besked skickas").waitFor();
  await waitForMail("Tacka ja eller nej senast");

  // Two of the admitted decline: one on her own page, one by phone (recorded by staff).
  const admitted = staff.locator("table", { has: staff.locator("caption", { hasText: "Antagna" }) }).first();
  const names = await admitted.locator("tbody tr td:first-child").allTextContents();
  assert.equal(names.length, 20);
  const demoNames = names.filter((n) => n.trim() !== "Lena Lärande");
  const applicant = await newPage(browser);
  await login(applicant, demoEmail(demoNames[0]));
  await applicant.getByRole("link", { name: "Antagning" }).click();
  await applicant.getByRole("link", { name: /Pilotkursen/ }).click();
  await applicant.getByText("Antagen till ditt 1:a val").waitFor();
  await expectAccessible(applicant, "an admitted applicant's page");
  await applicant.getByRole("button", { name: /^Tacka nej/ }).click();
  await applicant.getByText("Du har tackat nej").waitFor();

  await staff.reload();
  await staff.getByRole("button", { name: `Tacka nej ${demoNames[1].trim()}` }).click();
  await staff.getByText("Svaret är registrerat").waitFor();
  await expectAccessible(staff, "the results after replies");
  // Both seats went to reserves, who were told by e-mail; the admitted list still holds 20 offers.
  const promoted = staff.locator("table", { has: staff.locator("caption", { hasText: "Reserver" }) }).first()
    .locator("tbody tr", { hasText: "Erbjuden plats" });
  assert.equal(await promoted.count(), 2);
  // E-mail goes out through the outbox worker: wait until both promotions are delivered.
  for (let i = 0; i < 100 && mails().filter((m) => m.includes("har blivit ledig")).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mails().filter((m) => m.includes("har blivit ledig")).length >= 2);

  // The learner sees her result explained.
  await learner.reload();
  await learner.getByText(/antagen/i).first().waitFor();
  await expectAccessible(learner, "the learner's result");
  await Promise.all([learner, staff, applicant].map((p) => p.context().close()));
});
