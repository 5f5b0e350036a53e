// The network as a new user would meet it, on the demo data: the association runs its
// mentorship round for the four themes (nine demo learning centres volunteered or applied,
// Lärcentrum Hudiksvall applies in the browser as the tenth), proposes and publishes the pairs,
// and Hudiksvall logs a meeting with its model; Hudiksvall's learning-meeting programme with
// twelve participants is paired, published, closed and evaluated, and the organiser reads the
// summary. axe on each page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, expectAccessible, mails } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function waitForMail(text) {
  for (let i = 0; i < 100; i++) {
    if (mails().some((m) => m.includes(text))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no e-mail containing ${text}`);
}

test("the association runs a mentorship round and a pair logs a meeting", async () => {
  // Lärcentrum Hudiksvall applies for a model within skills needs, Östersund first.
  const centre = await newPage(browser);
  await login(centre, "samordnare@demo.larnav.se");
  await centre.getByRole("link", { name: "Modellkommun", exact: true }).click();
  await expectAccessible(centre, "the mentorship start page");
  await centre.getByRole("link", { name: /^Modellkommun \d{4}$/ }).click();
  await centre.getByRole("heading", { name: "Sök en modell" }).waitFor();
  await expectAccessible(centre, "a round for a member");
  await centre.getByLabel("Tema", { exact: true }).last().selectOption({ label: "Kompetensbehov" });
  // A model within another theme is refused with the reason, and nothing is lost.
  await centre.getByLabel("Val 1").selectOption({ label: "Lärcentrum Falkenberg (demo)" });
  await centre.getByLabel("Vad vill ni utveckla?").fill("En rutin för att inventera arbetsgivarnas behov.");
  await centre.getByRole("button", { name: "Skicka ansökan" }).click();
  await centre.getByText("annat tema än det ni söker").first().waitFor();
  assert.equal(await centre.getByLabel("Vad vill ni utveckla?").inputValue(), "En rutin för att inventera arbetsgivarnas behov.");
  await expectAccessible(centre, "a refused application");
  await centre.getByLabel("Val 1").selectOption({ label: "Lärcentrum Östersund (demo)" });
  await centre.getByRole("button", { name: "Skicka ansökan" }).click();
  await centre.getByText("Er ansökan är skickad.").waitFor();
  await waitForMail("emot er ansökan till Modellkommun");

  // The association proposes and publishes; ten organisations take part.
  const association = await newPage(browser);
  await login(association, "natverk@demo.larnav.se");
  await association.goto(centre.url().split("#")[0]);
  await association.getByRole("heading", { name: "Ansökningar" }).waitFor();
  await expectAccessible(association, "the round for its organiser");
  await association.getByRole("button", { name: "Föreslå par" }).click();
  await association.getByText("Lärnav har föreslagit par").waitFor();
  const rows = association.locator("section[aria-labelledby=applications] tbody tr");
  assert.equal(await rows.count(), 5, "five applications");
  // Members were told they may apply until the last day: the pairs wait for it, unless the
  // association closes applications early, with a reason every organisation is e-mailed.
  await association.getByText("Paren kan publiceras från").waitFor();
  await association.getByText("Stäng ansökan i förtid").click();
  await association.getByLabel(/Skäl som organisationerna får läsa/).fill("Alla teman har fått modeller.");
  await association.getByRole("button", { name: "Stäng ansökan nu och meddela alla" }).click();
  await association.getByText("Ansökan är stängd och alla deltagande organisationer får e-post").waitFor();
  await association.getByText(/Ansökan stängdes i förtid .*: Alla teman har fått modeller/).waitFor();
  await waitForMail("Alla teman har fått modeller");
  await expectAccessible(association, "a round with applications closed early");
  await association.getByRole("button", { name: "Publicera paren" }).click();
  await association.getByText("Paren är publicerade och båda parter").waitFor();
  const line = "Lärcentrum Hudiksvall (demo) – Kompetensbehov (Lärcentrum Östersund (demo) som modellkommun)";
  await association.getByText(line).waitFor();
  const pairs = await association.locator("ul.pairs li").allInnerTexts();
  assert.equal(pairs.length, 5, pairs.join("\n"));
  // Ten learning centres take part: nine in the pairs (Östersund mentors two) and Ljusdal,
  // which volunteered as a model and got no member.
  const main = await association.locator("main").innerText();
  const organisations = new Set(main.match(/Lärcentrum [^()\n–]+ \(demo\)/g));
  assert.equal(organisations.size, 10, [...organisations].join(", "));
  await expectAccessible(association, "the published round");
  await waitForMail("Lärcentrum Hudiksvall (demo) – Kompetensbehov");

  // The public list, for anyone.
  const visitor = await newPage(browser);
  await visitor.goto(association.url().split("#")[0]);
  await visitor.getByText(line).waitFor();

  // Hudiksvall sets goals and logs a meeting with Östersund.
  await centre.reload();
  await centre.getByRole("link", { name: line }).click();
  await expectAccessible(centre, "the pair's space");
  await centre.getByLabel("Mål för året").fill("En återkommande behovsinventering med kommunens näringslivskontor.");
  await centre.getByRole("button", { name: "Spara mål och plan" }).click();
  await centre.getByText("Mål och plan är sparade.").waitFor();
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Stockholm" });
  await centre.getByLabel("Mötesdag").fill(today);
  await centre.getByLabel("Vad hände, vad kom ni fram till?").fill("Östersund visade sin mall för företagsbesök.");
  await centre.getByRole("button", { name: "Lägg till i loggen" }).click();
  await centre.getByText("Tillagt i loggen.").waitFor();
  await centre.getByText("Östersund visade sin mall för företagsbesök.").waitFor();
  await expectAccessible(centre, "the pair's space with a log");
});

test("a municipality runs a learning-meeting programme with twelve participants", async () => {
  const organiser = await newPage(browser);
  await login(organiser, "samordnare@demo.larnav.se");
  await organiser.getByRole("link", { name: "Lärande möten", exact: true }).click();
  await organiser.getByRole("link", { name: /Lärande möten i Hudiksvall/ }).click();
  await expectAccessible(organiser, "the programme for its organiser");
  await organiser.getByRole("button", { name: "Föreslå par" }).click();
  await organiser.getByText("6 par").first().waitFor();
  await organiser.getByRole("button", { name: "Publicera paren" }).click();
  await waitForMail("Du har paras ihop med");
  await organiser.getByRole("button", { name: "Avsluta och be om utvärdering" }).click();
  await organiser.getByText("Avslutat").first().waitFor();
  const programme = organiser.url().split("#")[0];

  // Three participants answer the evaluation.
  for (const [n, answers, comment] of [
    ["01", [5, 4, 5, 5], "Nya perspektiv på rekrytering."],
    ["02", [4, 4, 3, 4], ""],
    ["07", [5, 5, 5, 5], "Vi fortsätter träffas."],
  ]) {
    const p = await newPage(browser);
    await login(p, `deltagare${n}@demo.larnav.se`);
    await p.goto(programme);
    const questions = ["Träffarna gav mig nya perspektiv", "Vi hade gemensamma frågor", "Jag vill fortsätta träffa", "Jag skulle rekommendera"];
    for (const [i, q] of questions.entries()) {
      await p.getByRole("group", { name: new RegExp(q) }).getByLabel(String(answers[i]), { exact: true }).check();
    }
    await p.getByLabel("Vad vill du säga om programmet?").fill(comment);
    if (n === "01") await expectAccessible(p, "the evaluation form");
    await p.getByRole("button", { name: "Skicka utvärderingen" }).click();
    await p.waitForURL((url) => !url.pathname.endsWith("/evaluation"));
    await p.context().close();
  }

  await organiser.reload();
  await organiser.getByText("3 av 12 deltagare har svarat.").waitFor();
  await organiser.getByText("Nya perspektiv på rekrytering.").waitFor();
  await organiser.getByText("Vi fortsätter träffas.").waitFor();
  await expectAccessible(organiser, "the evaluation summary");
});
