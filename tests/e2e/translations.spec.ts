// Translations by area (ADR 0039): a page loads, before hydrating, only the areas of its language that
// its routes name (and common); a client-side navigation to a route that names another area loads it
// before the route is shown, so no page ever shows a raw key; every title is in the page's language.
import type { Page } from "@playwright/test";
import { expect, login, test } from "./helpers";

const CONTRACTOR = "13900000010";

/** The translation areas the page fetched, as "<area>.<language>", in the order asked. */
function areasFetched(page: Page) {
  const fetched: string[] = [];
  page.on("request", (r) => {
    const m = /\/build\/_shared\/(\w+)\.(zh-CN|en)-[A-Z0-9]+\.js$/.exec(new URL(r.url()).pathname);
    if (m) fetched.push(`${m[1]}.${m[2]}`);
  });
  return fetched;
}

/** React's complaints: a hydration mismatch is what a missing area would cause. */
function consoleErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** No text of the page looks like a key (area.name) left untranslated. */
async function expectNoRawKeys(page: Page) {
  const text = await page.locator("body").innerText();
  expect(text).not.toMatch(/\b(?:errors|company|credit|pool|dashboard|bid|account|login|titles|nav)\.[a-zA-Z]+/);
}

test("the login page loads common, account and errors in Chinese, nothing else", async ({ page }) => {
  const fetched = areasFetched(page);
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  await expect(page).toHaveTitle("登录 · 村易招");
  // Hydrated (the page ships script) with only the areas the route names.
  await expect.poll(() => [...fetched].sort()).toEqual(["account.zh-CN", "common.zh-CN", "errors.zh-CN"]);
});

test("a client-side navigation loads the next page's areas before showing it, in either language", async ({ page }) => {
  const errors = consoleErrors(page);
  const fetched = areasFetched(page);
  // The login form posts without reloading the page; the dashboard names the workspace and projects areas.
  await login(page, CONTRACTOR);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/，您好$/);
  await expect(page).toHaveTitle("工作台 · 村易招");
  expect(fetched).toEqual(expect.arrayContaining(["workspace.zh-CN", "projects.zh-CN"]));
  expect(fetched).not.toContain("company.zh-CN");
  await expectNoRawKeys(page);

  // The company page names the company area: fetched on the way, shown translated.
  await page.getByRole("link", { name: "企业信息" }).click();
  await expect(page).toHaveURL(/\/company$/);
  await expect(page.getByRole("heading", { name: "资质证书", exact: true })).toBeVisible();
  await expect(page).toHaveTitle("企业信息 · 村易招");
  expect(fetched).toContain("company.zh-CN");
  expect(fetched.filter((a) => a === "common.zh-CN")).toHaveLength(1);
  await expectNoRawKeys(page);

  // In English: the same pages, English areas only.
  fetched.length = 0;
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Qualification certificates", exact: true })).toBeVisible();
  await expect(page).toHaveTitle("Company · Cunyizhao");
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Hello, /);
  await expect(page).toHaveTitle("Dashboard · Cunyizhao");
  expect(fetched).toEqual(expect.arrayContaining(["common.en", "company.en", "workspace.en", "projects.en"]));
  expect(fetched.filter((a) => a.endsWith(".zh-CN"))).toEqual([]);
  await expectNoRawKeys(page);

  expect(errors.filter((e) => /hydrat|did not match|Minified React error/i.test(e))).toEqual([]);
});
