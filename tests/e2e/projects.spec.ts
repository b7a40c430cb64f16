import { expect, test, type Page } from "@playwright/test";

const PASSWORD = "cyz-demo-2026";
const STEPS = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"];

async function login(page: Page, phone: string) {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

const pdf = (name: string) => ({ name: `${name}.pdf`, mimeType: "application/pdf", buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });

test("a committee registers a project on a phone, the township approves it", async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const page = await phone.newPage();
  await login(page, "13900000004"); // 石桥村村委会
  await page.getByRole("navigation").getByRole("link", { name: "项目", exact: true }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await page.getByRole("main").getByRole("link", { name: "登记新项目" }).click();
  await expect(page).toHaveURL(/\/projects\/new$/);

  await page.getByLabel("项目名称").fill("石桥村便民桥加固");
  await page.getByLabel("建设地点").fill("石桥村溪上便民桥");
  await page.getByLabel("建设内容与规模").fill("桥墩加固、桥面铺装 120 平方米");
  // The band hint follows the estimate as it is typed; the mandatory band is refused at once.
  await page.getByLabel("估算价").fill("5000000");
  await expect(page.getByTestId("band-hint")).toContainText("已达到依法必须招标限额");
  await page.getByLabel("估算价").fill("450000");
  await expect(page.getByTestId("band-hint")).toContainText("须在本平台公开选取");
  await expect(page.locator('#method option[value="direct_award"]')).toBeDisabled();
  await page.getByLabel("最高投标限价").fill("430000");
  await page.getByLabel("资金来源").fill("村集体经济收入");
  await page.getByLabel("计划工期").fill("45");
  for (const [i, step] of STEPS.entries()) {
    await page.locator(`[id="${step}.day"]`).fill(`2026-10-${String(10 + i * 3).padStart(2, "0")}`);
    await page.locator(`[id="${step}.file"]`).setInputFiles(pdf(step));
  }
  await page.getByLabel("应到人数").fill("40");
  await page.getByLabel("实到人数").fill("31");
  await page.getByLabel("赞成票").fill("29");
  await page.screenshot({ path: "tests/e2e/.artifacts/project-form-360.png", fullPage: true });
  await page.getByRole("button", { name: "保存并提交审核" }).click();

  await expect(page.getByRole("heading", { name: "石桥村便民桥加固" })).toBeVisible();
  await expect(page.getByText("待乡镇审核")).toBeVisible();
  await expect(page.getByRole("link", { name: "resolution_notice.pdf" })).toBeVisible();
  await page.screenshot({ path: "tests/e2e/.artifacts/project-page-360.png", fullPage: true });
  await phone.close();

  const desk = await browser.newContext({ locale: "zh-CN" });
  const sup = await desk.newPage();
  await login(sup, "13900000002"); // 青山镇 supervisor
  await sup.goto("/projects");
  const queue = sup.getByRole("region", { name: /待审核/ });
  await queue.getByRole("link", { name: "石桥村便民桥加固" }).click();
  await sup.getByRole("button", { name: "批准备案" }).click();
  await expect(sup.getByText("已批准备案。")).toBeVisible();
  await expect(sup.locator(".state")).toHaveText("已备案");
  await desk.close();

  // Back on the phone: the committee publishes the tender notice.
  const phone2 = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const c = await phone2.newPage();
  await login(c, "13900000004");
  await c.goto("/projects");
  await c.getByRole("link", { name: "石桥村便民桥加固" }).click();
  await c.getByRole("link", { name: "发布招标公告" }).click();
  await c.getByLabel("投标保证金（元）").fill("99999");
  await c.getByRole("button", { name: "发布", exact: true }).click();
  await expect(c.getByText("投标保证金不得超过 ¥9,000.00。")).toBeVisible();
  await c.getByLabel("投标保证金（元）").fill("8000");
  await c.locator('input[name="attachment1"]').setInputFiles(pdf("工程量清单"));
  await c.getByRole("button", { name: "发布", exact: true }).click();
  await expect(c.getByText("招标公告已发布。")).toBeVisible();
  await phone2.close();

  // Anyone, without logging in, finds it among the public notices and reads it.
  const anon = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const pub = await anon.newPage();
  await pub.goto("/notices");
  await pub.getByLabel("搜索项目名称或地点").fill("便民桥");
  await pub.getByRole("button", { name: "筛选" }).click();
  await pub.getByRole("link", { name: "石桥村便民桥加固" }).click();
  await expect(pub.getByRole("heading", { name: "石桥村便民桥加固" })).toBeVisible();
  await expect(pub.getByRole("timer")).toContainText("天");
  await expect(pub.locator("pre.document")).toContainText("石桥村便民桥加固");
  await expect(pub.getByRole("link", { name: "工程量清单.pdf" })).toBeVisible();
  await pub.screenshot({ path: "tests/e2e/.artifacts/notice-360.png", fullPage: true });
  await anon.close();
});
