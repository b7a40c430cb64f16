// Shared steps for the browser tests.
import { expect, type BrowserContext, type Page } from "@playwright/test";

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
    options: { protocol: "ctap2", ctap2Version: "ctap2_1", transport, hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true, hasPrf: true },
  });
}
