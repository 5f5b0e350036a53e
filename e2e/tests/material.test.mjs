// The material library and staff development, as people use them in a browser, with axe-core
// on every page they meet: a teacher writes material with an image and submits it, a reviewer
// requests a change, the teacher revises, the reviewer approves; the school organiser puts it
// in a learning path and a development plan for a staff group; a staff member completes it,
// writes a reflection and exports their learning record.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TITLE = "Taluppfattning med tallinjen";
// A 1×1 PNG: the image the teacher puts in the material.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

async function signedIn(email) {
  const page = await newPage(browser);
  await login(page, email);
  return page;
}

test("material is written, reviewed, curated, planned, completed and kept in the record", async () => {
  // The teacher writes a draft, as a new user would: from the library's button.
  const teacher = await signedIn("larare@demo.larnav.se");
  await teacher.goto(`${BASE}/materials`);
  await teacher.getByRole("link", { name: "Skriv nytt material" }).click();
  await expectAccessible(teacher, "new material form");
  await teacher.getByRole("button", { name: "Spara", exact: true }).click();
  await teacher.locator(".notice--error").waitFor();
  await expectAccessible(teacher, "material form with errors");
  await teacher.getByLabel(/^Rubrik/).fill(TITLE);
  await teacher.getByLabel(/^Sammanfattning/).fill("Eleverna placerar tal på en tallinje och resonerar om storlek.");
  await teacher.getByLabel(/^Innehåll/).fill("## Så gör du\n\nRita en tallinje på tavlan.");
  await teacher.getByLabel("Grundskola").check();
  await teacher.getByRole("radio", { name: /Hela min huvudman/ }).check();
  await teacher.getByRole("button", { name: "Spara", exact: true }).click();
  await teacher.getByRole("heading", { level: 1, name: TITLE }).waitFor();
  const materialUrl = teacher.url();
  const materialId = materialUrl.split("/").pop();

  // An image as an attachment, then into the text with the line shown beside it.
  await teacher.locator("input#f-document").setInputFiles({ name: "tallinje.png", mimeType: "image/png", buffer: PNG });
  await teacher.getByRole("button", { name: "Ladda upp" }).click();
  await teacher.getByRole("link", { name: "tallinje.png" }).waitFor();
  const snippet = (await teacher.locator("code").filter({ hasText: "/material-attachments/" }).first().textContent()).trim();
  await teacher.getByRole("link", { name: "Redigera materialet" }).click();
  const body = teacher.getByLabel(/^Innehåll/);
  await body.fill(`${await body.inputValue()}\n\n${snippet.replace("Beskriv bilden här", "En tallinje från 0 till 10")}`);
  await teacher.getByRole("button", { name: /^Spara/ }).click();
  await teacher.locator(`article img[src^="/material-attachments/"]`).waitFor();
  assert.equal(await teacher.locator("article img").getAttribute("alt"), "En tallinje från 0 till 10");
  await expectAccessible(teacher, "draft with an image");
  await teacher.getByRole("button", { name: "Skicka till granskning" }).click();
  await teacher.getByText("Granskas").first().waitFor();

  // The reviewer finds it waiting, tries to approve without the checklist, then asks for a
  // change.
  const reviewer = await signedIn("granskare@demo.larnav.se");
  await reviewer.goto(`${BASE}/materials`);
  await reviewer.getByRole("link", { name: TITLE }).click();
  await expectAccessible(reviewer, "review form");
  await reviewer.getByLabel("Godkänn och publicera").check();
  await reviewer.getByRole("button", { name: "Skicka beslutet" }).click();
  await reviewer.getByText("Alla punkter i checklistan måste stämma").first().waitFor();
  await expectAccessible(reviewer, "review form with errors");
  await reviewer.getByLabel("Be om ändringar").check();
  await reviewer.getByLabel(/^Kommentar/).fill("Lägg till en fråga att ställa till eleverna.");
  await reviewer.getByRole("button", { name: "Skicka beslutet" }).click();
  await reviewer.getByText("Ändringar begärda").first().waitFor();

  // The teacher revises and submits again; the reviewer approves.
  await teacher.goto(materialUrl);
  await teacher.getByText("Lägg till en fråga att ställa till eleverna.").waitFor();
  await teacher.getByRole("link", { name: "Skriv en ny version" }).click();
  const revised = teacher.getByLabel(/^Innehåll/);
  await revised.fill(`${await revised.inputValue()}\n\nFråga: Vilket tal ligger mitt emellan 3 och 7?`);
  await teacher.getByRole("button", { name: /^Spara/ }).click();
  await teacher.getByRole("button", { name: "Skicka till granskning" }).click();
  await teacher.getByText("Granskas").first().waitFor();
  await reviewer.goto(materialUrl);
  for (const point of ["Innehållet är korrekt", "Tillgängligt", "Licensen stämmer", "Engagerande"]) {
    await reviewer.getByLabel(new RegExp(point)).check();
  }
  await reviewer.getByLabel("Godkänn och publicera").check();
  await reviewer.getByRole("button", { name: "Skicka beslutet" }).click();
  await reviewer.getByText("Publicerad").first().waitFor();

  // The school organiser puts it in a learning path …
  const organiser = await signedIn("huvudman@demo.larnav.se");
  await organiser.goto(`${BASE}/collections`);
  await expectAccessible(organiser, "learning paths");
  await organiser.getByLabel(/^Rubrik/).fill("Taluppfattning åk 4–6");
  await organiser.getByLabel("Sammanfattning").fill("Material och aktiviteter om tal och tallinjer.");
  await organiser.getByRole("button", { name: "Skapa lärvägen" }).click();
  await organiser.getByRole("heading", { level: 1, name: "Taluppfattning åk 4–6" }).waitFor();
  const pathUrl = organiser.url();
  await organiser.getByRole("button", { name: "Lägg till ett steg" }).click();
  await organiser.getByText("Välj ett publicerat material").first().waitFor();
  await expectAccessible(organiser, "step form with errors");
  await organiser.getByLabel("Material (om steget är material)").selectOption({ label: TITLE });
  await organiser.getByRole("button", { name: "Lägg till ett steg" }).click();
  await organiser.getByRole("link", { name: TITLE }).waitFor();
  await organiser.getByRole("radio", { name: "Aktivitet" }).check();
  await organiser.getByLabel("Egen rubrik", { exact: true }).fill("Prova tallinjen i en lektion");
  await organiser.getByRole("button", { name: "Lägg till ett steg" }).click();
  await organiser.getByText("Prova tallinjen i en lektion").first().waitFor();
  await expectAccessible(organiser, "learning path with steps");

  // … a staff group with a teacher of another school, and a plan for that group.
  await organiser.goto(`${BASE}/staff-groups`);
  await organiser.getByLabel("Gruppens namn").fill("Ämneslag matematik");
  await organiser.getByRole("button", { name: "Skapa gruppen" }).click();
  const group = organiser.locator("section", { has: organiser.getByRole("heading", { name: "Ämneslag matematik" }) });
  await group.getByRole("combobox").selectOption({ label: "Sixten Sjöberg (personal@demo.larnav.se)" });
  await group.getByRole("button", { name: /^Lägg till/ }).click();
  await group.getByText("personal@demo.larnav.se", { exact: true }).waitFor();
  await expectAccessible(organiser, "staff groups");
  await organiser.goto(`${BASE}/plans`);
  await organiser.getByLabel(/^Rubrik/).fill("Matematiklyftet 2027");
  await organiser.getByLabel("Mål").fill("Alla matematiklärare provar tallinjen.");
  await organiser.getByRole("button", { name: "Skapa planen" }).click();
  await organiser.getByRole("heading", { level: 1, name: "Matematiklyftet 2027" }).waitFor();
  const planUrl = organiser.url();
  await organiser.getByLabel("Material (om steget är material)").selectOption({ label: TITLE });
  await organiser.getByRole("button", { name: "Lägg till en aktivitet" }).click();
  await organiser.getByRole("link", { name: TITLE }).waitFor();
  await organiser.getByRole("radio", { name: "Lärväg" }).check();
  await organiser.getByLabel("Lärväg (om aktiviteten är en lärväg)").selectOption({ label: "Taluppfattning åk 4–6" });
  await organiser.getByRole("button", { name: "Lägg till en aktivitet" }).click();
  await organiser.getByRole("link", { name: "Taluppfattning åk 4–6" }).waitFor();
  // A course from the catalogue, named by words: several match, so they come back to choose
  // among, and the chosen one is linked.
  await organiser.getByRole("radio", { name: "Utbildning", exact: true }).check();
  await organiser.getByLabel(/^Utbildning i katalogen/).fill("undersköterska");
  await organiser.getByRole("button", { name: "Lägg till en aktivitet" }).click();
  await organiser.getByRole("link", { name: "Flera utbildningar matchar. Välj en i listan eller skriv fler ord." }).waitFor();
  await expectAccessible(organiser, "plan activity with courses to choose among");
  // The problem is shown at the course field, not at the material's or the path's.
  assert.equal(await organiser.locator(".field--error #f-target_offering").count(), 1);
  assert.equal(await organiser.locator(".field--error select").count(), 0);
  const course = organiser.getByRole("group", { name: "Utbildningar som matchar" }).getByRole("radio").first();
  const courseName = (await course.evaluate((input) => input.parentElement.childNodes[1].textContent)).trim();
  await course.check();
  await organiser.getByRole("button", { name: "Lägg till en aktivitet" }).click();
  await organiser.getByText("Steget är tillagt.").waitFor();
  await organiser.getByRole("link", { name: courseName }).first().waitFor();
  // The material's activity gets an instruction and a date, changed in place; a text over the
  // limit comes back first, with what was typed.
  const materialActivity = () => organiser.locator("li", { has: organiser.getByRole("link", { name: TITLE }) });
  await materialActivity().getByText("Ändra aktiviteten").click();
  const tooLong = "Läs före ämneslagets möte. " + "x".repeat(2000);
  await materialActivity().getByLabel(/^Beskrivning eller instruktion/).fill(tooLong);
  await materialActivity().getByRole("button", { name: /^Spara/ }).click();
  await organiser.getByRole("link", { name: "Texten är för lång." }).waitFor();
  await expectAccessible(organiser, "plan activity edit with errors");
  assert.equal(await materialActivity().getByLabel(/^Beskrivning eller instruktion/).inputValue(), tooLong);
  await materialActivity().getByLabel(/^Beskrivning eller instruktion/).fill("Läs före ämneslagets möte.");
  await materialActivity().getByLabel(/^Datum/).fill("2027-03-10");
  await materialActivity().getByRole("button", { name: /^Spara/ }).click();
  await organiser.getByText("Aktiviteten är sparad.").waitFor();
  await materialActivity().locator("p.prewrap", { hasText: "Läs före ämneslagets möte." }).waitFor();
  await materialActivity().locator("p.meta", { hasText: "2027-03-10" }).waitFor();
  await organiser.getByRole("button", { name: /^Tilldela\W+Ämneslag matematik/ }).click();
  await organiser.getByText("Tilldelningen är ändrad.").waitFor();
  await expectAccessible(organiser, "plan as its organiser sees it");

  // The staff member finds the plan, completes the material, reflects.
  const staff = await signedIn("personal@demo.larnav.se");
  await staff.goto(`${BASE}/plans`);
  await staff.getByRole("link", { name: "Matematiklyftet 2027" }).click();
  await expectAccessible(staff, "plan as staff see it");
  await staff.getByRole("link", { name: TITLE }).click();
  await staff.locator("article img").waitFor();
  await expectAccessible(staff, "published material with community");
  await staff.getByRole("button", { name: "Markera materialet som genomfört" }).click();
  await staff.getByText("Du markerade materialet som genomfört").waitFor();
  await staff.getByLabel("4 av 5").check();
  await staff.getByRole("button", { name: "Spara betyget" }).click();
  await staff.getByText("Betyg 4,0 av 5 (1 omdöme)").waitFor();
  await staff.goto(planUrl);
  const activity = staff.locator("li", { has: staff.getByRole("link", { name: TITLE }) });
  assert.equal(await activity.getByRole("combobox").inputValue(), "done");
  await activity.getByLabel("Din reflektion").fill("Eleverna resonerade mer när de fick peka på linjen.");
  await activity.getByRole("button", { name: /^Spara/ }).click();
  await staff.getByText("Din progression är sparad.").waitFor();
  await staff.goto(pathUrl);
  await staff.getByText("1 av 2 steg klara").waitFor();
  await expectAccessible(staff, "learning path as a learner sees it");

  // The organiser sees the progress per school.
  await organiser.goto(planUrl);
  await organiser.getByRole("heading", { name: "Progression per skola" }).waitFor();
  await organiser.getByRole("rowheader", { name: "Iggesundsskolan (demo)" }).waitFor();
  await expectAccessible(organiser, "plan with progress per school");
  await organiser.goto(`${BASE}/materials/usage`);
  await expectAccessible(organiser, "usage statistics");

  // The staff member's record: on the page, printable, and as a JSON file.
  await staff.goto(`${BASE}/account`);
  await staff.getByRole("link", { name: /^Min lärlogg/ }).click();
  await staff.getByRole("heading", { level: 1, name: "Min lärlogg" }).waitFor();
  await staff.getByRole("link", { name: TITLE }).first().waitFor();
  await staff.getByText("Eleverna resonerade mer när de fick peka på linjen.").waitFor();
  await expectAccessible(staff, "learning record");
  const [download] = await Promise.all([
    staff.waitForEvent("download"),
    staff.getByRole("link", { name: "Ladda ned som JSON" }).click(),
  ]);
  const stream = await download.createReadStream();
  let text = "";
  for await (const chunk of stream) text += chunk;
  const record = JSON.parse(text);
  assert.equal(record.person.email, "personal@demo.larnav.se");
  assert.ok(record.materials_completed.some((m) => String(m.id) === materialId));
  assert.ok(record.plans.some((p) => p.activities.some((a) => a.reflection.startsWith("Eleverna resonerade"))));
  // The erasure form explains what stays; a wrong password is refused and nothing is lost.
  await staff.getByLabel("Ditt lösenord").fill("fel-lösenord");
  await staff.getByLabel(/Jag förstår/).check();
  await staff.getByRole("button", { name: "Radera mitt konto" }).click();
  await staff.getByText("Det nuvarande lösenordet stämmer inte.").first().waitFor();
  await staff.getByText("Dina ansökningar och antagningsbesluten om dem").waitFor();
  await expectAccessible(staff, "erasure form with errors");
  await staff.goto(`${BASE}/account/record`);
  await staff.getByRole("link", { name: TITLE }).first().waitFor();

  for (const p of [teacher, reviewer, organiser, staff]) await p.context().close();
});
