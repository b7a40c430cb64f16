// Account recovery by a reset code an official issues after checking identity (issue 9): who may
// issue for whom, single use, expiry, five tries, the sign-in limits, every session ended, and
// the audit trail — which never holds the code itself.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "~/models/user.server";
import { RESET_CODE_TRIES, RESET_CODE_TTL_MS } from "~/models/reset-code.server";
import * as issueRoute from "~/routes/reset-codes";
import * as resetRoute from "~/routes/reset-password";
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

const CHECK = "当面核验身份证原件（尾号 0012）";
async function issue(officialPhone: string, phone: string, identityCheck = CHECK) {
  return unwrap(await run(issueRoute.action, post("/reset-codes", { phone, identityCheck }, await cookieFor(ctx, officialPhone)), ctx));
}
async function reset(phone: string, code: string, password = "new-password-2026", password2 = password) {
  return run(resetRoute.action, post("/reset-password", { phone, code, password, password2 }), ctx);
}
/** The same, typed at another address. */
const resetFrom = (ip: string, phone: string, code: string) =>
  run(resetRoute.action, post("/reset-password", { phone, code, password: "new-password-2026", password2: "new-password-2026" }), { ...ctx, ip });
const userId = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0].id;

describe("reset codes", () => {
  it("lets the township supervisor issue for its villages and the county's contractors only, and the county administrator for experts and supervisors", async () => {
    expect((await issue(DEMO.supervisorA, DEMO.committeeA1)).status).toBe(200); // 青山村, own township
    expect((await issue(DEMO.supervisorA, DEMO.contractor1)).status).toBe(200); // a contractor of the county
    const other = await issue(DEMO.supervisorB, DEMO.committeeA1); // 溪口乡's supervisor, 青山镇's village
    expect([other.status, other.data.errors.phone]).toEqual([403, "errors.reset.notYours"]);
    expect((await issue(DEMO.supervisorA, DEMO.expert1)).data.errors.phone).toBe("errors.reset.notYours");
    expect((await issue(DEMO.supervisorA, DEMO.supervisorB)).data.errors.phone).toBe("errors.reset.notYours");
    expect((await issue(DEMO.supervisorA, DEMO.supervisorA)).data.errors.phone).toBe("errors.reset.notYours");
    expect((await issue(DEMO.countyAdmin, DEMO.expert1)).status).toBe(200);
    expect((await issue(DEMO.countyAdmin, DEMO.supervisorB)).status).toBe(200);
    // What was checked must be written down; an unknown number is said so.
    expect((await issue(DEMO.supervisorA, DEMO.committeeA2, "ok")).data.errors.identityCheck).toBe("errors.reset.identityCheck");
    expect((await issue(DEMO.supervisorA, "13999999999")).data.errors.phone).toBe("errors.reset.noUser");
    // Nobody else reaches the page.
    const res = (await run(issueRoute.loader, get("/reset-codes", await cookieFor(ctx, DEMO.contractor2)), ctx)) as Response;
    expect(res.status).toBe(403);
  });

  it("sets a new password once, ends every session, and keeps only the code's hash", async () => {
    const target = await userId(DEMO.committeeA2);
    const before = await cookieFor(ctx, DEMO.committeeA2);
    const { data } = await issue(DEMO.supervisorA, DEMO.committeeA2);
    const code: string = data.issued.code;
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    const [row] = await database.db.select().from(schema.resetCodes).where(eq(schema.resetCodes.userId, target));
    expect(JSON.stringify(row)).not.toContain(code.replace("-", ""));
    const audit = await database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "auth.reset_code_issue"), eq(schema.auditLog.objectId, target)));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).not.toContain(code.slice(0, 5));
    expect(JSON.stringify(audit[0])).toContain(CHECK);

    // Typed in lower case with spaces: the same code.
    const done = (await reset(DEMO.committeeA2, ` ${code.toLowerCase().replace("-", " ")} `)) as Response;
    expect([done.status, done.headers.get("Location")]).toEqual([302, "/login?reset=1"]);
    expect(await authenticateWithPassword(database.db, DEMO.committeeA2, "new-password-2026")).not.toBeNull();
    expect(await database.db.select().from(schema.sessions).where(eq(schema.sessions.userId, target))).toHaveLength(0);
    const dash = (await run(issueRoute.loader, get("/reset-codes", before), ctx)) as Response;
    expect(dash.headers.get("Location")).toMatch(/^\/login/);
    const [resetAudit] = await database.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "auth.password_reset"), eq(schema.auditLog.objectId, target)));
    expect(resetAudit.actorUserId).toBe(target);
    // Once only.
    expect(unwrap(await reset(DEMO.committeeA2, code, "another-password-1")).data.errors.code).toBe("errors.reset.badCode");
    expect(await authenticateWithPassword(database.db, DEMO.committeeA2, "another-password-1")).toBeNull();
  });

  it("refuses an expired code and a code voided by a newer one; five wrong tries pause only that address, twenty in all void the code", async () => {
    const first = (await issue(DEMO.supervisorA, DEMO.contractor2)).data.issued.code;
    const second = (await issue(DEMO.supervisorA, DEMO.contractor2)).data.issued.code;
    expect(unwrap(await reset(DEMO.contractor2, first)).data.errors.code).toBe("errors.reset.badCode");
    for (let i = 0; i < 4; i++) expect(unwrap(await reset(DEMO.contractor2, "AAAAA-AAAAA")).status).toBe(400);
    // Five wrong from this address: it is refused before the code is looked at…
    const paused = unwrap(await reset(DEMO.contractor2, second));
    expect([paused.status, paused.data.errors.form]).toEqual([429, "errors.auth.throttled"]);
    // …and the code still works from anywhere else.
    expect(((await resetFrom("198.51.100.10", DEMO.contractor2, second)) as Response).status).toBe(302);
    expect(await authenticateWithPassword(database.db, DEMO.contractor2, "new-password-2026")).not.toBeNull();

    // Wrong tries from several addresses add up: RESET_CODE_TRIES in all and the code is void.
    const third = (await issue(DEMO.supervisorA, DEMO.contractor2)).data.issued.code;
    for (let i = 0; i < RESET_CODE_TRIES; i++) expect(unwrap(await resetFrom(`198.51.100.${20 + Math.floor(i / 5)}`, DEMO.contractor2, "AAAAA-AAAAA")).status).toBe(400);
    expect(unwrap(await resetFrom("198.51.100.30", DEMO.contractor2, third)).data.errors.code).toBe("errors.reset.badCode");

    const fourth = (await issue(DEMO.supervisorA, DEMO.contractor2)).data.issued.code;
    ctx.clock.advance(RESET_CODE_TTL_MS + 1000);
    expect(unwrap(await resetFrom("198.51.100.31", DEMO.contractor2, fourth)).data.errors.code).toBe("errors.reset.badCode");
  });

  it("checks that the two passwords agree and are long enough, before anything is used up", async () => {
    const code = (await issue(DEMO.supervisorA, DEMO.agentA)).data.issued.code;
    expect(unwrap(await reset(DEMO.agentA, code, "long-enough-1", "long-enough-2")).data.errors.password2).toBe("errors.reset.passwordsDiffer");
    expect(unwrap(await reset(DEMO.agentA, code, "short", "short")).data.errors.password).toBe("errors.passwordTooShort");
    expect(((await reset(DEMO.agentA, code, "long-enough-1")) as Response).status).toBe(302);
  });

  it("counts wrong codes per address and number, never per number alone: others' failures never pause the number or its owner's reset", async () => {
    const code = (await issue(DEMO.supervisorA, DEMO.agentVillageA1)).data.issued.code;
    for (let i = 0; i < 10; i++) expect(unwrap(await resetFrom(`198.51.100.${40 + i}`, DEMO.agentVillageA1, `ZZZZZ-ZZZZ${"23456789AB"[i]}`)).status).toBe(400);
    expect(await database.db.select().from(schema.accountLocks)).toHaveLength(0);
    // The person, at their own address, resets with the code they were given.
    expect(((await resetFrom("192.0.2.77", DEMO.agentVillageA1, code)) as Response).status).toBe(302);
  });
});
