// Officials who host openings or supervise them must hold a passkey (issue 18, finding 7; ADR 0034):
// one without is sent, from every loader and action of every route but a few, to register one
// first; once registered, nothing stands in the way; a contractor without one is not asked.
import { readdirSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEVICE_NAME, DEMO_PASSWORD } from "~/demo/demo.server";
import { softwarePasskey } from "~/demo/software-passkey.server";
import * as root from "~/root";
import * as dashboard from "~/routes/dashboard";
import * as loginRoute from "~/routes/login";
import * as logoutRoute from "~/routes/logout";
import * as gate from "~/routes/passkey-required";
import * as registerRoute from "~/routes/auth.passkey.register";
import * as setLocale from "~/routes/set-locale";
import { PASSKEY_SETUP_PATH } from "~/utils/auth.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap, urlOf } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let official: string;
let committeeA2Id: string;
beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  // 石桥村's committee without the passkey the demo gave it.
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA2));
  committeeA2Id = u.id;
  await database.db.delete(schema.passkeys).where(eq(schema.passkeys.userId, u.id));
  official = await cookieFor(ctx, DEMO.committeeA2);
});
afterAll(() => database?.close());

type Handler = (args: never) => unknown;
const ROUTES_DIR = path.resolve(__dirname, "../../app/routes");
/** What an official without a passkey may still reach (app/utils/auth.server.ts). */
const OPEN = new Set(["passkey-required", "auth.passkey.register", "logout", "set-locale", "set-text-size"]);
const PARAMS: Record<string, string> = { id: "00000000-0000-4000-8000-000000000000", sha: "0".repeat(64), kind: "pdf", step: "proposal", fingerprint: "0".repeat(64) };

const toGate = (r: unknown) => r instanceof Response && r.status >= 300 && r.status < 400 && (r.headers.get("Location") ?? "").startsWith(PASSKEY_SETUP_PATH);
const isLoginRedirect = (r: unknown) => r instanceof Response && (r.headers.get("Location") ?? "").startsWith("/login");
function request(url: string, method: "GET" | "POST", cookie?: string) {
  return method === "GET"
    ? get(url, cookie)
    : new Request(new URL(url, ORIGIN), {
        method: "POST",
        body: new URLSearchParams({ intent: "passkey-gate-probe" }),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) },
      });
}
async function call(fn: Handler, url: string, method: "GET" | "POST", cookie?: string) {
  try {
    const r = await run(fn as never, request(url, method, cookie), ctx, PARAMS);
    if (r instanceof Response && r.body && !(r.status >= 300 && r.status < 400)) await r.body.cancel().catch(() => {});
    return r;
  } catch (e) {
    return e;
  }
}

describe("an official without a passkey", () => {
  it("is sent to register one from every loader and action but the registration, logout and the language and text-size switches", async () => {
    const missed: string[] = [];
    let checked = 0;
    for (const f of readdirSync(ROUTES_DIR)
      .filter((n) => /\.tsx?$/.test(n))
      .sort()) {
      const route = f.replace(/\.tsx?$/, "");
      if (OPEN.has(route)) continue;
      const mod = (await import(/* @vite-ignore */ path.join(ROUTES_DIR, f))) as { loader?: Handler; action?: Handler };
      const url = urlOf(route, PARAMS);
      for (const [kind, fn, method] of [
        ["loader", mod.loader, "GET"],
        ["action", mod.action, "POST"],
      ] as const) {
        if (typeof fn !== "function") continue;
        checked++;
        const result = await call(fn, url, method, official);
        if (toGate(result)) continue;
        // Otherwise the route answered the official as it answers anyone (a public page, a health check, a
        // notice that is not there): nothing of an official's; and the page around it (the root loader, on
        // every page) sends the official on.
        const anonymous = await call(fn, url, method);
        const same = unwrap(anonymous).status === unwrap(result).status && !isLoginRedirect(anonymous);
        if (same && toGate(await call(root.loader as Handler, url, "GET", official))) continue;
        missed.push(`${kind} ${route}: ${result instanceof Response ? `${result.status} ${result.headers.get("Location") ?? ""}` : JSON.stringify(unwrap(result)).slice(0, 120)}`);
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(missed).toEqual([]);
  });

  it("is sent there at sign-in, back to the page asked for afterwards, and may switch the language or log out meanwhile", async () => {
    const signedIn = (await run(loginRoute.action, post("/login", { phone: DEMO.committeeA2, password: DEMO_PASSWORD, redirectTo: "/projects" }), ctx)) as Response;
    expect(signedIn.headers.get("Location")).toBe("/projects");
    const cookie = signedIn.headers.getSetCookie()[0].split(";")[0];
    const page = (await run(dashboard.loader, get("/projects?page=2", cookie), ctx)) as Response;
    expect(page.headers.get("Location")).toBe(`${PASSKEY_SETUP_PATH}?redirectTo=${encodeURIComponent("/projects?page=2")}`);
    const there = unwrap(await run(gate.loader, get(`${PASSKEY_SETUP_PATH}?redirectTo=%2Fprojects`, cookie), ctx));
    expect(there.status).toBe(200);
    expect(there.data.name).toBe("石桥村村委会");
    const english = (await run(setLocale.action, post("/set-locale", { lng: "en", redirectTo: PASSKEY_SETUP_PATH }, cookie), ctx)) as Response;
    expect([english.status, english.headers.get("Location"), english.headers.get("Set-Cookie")?.split(";")[0]]).toEqual([302, PASSKEY_SETUP_PATH, "lng=en"]);
    const out = (await run(logoutRoute.action, post("/logout", {}, cookie), ctx)) as Response;
    expect([out.status, out.headers.get("Location")]).toEqual([302, "/"]);
  });

  it("is let through everywhere once a passkey is registered through the page's endpoint", async () => {
    const step = (body: unknown) =>
      run(
        registerRoute.action,
        new Request(new URL("/auth/passkey/register", ORIGIN), {
          method: "POST",
          headers: { Cookie: official, Origin: ORIGIN, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }),
        ctx,
      ) as Promise<Response>;
    const options = await step({ step: "options" });
    expect(options.status).toBe(200);
    const { options: o } = (await options.json()) as { options: { challenge: string } };
    const verify = await step({ step: "verify", name: "村委会手机", response: softwarePasskey("ES256").register(o.challenge, { origin: ORIGIN, rpId: "localhost" }) });
    expect(verify.status).toBe(200);
    expect(unwrap(await run(dashboard.loader, get("/dashboard", official), ctx)).status).toBe(200);
    expect(unwrap(await run(root.loader, get("/notices", official), ctx)).status).toBe(200);
    // The registration page itself sends them on to where they were going.
    const onward = (await run(gate.loader, get(`${PASSKEY_SETUP_PATH}?redirectTo=%2Fprojects`, official), ctx)) as Response;
    expect(onward.headers.get("Location")).toBe("/projects");
  });
});

describe("the demo county", () => {
  it("gives each of its officials one passkey, registered the real way, and none to contractors", async () => {
    const rows = await database.db
      .select({ role: schema.memberships.role, userId: schema.memberships.userId, passkey: schema.passkeys.name })
      .from(schema.memberships)
      .leftJoin(schema.passkeys, eq(schema.passkeys.userId, schema.memberships.userId));
    const officials = rows.filter((r) => ["committee", "agent", "supervisor", "county_admin"].includes(r.role) && r.userId !== committeeA2Id);
    expect(officials.length).toBe(10); // the administrator, two supervisors, six committees and two agents, but the one emptied above
    expect(officials.every((r) => r.passkey === DEMO_DEVICE_NAME)).toBe(true);
    expect(new Set(officials.map((r) => r.userId)).size).toBe(officials.length);
    expect(rows.filter((r) => r.role === "contractor" && r.passkey)).toHaveLength(0);
    const registered = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "passkey.register"));
    expect(registered.length).toBeGreaterThanOrEqual(officials.length);
  });
});

describe("a contractor without a passkey", () => {
  it("is not asked for one", async () => {
    const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.contractor1));
    expect(await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.userId, u.id))).toHaveLength(0);
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    expect(unwrap(await run(dashboard.loader, get("/dashboard", cookie), ctx)).status).toBe(200);
    expect(unwrap(await run(root.loader, get("/notices", cookie), ctx)).status).toBe(200);
    expect(((await run(gate.loader, get(PASSKEY_SETUP_PATH, cookie), ctx)) as Response).headers.get("Location")).toBe("/dashboard");
  });
});
