// 大字模式 (issue 9): anyone switches large text on from the header; a signed-in user's choice is
// kept with the account (audited) and follows them to another device, a visitor's in a cookie;
// the page then carries the large-text class that the stylesheet enlarges.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as root from "~/root";
import * as setTextSize from "~/routes/set-text-size";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(() => database?.close());

const userOf = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];
const largeTextOf = async (cookie?: string) => unwrap(await run(root.loader, get("/", cookie), ctx)).data.largeText as boolean;

describe("large text", () => {
  it("is kept with the account of a signed-in user, audited, and follows them to a new session", async () => {
    const cookie = await cookieFor(ctx, DEMO.committeeA1);
    expect(await largeTextOf(cookie)).toBe(false);
    const res = (await run(setTextSize.action, post("/set-text-size", { size: "large", redirectTo: "/projects" }, cookie), ctx)) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/projects");
    expect((await userOf(DEMO.committeeA1)).largeText).toBe(true);
    const user = await userOf(DEMO.committeeA1);
    const audit = await database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "user.large_text"), eq(schema.auditLog.objectId, user.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0].actorUserId).toBe(user.id);
    // Another phone: a new session, no cookie of the first device — still large.
    expect(await largeTextOf(await cookieFor(ctx, DEMO.committeeA1))).toBe(true);
    // Another user is not affected.
    expect(await largeTextOf(await cookieFor(ctx, DEMO.supervisorA))).toBe(false);
    // Switching it off again is recorded too; the same choice twice is not.
    await run(setTextSize.action, post("/set-text-size", { size: "normal" }, cookie), ctx);
    await run(setTextSize.action, post("/set-text-size", { size: "normal" }, cookie), ctx);
    expect((await userOf(DEMO.committeeA1)).largeText).toBe(false);
    expect(
      await database.db
        .select()
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.action, "user.large_text"), eq(schema.auditLog.objectId, user.id))),
    ).toHaveLength(2);
  });

  it("keeps a visitor's choice in a cookie, and ignores anything but large or normal", async () => {
    const res = (await run(setTextSize.action, post("/set-text-size", { size: "large" }), ctx)) as Response;
    const setCookie = res.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(/^cyz_text=large; Path=\/; Max-Age=31536000; SameSite=Lax$/);
    expect(await largeTextOf(setCookie.split(";")[0])).toBe(true);
    expect(await largeTextOf()).toBe(false);
    const odd = (await run(setTextSize.action, post("/set-text-size", { size: "huge", redirectTo: "https://evil.example/" }), ctx)) as Response;
    expect(odd.headers.get("Set-Cookie")).toBeNull();
    expect(odd.headers.get("Location")).toBe("/");
  });

  it("a signed-in user's account decides, not a visitor cookie left on the device", async () => {
    const cookie = await cookieFor(ctx, DEMO.contractor1);
    expect(await largeTextOf(`${cookie}; cyz_text=large`)).toBe(false);
  });
});
