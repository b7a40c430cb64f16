// Call route loaders and actions the way Remix does, with a real database,
// a movable clock and a real session cookie — no HTTP server needed.
import { protectPlatformKeys } from "~/models/signature.server";
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import { schema } from "../../db/client";
import { startSession } from "~/models/session.server";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { SESSION_COOKIE } from "~/utils/auth.server";
import { ManualClock } from "~/utils/clock.server";
import { parseEnv } from "~/utils/env.server";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalFileStore } from "~/models/file-store.server";

export const ORIGIN = "http://localhost:3000";

export function makeContext(database: Database, clock = new ManualClock("2026-11-20T02:00:00Z")): AppLoadContext & { clock: ManualClock } {
  const env = parseEnv({ PORT: "3000" });
  // As the server does at start-up: signing keys are stored encrypted.
  protectPlatformKeys("test-passphrase-0123456789");
  return {
    db: database.db,
    database,
    clock,
    env,
    rp: { rpID: "localhost", origins: [ORIGIN], rpName: "村易招" },
    files: new LocalFileStore(mkdtempSync(path.join(os.tmpdir(), "cyz-files-"))),
    transports: {},
    ip: "203.0.113.7",
  } as AppLoadContext & { clock: ManualClock };
}

/** A session cookie for the demo user with this phone, acting in their first role. */
export async function cookieFor(ctx: AppLoadContext, phone: string, method: "password" | "passkey" = "password"): Promise<string> {
  const [user] = await ctx.db.select().from(schema.users).where(eq(schema.users.phone, phone));
  if (!user) throw new Error(`no demo user ${phone}`);
  const { token } = await startSession(ctx.db, ctx.clock, { ...SYSTEM_ACTOR, ip: ctx.ip }, { userId: user.id, method, days: 7 });
  return `${SESSION_COOKIE}=${token}`;
}

export function get(path: string, cookie?: string): Request {
  return new Request(new URL(path, ORIGIN), { headers: cookie ? { Cookie: cookie } : {} });
}

export function post(path: string, fields: Record<string, string>, cookie?: string): Request {
  const body = new URLSearchParams(fields);
  return new Request(new URL(path, ORIGIN), {
    method: "POST",
    body,
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) },
  });
}

type Handler<A> = (args: A) => unknown;

/** Run a loader or action; a thrown Response (redirect, 403) is returned, not thrown, so tests can look at it. */
export async function run<A extends LoaderFunctionArgs | ActionFunctionArgs>(
  fn: Handler<A>,
  request: Request,
  context: AppLoadContext,
  params: Record<string, string> = {},
): Promise<unknown> {
  try {
    return await fn({ request, context, params } as A);
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/** Remix's data() helper wraps payloads; unwrap to the plain object and status. */
export function unwrap(result: unknown): { status: number; data: any } {
  if (result instanceof Response) return { status: result.status, data: null };
  if (result && typeof result === "object" && "type" in result && (result as { type: string }).type === "DataWithResponseInit") {
    const r = result as unknown as { data: unknown; init: { status?: number } | null };
    return { status: r.init?.status ?? 200, data: r.data };
  }
  return { status: 200, data: result };
}

/** Demo phones, as seeded by app/demo/demo.server.ts. */
export const DEMO = {
  countyAdmin: "13900000001",
  supervisorA: "13900000002",
  committeeA1: "13900000003",
  supervisorB: "13900000006",
  committeeB1: "13900000007",
  committeeA2: "13900000004",
  contractor2: "13900000011",
  agentA: "13900000026",
  agentVillageA1: "13900000027",
  contractor1: "13900000010",
  expert1: "13900000018",
} as const;

/** A session cookie for every demo account in DEMO, by its key. */
export async function demoCookies(ctx: AppLoadContext): Promise<Record<keyof typeof DEMO, string>> {
  const entries = await Promise.all(Object.entries(DEMO).map(async ([k, p]) => [k, await cookieFor(ctx, p)] as const));
  return Object.fromEntries(entries) as Record<keyof typeof DEMO, string>;
}

/** The URL Remix serves a flat route file (app/routes) at, with its params filled in. */
export function urlOf(route: string, params: Record<string, string>) {
  const segs = route
    .replace(/\[([^\]]*)\]/g, (_, s: string) => s.replaceAll(".", "\u0000")) // [.json]: a literal dot, not a new segment
    .split(".")
    .filter((s) => s !== "_index")
    .map((s) => s.replace(/_$/, ""))
    .map((s) => s.replace(/^\$(\w+)/, (_, name: string) => params[name]).replaceAll("\u0000", "."));
  return `/${segs.join("/")}`;
}
