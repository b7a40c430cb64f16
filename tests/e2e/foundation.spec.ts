import type { Page } from "@playwright/test";
import { expect, openAccount, test, prfAuthenticator } from "./helpers";

const PASSWORD = "cyz-demo-2026";
const ADMIN = "13900000001";

async function login(page: Page, phone: string, password = PASSWORD, expectSuccess = true) {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码", { exact: true }).fill(password);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  if (expectSuccess) await expect(page).toHaveURL(/\/dashboard$/);
}

test("the home page shows the demo county in Chinese, with no JavaScript shipped", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 3, name: "青山县" })).toBeVisible();
  await expect(page.getByText("青山镇")).toBeVisible();
  expect(await page.locator("script[src]").count()).toBe(0);
});

test("log in with phone and password, and out again", async ({ page }) => {
  await login(page, "139 0000 0001");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText("当前身份：县级管理员 · 青山县")).toBeVisible();
  await page.getByRole("button", { name: "退出" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdashboard/);
});

test("a wrong password and a malformed phone number give clear errors", async ({ page }) => {
  await login(page, ADMIN, "wrong-password", false);
  await expect(page.getByRole("alert")).toHaveText("手机号或密码不正确。");
  await login(page, "12345", "whatever", false);
  await expect(page.getByText("手机号格式不正确")).toBeVisible();
  await expect(page.getByLabel("手机号")).toHaveAttribute("aria-invalid", "true");
});

test("switch the interface to English and back", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByLabel("Mobile number").fill("12345");
  await page.getByLabel("Password", { exact: true }).fill("x");
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await expect(page.getByText("That is not a valid mainland China mobile number")).toBeVisible();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
});

test("register a passkey, then log in with it and no password", async ({ page, context }, testInfo) => {
  const name = `测试手机${testInfo.retry || ""}`;
  await prfAuthenticator(context, page);
  await login(page, "13900000002");
  await openAccount(page);
  await page.getByLabel("通行密钥名称").fill(name);
  await page.getByRole("button", { name: "添加通行密钥" }).click();
  await expect(page.getByText("通行密钥已添加。")).toBeVisible();
  const list = page.getByTestId("passkey-list");
  const item = list.getByRole("listitem").filter({ hasText: name });
  await expect(item).toBeVisible();
  await expect(item.getByText("支持投标文件加密")).toBeVisible();

  // Log out, then back in with the passkey only.
  await page.getByRole("button", { name: "退出" }).first().click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "登录" })).toBeVisible();
  await page.goto("/login");
  await page.getByRole("button", { name: "使用通行密钥登录" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText("当前身份：乡镇监督员 · 青山镇")).toBeVisible();

  // The session page says how this session was started; the passkey can be removed.
  await openAccount(page);
  await expect(page.getByText("通行密钥登录").first()).toBeVisible();
  await page.getByRole("button", { name: `删除通行密钥“${name}”` }).click();
  await expect(page.getByText("通行密钥已删除。")).toBeVisible();
  await expect(list.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
});

test("a forged cross-origin form post is refused", async ({ page, baseURL }) => {
  await login(page, ADMIN);
  await expect(page).toHaveURL(/\/dashboard$/);
  // What a hostile page would do: post the settings form with the victim's cookie from another origin.
  const res = await page.request.post(`${baseURL}/admin/settings`, {
    headers: { Origin: "http://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
    data: "minValidBids=1",
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain("请求来源不被接受");
  // The same post from our own origin reaches the action (and is validated there).
  const own = await page.request.post(`${baseURL}/admin/settings`, {
    headers: { Origin: baseURL!, "Content-Type": "application/x-www-form-urlencoded" },
    data: "minValidBids=1",
  });
  expect(own.status()).toBe(400);
});

test("the county administrator edits a setting and sees a clear error for a bad one", async ({ page }) => {
  await login(page, ADMIN);
  await page.goto("/admin/settings");
  await page.getByLabel("有效投标最少家数").fill("0");
  await page.getByRole("button", { name: "保存设置" }).click();
  await expect(page.getByText("超出允许范围。")).toBeVisible();
  await page.getByLabel("有效投标最少家数").fill("3");
  await page.getByLabel("招标公告最短期限").fill("6");
  await page.getByRole("button", { name: "保存设置" }).click();
  await expect(page.getByText("设置已保存。")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("招标公告最短期限")).toHaveValue("6");
});

test("the county administrator keeps the expert pool: a declared relation and a suspension", async ({ page }) => {
  await login(page, ADMIN);
  await page.getByRole("navigation").getByRole("link", { name: "专家库" }).click();
  await expect(page.getByRole("heading", { name: "评标专家库" })).toBeVisible();
  const card = page.locator("section").filter({ hasText: "专家 冯国强" });
  await card.locator("summary").click();
  await card.getByLabel("申报的关联单位或人员（每行一个）").fill("青山村");
  await card.getByLabel("暂停抽取至（信用处理）").fill("2027-03-31");
  await card.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("已保存。")).toBeVisible();
  await expect(page.locator("section").filter({ hasText: "专家 冯国强" }).locator("summary")).toContainText("暂停至 2027-03-31");
  await page.screenshot({ path: "tests/e2e/.artifacts/experts.png", fullPage: true });
});
