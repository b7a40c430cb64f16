// Shared steps for the browser tests, and the `test` they all use: it checks every page a test
// visits with axe (WCAG 2.1 A and AA rules) before the test's browser contexts close.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** One check per page kind, viewer's role and viewport in a run: ids become :id. */
const checkedKinds = new Set<string>();
const whoBySession = new Map<string, string>();
const kindOf = (url: string, who: string, width: number) =>
  `${new URL(url).pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ":id")} · ${who} · ${width}`;

/**
 * Open each page this context's tabs showed again, in a fresh tab of the same context (same session,
 * same viewport), and collect axe's WCAG 2.1 AA violations. Only GET pages of the app that answer
 * HTML are checked; a page that now redirects (say, to the login page) is checked where it lands.
 */
async function checkVisited(context: BrowserContext, visited: Set<string>, found: string[]) {
  const urls = [...visited];
  visited.clear();
  if (urls.length === 0) return;
  let tab: Page;
  try {
    tab = await context.newPage();
  } catch {
    return; // the context is already gone
  }
  try {
    const width = tab.viewportSize()?.width ?? 0;
    for (const url of urls) {
      // Skip a page kind already checked for this viewer without loading it again.
      const session = (await context.cookies(url)).find((c) => c.name === "cyz_session")?.value ?? "";
      const knownWho = session ? whoBySession.get(session) : "anonymous";
      if (knownWho !== undefined && checkedKinds.has(kindOf(url, knownWho, width))) continue;
      const res = await tab.goto(url).catch(() => null);
      if (!res || !res.ok() || !(res.headers()["content-type"] ?? "").startsWith("text/html")) continue;
      // The viewer's role (the who-am-I line reads "name · role · organisation"): people of one role see one page variant.
      const line =
        (await tab
          .locator(".whoami")
          .first()
          .textContent({ timeout: 1000 })
          .catch(() => null)) ?? "anonymous";
      const who = (line.split(" · ")[1] ?? line).trim();
      if (session) whoBySession.set(session, who);
      const kind = kindOf(tab.url(), who, width);
      const seen = checkedKinds.has(kind);
      checkedKinds.add(kindOf(url, who, width)).add(kind);
      if (seen) continue;
      const result = await new AxeBuilder({ page: tab }).withTags(WCAG_TAGS).analyze();
      for (const v of result.violations)
        found.push(
          `${kind}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(" "))
            .join(", ")}`,
        );
    }
  } finally {
    await tab.close().catch(() => undefined);
  }
}

/** Remember every page the context's tabs show; check them before the context closes. */
function watch(context: BrowserContext, found: string[]) {
  const visited = new Set<string>();
  const follow = (page: Page) =>
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame() && /^https?:/.test(frame.url())) visited.add(frame.url().split("#")[0]);
    });
  context.pages().forEach(follow);
  context.on("page", follow);
  const close = context.close.bind(context);
  context.close = async (options?: Parameters<BrowserContext["close"]>[0]) => {
    await checkVisited(context, visited, found);
    return close(options);
  };
  return () => checkVisited(context, visited, found);
}

export const test = base.extend<{ axe: void }>({
  axe: [
    async ({ browser, context }, use) => {
      // The pages do not depend on the database: the PostgreSQL repeat of the suite (.ci/run leg 3) skips the checks.
      if (process.env.E2E_DATABASE_URL) return use();
      const found: string[] = [];
      const flushes = [watch(context, found)];
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options?: Parameters<typeof newContext>[0]) => {
        const c = await newContext(options);
        // axe runs in the page: a context without JavaScript cannot host it (its pages are checked where tests visit them with it).
        if (options?.javaScriptEnabled !== false) flushes.push(watch(c, found));
        return c;
      };
      await use();
      browser.newContext = newContext;
      for (const flush of flushes) await flush();
      expect(found, "accessibility (axe, WCAG 2.1 AA) of the pages this test visited").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export const PASSWORD = "cyz-demo-2026";
export const STEPS = ["proposal", "discussion", "party_meeting", "villagers_meeting", "resolution_notice"];

/** Log in with a demo phone and land on the dashboard. */
export async function login(page: Page, phone: string) {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

/** A PDF of about `size` bytes (the header is what the server checks). */
export function pdf(name: string, size = 200): { name: string; mimeType: string; buffer: Buffer } {
  const buffer = Buffer.alloc(Math.max(size, 40), 0x20);
  Buffer.from(`%PDF-1.4\n% ${name}\n`).copy(buffer);
  Buffer.from("\n%%EOF\n").copy(buffer, buffer.length - 7);
  return { name: `${name}.pdf`, mimeType: "application/pdf", buffer };
}

/**
 * A virtual authenticator with the WebAuthn PRF extension: a recent phone
 * ("internal") or a FIDO2 USB key with hmac-secret ("usb", the UKey kind).
 */
export async function prfAuthenticator(context: BrowserContext, page: Page, transport: "internal" | "usb" = "internal") {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport,
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      hasPrf: true,
    },
  });
}

/**
 * Open the account page ready to change passkeys: after a password sign-in, someone who already
 * has a passkey first proves the code sent to their phone — shown on the page that sent it by the
 * development transport (a local origin only).
 */
export async function openAccount(page: Page) {
  await page.goto("/account");
  const box = page.getByTestId("step-up");
  if ((await box.count()) === 0) return;
  await box.getByRole("button", { name: "发送验证码" }).click();
  await expect(page.getByText("验证码已发出，15 分钟内有效。")).toBeVisible();
  const copy = page.getByTestId("dev-copy");
  await expect(copy).toContainText("开发模式");
  const text = await copy.locator("li").filter({ hasText: "您正在更换村易招通行密钥" }).first().textContent();
  await page.getByLabel(/^验证码/).fill(/验证码 (\d{6})/.exec(text ?? "")![1]);
  await page.getByRole("button", { name: "验证", exact: true }).click();
  await expect(page.getByText("验证通过，15 分钟内可以删除或新增通行密钥。")).toBeVisible();
}
