// Reaching people outside the app (issue 9), in the browser: "forgot password" with the
// development transport — the page that sent the code shows it (a local origin only; nobody can
// read anyone else's messages) — and a user choosing where messages reach them, on a 360 px phone.
import { expect, login, PASSWORD, test } from "./helpers";

const PHONE = "13900000007"; // 溪口乡 committee: not used by the other browser tests

test.use({ viewport: { width: 360, height: 740 } });

test("forgot password: the page that sent the code shows it, and its link sets a new password once", async ({ page }) => {
  // The development mailbox is nobody's to read without signing in (issue 18).
  await page.goto("/dev-mailbox");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdev-mailbox$/);

  await page.goto("/login");
  await page.getByRole("link", { name: "忘记密码？" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("手机号").fill(PHONE);
  await page.getByRole("button", { name: "发送验证码" }).click();
  await expect(page.getByText("如果该手机号已注册，验证码已发出")).toBeVisible();
  const copy = page.getByTestId("dev-copy");
  await expect(copy).toContainText("开发模式：刚才发出的消息");
  const message = copy.locator("li").filter({ hasText: `短信 → ${PHONE}` });
  await expect(message).toHaveCount(1);
  await expect(message).toContainText("您正在重置村易招密码，验证码");
  await page.screenshot({ path: "tests/e2e/.artifacts/recovery-sent.png", fullPage: true });
  const href = await message.getByRole("link").getAttribute("href");
  await message.getByRole("link").click();
  await expect(page).toHaveURL(/\/reset-password\?phone=13900000007&code=\d{6}$/);
  await expect(page.getByLabel("重置码")).toHaveValue(/^\d{6}$/);
  // The demo's password again, so the account stays usable.
  await page.getByLabel("新密码（至少 8 位）").fill(PASSWORD);
  await page.getByLabel("再次输入新密码").fill(PASSWORD);
  await page.getByRole("button", { name: "设置新密码" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await login(page, PHONE);

  // Signed in, the development mailbox shows this person's own messages (the code is among them).
  await page.goto("/dev-mailbox");
  await expect(
    page
      .getByTestId("dev-mailbox")
      .locator("li")
      .filter({ hasText: `短信 → ${PHONE}` })
      .first(),
  ).toContainText("您正在重置村易招密码");
  for (const text of await page.getByTestId("dev-mailbox").locator("li").allTextContents()) expect(text).toContain(`→ ${PHONE}`);

  // The link works once.
  await page.goto(href!);
  await page.getByLabel("新密码（至少 8 位）").fill("another-pass-2026");
  await page.getByLabel("再次输入新密码").fill("another-pass-2026");
  await page.getByRole("button", { name: "设置新密码" }).click();
  await expect(page.getByText("手机号或重置码不正确，或重置码已使用、已过期、已作废。")).toBeVisible();
});

test("a user gives an e-mail address and switches a channel off for one kind of message; legal-deadline kinds stay on", async ({ page }) => {
  await login(page, PHONE);
  await page.goto("/notifications");
  await page.getByRole("link", { name: "消息接收设置（短信、邮件、微信）" }).click();
  await expect(page).toHaveURL(/\/notifications\/settings$/);
  await page.getByLabel("电子邮箱（可不填）").fill("zhang@xikou");
  await page.getByRole("button", { name: "保存接收方式" }).click();
  await expect(page.getByText("请填写有效的电子邮箱地址，或留空。")).toBeVisible();
  await page.getByLabel("电子邮箱（可不填）").fill("xikou@example.cn");
  await page.getByRole("button", { name: "保存接收方式" }).click();
  await expect(page.getByText("接收方式已保存。")).toBeVisible();

  const answered = page.getByRole("checkbox", { name: "答疑答复 · 短信" });
  await expect(answered).toBeChecked();
  await answered.uncheck();
  await expect(page.getByRole("checkbox", { name: "异议及答复 · 短信" })).toBeDisabled();
  await page.getByRole("button", { name: "保存选择" }).click();
  await expect(page.getByText("选择已保存。")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "答疑答复 · 短信" })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: "答疑答复 · 电子邮件" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "异议及答复 · 短信" })).toBeChecked();
  await page.screenshot({ path: "tests/e2e/.artifacts/recovery-settings.png", fullPage: true });
  // Nothing wider than the phone's screen but the table, which scrolls inside its box.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});
