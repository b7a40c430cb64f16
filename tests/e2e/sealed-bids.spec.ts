// Sealed bids in the browser. Runs after projects.spec.ts (spec files run in name
// order on one worker): the bids go to the tender "石桥村便民桥加固" it published,
// one from the company companies.spec.ts signed up and had admitted to the pool.
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expect, test, login, openAccount, prfAuthenticator } from "./helpers";

const TENDER = "石桥村便民桥加固";
const MARK = "独家标记-石桥-4417";

/** Every request body the page sends, to prove what never leaves the browser. */
function recordBodies(page: Page): Buffer[] {
  const bodies: Buffer[] = [];
  if (process.env.DEBUG_E2E) {
    page.on("response", async (r) => {
      if (r.request().method() !== "GET") console.log(r.request().method(), r.url(), r.status(), (await r.text().catch(() => "")).slice(0, 300));
    });
    page.on("console", (m) => console.log("console:", m.text()));
  }
  page.on("request", (r) => {
    const b = r.postDataBuffer();
    if (b) bodies.push(b);
  });
  return bodies;
}

function bidFile(price: string) {
  const text = `%PDF-1.4\n% 投标函 ${MARK} 报价 ${price}\n%%EOF\n`;
  return { name: "投标文件.pdf", mimeType: "application/pdf", buffer: Buffer.from(text) };
}

async function openBidPage(page: Page) {
  await page.goto("/notices");
  await page.getByRole("link", { name: TENDER }).first().click();
  await page.getByTestId("bid-link").click();
  await expect(page.getByRole("heading", { name: `投标 · ${TENDER}` })).toBeVisible();
  await expect(page.getByTestId("seal-submit")).toBeVisible(); // the sealing script has loaded and passed its integrity check
}

async function fillBid(page: Page, price: string) {
  await page.getByLabel("投标报价").fill(price);
  await page.getByLabel("转账日期").fill("2026-11-20");
  await page.getByLabel("银行流水号").fill("NS20261120-0088");
  await page.getByLabel(/投标文件（PDF/).setInputFiles(bidFile(price));
}

test("a contractor with a PRF passkey seals a bid with a file, replaces it, keeps every receipt — and nothing readable reaches the server", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const page = await context.newPage();
  await prfAuthenticator(context, page);
  const bodies = recordBodies(page);

  await page.goto("/login");
  await page.getByLabel("手机号").fill("13957000001");
  await page.getByLabel("密码", { exact: true }).fill("xingcun-2026");
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  // A project manager to name, and a passkey to seal to.
  await page.goto("/company");
  await page.getByLabel("项目经理姓名").fill("柳志刚");
  await page.getByLabel("注册建造师证书编号").fill("浙233070001234");
  await page.getByRole("button", { name: "添加项目经理" }).click();
  await expect(page.getByText("柳志刚").first()).toBeVisible();
  await openAccount(page);
  await page.getByLabel("通行密钥名称").fill("我的手机");
  await page.getByRole("button", { name: "添加通行密钥" }).click();
  await expect(page.getByText("通行密钥已添加。")).toBeVisible();

  await openBidPage(page);
  await page.getByTestId("prepare-passkey").click();
  const holder = page.getByRole("checkbox", { name: /我的手机/ });
  await expect(holder).toBeChecked();
  await expect(page.getByTestId("backup-only-warning")).toHaveCount(0);

  // Above the ceiling: the browser refuses before anything is sealed or sent.
  const uploadsBefore = bodies.length;
  await fillBid(page, "999999.99");
  await page.getByTestId("seal-submit").click();
  await expect(page.getByText("报价高于最高投标限价，不能递交。")).toBeVisible();
  expect(bodies.length).toBe(uploadsBefore);

  await fillBid(page, "412345.67");
  await page.getByTestId("seal-submit").click();
  // The backup key is handed over first; nothing is sent until the bidder says it is kept.
  await expect(page.getByTestId("backup-code")).toHaveText(/^([0-9A-Z]{4}-){12}[0-9A-Z]{4}$/);
  expect(bodies.length).toBe(uploadsBefore);
  await page.getByTestId("confirm-backup").click();
  const done = page.getByTestId("bid-done");
  await expect(done.getByText(/投标已送达，服务器时间 2026-/)).toBeVisible({ timeout: 30_000 });
  await expect(done.getByTestId("receipt-commitment")).toHaveText(/^[0-9a-f]{64}$/);
  const firstCommitment = await done.getByTestId("receipt-commitment").textContent();
  await expect(page.getByTestId("bid-status")).toHaveText("当前有效：第 1 版密封投标。");
  await page.screenshot({ path: "tests/e2e/.artifacts/bid-receipt-360.png", fullPage: true });

  // Replace it: a new version with its own receipt; the first stays on record.
  await expect(page.getByRole("heading", { name: "替换投标（以最后一次为准）" })).toBeVisible();
  await fillBid(page, "409876.54");
  await page.getByTestId("seal-submit").click();
  await page.getByTestId("confirm-backup").click();
  await expect(page.getByTestId("bid-status")).toHaveText("当前有效：第 2 版密封投标。", { timeout: 30_000 });
  const list = page.getByTestId("receipt-list").getByTestId("receipt");
  await expect(list).toHaveCount(2);
  await expect(list.first()).toContainText("第 2 版密封投标");
  await expect(list.last()).toContainText(firstCommitment!);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);

  // The PRF secret of the passkey (evaluated here the way the sealing script does) was never sent, nor the prices or the file.
  const prf = await page.evaluate(async () => {
    const salt = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("cyz-opening-key-v1"));
    const cred = (await navigator.credentials.get({
      publicKey: {
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        rpId: location.hostname,
        userVerification: "required",
        extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential;
    const out = new Uint8Array((cred.getClientExtensionResults() as { prf: { results: { first: ArrayBuffer } } }).prf.results.first);
    return Array.from(out);
  });
  expect(prf).toHaveLength(32);
  const sent = Buffer.concat(bodies);
  const prfBuf = Buffer.from(prf);
  for (const needle of [prfBuf.toString("hex"), prfBuf.toString("base64url"), prfBuf.toString("base64"), "412345.67", "41234567", "409876.54", "40987654", MARK]) {
    expect(sent.includes(Buffer.from(needle)), needle).toBe(false);
  }
  expect(sent.includes(prfBuf)).toBe(false);

  // Removing the passkey that seals the open bid: a warning first, then re-seal (opened with that passkey's PRF, here in Chromium).
  await openAccount(page);
  await page.getByRole("button", { name: "删除通行密钥“我的手机”" }).click();
  const warning = page.getByTestId("passkey-seals-bids");
  await expect(warning).toContainText(TENDER);
  await warning.getByRole("link", { name: TENDER }).click();
  await expect(page.getByTestId("seal-submit")).toBeVisible();
  await page.getByTestId("reseal-open").click();
  const reseal = page.locator("#reseal");
  await reseal.getByRole("checkbox", { name: /我的手机/ }).uncheck();
  await reseal.getByTestId("reseal-submit").click();
  await expect(reseal.getByText("已重新密封。")).toBeVisible();
  await expect(reseal.getByText("可解密的通行密钥: 仅备份密钥")).toBeVisible();
  await openAccount(page);
  await page.getByRole("button", { name: "删除通行密钥“我的手机”" }).click();
  await expect(page.getByText("通行密钥已删除。")).toBeVisible();
  await context.close();
});

test("a contractor without a passkey bids with the backup key alone, after being told plainly", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN", acceptDownloads: true });
  const page = await context.newPage();
  await login(page, "13900000011");
  await openBidPage(page);
  await expect(page.getByTestId("backup-only-warning")).toContainText("开标时只能用备份密钥解密");
  await fillBid(page, "398000");
  await page.getByTestId("seal-submit").click();
  await expect(page.getByText("请确认只用备份密钥，或选择至少一个通行密钥。")).toBeVisible();
  await page.getByLabel("我明白，只用备份密钥").check();
  await page.getByTestId("seal-submit").click();
  // The backup key file is saved before the bid is sent.
  const backup = page.getByTestId("backup");
  const code = (await backup.getByTestId("backup-code").textContent())!;
  const download = page.waitForEvent("download");
  await backup.getByTestId("backup-download").click();
  const file = readFileSync((await (await download).path())!, "utf8");
  expect(file).toContain(code);
  expect(file).toContain(TENDER);
  await backup.getByTestId("confirm-backup").click();
  const done = page.getByTestId("bid-done");
  await expect(done.getByTestId("receipt-commitment")).toHaveText(/^[0-9a-f]{64}$/, { timeout: 30_000 });
  // The receipt commits to exactly what was sealed in this browser.
  expect(file).toContain(`: ${(await done.getByTestId("receipt-commitment").textContent())!}`);
  await context.close();
});

test("a FIDO2 USB security key seals a bid just like a phone's passkey", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await prfAuthenticator(context, page, "usb");
  await login(page, "13900000013");
  await openAccount(page);
  await page.getByLabel("通行密钥名称").fill("U盾");
  await page.getByRole("button", { name: "添加通行密钥" }).click();
  await expect(page.getByText("通行密钥已添加。")).toBeVisible();
  await openBidPage(page);
  await page.getByTestId("prepare-passkey").click();
  await expect(page.getByRole("checkbox", { name: /U盾/ })).toBeChecked();
  await fillBid(page, "401000");
  await page.getByTestId("seal-submit").click();
  await page.getByTestId("confirm-backup").click();
  await expect(page.getByTestId("bid-status")).toHaveText("当前有效：第 1 版密封投标。", { timeout: 30_000 });
  await expect(page.locator("#reseal")).toContainText("U盾");

  // A new password session has no step-up: withdrawing asks the key to approve it (issue 18).
  await context.clearCookies();
  await login(page, "13900000013");
  await openBidPage(page);
  await expect(page.getByTestId("bid-proof")).toBeVisible();
  await page.getByRole("button", { name: "撤回投标" }).click();
  await expect(page.getByText(/投标已撤回（服务器时间 2026-/)).toBeVisible();
  await expect(page.getByTestId("bid-status")).toHaveText("投标已撤回，目前没有有效投标。");
  await context.close();
});

test("without JavaScript the bid page says sealed bidding needs it, and withdrawing still works", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN", javaScriptEnabled: false });
  const page = await context.newPage();
  await login(page, "13900000011");
  await page.goto("/notices");
  await page.getByRole("link", { name: TENDER }).first().click();
  await page.getByTestId("bid-link").click();
  await expect(page.getByTestId("needs-js")).toContainText("密封投标需要在浏览器中加密，必须启用 JavaScript");
  await expect(page.getByTestId("seal-submit")).toBeHidden();
  // A password alone does not withdraw (issue 18): the code sent to the phone proves it is the bidder.
  await page.getByRole("button", { name: "撤回投标" }).click();
  await expect(page.getByText("撤回或替换密封投标须再次确认是您本人")).toBeVisible();
  const proof = page.getByTestId("bid-proof");
  await proof.getByRole("button", { name: "发送验证码" }).click();
  await expect(proof.getByText("验证码已发出，15 分钟内有效。")).toBeVisible();
  const sent = await proof.getByTestId("dev-copy").locator("li").first().textContent();
  await proof.getByLabel(/^验证码/).fill(/验证码 (\d{6})/.exec(sent ?? "")![1]);
  await proof.getByRole("button", { name: "确认", exact: true }).click();
  await expect(page.getByTestId("bid-proof-ready")).toBeVisible();
  await page.getByRole("button", { name: "撤回投标" }).click();
  await expect(page.getByText(/投标已撤回（服务器时间 2026-/)).toBeVisible();
  await expect(page.getByTestId("bid-status")).toHaveText("投标已撤回，目前没有有效投标。");
  await context.close();
});
