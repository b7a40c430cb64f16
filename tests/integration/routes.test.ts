import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCountySettings } from "~/models/county-settings.server";
import { getWorkingCalendar } from "~/models/calendar.server";
import { listCounties } from "~/models/org.server";
import * as settingsRoute from "~/routes/admin.settings";
import * as calendarRoute from "~/routes/admin.calendar";
import * as auditRoute from "~/routes/audit";
import * as transparencyRoute from "~/routes/transparency";
import * as indexRoute from "~/routes/_index";
import { loader as healthz } from "~/routes/healthz";
import { SETTING_DEFS, settingToInput, type SettingDef } from "~/models/county-settings";
import type { Database } from "../../db/client";
import { createTestDb } from "../helpers/db";
import { cookieFor, DEMO, get, makeContext, post, run, unwrap } from "../helpers/app";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let cookies: Record<keyof typeof DEMO, string>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  cookies = Object.fromEntries(await Promise.all(Object.entries(DEMO).map(async ([k, phone]) => [k, await cookieFor(ctx, phone)]))) as typeof cookies;
});
afterAll(async () => {
  await database?.close();
});

async function status(fn: (a: never) => unknown, req: Request) {
  return unwrap(await run(fn as never, req, ctx)).status;
}

async function settingsForm(overrides: Record<string, string>) {
  const [county] = await listCounties(database.db);
  const current = await getCountySettings(database.db, county.id);
  const fields: Record<string, string> = {};
  for (const d of SETTING_DEFS as readonly SettingDef[]) {
    const v = settingToInput(d, current[d.key as keyof typeof current]);
    if (d.unit !== "boolean" || v) fields[d.key] = v;
  }
  return { ...fields, ...overrides };
}

describe("permissions are checked on the server for every loader and action", () => {
  const adminOnly = [
    ["/admin/settings", settingsRoute],
    ["/admin/calendar", calendarRoute],
  ] as const;

  it("send an anonymous visitor to the login page", async () => {
    for (const [path, mod] of adminOnly) {
      const res = (await run(mod.loader, get(path), ctx)) as Response;
      expect(res.status, path).toBe(302);
      expect(res.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    }
    expect(((await run(auditRoute.loader, get("/audit"), ctx)) as Response).status).toBe(302);
  });

  it("refuse every other role on the county administrator's pages (loader and action)", async () => {
    for (const who of ["supervisorA", "committeeA1", "contractor1", "expert1"] as const) {
      for (const [path, mod] of adminOnly) {
        expect(await status(mod.loader, get(path, cookies[who])), `${who} GET ${path}`).toBe(403);
        expect(await status(mod.action, post(path, { intent: "remove", day: "2026-10-01" }, cookies[who])), `${who} POST ${path}`).toBe(403);
      }
    }
    // Nothing was changed by the refused posts.
    const cal = await getWorkingCalendar(database.db, (await listCounties(database.db))[0].id);
    expect(cal.isWorkingDay("2026-10-01")).toBe(false);
  });

  it("let only administrators and supervisors read the audit trail", async () => {
    for (const who of ["committeeA1", "contractor1", "expert1"] as const) {
      expect(await status(auditRoute.loader, get("/audit", cookies[who])), who).toBe(403);
      expect(await status(auditRoute.action, post("/audit", {}, cookies[who])), who).toBe(403);
    }
    expect(await status(auditRoute.loader, get("/audit", cookies.countyAdmin))).toBe(200);
    expect(await status(auditRoute.loader, get("/audit", cookies.supervisorA))).toBe(200);
  });

  it("keep public pages public", async () => {
    expect(await status(indexRoute.loader, get("/"))).toBe(200);
    expect(await status(transparencyRoute.loader, get("/transparency"))).toBe(200);
  });
});

describe("county settings page", () => {
  it("saves valid settings, in fen, and audits what changed", async () => {
    const res = unwrap(
      await run(settingsRoute.action, post("/admin/settings", await settingsForm({ minAnnouncementDays: "7", directAwardBelowFen: "50000" }), cookies.countyAdmin), ctx),
    );
    expect(res.status).toBe(200);
    expect(res.data.ok).toBe(true);
    const county = (await listCounties(database.db))[0];
    const s = await getCountySettings(database.db, county.id);
    expect(s.minAnnouncementDays).toBe(7);
    expect(s.directAwardBelowFen).toBe(5_000_000);
    const [row] = await database.query<{ action: string; summary: { before: Record<string, number>; after: Record<string, number> } }>(
      "SELECT action, summary FROM audit_log ORDER BY id DESC LIMIT 1",
    );
    expect(row.action).toBe("county_settings.update");
    expect(row.summary.before).toEqual({ minAnnouncementDays: 5, directAwardBelowFen: 10_000_000 });
    expect(row.summary.after).toEqual({ minAnnouncementDays: 7, directAwardBelowFen: 5_000_000 });
  });

  it("refuses invalid settings, keeps what was typed, and changes nothing", async () => {
    const county = (await listCounties(database.db))[0];
    const before = await getCountySettings(database.db, county.id);
    const res = unwrap(
      await run(settingsRoute.action, post("/admin/settings", await settingsForm({ minValidBids: "0", panelSizeSmall: "4", minAnnouncementDays: "9" }), cookies.countyAdmin), ctx),
    );
    expect(res.status).toBe(400);
    expect(res.data.errors.minValidBids).toBe("errors.settings.range");
    expect(res.data.errors.panelSizeSmall).toBe("errors.settings.odd");
    expect(res.data.typed.minAnnouncementDays).toBe("9");
    expect(await getCountySettings(database.db, county.id)).toEqual(before);
  });
});

describe("holiday calendar page", () => {
  it("adds a make-up working day that the working-day calculator then uses", async () => {
    const county = (await listCounties(database.db))[0];
    // Saturday 28 November 2026 is a normal weekend day…
    const url = "/admin/calendar?from=2026-11-27&n=1";
    expect(unwrap(await run(calendarRoute.loader, get(url, cookies.countyAdmin), ctx)).data.calc.result).toBe("2026-11-30");
    const saved = unwrap(
      await run(calendarRoute.action, post("/admin/calendar", { intent: "set", day: "2026-11-28", kind: "workday", name: "调休上班" }, cookies.countyAdmin), ctx),
    );
    expect(saved.status).toBe(200);
    // …and now it is the first working day after Friday the 27th.
    expect(unwrap(await run(calendarRoute.loader, get(url, cookies.countyAdmin), ctx)).data.calc.result).toBe("2026-11-28");
    expect((await getWorkingCalendar(database.db, county.id)).isWorkingDay("2026-11-28")).toBe(true);
  });

  it("explains a bad date or name and keeps the input", async () => {
    const res = unwrap(await run(calendarRoute.action, post("/admin/calendar", { intent: "set", day: "2026-02-30", kind: "holiday", name: "" }, cookies.countyAdmin), ctx));
    expect(res.status).toBe(400);
    expect(res.data.errors.day).toBe("errors.calendar.day");
    expect(res.data.errors.name).toBe("errors.calendar.name");
    expect(res.data.typed.day).toBe("2026-02-30");
  });

  it("removes a day and says so when it was not there", async () => {
    expect(unwrap(await run(calendarRoute.action, post("/admin/calendar", { intent: "remove", day: "2026-11-28" }, cookies.countyAdmin), ctx)).status).toBe(200);
    expect(unwrap(await run(calendarRoute.action, post("/admin/calendar", { intent: "remove", day: "2026-11-28" }, cookies.countyAdmin), ctx)).status).toBe(404);
  });
});

describe("audit page", () => {
  it("shows a supervisor only their township, and the administrator the county", async () => {
    const sup = unwrap(await run(auditRoute.loader, get("/audit", cookies.supervisorA), ctx)).data;
    const admin = unwrap(await run(auditRoute.loader, get("/audit", cookies.countyAdmin), ctx)).data;
    expect(sup.scope.county).toBe(false);
    expect(admin.scope.county).toBe(true);
    expect(admin.rows.some((r: { action: string }) => r.action === "county_settings.update")).toBe(true);
    expect(sup.rows.some((r: { action: string }) => r.action === "county_settings.update")).toBe(false);
  });

  it("verifies the chain on request and records that it did", async () => {
    const res = unwrap(await run(auditRoute.action, post("/audit", {}, cookies.countyAdmin), ctx));
    expect(res.data.ok).toBe(true);
    const [row] = await database.query<{ action: string }>("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1");
    expect(row.action).toBe("audit.verify_chain");
  });
});

describe("health check", () => {
  it("reports the database it opened", async () => {
    const res = (await run(healthz, get("/healthz"), ctx)) as Response | { ok: boolean };
    const body = res instanceof Response ? await res.json() : res;
    expect(body.ok).toBe(true);
  });
});
