import type { Page } from "@playwright/test";
import { expect, test, login, pdf, STEPS } from "./helpers";

async function fillProject(page: Page, name: string) {
  await page.getByLabel("项目名称").fill(name);
  await page.getByLabel("建设地点").fill("青山村后山");
  await page.getByLabel("建设内容与规模").fill("山塘清淤 1500 立方米");
  await page.getByLabel("估算价").fill("300000");
  await page.getByLabel("最高投标限价").fill("290000");
  await page.getByLabel("资金来源").fill("村集体经济收入");
  await page.getByLabel("计划工期").fill("30");
  for (const [i, step] of STEPS.entries()) await page.locator(`[id="${step}.day"]`).fill(`2026-10-${String(10 + i * 3).padStart(2, "0")}`);
  await page.getByLabel("应到人数").fill("40");
  await page.getByLabel("实到人数").fill("31");
  await page.getByLabel("赞成票").fill("29");
}

test("a decision document goes up in pieces over a connection that drops once, and the form still saves", async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const page = await phone.newPage();
  await login(page, "13900000003"); // 青山村村委会
  await page.goto("/projects/new");
  await fillProject(page, "青山村山塘清淤（断网续传）");

  // The second piece of the upload is lost on the way, as on a weak mobile connection.
  let patches = 0;
  let dropped = false;
  await page.route("**/uploads/*", async (route) => {
    if (route.request().method() === "PATCH" && ++patches === 2) {
      dropped = true;
      return route.abort("connectionreset");
    }
    return route.continue();
  });

  const big = pdf("提议", 1_300_000); // three 512 KB pieces
  await page.locator('[id="proposal.file"]').setInputFiles(big);
  const status = page.locator('[id="proposal.file"] + .upload-status');
  await expect(status).toHaveAttribute("aria-live", "polite");
  await expect(status).toContainText("网络中断", { timeout: 15_000 });
  await expect(status).toHaveText("已上传：提议.pdf", { timeout: 30_000 });
  expect(dropped).toBe(true);
  // The form now names the upload instead of carrying the file.
  await expect(page.locator('[id="proposal.file"]')).not.toHaveAttribute("name");
  await expect(page.locator('input[type=hidden][name="proposal.file__upload"]')).toHaveValue(/^[A-Za-z0-9_-]{22}$/);

  for (const step of STEPS.slice(1)) await page.locator(`[id="${step}.file"]`).setInputFiles(pdf(step));
  const posted = page.waitForRequest((r) => r.method() === "POST" && /\/projects\/new(\.data)?$/.test(new URL(r.url()).pathname));
  await page.getByRole("button", { name: "保存草稿" }).click();
  // The 1.3 MB file is not sent a second time with the form.
  expect((await posted).postDataBuffer()?.length ?? 0).toBeLessThan(100_000);

  await expect(page.getByRole("heading", { name: "青山村山塘清淤（断网续传）" })).toBeVisible();
  await expect(page.getByRole("link", { name: "提议.pdf" })).toBeVisible();
  // The stored document is the very file that was chosen.
  const doc = await page.request.get((await page.getByRole("link", { name: "提议.pdf" }).getAttribute("href")) as string);
  expect(doc.status()).toBe(200);
  expect(Buffer.from(await doc.body()).equals(big.buffer)).toBe(true);
  await phone.close();
});

test("refuses a file that is not a PDF before it is all sent, in the user's language", async ({ browser }) => {
  const ctx = await browser.newContext({ locale: "zh-CN" });
  const page = await ctx.newPage();
  await login(page, "13900000003");
  await page.goto("/projects/new");
  // The pieces are sent by the page's script: let it load before a file is chosen.
  await page.waitForLoadState("networkidle");
  const fake = { name: "决议.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(800_000, 0x4d) };
  await page.locator('[id="proposal.file"]').setInputFiles(fake);
  await expect(page.locator('[id="proposal.file"] + .upload-status')).toContainText("这不是 PDF 文件", { timeout: 15_000 });
  await ctx.close();
});

test("without JavaScript the same form sends its files itself", async ({ browser }) => {
  const ctx = await browser.newContext({ locale: "zh-CN", javaScriptEnabled: false });
  const page = await ctx.newPage();
  await login(page, "13900000003");
  await page.goto("/projects/new");
  await fillProject(page, "青山村山塘清淤（无脚本）");
  for (const step of STEPS) await page.locator(`[id="${step}.file"]`).setInputFiles(pdf(step));
  await page.getByRole("button", { name: "保存草稿" }).click();
  await expect(page.getByRole("heading", { name: "青山村山塘清淤（无脚本）" })).toBeVisible();
  await expect(page.getByRole("link", { name: "proposal.pdf" })).toBeVisible();
  await ctx.close();
});
