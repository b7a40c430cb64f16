// The authorization matrix (issue 8): every loader and action of every route
// module in app/routes, called as every kind of caller, against the table of
// who may call what in tests/authz-matrix.json. The route list is read from the
// directory, so a new route — or a new loader or action on an old one — fails
// here until someone has decided, in the table, who may call it.
//
// Callers are the demo accounts, placed relative to one project of 青山村 that has
// been through the whole procedure (published, bids opened in the hall, evaluated
// by a drawn panel, publicised, awarded, completed and archived):
//   contractorBidder / contractorOther   a company that bid on it / one that did not
//   committeeOwn / committeeOtherVillage / committeeOtherTownship
//   expertPanel / expertOther            on the tender's evaluation panel / not drawn
//   supervisorOwn / supervisorOther      青山镇 / 溪口乡
//   countyAdmin, agentTownship, agentVillage (agents are appointed on nothing here)
//
// Actions post a probe that the gate must judge but that cannot change anything
// once past it (an unknown intent, an empty or invalid form, a wrong tus offset):
// past the gate it is refused as bad input, which counts as "allow".
import { readdirSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveDueProjects } from "~/models/archive.server";
import { completeAwardSignature, completeProject, decideAward, recordContract, requestAwardSignature } from "~/models/award.server";
import { completeRecordSignature, requestRecordSignature } from "~/models/opening-record.server";
import { fileObjection } from "~/models/publicity.server";
import { scanRisks } from "~/models/risk.server";
import { schema } from "~/utils/db.server";
import { beijingDay } from "~/utils/time";
import { createProject } from "~/models/project.server";
import { createUpload } from "~/models/resumable-upload.server";
import type { Database } from "../../db/client";
import table from "../authz-matrix.json";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap, urlOf } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { assertion, givePasskey, inPublicity } from "../helpers/evaluation";
import { tenderKit } from "../helpers/tenders";

// ── Who calls ───────────────────────────────────────────────────────────

const ROLES = [
  "anonymous",
  "contractorBidder",
  "contractorOther",
  "committeeOwn",
  "committeeOtherVillage",
  "committeeOtherTownship",
  "expertPanel",
  "expertOther",
  "supervisorOwn",
  "supervisorOther",
  "countyAdmin",
  "agentTownship",
  "agentVillage",
] as const;
type Role = (typeof ROLES)[number];

/** Fixed demo phones; the two experts are found once the panel is drawn. */
const PHONES: Partial<Record<Role, string>> = {
  contractorBidder: DEMO.contractor1, // bids in closedOpening (with 11 and 13)
  contractorOther: "13900000014", // 义乌市民安建筑劳务, admitted to 青山镇's pool, no bid
  committeeOwn: DEMO.committeeA1,
  committeeOtherVillage: DEMO.committeeA2,
  committeeOtherTownship: DEMO.committeeB1,
  supervisorOwn: DEMO.supervisorA,
  supervisorOther: DEMO.supervisorB,
  countyAdmin: DEMO.countyAdmin,
  agentTownship: DEMO.agentA,
  agentVillage: DEMO.agentVillageA1,
};

// ── What came back ──────────────────────────────────────────────────────

/**
 * The outcome classes, by status (a thrown Response counts as a returned one):
 *  - login: a redirect to /login — an anonymous caller is sent to sign in;
 *  - deny:  401, 403 or 404 — refused, or answered as if the resource were not there
 *           (the usual answer for something outside one's scope) — or a 4xx form error
 *           whose key is errors.…forbidden / …notFound / …notAssigned (a model's refusal);
 *  - allow: anything else below 500 — 2xx, a redirect elsewhere, or a 4xx that says
 *           the input or the moment was wrong (400, 405, 409, 415, 422): past the gate.
 *  - error: a 5xx or an exception that is not a Response — never expected.
 */
type Outcome = "allow" | "login" | "deny";
/** In the table, "skip" says this role is judged by another case of the route (another probe). */
type Expected = Outcome | "skip";
type Observed = { outcome: Outcome | "error"; status: number | string; location?: string | null; text?: string };

/** Read a live event stream until it has been quiet for 100 ms (its replay sent), then hang up. */
async function untilQuiet(res: Response) {
  const reader = res.body!.getReader();
  for (;;) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (!next || next.done) break;
  }
  await reader.cancel();
}

async function observe(result: unknown, readBody = false): Promise<Observed> {
  const { status, data } = unwrap(result);
  let text = result instanceof Response ? undefined : JSON.stringify(data ?? null);
  let location: string | null = null;
  let errorKey: unknown = (data as { errors?: { form?: unknown } } | null)?.errors?.form;
  if (result instanceof Response) {
    location = result.headers.get("Location");
    if ((result.headers.get("Content-Type") ?? "").startsWith("application/json") && status >= 400) {
      errorKey = ((await result.json().catch(() => null)) as { error?: unknown } | null)?.error;
    }
    // Files are not read: the status is the answer. A live event stream is read until it falls quiet
    // (its replay sent, as bid-leaks.test.ts does), then hung up, so nothing keeps running.
    if ((result.headers.get("Content-Type") ?? "").startsWith("text/event-stream")) await untilQuiet(result);
    else if (readBody && !errorKey) text = await result.text().catch(() => "");
    else await result.body?.cancel().catch(() => {});
  }
  if (status >= 300 && status < 400) return { outcome: location?.startsWith("/login") ? "login" : "allow", status, location };
  if (status >= 200 && status < 300) return { outcome: "allow", status, text };
  if (status === 401 || status === 403 || status === 404) return { outcome: "deny", status };
  // Some actions answer a refusal found inside the model as a form error (400): that is a refusal too.
  if (status >= 400 && status < 500 && typeof errorKey === "string" && /(forbidden|notFound|notAssigned)$/.test(errorKey))
    return { outcome: "deny", status: `${status} ${errorKey}` };
  if (status >= 500) return { outcome: "error", status };
  return { outcome: "allow", status: typeof errorKey === "string" ? `${status} ${errorKey}` : status };
}

// ── The table ───────────────────────────────────────────────────────────

type Expectations = Partial<Record<Role | "*", Expected>>;
interface Case {
  /** Tells apart several cases of one route (another resource, another intent). */
  name?: string;
  /** Route param → fixture name (see `fixtures` below), or "=literal". */
  params?: Record<string, string>;
  /** Appended to the URL; `{fixture}` is replaced. */
  query?: string;
  loader?: Expectations;
  action?: Expectations;
  loaderMethod?: string;
  actionMethod?: string;
  /** How the action's probe is sent: a urlencoded form (default), JSON, multipart, or no body. */
  body?: "form" | "json" | "multipart" | "none";
  /** The probe's fields (values may hold `{fixture}` or `{self.membership}`). Default: an unknown intent. */
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  /** Give each call its own new session (for an action that ends the session it is called with). */
  freshSession?: boolean;
  /** Call with a session opened by passkey (a password session of a passkey holder must prove a second factor to change passkeys; tested in account-recovery.test.ts). */
  passkeySession?: boolean;
  /** Callers who may load this page but must not see the fixture project in it (a list scoped to their own place). */
  outsiders?: Role[];
  /** "loader:role" or "action:role" → why the app's answer differs from the (correct) expectation. */
  defects?: Record<string, string>;
  note?: string;
}
const ROUTES = table.routes as unknown as Record<string, Case[]>;

const PROBE = { intent: "authz-probe" };

function expected(e: Expectations, role: Role): Expected | undefined {
  return e[role] ?? e["*"];
}

// ── Every route module, found on disk ───────────────────────────────────

const ROUTES_DIR = path.resolve(__dirname, "../../app/routes");
type Handler = (args: never) => unknown;
const modules: { route: string; loader?: Handler; action?: Handler }[] = [];
for (const f of readdirSync(ROUTES_DIR)
  .filter((n) => /\.tsx?$/.test(n))
  .sort()) {
  const mod = (await import(/* @vite-ignore */ path.join(ROUTES_DIR, f))) as { loader?: unknown; action?: unknown };
  modules.push({
    route: f.replace(/\.tsx?$/, ""),
    loader: typeof mod.loader === "function" ? (mod.loader as Handler) : undefined,
    action: typeof mod.action === "function" ? (mod.action as Handler) : undefined,
  });
}

// ── The fixtures ────────────────────────────────────────────────────────

let database: Database;
let ctx: ReturnType<typeof makeContext>;
const fixtures: Record<string, string> = {};
const phoneOf: Partial<Record<Role, string>> = { ...PHONES };
const cookies: Partial<Record<Role, string>> = {};
const membershipOf: Partial<Record<Role, string>> = {};

const resolve = (s: string, role: Role) =>
  s.replace(/\{([\w.]+)\}/g, (_, name: string) => {
    const v = name === "self.membership" ? (membershipOf[role] ?? "") : fixtures[name];
    if (v === undefined || (name !== "self.membership" && !v)) throw new Error(`no fixture ${name}`);
    return v;
  });

function paramsOf(c: Case): Record<string, string> {
  return Object.fromEntries(
    Object.entries(c.params ?? {}).map(([k, v]) => {
      if (v.startsWith("=")) return [k, v.slice(1)];
      if (!fixtures[v]) throw new Error(`no fixture ${v}`);
      return [k, fixtures[v]];
    }),
  );
}

async function userIdOf(phone: string) {
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, phone));
  return u.id;
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);

  // A project carried through to the end — awarded, completed and archived — for the archive and award notice.
  const archived = await inPublicity(database, ctx, "授权矩阵·已归档项目");
  const [pub] = await database.db.select().from(schema.publicities).where(eq(schema.publicities.tenderId, archived.tenderId));
  ctx.clock.set(new Date(pub.endsAt.getTime() + 60_000));
  const hostKey = await givePasskey(database, ctx, archived.host.userId, "村委会手机");
  const host = { clock: ctx.clock, actor: archived.host, actingOrgId: archived.villageId, tenderId: archived.tenderId };
  await decideAward(database.db, { ...host, input: {} });
  const sig = await requestAwardSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: archived.host,
    actingOrgId: archived.villageId,
    tenderId: archived.tenderId,
  });
  await completeAwardSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: archived.host,
    actingOrgId: archived.villageId,
    tenderId: archived.tenderId,
    requestId: sig.requestId,
    response: assertion(hostKey, sig.options.challenge),
  });
  await recordContract(database.db, { ...host, day: beijingDay(ctx.clock.now()) });
  await completeProject(database.db, { ...host, input: { acceptanceDate: beijingDay(ctx.clock.now()), settlementFen: 17_950_000 } });
  expect(await archiveDueProjects(database.db, ctx.clock, ctx.files)).toBe(1);
  const [archivedTender] = await database.db.select().from(schema.tenders).where(eq(schema.tenders.id, archived.tenderId));
  Object.assign(fixtures, { archivedProject: archived.projectId, archivedTender: archived.tenderId, archivedTenderDocument: archivedTender.documentPdfSha256! });

  // The tender most routes are asked about: bids opened in the hall (closed since), evaluated by a
  // drawn panel that signed its report, candidates now in publicity (中标候选人公示).
  const done = await inPublicity(database, ctx, "授权矩阵·村道硬化");
  // The host (青山村 committee, as above, with the same passkey) signs the opening record, which makes it
  // public; a bidder (company 11) objects to the candidates.
  const rec = await requestRecordSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: done.host, actingOrgId: done.villageId, tenderId: done.tenderId });
  await completeRecordSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: done.host,
    actingOrgId: done.villageId,
    tenderId: done.tenderId,
    requestId: rec.requestId,
    response: assertion(hostKey, rec.options.challenge),
  });
  const objector = done.bidders.find((b) => b.phone === DEMO.contractor2)!;
  fixtures.objection = (
    await fileObjection(database.db, {
      clock: ctx.clock,
      actor: objector.actor,
      companyId: objector.companyId,
      tenderId: done.tenderId,
      body: "第一中标候选人项目经理有在建项目，请核查。",
    })
  ).id;
  const [tender] = await database.db.select().from(schema.tenders).where(eq(schema.tenders.id, done.tenderId));
  const [project] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, done.projectId));
  const [attachment] = await database.db.select().from(schema.tenderAttachments).where(eq(schema.tenderAttachments.tenderId, tender.id));
  const [bid] = await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, tender.id));
  const [version] = await database.db.select().from(schema.bidVersions).where(eq(schema.bidVersions.bidId, bid.id));
  Object.assign(fixtures, {
    projectName: project.name,
    tender: tender.id,
    project: project.id,
    county: project.countyId,
    township: done.townshipId,
    tenderDocument: tender.documentPdfSha256!,
    attachment: attachment.fileSha256,
    bidCiphertext: version.ciphertextSha256!,
  });

  // Company 1 (the bidder's): a certificate scan of its own.
  const bidder = done.bidders.find((b) => b.phone === DEMO.contractor1)!;
  const [qual] = await database.db.select().from(schema.companyQualifications).where(eq(schema.companyQualifications.companyId, bidder.companyId));
  const [otherCompany] = await database.db
    .select()
    .from(schema.memberships)
    .where(eq(schema.memberships.userId, await userIdOf(PHONES.contractorOther!)));
  const [otherQual] = await database.db.select().from(schema.companyQualifications).where(eq(schema.companyQualifications.companyId, otherCompany.orgId));
  Object.assign(fixtures, { company: bidder.companyId, companyScan: qual.fileSha256, otherCompanyScan: otherQual.fileSha256 });
  // An upload the bidder has begun (tus), and a pending pool application to 青山镇 (company 7).
  fixtures.upload = (await createUpload(ctx.files, ctx.clock, { owner: bidder.userId, length: 64, name: "bid.sealed", maxBytes: 1024, kind: "sealed" })).id;
  const [pending] = await database.db
    .select()
    .from(schema.poolMemberships)
    .where(and(eq(schema.poolMemberships.townshipId, done.townshipId), eq(schema.poolMemberships.status, "pending")));
  fixtures.poolApplication = pending.id;

  // Two more projects of 青山村: an approved one not yet published, and a draft.
  const kit = await tenderKit(database, ctx);
  fixtures.approvedProject = await kit.approvedProject("授权矩阵·待发布项目", 20_000_000);
  const draft = await createProject(database.db, {
    clock: ctx.clock,
    actor: { userId: null, role: "committee" as const, ip: "203.0.113.7" },
    villageId: kit.villageId,
    input: {
      name: "授权矩阵·草稿项目",
      type: "works",
      location: "青山村",
      scope: "草稿",
      estimate: 20_000_000,
      ceiling: 20_000_000,
      fundingSource: "财政",
      durationDays: 30,
      method: "open_selection",
    },
    decisions: [],
  });
  fixtures.draftProject = draft.id;

  // A risk flag of 青山镇, as its supervisor's scan sees it.
  const scan = await scanRisks(database.db, ctx.clock, { countyId: project.countyId, townshipId: done.townshipId });
  const flag = scan.flags.find((f) => f.tenderId === tender.id) ?? scan.flags[0];
  Object.assign(fixtures, { flag: flag.fingerprint, flagRule: flag.rule });

  // The experts: one on the tender's panel, one never drawn for it.
  const panel = await database.db.select().from(schema.panelMembers).where(eq(schema.panelMembers.tenderId, tender.id));
  const onPanel = new Set(panel.map((m) => m.expertId));
  phoneOf.expertPanel = done.experts[0].phone;
  const experts = await database.db.select({ u: schema.users }).from(schema.experts).innerJoin(schema.users, eq(schema.users.id, schema.experts.userId));
  phoneOf.expertOther = experts.map((e) => e.u).find((u) => !onPanel.has(u.id))!.phone;

  // Sessions last: made at the clock the calls are made at.
  for (const role of ROLES) {
    const phone = phoneOf[role];
    if (!phone) continue;
    cookies[role] = await cookieFor(ctx, phone);
    const [m] = await database.db
      .select()
      .from(schema.memberships)
      .where(eq(schema.memberships.userId, await userIdOf(phone)));
    membershipOf[role] = m.id;
  }
  // Someone else's membership (竹林村's committee, not among the callers), for the role switch.
  const [other] = await database.db
    .select()
    .from(schema.memberships)
    .where(eq(schema.memberships.userId, await userIdOf("13900000005")));
  fixtures.othersMembership = other.id;
}, 300_000);

afterAll(async () => {
  await database?.close();
});

/** Which of the live project's handles an answer names. */
function mentions(text: string): string[] {
  return [fixtures.project, fixtures.tender, fixtures.projectName].filter((h) => text.includes(h));
}

// ── Calling ─────────────────────────────────────────────────────────────

async function call(route: string, c: Case, kind: "loader" | "action", fn: Handler, role: Role): Promise<Observed> {
  const params = paramsOf(c);
  const url = urlOf(route, params) + (c.query ? resolve(c.query, role) : "");
  let cookie = cookies[role];
  if (c.freshSession && cookie) cookie = await cookieFor(ctx, phoneOf[role]!);
  if (c.passkeySession && cookie) cookie = await cookieFor(ctx, phoneOf[role]!, "passkey");
  const headers = new Headers(c.headers ?? {});
  if (cookie) headers.set("Cookie", cookie);
  let request: Request;
  if (kind === "loader") {
    request = c.loaderMethod ? new Request(new URL(url, ORIGIN), { method: c.loaderMethod, headers }) : get(url, cookie);
    for (const [k, v] of headers) request.headers.set(k, v);
  } else {
    const method = c.actionMethod ?? "POST";
    const fields = Object.fromEntries(Object.entries(c.form ?? PROBE).map(([k, v]) => [k, resolve(v, role)]));
    const body = c.body ?? "form";
    if (body === "form" && method === "POST") {
      request = post(url, fields, cookie);
      for (const [k, v] of headers) request.headers.set(k, v);
    } else {
      // The same Origin header post() sends (the server refuses a cross-site post before Remix sees it).
      headers.set("Origin", ORIGIN);
      let payload: BodyInit | undefined;
      if (body === "json") {
        payload = JSON.stringify(c.json ?? {});
        headers.set("Content-Type", "application/json");
      } else if (body === "multipart") {
        const fd = new FormData();
        for (const [k, v] of Object.entries(fields)) fd.append(k, v);
        payload = fd;
      } else if (body === "form") {
        payload = new URLSearchParams(fields);
        headers.set("Content-Type", "application/x-www-form-urlencoded");
      }
      request = new Request(new URL(url, ORIGIN), { method, body: payload, headers });
    }
  }
  try {
    return await observe(await run(fn, request, ctx, params), Boolean(c.outsiders));
  } catch (e) {
    return { outcome: "error", status: String(e).slice(0, 200) };
  }
}

// ── The matrix ──────────────────────────────────────────────────────────

describe("the authorization table", () => {
  it("has an entry for every loader and action in app/routes, and none for what is not there", () => {
    const missing: string[] = [];
    for (const m of modules) {
      const cases = ROUTES[m.route] ?? [];
      for (const kind of ["loader", "action"] as const) {
        if (!m[kind]) continue;
        if (!cases.some((c) => c[kind])) missing.push(`${m.route} ${kind}`);
        for (const c of cases.filter((x) => x[kind])) {
          const gaps = ROLES.filter((r) => !expected(c[kind]!, r));
          if (gaps.length) missing.push(`${m.route}${c.name ? ` (${c.name})` : ""} ${kind}: ${gaps.join(", ")}`);
        }
        const skipped = ROLES.filter((r) => cases.every((c) => !c[kind] || expected(c[kind]!, r) === "skip"));
        if (skipped.length && cases.some((c) => c[kind])) missing.push(`${m.route} ${kind}: no case calls it as ${skipped.join(", ")}`);
      }
    }
    const stale = Object.entries(ROUTES).flatMap(([route, cases]) => {
      const m = modules.find((x) => x.route === route);
      if (!m) return [`${route}: no such route module`];
      return cases.flatMap((c) => (["loader", "action"] as const).filter((k) => c[k] && !m[k]).map((k) => `${route}: no ${k}`));
    });
    expect(missing, "decide who may call these, in tests/authz-matrix.json").toEqual([]);
    expect(stale).toEqual([]);
  });
});

// AUTHZ_OBSERVE=1 prints what every call answered, as a starting point when the table needs updating.
const OBSERVE = process.env.AUTHZ_OBSERVE === "1";
const observed: Record<string, Record<string, string>> = {};
if (OBSERVE) afterAll(() => console.log(JSON.stringify(observed, null, 1)));

for (const m of modules) {
  const cases = ROUTES[m.route] ?? [];
  describe(m.route, () => {
    for (const c of cases) {
      for (const kind of ["loader", "action"] as const) {
        const fn = m[kind];
        const want = c[kind];
        if (!fn || !want) continue;
        for (const role of ROLES) {
          const outcome = expected(want, role);
          if (!outcome || outcome === "skip") continue;
          const defect = c.defects?.[`${kind}:${role}`];
          const title = `${kind}${c.name ? ` (${c.name})` : ""} as ${role}: ${outcome}${defect ? ` — DEFECT: ${defect}` : ""}`;
          // DEFECT: a case the app gets wrong today is kept with its correct expectation and
          // expected to fail (the table's `defects` says why), so fixing the app turns it green.
          (defect ? it.fails : it)(title, async () => {
            const got = await call(m.route, c, kind, fn, role);
            if (OBSERVE) (observed[`${m.route}${c.name ? ` (${c.name})` : ""} ${kind}`] ??= {})[role] = `${got.outcome} ${got.status}${got.location ? ` ${got.location}` : ""}`;
            expect(got.outcome, `${got.status}${got.location ? ` → ${got.location}` : ""}`).toBe(outcome);
            // Allowed in, but only to one's own place: nothing of the project of 青山村 in the answer.
            if (kind === "loader" && got.outcome === "allow" && c.outsiders?.includes(role)) {
              expect(mentions(got.text ?? ""), "the fixture project is outside this caller's scope").toEqual([]);
            }
          });
        }
      }
    }
  });
}

describe("the search for the project in scoped answers", () => {
  it("finds it where it belongs: the project lists of its committee and its supervisor", async () => {
    const { loader } = modules.find((m) => m.route === "projects._index")!;
    for (const role of ["committeeOwn", "supervisorOwn"] as const) {
      const got = await observe(await run(loader!, get("/projects", cookies[role]), ctx));
      expect(mentions(got.text ?? ""), role).not.toEqual([]);
    }
  });
});
