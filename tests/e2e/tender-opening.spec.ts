// A whole remote opening in the browser: a committee's project is approved and
// published, three contractors bid with PRF passkeys, time moves past the
// deadline (the e2e server runs with TEST_CLOCK), the host starts decryption,
// each bidder decrypts in its own browser, the host reads out the prices, bidders
// confirm or object, the host answers and closes — with the supervisor watching
// live and a dropped connection catching up. Runs after sealed-bids.spec.ts and
// moves the server's clock forward, so it must stay the last spec that cares.
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, login, openAccount, pdf, prfAuthenticator, STEPS } from "./helpers";

const NAME = "青山村文化广场铺装";
/** The demo county's experts in the order of their demo phone numbers (13900000018 on). */
const EXPERT_NAMES = ["吴振华", "郑丽娟", "冯国强", "何雪梅", "许文涛", "沈佳怡", "韩志明", "杨秀英"];

async function publishProject(browser: Browser): Promise<string> {
  const c = await browser.newContext({ locale: "zh-CN" });
  const page = await c.newPage();
  await login(page, "13900000003"); // 青山村村委会
  await page.goto("/projects/new");
  await page.getByLabel("项目名称").fill(NAME);
  await page.getByLabel("建设地点").fill("青山村村委会前广场");
  await page.getByLabel("建设内容与规模").fill("透水砖铺装 800 平方米");
  await page.getByLabel("估算价").fill("300000");
  await page.getByLabel("最高投标限价").fill("290000");
  await page.getByLabel("资金来源").fill("财政奖补资金");
  await page.getByLabel("计划工期").fill("40");
  for (const [i, step] of STEPS.entries()) {
    await page.locator(`[id="${step}.day"]`).fill(`2026-10-${String(10 + i * 3).padStart(2, "0")}`);
    await page.locator(`[id="${step}.file"]`).setInputFiles(pdf(step));
  }
  await page.getByLabel("应到人数").fill("40");
  await page.getByLabel("实到人数").fill("33");
  await page.getByLabel("赞成票").fill("30");
  await page.getByRole("button", { name: "保存并提交审核" }).click();
  await expect(page.getByText("待乡镇审核")).toBeVisible();
  const projectUrl = page.url();

  const s = await browser.newContext({ locale: "zh-CN" });
  const sup = await s.newPage();
  await login(sup, "13900000002");
  await sup.goto(projectUrl);
  await sup.getByRole("button", { name: "批准备案" }).click();
  await expect(sup.getByText("已批准备案。")).toBeVisible();
  await s.close();

  await page.goto(projectUrl);
  await page.getByRole("link", { name: "发布招标公告" }).click();
  await page.getByLabel("投标保证金（元）").fill("5000");
  await page.locator('input[name="attachment1"]').setInputFiles(pdf("工程量清单"));
  await page.getByRole("button", { name: "发布", exact: true }).click();
  await expect(page.getByText("招标公告已发布。")).toBeVisible();
  await page.goto("/notices");
  await page.getByRole("link", { name: NAME }).first().click();
  const id = page.url().split("/notices/")[1].split(/[/?#]/)[0];
  await c.close();
  return id;
}

/** After a jump in time the session may have expired: log in again if so. */
async function stillLoggedIn(page: Page, phone: string) {
  await page.goto("/login");
  if (!page.url().endsWith("/dashboard")) await login(page, phone);
}

interface Bidder {
  context: BrowserContext;
  page: Page;
}

async function bid(browser: Browser, phone: string, tenderId: string, price: string, opts: { backupOnly?: boolean } = {}): Promise<Bidder & { backupCode: string }> {
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await prfAuthenticator(context, page);
  await login(page, phone);
  await openAccount(page);
  await page.getByLabel("通行密钥名称").fill(`手机-${phone.slice(-2)}`);
  await page.getByRole("button", { name: "添加通行密钥" }).click();
  await expect(page.getByText("通行密钥已添加。")).toBeVisible();
  await page.goto(`/notices/${tenderId}/bid`);
  await page.getByTestId("prepare-passkey").click();
  const holder = page.getByRole("checkbox", { name: new RegExp(`手机-${phone.slice(-2)}`) });
  await expect(holder).toBeChecked();
  if (opts.backupOnly) {
    // This bidder will open its bid with the backup key at the opening.
    await holder.uncheck();
    await page.getByLabel("我明白，只用备份密钥").check();
  }
  await page.getByLabel("投标报价").fill(price);
  await page.getByLabel("转账日期").fill("2026-11-21");
  await page.getByLabel("银行流水号").fill(`NS-${phone.slice(-4)}`);
  await page.getByLabel(/投标文件（PDF/).setInputFiles(pdf(`投标文件-${phone.slice(-2)}`));
  await page.getByTestId("seal-submit").click();
  const backupCode = (await page.getByTestId("backup-code").textContent())!;
  await page.getByTestId("confirm-backup").click();
  await expect(page.getByTestId("bid-status")).toHaveText("当前有效：第 1 版密封投标。", { timeout: 30_000 });
  return { context, page, backupCode };
}

// The second test reads what the first one left behind (a completed project in 青山镇).
test.describe.configure({ mode: "serial" });
let completedTenderId = "";

test("a whole remote opening: sign-in, decryption in each bidder's browser, 唱标, confirmation, objection, answer, close — live for everyone", async ({ browser }) => {
  test.setTimeout(480_000);
  const tenderId = await publishProject(browser);
  const a = await bid(browser, "13900000010", tenderId, "281000");
  const b = await bid(browser, "13900000014", tenderId, "276500.50");
  const c = await bid(browser, "13900000015", tenderId, "288000", { backupOnly: true });

  // Before the deadline: a bidder signs in; the host sees no names and no count.
  await c.page.goto(`/notices/${tenderId}/hall`);
  await c.page.getByRole("button", { name: "签到" }).click();
  await expect(c.page.getByTestId("signed-in")).toBeVisible();
  const early = await browser.newContext({ locale: "zh-CN" });
  const watcher = await early.newPage();
  await login(watcher, "13900000003");
  await watcher.goto(`/notices/${tenderId}/hall`);
  await expect(watcher.getByTestId("countdown")).toBeVisible();
  await expect(watcher.getByTestId("hall-rows")).toHaveCount(0);
  await expect(watcher.getByRole("button", { name: "开始解密" })).toHaveCount(0);

  // The deadline passes (the server's clock is moved past it). Sessions may have run out meanwhile: everyone logs in again.
  const deadline = (await watcher.locator("dl.facts dd").first().textContent())!.trim();
  const past = new Date(new Date(`${deadline.replace(" ", "T")}+08:00`).getTime() + 5_000);
  const r = await watcher.request.post("/test-clock", { data: { at: past.toISOString() } });
  expect(r.ok()).toBe(true);
  await early.close();
  for (const [bidder, phone] of [
    [a, "13900000010"],
    [b, "13900000014"],
    [c, "13900000015"],
  ] as const)
    await stillLoggedIn(bidder.page, phone);
  const hostCtx = await browser.newContext({ locale: "zh-CN" });
  const host = await hostCtx.newPage();
  await prfAuthenticator(hostCtx, host); // the host signs the record with a passkey
  await login(host, "13900000003");
  await openAccount(host);
  await host.getByLabel("通行密钥名称").fill("主持人手机");
  await host.getByRole("button", { name: "添加通行密钥" }).click();
  await expect(host.getByText("通行密钥已添加。")).toBeVisible();
  await host.goto(`/notices/${tenderId}/hall`);

  // The supervisor watches, read-only.
  const supCtx = await browser.newContext({ locale: "zh-CN" });
  const sup = await supCtx.newPage();
  await login(sup, "13900000002");
  await sup.goto(`/notices/${tenderId}/hall`);
  await expect(sup.getByText("只读观看")).toBeVisible();
  await expect(sup.getByTestId("live")).toBeVisible();

  await host.getByRole("button", { name: "开始解密" }).click();
  await expect(host.getByTestId("hall-state")).toHaveText("解密中");
  await expect(host.getByTestId("hall-rows").getByText("等待解密")).toHaveCount(3);
  // Sign-ins are shown from the deadline on.
  await expect(host.getByText(/东阳市梅岭古建园林有限公司 · 2026-/)).toBeVisible();
  // The supervisor's page follows without a reload.
  await expect(sup.getByTestId("hall-state")).toHaveText("解密中");
  await expect(host.getByTestId("live")).toBeVisible();

  // The supervisor's phone drops off the network while two bids are decrypted, then comes back and catches up.
  await supCtx.setOffline(true);
  for (const bidder of [a, b, c]) {
    await bidder.page.goto(`/notices/${tenderId}/hall`);
    if (bidder === c) {
      // Bidder C sealed to its backup key only: a wrong code is refused on the device, the right one opens it.
      await c.page.getByLabel("备份密钥").fill("0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000");
      await c.page.getByTestId("decrypt-backup").click();
      await expect(c.page.getByText("密钥不对：这个通行密钥或备份密钥打不开这份投标。")).toBeVisible();
      await c.page.getByLabel("备份密钥").fill(c.backupCode.toLowerCase().replace(/-/g, " "));
      await c.page.getByTestId("decrypt-backup").click();
    } else await bidder.page.getByTestId("decrypt-passkey").click();
    await expect(bidder.page.getByText("已解密，等待唱标。")).toBeVisible({ timeout: 30_000 });
    if (bidder === b) await supCtx.setOffline(false);
  }
  // The host saw each row change live.
  await expect(host.getByTestId("hall-rows").getByText("已解密", { exact: true })).toHaveCount(3);
  await expect(sup.getByTestId("hall-events").getByText(/已解密/)).toHaveCount(3, { timeout: 15_000 });
  // Prices are not shown before 唱标.
  await expect(host.getByTestId("hall-rows")).not.toContainText("¥");

  await host.getByRole("button", { name: "唱标" }).click();
  await expect(host.getByTestId("ceiling-restated")).toHaveText("最高投标限价：¥290,000.00");
  const rows = host.getByTestId("hall-rows");
  await expect(rows).toContainText("¥281,000.00");
  await expect(rows).toContainText("¥276,500.50");
  await expect(rows).toContainText("¥288,000.00");
  await expect(sup.getByTestId("hall-rows")).toContainText("¥276,500.50");

  // Bidder A confirms; bidder B objects; the host answers; bidder C stays silent.
  await a.page.reload();
  await a.page.getByRole("button", { name: "确认无误" }).click();
  await expect(a.page.getByText("已确认。")).toBeVisible();
  await b.page.reload();
  await b.page.getByLabel("异议内容").fill("我方项目经理证书号应为浙233公司登记号，请核对。");
  await b.page.getByRole("button", { name: "提交异议" }).click();
  await expect(host.getByTestId("hall-events")).toContainText("提出异议", { timeout: 15_000 });
  await host.getByRole("button", { name: "结束开标" }).click();
  await expect(host.getByRole("alert").filter({ hasText: "还有投标人未确认" })).toBeVisible();
  await host.getByLabel("答复").fill("已核对投标文件，记录无误。");
  await host.getByRole("button", { name: "答复", exact: true }).click();
  await expect(b.page.getByTestId("hall-events")).toContainText("主持人答复：已核对投标文件，记录无误。", { timeout: 15_000 });
  // The confirmation time runs out: silence counts as confirmation.
  await host.request.post("/test-clock", { data: { advanceMs: 11 * 60_000 } });
  await host.getByRole("button", { name: "结束开标" }).click();
  await expect(host.getByTestId("hall-state")).toHaveText("开标已结束");
  await expect(host.getByTestId("hall-rows")).toContainText("未答复·视为确认");
  await expect(sup.getByTestId("hall-state")).toHaveText("开标已结束", { timeout: 15_000 });
  // The host signs the opening record with the passkey; it is then public, and any PDF validator accepts the signature.
  await host.getByTestId("sign-record").click();
  await expect(host.getByTestId("record-link")).toBeVisible({ timeout: 30_000 });
  const anon = await browser.newContext({ locale: "zh-CN" });
  const pub = await anon.newPage();
  await pub.goto(`/notices/${tenderId}`);
  const href = await pub.getByTestId("notice-record").getAttribute("href");
  const pdfBytes = Buffer.from(await (await pub.request.get(href!)).body());
  await anon.close();
  expect(pdfBytes.subarray(0, 5).toString()).toBe("%PDF-");
  const file = path.join(os.tmpdir(), `opening-record-${tenderId}.pdf`);
  writeFileSync(file, pdfBytes);
  const sig = spawnSync("pdfsig", [file], { encoding: "utf8" });
  if (sig.error === undefined) expect(sig.stdout).toContain("Signature is Valid.");
  // …and the public verify page says who signed and that nothing changed since.
  await host.goto("/verify");
  await host.getByLabel("PDF 文件").setInputFiles(file);
  await host.getByRole("button", { name: "验证" }).click();
  await expect(host.getByTestId("verify-signature")).toContainText("签名 1：青山村村委会 — 有效");
  await expect(host.getByTestId("verify-signature")).toContainText("签名人用本人的通行密钥确认了这份文件");
  await host.goto(`/notices/${tenderId}/hall`);
  await host.screenshot({ path: "tests/e2e/.artifacts/opening-hall-host.png", fullPage: true });
  // After the opening the host draws the evaluation panel; the experts are told.
  await host.getByTestId("panel-link").click();
  await host.getByRole("button", { name: "抽取评审小组" }).click();
  await expect(host.getByText("评审小组已抽取，已通知评审专家。")).toBeVisible();
  await expect(host.getByTestId("panel-members").getByRole("listitem")).toHaveCount(5); // 3 members + 2 reserves
  await expect(host.getByTestId("panel-members")).toContainText("评审专家");
  await c.page.goto(`/notices/${tenderId}/hall`);
  await c.page.screenshot({ path: "tests/e2e/.artifacts/opening-hall-bidder-390.png", fullPage: true });

  // ── Evaluation (评标): each member declares, checks every bid, agrees, and signs the report with a passkey.
  const names = (await host.getByTestId("panel-members").getByRole("listitem").filter({ hasText: "评审专家" }).allTextContents()).map((t) =>
    t.split(" · ")[0].replace("专家", "").trim(),
  );
  expect(names).toHaveLength(3);
  const experts: { context: BrowserContext; page: Page }[] = [];
  for (const name of names) {
    const phone = `139000000${18 + EXPERT_NAMES.indexOf(name)}`;
    const context = await browser.newContext({ locale: "zh-CN" });
    const page = await context.newPage();
    await prfAuthenticator(context, page);
    await login(page, phone);
    await openAccount(page);
    await page.getByLabel("通行密钥名称").fill("评标用手机");
    await page.getByRole("button", { name: "添加通行密钥" }).click();
    await expect(page.getByText("通行密钥已添加。")).toBeVisible();
    await page.goto(`/panels/${tenderId}`);
    await page.getByRole("button", { name: "声明无利害关系，接受评审" }).click();
    await expect(page.getByText("已声明无利害关系。")).toBeVisible();
    experts.push({ context, page });
  }
  for (const [i, e] of experts.entries()) {
    await e.page.goto(`/evaluations/${tenderId}`);
    const form = e.page.getByTestId("checks-form");
    for (const radio of await form.locator('input[type="radio"][value="yes"]').all()) await radio.check();
    if (i === 0) await e.page.screenshot({ path: "tests/e2e/.artifacts/evaluation-checks-expert.png", fullPage: true });
    await e.page.getByRole("button", { name: "提交资格审查结论" }).click();
    await expect(e.page.getByText("资格审查结论已提交。")).toBeVisible();
  }
  // The qualified list is locked; the township supervisor reveals the secret committed to in the notice.
  await sup.goto(`/evaluations/${tenderId}`);
  await sup.getByTestId("reveal-secret").click();
  await expect(sup.getByText("秘密值已公开，随机种子已确定。")).toBeVisible();
  for (const e of experts) {
    await e.page.goto(`/evaluations/${tenderId}`);
    await e.page.getByTestId("opinion-form").getByLabel("同意评审结果").check();
    await e.page.getByRole("button", { name: "提交意见" }).click();
    await expect(e.page.getByText("意见已提交。")).toBeVisible();
  }
  for (const [i, e] of experts.entries()) {
    await e.page.goto(`/evaluations/${tenderId}`);
    await e.page.getByTestId("sign-report").click();
    await expect(e.page.getByTestId("evaluation-progress").getByText("已签名", { exact: true })).toHaveCount(i + 1, { timeout: 30_000 });
  }
  await experts[0].page.reload();
  await expect(experts[0].page.getByTestId("evaluation-stage")).toContainText("评标结束");
  await expect(experts[0].page.getByTestId("evaluation-ranking")).toContainText("¥276,500.50");
  await experts[0].page.screenshot({ path: "tests/e2e/.artifacts/evaluation-done-expert.png", fullPage: true });

  // ── Publicity (公示): the candidates are public; three days later, with no objection pending, the committee awards.
  const anon2 = await browser.newContext({ locale: "zh-CN" });
  const reader = await anon2.newPage();
  await reader.goto(`/notices/${tenderId}/publicity`);
  await expect(reader.getByText("公示中")).toBeVisible();
  await expect(reader.locator("main")).toContainText("¥276,500.50");
  await reader.goto(`/notices/${tenderId}/draw`);
  await expect(reader.getByText("✓ 相符")).toHaveCount(3);
  await expect(reader.getByText("✗ 不符")).toHaveCount(0);
  await host.request.post("/test-clock", { data: { advanceMs: 3 * 24 * 3600_000 + 60_000 } });
  await stillLoggedIn(host, "13900000003");
  await host.goto(`/notices/${tenderId}/award`);
  await host.getByRole("button", { name: "确定第一名为中标人" }).click();
  await expect(host.getByText("已定标，请签发中标通知书。")).toBeVisible();
  await host.getByTestId("sign-award").click();
  const noticeLink = host.getByRole("link", { name: "中标通知书（已签章，PDF）" });
  await expect(noticeLink).toBeVisible({ timeout: 30_000 });
  const awardPdf = Buffer.from(await (await reader.request.get((await noticeLink.getAttribute("href"))!)).body());
  expect(awardPdf.subarray(0, 5).toString()).toBe("%PDF-");
  const awardFile = path.join(os.tmpdir(), `award-notice-${tenderId}.pdf`);
  writeFileSync(awardFile, awardPdf);
  const awardSig = spawnSync("pdfsig", [awardFile], { encoding: "utf8" });
  if (awardSig.error === undefined) expect(awardSig.stdout).toContain("Signature is Valid.");
  // Contract, bid security back to the two losers, acceptance and settlement: the project is complete.
  const serverDay = new Date(past.getTime() + 11 * 60_000 + 3 * 24 * 3600_000 + 60_000).toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  await host.getByLabel("合同签订日期").fill(serverDay);
  await host.getByRole("button", { name: "登记合同" }).click();
  await expect(host.getByText("合同已登记。")).toBeVisible();
  for (let i = 0; i < 3; i++) {
    await host.getByRole("button", { name: "已退还", exact: true }).first().click();
    await expect(host.getByText("已登记退还。")).toBeVisible();
    // Wait for this release to show before the next click (the notice is the same each time).
    await expect(host.getByRole("button", { name: "已退还", exact: true })).toHaveCount(2 - i);
  }
  await host.getByLabel("验收日期").fill(serverDay);
  await host.getByLabel("结算金额（元）").fill("274800");
  await host.getByRole("button", { name: "登记验收与结算" }).click();
  await expect(host.getByText("验收与结算已登记，项目完成。")).toBeVisible();
  await host.screenshot({ path: "tests/e2e/.artifacts/award-host.png", fullPage: true });
  await reader.goto(`/notices/${tenderId}`);
  await expect(reader.locator("main")).toContainText("¥274,800.00");
  await anon2.close();
  for (const ctx of [a.context, b.context, c.context, hostCtx, supCtx, ...experts.map((e) => e.context)]) await ctx.close();
  completedTenderId = tenderId;
});

test("the township supervisor downloads the sealed archive, reads the dashboard, exports it, follows a risk flag to its evidence and marks it reviewed", async ({ browser }) => {
  expect(completedTenderId).not.toBe("");
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  await login(page, "13900000002"); // 青山镇 supervisor

  // The completed project is archived by the platform itself (the scheduler's job, run now rather than in 5 minutes):
  // the supervisor downloads the sealed archive PDF, pdfsig and the public verify page both find the seal valid.
  const job = await page.request.post("/test-clock", { data: { runJob: "archive-projects" } });
  expect(await job.json()).toEqual({ ran: true });
  await page.goto("/archives");
  const archived = page.getByTestId("archive-list").locator("tr", { hasText: NAME });
  await expect(archived).toContainText("已完成");
  const archivePdf = Buffer.from(await (await page.request.get((await archived.getByTestId("archive-pdf").getAttribute("href"))!)).body());
  expect(archivePdf.subarray(0, 5).toString()).toBe("%PDF-");
  const archiveFile = path.join(os.tmpdir(), `archive-${completedTenderId}.pdf`);
  writeFileSync(archiveFile, archivePdf);
  const archiveSig = spawnSync("pdfsig", [archiveFile], { encoding: "utf8" });
  if (archiveSig.error === undefined) {
    expect(archiveSig.stdout).toContain("Signature is Valid.");
    expect(archiveSig.stdout).not.toContain("Signature is Invalid");
  }
  const anon = await browser.newContext({ locale: "zh-CN" });
  const verifier = await anon.newPage();
  await verifier.goto("/verify");
  await verifier.getByLabel("PDF 文件").setInputFiles(archiveFile);
  await verifier.getByRole("button", { name: "验证", exact: true }).click();
  await expect(verifier.getByTestId("verify-signature").first()).toContainText("有效");
  await expect(verifier.getByTestId("verify-signature").first()).toContainText("机构电子印章");
  await expect(verifier.getByTestId("verify-longterm")).toContainText("长期验证");
  await verifier.screenshot({ path: "tests/e2e/.artifacts/archive-verified.png", fullPage: true });
  await anon.close();

  await page.getByRole("link", { name: "监管统计" }).first().click();
  await expect(page).toHaveURL(/\/supervision$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("监管统计 · 青山镇");
  // The one awarded project: ceiling ¥290,000.00, awarded at ¥276,500.50.
  const kpis = page.getByTestId("kpis");
  await expect(kpis.locator('[data-kpi="awarded"]')).toContainText("¥276,500.50");
  await expect(kpis.locator('[data-kpi="savings"]')).toContainText("¥13,499.50");
  await expect(page.getByTestId("chart-states")).toBeVisible();
  await page.screenshot({ path: "tests/e2e/.artifacts/supervision-dashboard-360.png", fullPage: true });
  // The CSV export carries the same figures, readable by Excel (BOM).
  const csv = await page.request.get((await page.getByTestId("export-csv").getAttribute("href"))!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = (await csv.body()).toString("utf8");
  expect(text.startsWith("\uFEFF")).toBe(true);
  expect(text).toContain("青山镇");
  expect(text).toContain("276500.50");

  // All three bidders bid and decrypted from this machine: one network address, a flag for the supervisor.
  const flag = page.getByTestId("dashboard-risk").filter({ hasText: NAME }).and(page.locator('[data-rule="shared_devices"]')).first();
  await expect(flag).toBeVisible();
  await flag.getByRole("link").click();
  await expect(page).toHaveURL(/\/supervision\/flags\/[0-9a-f]+/);
  const fingerprint = page.url().split("/supervision/flags/")[1].split("?")[0];
  const evidence = page.getByTestId("flag-evidence");
  await expect(evidence.getByTestId("evidence-item").first()).toBeVisible();
  await expect(evidence).toContainText("浙江青山建设工程有限公司");
  await expect(page.getByTestId("flag-rule-help")).toBeVisible();
  // Each piece of evidence links to the records behind it.
  const recordHref = (await evidence.getByTestId("evidence-link").first().getAttribute("href"))!;
  const record = await page.request.get(recordHref);
  expect(record.status()).toBe(200);
  await page.screenshot({ path: "tests/e2e/.artifacts/risk-flag-evidence-360.png", fullPage: true });

  // An empty note is refused on the server; a note marks it reviewed, once.
  await page.getByLabel("核查意见").fill("   ");
  await page.getByLabel("核查意见").evaluate((el) => el.removeAttribute("required"));
  await page.getByRole("button", { name: "标记为已核查" }).click();
  await expect(page.getByTestId("flag-review-form").locator(".field-error, [id='note-err']").first()).toBeVisible();
  await page.getByLabel("核查意见").fill("三家企业均在村委会提供的电脑上投标，已核实，无串标迹象。");
  await page.getByRole("button", { name: "标记为已核查" }).click();
  await expect(page.getByText("已记录核查意见。")).toBeVisible();
  await expect(page.getByTestId("flag-review")).toContainText("已核实，无串标迹象");
  await expect(page.getByTestId("flag-review-form")).toHaveCount(0);

  // Reviewed flags leave the dashboard's unreviewed list and show as reviewed in the full list.
  await page.goto("/supervision");
  await expect(page.getByTestId("dashboard-risk").and(page.locator(`:has(a[href*="${fingerprint}"])`))).toHaveCount(0);
  await page.goto("/supervision/flags?reviewed=yes");
  await expect(page.locator(`[data-fingerprint="${fingerprint}"]`)).toBeVisible();
  await context.close();
});
