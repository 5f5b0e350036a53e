// Shared helpers for Lärnav's browser tests. The server, the SMTP catcher and their addresses
// come from .ci/run (or e2e/run.sh): LARNAV_URL and MAILBOX_DIR.
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

export const BASE = process.env.LARNAV_URL ?? "http://127.0.0.1:18090";
export const MAILBOX = process.env.MAILBOX_DIR ?? "/tmp/larnav-mailbox";
export const DEMO_PASSWORD = "demo-larnav-2026";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// A fresh browser profile (own cookies). axe needs pages from a context.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: "sv-SE", ...options });
  return context.newPage();
}

export async function login(page, email, password = DEMO_PASSWORD) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel("E-postadress").fill(email);
  await page.getByLabel("Lösenord").fill(password);
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/// Runs axe-core with the WCAG 2.1 A and AA rules and fails on any violation.
export async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  assert.equal(results.violations.length, 0, `${label ?? page.url()} has accessibility violations:\n${summary.join("\n")}`);
}

/// Undoes quoted-printable soft line breaks and =XX escapes.
function decodeQuotedPrintable(s) {
  const joined = s.replace(/=\r?\n/g, "");
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/// Messages the SMTP catcher stored (a Maildir), decoded.
export function mails() {
  const dir = path.join(MAILBOX, "new");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
    .map((f) => decodeQuotedPrintable(fs.readFileSync(f, "utf8")));
}

/// Waits for a message to `to` containing a link under `prefix` and returns the link's path.
export async function linkInMail(to, prefix) {
  for (let i = 0; i < 50; i++) {
    const mail = mails().reverse().find((m) => m.includes(`To: ${to}`));
    const match = mail?.match(new RegExp(`${BASE.replace(/[.]/g, "\\.")}(${prefix}[0-9a-f]+)`));
    if (match) return match[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} with a link to ${prefix}`);
}
