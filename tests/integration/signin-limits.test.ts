// Sign-in limits that hurt the guesser, not the owner (issue 18, findings 6 and 7; ADR 0034):
// every attempt is counted before the password is checked, atomically, so parallel attempts cannot
// slip past the limit; wrong passwords from one address pause only that address for that number;
// from many addresses, only devices the number has not used before; a known device is counted on
// its own. The password check itself is counted here (a spy on verifyPassword).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { DEMO_PASSWORD } from "~/demo/demo.server";
import { THROTTLE } from "~/models/login-throttle.server";
import { verifyPassword } from "~/models/password.server";
import * as loginRoute from "~/routes/login";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { DEMO, makeContext, post, run, unwrap } from "../helpers/app";
import { createTestDb, isRealServer } from "../helpers/db";

vi.mock("~/models/password.server", async (importOriginal) => {
  const real = await importOriginal<typeof import("~/models/password.server")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const checks = () => vi.mocked(verifyPassword).mock.calls.length;

let database: Database;
let ctx: ReturnType<typeof makeContext>;
const MINUTE = 60_000;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(() => database?.close());
beforeEach(() => {
  vi.mocked(verifyPassword).mockClear();
  // Every case starts after the previous one's windows and pauses have ended.
  ctx.clock.advance(2 * THROTTLE.windowMs);
});

const login = (phone: string, password: string, ip: string, cookie?: string) => run(loginRoute.action, post("/login", { phone, password }, cookie), { ...ctx, ip });
const signedIn = (r: unknown) => r instanceof Response && r.status === 302;
const knownCookie = (r: unknown) =>
  (r as Response).headers
    .getSetCookie()
    .find((c) => c.startsWith("cyz_known="))!
    .split(";")[0];
const sessionsOf = async (phone: string) => {
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, phone));
  return (await database.db.select().from(schema.sessions).where(eq(schema.sessions.userId, u.id))).length;
};

describe("sign-in limits, one attempt after another", () => {
  it("check at most 10 wrong passwords for a number from many addresses, then pause it for devices it has not used", async () => {
    const results = [];
    for (let i = 0; i < 15; i++) results.push(unwrap(await login(DEMO.committeeA1, `wrong-${i}`, `198.51.100.${i + 1}`)));
    expect(checks()).toBe(THROTTLE.failuresToLock);
    expect(results.slice(0, 9).map((r) => r.status)).toEqual(Array(9).fill(401));
    expect(results.slice(9).map((r) => r.data.errors.form)).toEqual(Array(6).fill("errors.auth.locked"));
  });

  it("let at most 20 sign-ins of one number through in 15 minutes from devices it has not used", async () => {
    const results = [];
    for (let i = 0; i < 25; i++) results.push(await login(DEMO.committeeA2, DEMO_PASSWORD, `198.51.100.${i + 30}`));
    expect(results.filter(signedIn)).toHaveLength(THROTTLE.perAccount);
    expect(checks()).toBe(THROTTLE.perAccount);
    expect(unwrap(results[THROTTLE.perAccount]).data.errors.form).toBe("errors.auth.throttled");
  });

  it("pause a known device after 10 wrong passwords on it, and nothing else; a cookie proves nothing for another number or when made up", async () => {
    const first = await login(DEMO.supervisorB, DEMO_PASSWORD, "192.0.2.10");
    const device = knownCookie(first);
    for (let i = 0; i < THROTTLE.failuresPerDevice - 1; i++) expect(unwrap(await login(DEMO.supervisorB, `wrong-${i}`, "192.0.2.10", device)).status).toBe(401);
    expect(unwrap(await login(DEMO.supervisorB, "wrong-last", "192.0.2.10", device)).data.errors.form).toBe("errors.auth.locked");
    expect(unwrap(await login(DEMO.supervisorB, DEMO_PASSWORD, "192.0.2.10", device)).data.errors.form).toBe("errors.auth.locked");
    // The same address without the device, and the number elsewhere: not paused (the device's failures are its own).
    expect(signedIn(await login(DEMO.supervisorB, DEMO_PASSWORD, "192.0.2.10"))).toBe(true);
    // The cookie is supervisorB's: for another number it is a device like any other, and a made-up one is nothing.
    for (let i = 0; i < THROTTLE.failuresPerAddress; i++) await login(DEMO.committeeB1, `wrong-${i}`, "192.0.2.11", device);
    expect(unwrap(await login(DEMO.committeeB1, DEMO_PASSWORD, "192.0.2.11", device)).data.errors.form).toBe("errors.auth.locked");
    for (let i = 0; i < THROTTLE.failuresPerAddress; i++) await login(DEMO.countyAdmin, `wrong-${i}`, "192.0.2.12", `cyz_known=${"A".repeat(43)}`);
    expect(unwrap(await login(DEMO.countyAdmin, DEMO_PASSWORD, "192.0.2.12", `cyz_known=${"A".repeat(43)}`)).data.errors.form).toBe("errors.auth.locked");
    // Stored as a hash only.
    const token = device.split("=")[1];
    const rows = await database.db.select().from(schema.knownDevices);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it("after the pause ends, the number signs in again", async () => {
    for (let i = 0; i < THROTTLE.failuresToLock; i++) await login(DEMO.agentA, `wrong-${i}`, `203.0.113.${i + 50}`);
    expect(unwrap(await login(DEMO.agentA, DEMO_PASSWORD, "203.0.113.90")).data.errors.form).toBe("errors.auth.locked");
    ctx.clock.advance(THROTTLE.lockMs + MINUTE);
    expect(signedIn(await login(DEMO.agentA, DEMO_PASSWORD, "203.0.113.90"))).toBe(true);
  });
});

// PGlite has one connection: requests there cannot overlap, so only a real server can show the race.
describe.runIf(isRealServer())("sign-in limits under parallel attempts (real PostgreSQL)", () => {
  it("let 100 parallel wrong passwords for one number from 100 addresses reach the password check at most 10 times", async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => login(DEMO.contractor1, `wrong-${i}`, `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`)));
    expect(checks()).toBeLessThanOrEqual(THROTTLE.failuresToLock);
    expect(checks()).toBeGreaterThan(0);
    expect(results.filter(signedIn)).toHaveLength(0);
    // Each is told its password was wrong, or that the number is paused (the one that filled the limit too).
    expect(new Set(results.map((r) => unwrap(r).status))).toEqual(new Set([401, 429]));
  });

  it("let at most 20 of 200 parallel correct sign-ins of one number through", async () => {
    const before = await sessionsOf(DEMO.contractor2);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => login(DEMO.contractor2, DEMO_PASSWORD, `198.19.${Math.floor(i / 250)}.${(i % 250) + 1}`)));
    const through = results.filter(signedIn).length;
    expect(through).toBeGreaterThan(0);
    expect(through).toBeLessThanOrEqual(THROTTLE.perAccount);
    expect(checks()).toBeLessThanOrEqual(THROTTLE.perAccount);
    expect((await sessionsOf(DEMO.contractor2)) - before).toBe(through);
  });
});
