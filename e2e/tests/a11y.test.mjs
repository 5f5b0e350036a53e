// axe-core (WCAG 2.1 A and AA) on every page Lärnav has, in Swedish and English, anonymous and
// signed in, plus the states a person meets: forms with errors, error pages, a phone screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, linkInMail, expectAccessible } from "../lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PUBLIC_PAGES = [
  "/",
  "/login",
  "/register",
  "/password-reset",
  "/verify-email/not-a-real-token",
  "/reference",
  "/reference/search?q=g%C3%A4vle",
  "/reference/search?q=xyzzy",
  "/reference/occupations",
  "/reference/occupations/5",
  "/reference/occupations/5321",
  "/reference/places",
  "/reference/places/21",
  "/reference/sun",
  "/reference/seqf",
  "/signals",
  "/semaforen",
  "/semaforen/method",
  "/catalogue",
  "/catalogue?q=usk&shortage_area=21",
  "/semaforen/21",
  "/semaforen/21/gaps",
  "/semaforen/21/5321",
  "/semaforen/A1",
  "/published",
  "/centres",
  "/centres?lan=21&service=video_rooms",
  "/centres/2",
  "/models",
  "/models?q=studiebuss&lan=21",
  "/models/1",
  "/materials",
  "/materials?q=formativ%20bed%C3%B6mning&school_form=compulsory",
  "/materials/2",
  "/collections",
  "/collections/1",
  "/api",
  "/finns-inte",
];

test("every public page passes axe in Swedish and English", async () => {
  for (const locale of ["sv-SE", "en-GB"]) {
    // The browser's language preference picks the interface language.
    const page = await newPage(browser, { locale });
    for (const path of PUBLIC_PAGES) {
      await page.goto(`${BASE}${path}`);
      assert.equal(await page.getAttribute("html", "lang"), locale.slice(0, 2));
      await expectAccessible(page, `${path} (${locale})`);
    }
    await page.context().close();
  }
});

test("every signed-in page passes axe", async () => {
  const page = await newPage(browser);
  await login(page, "admin@demo.larnav.se");
  await page.goto(`${BASE}/admin/organisations`);
  const orgHref = await page.getByRole("link", { name: "Lärcentrum Hudiksvall (demo)" }).getAttribute("href");
  const paths = [
    "/",
    "/account",
    "/organisations",
    "/admin/organisations",
    "/admin/users",
    "/admin/audit",
    "/admin/mail",
    orgHref,
    `${orgHref}/audit`,
    "/organisations/1/areas",
    "/areas/1",
    "/reference/occupations/5321",
    "/signals",
    "/organisations/1/needs",
    "/organisations/1/lists",
    "/needs",
    "/supply",
    "/signals/ads",
    "/materials",
    "/materials/1",
    "/materials/1/edit",
    "/materials/3",
    "/collections",
    "/plans",
    "/account/record",
  ];
  for (const path of paths) {
    await page.goto(`${BASE}${path}`);
    await expectAccessible(page, path);
  }
  // Forms shown again with errors.
  await page.goto(`${BASE}/admin/organisations`);
  await page.getByLabel(/^Namn/).fill("Testskola");
  await page.getByLabel("Organisationsnummer").fill("556036-0794");
  await page.getByLabel("Kommun", { exact: true }).selectOption("2184");
  await page.getByRole("button", { name: "Registrera en organisation" }).click();
  await page.getByText("kontrollsiffran stämmer inte").first().waitFor();
  await expectAccessible(page, "organisation form with errors");
  await page.goto(`${BASE}/account`);
  await page.getByLabel("Vad nyckeln ska användas till").fill("Rapportskript");
  await page.getByRole("button", { name: "Skapa nyckel" }).click();
  await page.locator("#new-token").waitFor();
  await expectAccessible(page, "account with a new API key");
  await page.getByRole("button", { name: "Byt lösenord" }).click();
  await page.getByText("Det nuvarande lösenordet stämmer inte.").first().waitFor();
  await expectAccessible(page, "password form with errors");
});

test("the password-reset pages pass axe and the reset works end to end", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/password-reset`);
  await page.getByLabel("E-postadress").fill("elev@demo.larnav.se");
  await page.getByRole("button", { name: "Skicka länk" }).click();
  await page.getByText("Om adressen har ett konto i Lärnav").waitFor();
  await expectAccessible(page, "reset requested");
  const link = await linkInMail("elev@demo.larnav.se", "/password-reset/");
  await page.goto(`${BASE}${link}`);
  await expectAccessible(page, "new password form");
  await page.getByLabel("Nytt lösenord").fill("demo-larnav-2026");
  await page.getByLabel("Upprepa lösenordet").fill("demo-larnav-2026");
  await page.getByRole("button", { name: "Spara nytt lösenord" }).click();
  await page.getByText("Ditt lösenord är bytt.").waitFor();
  await page.goto(`${BASE}${link}`);
  await page.getByText("Länken fungerar inte längre.").waitFor();
  await expectAccessible(page, "used reset link");
});

test("pages fit a phone screen without sideways scrolling", async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 740 } });
  await login(page, "admin@demo.larnav.se");
  for (const path of ["/", "/account", "/admin/users", "/reference/occupations/5321", "/reference/places/21"]) {
    await page.goto(`${BASE}${path}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${path} is ${overflow}px wider than the screen`);
    await expectAccessible(page, `${path} on a phone`);
  }
});

test("on a phone the menu is collapsed behind a button, and each role sees its own items", async () => {
  const page = await newPage(browser, { viewport: { width: 375, height: 667 } });
  await login(page, "strateg@demo.larnav.se");
  await page.goto(`${BASE}/`);
  const nav = page.getByRole("navigation", { name: "Huvudmeny" });
  const button = nav.getByRole("button", { name: "Meny" });
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  const closed = await nav.boundingBox();
  assert.ok(closed.height < 667 * 0.15, `the closed menu takes ${closed.height}px of 667`);
  assert.equal(await nav.getByRole("link", { name: "Efterfrågan" }).isVisible(), false);
  await expectAccessible(page, "the start page on a phone, menu closed");

  await button.click();
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  // The analyst's items, not everyone's: no material library, no administration.
  const items = await nav.getByRole("link").allTextContents();
  assert.ok(items.includes("Efterfrågan") && items.includes("Semaforen"), items.join(", "));
  assert.ok(!items.includes("Material") && !items.includes("Administration"), items.join(", "));
  assert.ok(items.length <= 10, `${items.length} items: ${items.join(", ")}`);
  await expectAccessible(page, "the start page on a phone, menu open");
  await nav.getByRole("link", { name: "Efterfrågan" }).click();
  await page.waitForURL((url) => url.pathname === "/signals");
});

test("the skip link moves keyboard focus to the main content", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/reference`);
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  assert.equal(focused, "Hoppa till innehållet");
  await page.keyboard.press("Enter");
  const target = await page.evaluate(() => document.activeElement.id);
  assert.equal(target, "main");
});
