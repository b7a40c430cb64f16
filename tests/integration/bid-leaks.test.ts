// Sealed bids leak nothing before the deadline. Two companies bid on one tender
// (one replaces its bid) with distinctive prices and PDF text; then the whole
// database, every byte in the file store and every route loader's answer, as
// anonymous and as every demo role, is searched for them. Each role's answers
// must also be exactly what they were before the bids (so not even a count shows),
// a contractor sees only its own receipts (also after the deadline), the audit
// page holds bid rows back until the deadline, and other roles are refused the
// bid page and the seal endpoint.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getReceipt, ownBid, submitBid } from "~/models/bid.server";
import { fingerprintOf } from "~/models/risk-rules";
import { sessionIdFromToken } from "~/models/session.server";
import { sealedActShown, sealedActShownSql } from "~/models/reveal";
import * as auditRoute from "~/routes/audit";
import * as exportRoute from "~/routes/audit.export";
import * as bidRoute from "~/routes/notices.$id_.bid";
import * as sealRoute from "~/routes/notices.$id_.bid_.seal";
import * as flagRoute from "~/routes/supervision.flags_.$fingerprint";
import { schema } from "~/utils/db.server";
import { fenToYuanInput, formatFen } from "~/utils/money";
import { TUS_VERSION } from "~/utils/tus.server";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, demoCookies, get, makeContext, ORIGIN, post, run, unwrap, urlOf } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { preparedBidder, sealBid, steppedUp, submitInput, type Bidder, type SealedBid } from "../helpers/bids";
import { pdfBytes } from "../helpers/seal";
import { tenderFields, tenderKit } from "../helpers/tenders";
import { unzip } from "../helpers/zip";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
let cookies: Record<keyof typeof DEMO, string>;

// ── Bidders and their sealed bids (adapted from bids.test.ts) ───────────

const bidder = (phone: string) => preparedBidder(database, ctx, phone);

/** One bid as a company means it: what must stay secret, and what it is sealed into. */
interface Plain {
  priceFen: number;
  mark: string; // a distinctive string inside the PDF
  reference: string; // the bid security's bank reference, inside the manifest
}

interface PlainSealed extends SealedBid {
  plain: Plain;
}

async function sealFor(b: Bidder, tenderId: string, plain: Plain): Promise<PlainSealed> {
  return { plain, ...(await sealBid(ctx, b, tenderId, plain)) };
}

const input = (s: SealedBid) => submitInput(s);

// Company 10 bids, then replaces its bid; company 11 bids once.
const A1: Plain = { priceFen: 18_765_432, mark: "独特标记-青瓦白墙-90210", reference: "流水-A1-778899" };
const A2: Plain = { priceFen: 17_531_864, mark: "独特标记-马头墙-31415", reference: "流水-A2-665544" };
const B1: Plain = { priceFen: 19_283_746, mark: "独特标记-石板路-27182", reference: "流水-B1-112233" };

// ── Searching for secrets ───────────────────────────────────────────────

/** Every way a price could be written: fen digits, yuan, with thousands separators, as the app formats money. */
function priceForms(fen: number): string[] {
  const yuan = `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  return [String(fen), yuan, formatFen(fen), formatFen(fen).replace("¥", ""), fen.toLocaleString("en-US")];
}

/** What the bid's content is: none of it may be anywhere on the platform. */
const contentNeedles = (p: Plain) => [...priceForms(p.priceFen), p.mark, p.reference];
const ALL_CONTENT = [A1, A2, B1].flatMap(contentNeedles);

/** Which of the needles occur in the text or bytes. */
function found(haystack: string | Uint8Array, needles: string[]): string[] {
  if (typeof haystack === "string") return needles.filter((n) => haystack.includes(n));
  const bytes = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  return needles.filter((n) => bytes.includes(Buffer.from(n, "utf8")));
}

/** A value made JSON-safe: bytes as both hex and UTF-8, dates as ISO strings, bigints as digits. */
function plainValue(v: unknown): unknown {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return { hex: b.toString("hex"), utf8: b.toString("utf8") };
  }
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(plainValue);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x)]));
  return v;
}

// ── Every table, every stored file ──────────────────────────────────────

async function dumpDatabase() {
  const tables = await database.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
  );
  const parts: string[] = [];
  for (const { s, t } of tables) {
    const rows = await database.query(`SELECT * FROM "${s}"."${t}"`);
    parts.push(`== ${s}.${t}\n${JSON.stringify(plainValue(rows))}`);
  }
  return { tables: tables.map(({ s, t }) => `${s}.${t}`), text: parts.join("\n") };
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

// ── Every loader as every role ──────────────────────────────────────────

const ROUTES_DIR = path.resolve(__dirname, "../../app/routes");
const WHO = ["anonymous", ...(Object.keys(DEMO) as (keyof typeof DEMO)[])] as const;
type Who = (typeof WHO)[number];

const loaders: { route: string; loader: (args: never) => unknown }[] = [];

/** Sensible params for each route: the tender, its project, the bidders' files and uploads. Unknown params: none (skipped). */
function paramSets(route: string): Record<string, string>[] {
  const names = [...route.matchAll(/\$(\w+)/g)].map((m) => m[1]);
  if (names.length === 0) return [{}];
  const ciphertexts = bidsOf.all().map((s) => s.sealed.ciphertextHash);
  if (route === "notices.$id.files.$sha") return [tender.documentPdfSha256!, attachmentSha, ...ciphertexts].map((sha) => ({ id: tender.id, sha }));
  if (route.startsWith("notices.$id")) return [{ id: tender.id }];
  if (route === "projects.$id.files.$step") return [{ id: tender.projectId, step: "proposal" }];
  if (route.startsWith("projects.$id")) return [{ id: tender.projectId }];
  // Could a bid's ciphertext be fetched as a company file, by its own or another company?
  if (route === "companies.$id.files.$sha") return [a, b].flatMap((c) => ciphertexts.map((sha) => ({ id: c.companyId, sha })));
  if (route === "uploads.$id") return bidsOf.all().map((s) => ({ id: s.uploadId }));
  if (route === "panels.$id") return [{ id: tender.id }];
  // Could a bid's ciphertext be fetched as a file under evaluation, by anyone?
  if (route === "evaluations.$id.files.$sha") return [tender.documentPdfSha256!, attachmentSha, ...ciphertexts].map((sha) => ({ id: tender.id, sha }));
  if (route.startsWith("evaluations.$id")) return [{ id: tender.id }];
  // The open data (OCDS): the tender's project, and its county's feed.
  if (route.startsWith("open-data.projects.$id")) return [{ id: tender.projectId }];
  if (route.startsWith("open-data.county.$id")) return [{ id: countyId }];
  if (route === "archives.$id.$kind") return ["pdf", "zip"].map((kind) => ({ id: tender.projectId, kind }));
  // The flag this tender will have once its deadline passes with two bids (fewer than 3): before it, nobody may find it.
  if (route === "supervision.flags_.$fingerprint") return [{ fingerprint: fingerprintOf("few_bidders", [tender.id]) }];
  return [];
}

/** A live event stream never ends: take what it sends at once (the replay), then hang up. */
async function streamStart(res: Response): Promise<Buffer> {
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  for (;;) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 200))]);
    if (!next || next.done) break;
    chunks.push(Buffer.from(next.value));
  }
  await reader.cancel();
  return Buffer.concat(chunks);
}

/** What a loader answered, as text: the data, or a Response's status, headers and body (as UTF-8 and hex). */
async function answerText(result: unknown): Promise<string> {
  if (result instanceof Response) {
    const body = (result.headers.get("Content-Type") ?? "").startsWith("text/event-stream") ? await streamStart(result) : Buffer.from(await result.arrayBuffer());
    return JSON.stringify({ status: result.status, headers: Object.fromEntries(result.headers), body: body.toString("utf8"), hex: body.toString("hex") });
  }
  const { status, data } = unwrap(result);
  // The withdraw form's idempotency key is a fresh random UUID on every load.
  const { withdrawKey: _, ...rest } = (data ?? {}) as Record<string, unknown>;
  return JSON.stringify(plainValue({ status, data: data && typeof data === "object" ? rest : data }));
}

interface Answer {
  route: string;
  url: string;
  who: Who;
  text: string;
}

/** Call every loader, with every param set, as every role (or the ones given, with their cookies). */
async function sweep(roles: readonly Who[] = WHO, cookieOf: Partial<Record<Who, string>> = cookies): Promise<{ answers: Answer[]; skipped: string[] }> {
  const answers: Answer[] = [];
  const skipped: string[] = [];
  for (const { route, loader } of loaders) {
    const sets = paramSets(route);
    if (sets.length === 0) skipped.push(route);
    for (const params of sets) {
      const url = urlOf(route, params);
      for (const who of roles) {
        const request = get(url, who === "anonymous" ? undefined : cookieOf[who]);
        if (route.startsWith("uploads")) request.headers.set("Tus-Resumable", TUS_VERSION);
        let text: string;
        try {
          text = await answerText(await run(loader, request, ctx, params));
        } catch (e) {
          text = `threw: ${String(e)}`;
        }
        // A login redirect echoes the URL asked for; that is the asker's own knowledge, not the platform's answer.
        text = text.replaceAll(encodeURIComponent(url), "<url>").replaceAll(url, "<url>");
        answers.push({ route, url, who, text });
      }
    }
  }
  return { answers, skipped };
}

// ── The scenario ────────────────────────────────────────────────────────

let a: Bidder;
let b: Bidder;
let tender: typeof schema.tenders.$inferSelect;
let attachmentSha: string;
let countyId: string;
const bidsOf = {
  a: [] as PlainSealed[],
  b: [] as PlainSealed[],
  all: () => [...bidsOf.a, ...bidsOf.b],
};
const versionIds: { a: string[]; b: string[] } = { a: [], b: [] };
let bidIds: { a: string; b: string };
/** Answers before any bid (S0), after company 10's two (S1), after company 11's too (S2). */
let S0: Answer[];
let S1: Answer[];
let S2: Answer[];
let skippedRoutes: string[];

/** What identifies a company's bid (not its content): the other company and other roles must never see any of it. */
function handlesOf(side: "a" | "b"): string[] {
  return [
    ...bidsOf[side].flatMap((s) => [
      s.sealed.commitment,
      s.sealed.ciphertextHash,
      s.sealed.plaintextHash,
      s.submissionId,
      s.uploadId,
      // A run of ciphertext bytes, should the ciphertext itself be served.
      Buffer.from(s.sealed.ciphertext.subarray(40, 72)).toString("hex"),
      ...s.sealed.wraps.map((w) => w.wrapped),
    ]),
    ...versionIds[side],
    bidIds[side],
  ];
}

const BASE_TIME = "2026-11-20T02:00:00Z";

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  cookies = await demoCookies(ctx);
  a = await bidder(DEMO.contractor1);
  b = await bidder(DEMO.contractor2);

  const projectId = await kit.approvedProject("青瓦白墙立面改造", 20_000_000);
  const published = (await kit.publish(projectId, tenderFields({ deadline: "2026-12-01T09:30", bidSecurity: "3000" }), cookies.committeeA1)) as Response;
  expect(published.status).toBe(302);
  tender = await kit.tenderOf(projectId);
  countyId = await countyOf(projectId);
  [{ fileSha256: attachmentSha }] = await database.db.select().from(schema.tenderAttachments).where(eq(schema.tenderAttachments.tenderId, tender.id));

  // The browsers seal and upload first, so every answer below is asked with the same params.
  bidsOf.a.push(await sealFor(a, tender.id, A1), await sealFor(a, tender.id, A2));
  bidsOf.b.push(await sealFor(b, tender.id, B1));
  // Replacing needs a step-up (bid-proof.test.ts); the session is made before the first sweep, so its sign-in is in every snapshot.
  const proofA = await steppedUp(ctx, a);

  for (const f of readdirSync(ROUTES_DIR)
    .filter((n) => /\.tsx?$/.test(n))
    .sort()) {
    const mod = (await import(/* @vite-ignore */ path.join(ROUTES_DIR, f))) as { loader?: (args: never) => unknown };
    if (typeof mod.loader === "function") loaders.push({ route: f.replace(/\.tsx?$/, ""), loader: mod.loader });
  }

  // A first pass records what loaders record on a first visit (a contractor's first download), so S0 is stable.
  await sweep();
  ({ answers: S0, skipped: skippedRoutes } = await sweep());

  // Company 10 bids, and a minute later replaces its bid.
  await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: tender.id, raw: input(bidsOf.a[0]) });
  ctx.clock.advance(60_000);
  await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: a.actor, companyId: a.companyId, tenderId: tender.id, raw: input(bidsOf.a[1]), proof: proofA });
  ctx.clock.set(BASE_TIME);
  S1 = (await sweep()).answers;

  await submitBid(database.db, { clock: ctx.clock, store: ctx.files, actor: b.actor, companyId: b.companyId, tenderId: tender.id, raw: input(bidsOf.b[0]) });
  S2 = (await sweep()).answers;

  const ownA = (await ownBid(database.db, tender.id, a.companyId))!;
  const ownB = (await ownBid(database.db, tender.id, b.companyId))!;
  versionIds.a = ownA.receipts.map((r) => r.id);
  versionIds.b = ownB.receipts.map((r) => r.id);
  bidIds = { a: ownA.id, b: ownB.id };
}, 600_000);

afterAll(async () => {
  await database?.close();
});

describe("before the deadline, a sealed bid's content is nowhere on the platform", () => {
  it("is in no row of any table, while the bids themselves are", async () => {
    const dump = await dumpDatabase();
    expect(dump.tables).toEqual(expect.arrayContaining(["public.bids", "public.bid_versions", "public.bid_key_wraps", "public.audit_log", "public.files"]));
    // Positive controls: the dump reaches the bid tables, and the search finds a price or mark where it is written in plain.
    expect(found(dump.text, [bidsOf.a[0].sealed.commitment, bidsOf.b[0].sealed.ciphertextHash, bidsOf.a[1].sealed.wraps[0].wrapped])).toHaveLength(3);
    expect(found(pdfBytes(A1.mark), contentNeedles(A1))).toEqual([A1.mark]);
    const priceSheet = `投标报价 ${fenToYuanInput(A1.priceFen)} 元（${formatFen(A1.priceFen)}，即 ${A1.priceFen} 分）`;
    expect(found(priceSheet, priceForms(A1.priceFen))).toHaveLength(4); // all but the grouped fen digits

    expect(found(dump.text, ALL_CONTENT)).toEqual([]);
  });

  it("is in no byte of the file store, which holds exactly the ciphertext that was committed to", async () => {
    const dir = (ctx.files as unknown as { dir: string }).dir;
    const paths = walk(dir);
    expect(paths.some((p) => p.includes(`${path.sep}partial${path.sep}`))).toBe(true); // the walk reaches the upload area
    for (const s of bidsOf.all()) {
      const stored = paths.find((p) => path.basename(p) === s.sealed.ciphertextHash);
      expect(stored, `ciphertext ${s.plain.mark}`).toBeDefined();
      expect(Buffer.from(readFileSync(stored!)).equals(Buffer.from(s.sealed.ciphertext))).toBe(true);
    }
    const leaks = paths.flatMap((p) => found(readFileSync(p), ALL_CONTENT).map((n) => `${path.relative(dir, p)}: ${n}`));
    expect(leaks).toEqual([]);
  });
});

describe("every loader, as every role, before the deadline", () => {
  it("ran for enough routes, with every param filled", () => {
    const routes = [...new Set(S2.map((x) => x.route))];
    expect(routes.length, routes.join(", ")).toBeGreaterThanOrEqual(15);
    expect(routes).toEqual(expect.arrayContaining(["notices.$id", "notices.$id_.bid", "notices.$id.files.$sha", "projects.$id", "audit", "notifications", "dashboard"]));
    // What comes after the evaluation: publicity, the award, its notice and the draw's verify page.
    expect(routes).toEqual(expect.arrayContaining(["notices.$id_.publicity", "notices.$id_.award", "notices.$id.award-notice", "notices.$id_.draw"]));
    expect(skippedRoutes, "loaders whose params this test cannot fill").toEqual([]);
  });

  it("shows nobody a price, a file's content or a bank reference", () => {
    for (const snapshot of [S0, S1, S2]) {
      const leaks = snapshot.flatMap((x) => found(x.text, ALL_CONTENT).map((n) => `${x.who} ${x.url}: ${n}`));
      expect(leaks).toEqual([]);
    }
  });

  it("shows a contractor its own receipts only, and the other roles no bid at all", () => {
    const leaks: string[] = [];
    for (const x of S2) {
      const forbiddenHandles = x.who === "contractor1" ? handlesOf("b") : x.who === "contractor2" ? handlesOf("a") : [...handlesOf("a"), ...handlesOf("b")];
      for (const n of found(x.text, forbiddenHandles)) leaks.push(`${x.who} ${x.url}: ${n.slice(0, 16)}`);
      // The other company's name (or any bidder's, for a non-bidder) never appears next to this tender.
      const names = x.who === "contractor1" ? [b.companyName] : x.who === "contractor2" ? [a.companyName] : [a.companyName, b.companyName];
      if (found(x.text, [tender.id, tender.projectId, "青瓦白墙立面改造"]).length) for (const n of found(x.text, names)) leaks.push(`${x.who} ${x.url}: ${n}`);
    }
    expect(leaks).toEqual([]);

    // Positive control: each company's own bid page does carry its own receipts, so the search above can find them.
    const page = (who: Who) => S2.find((x) => x.who === who && x.route === "notices.$id_.bid")!.text;
    expect(found(page("contractor1"), [bidsOf.a[0].sealed.commitment, bidsOf.a[1].sealed.commitment, a.companyName])).toHaveLength(3);
    expect(found(page("contractor2"), [bidsOf.b[0].sealed.commitment, b.companyName])).toHaveLength(2);
  });

  it("answers everyone but the bidder exactly as before the bid — not even a count changes", () => {
    const key = (x: Answer) => `${x.who} ${x.url}`;
    const diff = (before: Answer[], after: Answer[], bidderRole: Who) => {
      const was = new Map(before.map((x) => [key(x), x.text]));
      return after.filter((x) => x.who !== bidderRole && was.get(key(x)) !== x.text).map(key);
    };
    expect(S1).toHaveLength(S0.length);
    expect(S2).toHaveLength(S1.length);
    expect(diff(S0, S1, "contractor1")).toEqual([]);
    expect(diff(S1, S2, "contractor2")).toEqual([]);
    // Positive control: the bidder's own bid page did change, so the comparison sees changes.
    expect(diff(S0, S1, "contractor2")).toContain(`contractor1 /notices/${tender.id}/bid`);
  });

  it("keeps bid acts off the audit page for the administrator and the township's supervisor", async () => {
    for (const who of ["countyAdmin", "supervisorA"] as const) {
      const { status, data } = unwrap(await run(auditRoute.loader, get("/audit", cookies[who]), ctx));
      expect(status, who).toBe(200);
      expect(
        data.rows.filter((r: { action: string }) => r.action.startsWith("bid.")),
        who,
      ).toEqual([]);
    }
    // Positive control: after the deadline the same page shows who bid, and the replacement.
    await afterDeadline(async () => {
      const { data } = unwrap(await run(auditRoute.loader, get("/audit", await cookieFor(ctx, DEMO.countyAdmin)), ctx));
      const bidRows = data.rows.filter((r: { action: string }) => r.action.startsWith("bid."));
      expect(bidRows.map((r: { action: string }) => r.action).sort()).toEqual(["bid.replace", "bid.submit", "bid.submit"]);
    });
  });

  it("keeps the audit page full: bid rows are not left out after the page size was applied", async () => {
    // Held-back rows must not shorten the page, or the number missing is the number of bid acts.
    const { data } = unwrap(await run(auditRoute.loader, get("/audit", cookies.countyAdmin), ctx));
    const [{ n }] = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE county_id = $1 AND summary->>'sealedTender' IS NULL`, [
      await countyOf(tender.projectId),
    ]);
    expect(n).toBeGreaterThan(50); // enough visible rows for a full first page
    expect(data.rows).toHaveLength(50);
  });
});

describe("the audit export (supervisor, county administrator)", () => {
  /** Both scopes of the export, as one text per viewer and scope: every path in the zip and every text file's content. */
  async function exports(cookieOf: (who: "countyAdmin" | "supervisorA") => Promise<string> | string) {
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, tender.projectId));
    const out: { where: string; paths: string[]; text: string; csv: string }[] = [];
    for (const who of ["countyAdmin", "supervisorA"] as const) {
      for (const query of [`project=${p.id}`, `township=${p.townshipId}`]) {
        const res = (await run(exportRoute.loader, get(`/audit/export?${query}`, await cookieOf(who)), ctx)) as Response;
        expect(res.status, `${who} ${query}`).toBe(200);
        const entries = await unzip(Buffer.from(await res.arrayBuffer()));
        const texts = [...entries].filter(([name]) => !/\.(pdf|sealed)$/.test(name)).map(([, bytes]) => bytes.toString("utf8"));
        out.push({ where: `${who} ${query}`, paths: [...entries.keys()], text: [...entries.keys(), ...texts].join("\n"), csv: entries.get("audit-trail.csv")!.toString("utf8") });
      }
    }
    return out;
  }
  const sealedActs = ["bid.submit", "bid.replace", "bid.withdraw", "bid.reseal", "tender.download", "tender.ask", "tender.register"];
  const actsIn = (csv: string) => sealedActs.filter((a) => csv.includes(`,${a},`));

  it("names no bidder of a tender still taking bids: no bid act, download or question, no sealed file, no handle", async () => {
    // The record holds such rows (the contractors downloaded the documents and bid), so leaving them out is a choice.
    const held = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, tender.id));
    expect(held.map((r) => r.action)).toEqual(expect.arrayContaining(["tender.download"]));
    for (const x of await exports((who) => cookies[who])) {
      expect(actsIn(x.csv), x.where).toEqual([]);
      expect(
        x.paths.filter((path) => path.includes("密封投标")),
        x.where,
      ).toEqual([]);
      expect(found(x.text, [...handlesOf("a"), ...handlesOf("b"), ...ALL_CONTENT]), x.where).toEqual([]);
      // The companies themselves are in the record (joining the township's pool is public); never with this tender.
      const lines = x.csv.split("\n").filter((l) => l.includes(tender.id) && (l.includes(a.companyId) || l.includes(b.companyId) || l.includes(a.userId) || l.includes(b.userId)));
      expect(lines, x.where).toEqual([]);
    }
  });

  it("holds them from the deadline on (positive control)", async () => {
    await afterDeadline(async () => {
      for (const x of await exports((who) => cookieFor(ctx, DEMO[who]))) {
        expect(actsIn(x.csv), x.where).toEqual(expect.arrayContaining(["bid.submit", "bid.replace", "tender.download"]));
        expect(x.paths.filter((path) => path.includes("密封投标")).length, x.where).toBe(3);
      }
    });
  });

  it("decides what is shown the same way in TypeScript and in SQL, on every audit row, before and after the deadline", async () => {
    for (const at of [new Date("2026-11-20T02:00:00Z"), new Date(tender.deadline.getTime() + 60_000)]) {
      const rows = await database.db
        .select({ id: schema.auditLog.id, summary: schema.auditLog.summary, shown: sealedActShownSql(schema.auditLog.summary, at) })
        .from(schema.auditLog);
      const deadlines = new Map((await database.db.select({ id: schema.tenders.id, deadline: schema.tenders.deadline }).from(schema.tenders)).map((t) => [t.id, t.deadline]));
      const sealed = rows.filter((r) => (r.summary as { sealedTender?: string } | null)?.sealedTender);
      expect(sealed.length).toBeGreaterThan(3);
      for (const r of rows) {
        const summary = r.summary as { sealedTender?: string } | null;
        expect(r.shown, `row ${r.id} at ${at.toISOString()}`).toBe(sealedActShown(summary, summary?.sealedTender ? deadlines.get(summary.sealedTender) : null, at));
      }
    }
  });
});

/** Run with the clock a minute past the tender's deadline, then put it back. */
async function afterDeadline(fn: () => Promise<void>) {
  ctx.clock.set(new Date(tender.deadline.getTime() + 60_000));
  try {
    await fn();
  } finally {
    ctx.clock.set(BASE_TIME);
  }
}

async function countyOf(projectId: string) {
  const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, projectId));
  return p.countyId;
}

describe("after the deadline", () => {
  it("lets the township's supervisor find the tender's risk flag (fewer than 3 bids) only then", async () => {
    const fingerprint = fingerprintOf("few_bidders", [tender.id]);
    const url = `/supervision/flags/${fingerprint}`;
    expect(((await run(flagRoute.loader, get(url, cookies.supervisorA), ctx, { fingerprint })) as Response).status).toBe(404);
    await afterDeadline(async () => {
      const res = unwrap(await run(flagRoute.loader, get(url, await cookieFor(ctx, DEMO.supervisorA)), ctx, { fingerprint }));
      expect(res.status).toBe(200);
      expect(res.data.flag).toMatchObject({ rule: "few_bidders", tenderId: tender.id });
    });
  });

  it("still shows a contractor only its own receipts, on every page", async () => {
    await afterDeadline(async () => {
      // Fresh sessions: the ones made at the start have expired by now.
      const cookie = await cookieFor(ctx, DEMO.contractor2);
      const res = unwrap(await run(bidRoute.loader, get(`/notices/${tender.id}/bid`, cookie), ctx, { id: tender.id }));
      expect(res.status).toBe(200);
      expect(res.data.open).toBe(false);
      expect(res.data.own.receipts.map((r: { commitment: string }) => r.commitment)).toEqual([bidsOf.b[0].sealed.commitment]);

      const { answers } = await sweep(["contractor2"], { contractor2: cookie });
      expect(answers.find((x) => x.route === "notices.$id_.bid")!.text).toContain(bidsOf.b[0].sealed.commitment); // the search can find a receipt
      const leaks = answers.flatMap((x) => found(x.text, [...handlesOf("a"), a.companyName, ...ALL_CONTENT]).map((n) => `${x.url}: ${n.slice(0, 16)}`));
      expect(leaks).toEqual([]);

      for (const id of versionIds.a) {
        expect(await getReceipt(database.db, b.companyId, id)).toBeNull();
        expect((await getReceipt(database.db, a.companyId, id))?.id).toBe(id); // the owner still gets it
      }
    });
  });
});

describe("roles other than a contractor", () => {
  const others = ["committeeA1", "committeeA2", "supervisorA", "countyAdmin", "expert1", "agentA", "agentVillageA1"] as const;

  async function versionCount() {
    return (await database.db.select().from(schema.bidVersions)).length;
  }

  it("are refused the bid page and its withdraw form; an anonymous visitor is sent to log in", async () => {
    const url = `/notices/${tender.id}/bid`;
    const anon = (await run(bidRoute.loader, get(url), ctx, { id: tender.id })) as Response;
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(url)}`);
    for (const who of others) {
      const res = (await run(bidRoute.loader, get(url, cookies[who]), ctx, { id: tender.id })) as Response;
      expect(res, who).toBeInstanceOf(Response);
      expect(res.status, who).toBe(403);
      expect(await res.json()).toEqual({ code: "forbidden", need: "contractor" });
      const withdraw = (await run(bidRoute.action, post(url, { intent: "withdraw", key: randomUUID() }, cookies[who]), ctx, { id: tender.id })) as Response;
      expect(withdraw.status, who).toBe(403);
    }
    expect((await ownBid(database.db, tender.id, a.companyId))?.status).toBe("sealed");
  });

  it("cannot post a sealed bid, even a well-formed one", async () => {
    const before = await versionCount();
    const s = await sealFor(a, tender.id, { priceFen: 16_000_000, mark: "越权投标", reference: "流水-X" });
    const body = JSON.stringify({ intent: "submit", ...input(s) });
    const url = `/notices/${tender.id}/bid/seal`;
    const request = (cookie?: string) =>
      new Request(new URL(url, ORIGIN), { method: "POST", body, headers: { "Content-Type": "application/json", Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) } });

    const anon = (await run(sealRoute.action, request(), ctx, { id: tender.id })) as Response;
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(url)}`);
    for (const who of others) {
      const res = (await run(sealRoute.action, request(cookies[who]), ctx, { id: tender.id })) as Response;
      expect(res.status, who).toBe(403);
    }
    expect(await versionCount()).toBe(before);
    // Positive control: the same post by the company's own contractor is taken (a replacement: its session proved a step-up).
    await database.db
      .update(schema.sessions)
      .set({ stepUpAt: ctx.clock.now() })
      .where(eq(schema.sessions.id, sessionIdFromToken(cookies.contractor1.slice(cookies.contractor1.indexOf("=") + 1))));
    const ok = (await run(sealRoute.action, request(cookies.contractor1), ctx, { id: tender.id })) as Response;
    expect(ok.status).toBe(200);
    expect(await versionCount()).toBe(before + 1);
  });
});
