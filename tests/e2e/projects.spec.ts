import { expect, test, login, pdf, STEPS } from "./helpers";

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
  // Downloading needs a login.
  await pub.getByRole("link", { name: "招标文件（PDF）" }).click();
  await expect(pub).toHaveURL(/\/login\?redirectTo=/);
  await anon.close();
});

test("a contractor asks, the committee answers and amends, everyone concerned is told", async ({ browser }) => {
  // A contractor on a phone finds the notice published by the previous test's committee, downloads the PDF, asks.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const b = await phone.newPage();
  await login(b, "13900000010");
  await b.goto("/notices");
  await b.getByRole("link", { name: "石桥村便民桥加固" }).click();
  const href = await b.getByRole("link", { name: "招标文件（PDF）" }).getAttribute("href");
  const pdf = await b.request.get(href!);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await b.getByLabel("向招标人提问").fill("桥面铺装是否可以使用透水混凝土？");
  await b.getByRole("button", { name: "提交问题" }).click();
  await expect(b.getByText("问题已提交。")).toBeVisible();
  await expect(b.getByText("待答复")).toBeVisible();

  // The committee sees an unread badge, reads the notification and answers without learning who asked.
  const desk = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "zh-CN" });
  const c = await desk.newPage();
  await login(c, "13900000004");
  await expect(c.getByTestId("unread")).toHaveText("1");
  await c.getByRole("navigation").getByRole("link", { name: /通知/ }).click();
  await expect(c.getByText("“石桥村便民桥加固”收到一条新提问，请及时答复。")).toBeVisible();
  await c.getByRole("link", { name: "查看" }).first().click();
  const qa = c.getByRole("region", { name: "答疑" });
  await expect(qa).toContainText("桥面铺装是否可以使用透水混凝土？");
  await expect(qa).not.toContainText("浙江青山");
  await qa.getByLabel("答复内容").fill("可以，须满足 C30 强度要求。");
  await qa.getByRole("button", { name: "发布答复" }).click();
  await expect(c.getByText("答复已发布")).toBeVisible();
  // An amendment that affects bids; far from the deadline, so the deadline stays.
  await c.getByText("发布澄清或修改").click();
  await c.getByLabel("标题").fill("工程量清单补充");
  await c.getByLabel("内容", { exact: true }).fill("增加桥头护栏 12 米，详见补充清单。");
  await c.getByRole("button", { name: "发布", exact: true }).click();
  await expect(c.getByText("澄清修改已发布，已通知相关企业。")).toBeVisible();
  await c.screenshot({ path: "tests/e2e/.artifacts/project-qa-360.png", fullPage: true });
  await desk.close();

  // The contractor is told of both, and the public page shows the answer and the amendment.
  await b.goto("/notifications");
  await expect(b.getByText("“石桥村便民桥加固”有新的答疑答复。")).toBeVisible();
  await expect(b.getByText("“石桥村便民桥加固”发布了澄清修改：工程量清单补充。")).toBeVisible();
  await b.getByRole("button", { name: "全部标为已读" }).click();
  await expect(b.getByText("没有未读通知。")).toBeVisible();
  await expect(b.getByTestId("unread")).toHaveCount(0);
  await phone.close();

  const anon = await browser.newContext({ locale: "zh-CN" });
  const pub = await anon.newPage();
  await pub.goto("/notices");
  await pub.getByRole("link", { name: "石桥村便民桥加固" }).click();
  await expect(pub.getByRole("region", { name: "答疑（问题与答复）" })).toContainText("可以，须满足 C30 强度要求。");
  await expect(pub.getByRole("region", { name: "澄清与修改" })).toContainText("增加桥头护栏 12 米");
  // The same page in English: every heading and label translated.
  await pub.getByRole("button", { name: "English" }).click();
  await expect(pub.getByRole("region", { name: "Questions and answers" })).toContainText("C30");
  await expect(pub.getByRole("region", { name: "Clarifications and amendments" })).toContainText("No. 1");
  await expect(pub.getByText("to download the documents or ask a question, log in as a contractor")).toBeVisible();
  await pub.screenshot({ path: "tests/e2e/.artifacts/notice-en.png", fullPage: true });
  await anon.close();
});
