import { expect, test, login, pdf } from "./helpers";

test("a company signs up on a phone, applies to the township's pool, and the supervisor admits it", async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const page = await phone.newPage();
  await page.goto("/login");
  await page.getByRole("link", { name: "注册投标企业" }).click();
  await expect(page).toHaveURL(/\/register\/company$/);
  await page.getByLabel("企业名称").fill("青山县兴村建筑工程有限公司");
  await page.getByLabel("统一社会信用代码").fill("91330781MA2EA9K7Q3"); // wrong check character
  await page.getByLabel("法定代表人").fill("柳建华");
  await page.getByLabel("注册地址").fill("青山县青山镇工业路 8 号");
  await page.getByLabel("联系人", { exact: true }).fill("柳建华");
  await page.getByLabel("联系电话（手机）").fill("13957000001");
  await page.getByLabel("基本账户开户银行").fill("青山农商银行青山支行");
  await page.getByLabel("基本账户账号").fill("201000112233445566");
  await page.getByLabel("基本账户户名").fill("青山县兴村建筑工程有限公司");
  await page.getByLabel("资质类别及等级").fill("建筑工程施工总承包三级");
  await page.getByLabel("资质证书编号").fill("D333070001");
  await page.getByLabel("有效期至").fill("2028-06-30");
  await page.getByLabel("资质证书扫描件（PDF）").setInputFiles(pdf("资质证书"));
  await page.getByLabel("您的姓名").fill("柳建华");
  await page.getByLabel("登录手机号").fill("13957000001");
  await page.getByLabel("登录密码").fill("xingcun-2026");
  await page.getByRole("button", { name: "注册", exact: true }).click();
  await expect(page.getByText("统一社会信用代码校验位不正确，请核对营业执照。").first()).toBeVisible();
  // What was typed is still there; only the code (and the file) need doing again.
  await expect(page.getByLabel("企业名称")).toHaveValue("青山县兴村建筑工程有限公司");
  await page.getByLabel("统一社会信用代码").fill("91330781MA2EA9K7Q2");
  await page.getByLabel("资质证书扫描件（PDF）").setInputFiles(pdf("资质证书"));
  await page.getByLabel("登录密码").fill("xingcun-2026");
  await page.getByRole("button", { name: "注册", exact: true }).click();
  await expect(page).toHaveURL(/\/company\?registered=1$/);
  await expect(page.getByText("注册成功，您已登录。")).toBeVisible();
  await page.getByLabel("申请进入备选库").selectOption({ label: "青山镇" });
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page.getByText("待审核").first()).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await page.screenshot({ path: "tests/e2e/.artifacts/company-360.png", fullPage: true });
  await phone.close();

  const desk = await browser.newContext({ locale: "zh-CN" });
  const sup = await desk.newPage();
  await login(sup, "13900000002"); // 青山镇 supervisor
  await sup.getByRole("navigation").getByRole("link", { name: "备选库" }).click();
  const card = sup.locator("li, article, section").filter({ hasText: "青山县兴村建筑工程有限公司" }).last();
  await card.getByRole("button", { name: "准入" }).click();
  await expect(sup.getByText("已准入备选库。")).toBeVisible();
  await desk.close();
});
