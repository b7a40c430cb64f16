// Nothing about an opened bid reaches anyone before the price reading (唱标):
// while the decryption window is open, two of three bidders have opened their
// bids (one above the ceiling), and the host, the township's supervisor and
// the county administrator look everywhere they may — the hall, the
// evaluation page and its files, the audit export, open data, the risk scan.
// None of it holds a price, a duration, a project manager, a bid file or the
// reason a bid is invalid. From the reading on, the same places show them
// (the positive control: the needles are findable where they belong).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitBid } from "~/models/bid.server";
import { decryptionMaterial, startDecryption, startReading, submitDataKey } from "~/models/opening.server";
import * as exportRoute from "~/routes/audit.export";
import * as evaluationFileRoute from "~/routes/evaluations.$id.files.$sha";
import * as evaluationRoute from "~/routes/evaluations.$id";
import * as hallRoute from "~/routes/notices.$id_.hall";
import * as openDataRoute from "~/routes/open-data.projects.$id[.json]";
import * as supervisionRoute from "~/routes/supervision._index";
import { schema, type MemberRole } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import type { Database } from "../../db/client";
import { cookieFor, DEMO, get, makeContext, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { unzip } from "../helpers/zip";
import { preparedBidder, S, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let tenderId: string;
let projectId: string;
let townshipId: string;
let host: { userId: string; role: MemberRole; ip: string };
let villageId: string;
const bidders: Bidder[] = [];

// Distinctive prices: the second is above the 200 000.00 ceiling, so it opens marked with a reason;
// the other three are valid, enough for the opening to reach its reading.
const PHONES = ["13900000010", "13900000014", "13900000011", "13900000013"];
const PRICES = [18_765_432, 20_123_457, 19_283_746, 18_543_219];
const PM_MARK = "项目经理";

function priceForms(fen: number): string[] {
  const yuan = `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, "0")}`;
  return [String(fen), yuan, formatFen(fen), formatFen(fen).replace("¥", ""), fen.toLocaleString("en-US")];
}
const OPENED = [PRICES[0], PRICES[1], PRICES[2]];
const needles = () => [...OPENED.flatMap(priceForms), "opening.reason.aboveCeiling", "技术标.pdf", `"durationDays":25`];

/** Everything each official can get, as one text to search (zip entries by name and content). */
async function everything(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const cookies = { host: await cookieFor(ctx, DEMO.committeeA1), supervisor: await cookieFor(ctx, DEMO.supervisorA), admin: await cookieFor(ctx, DEMO.countyAdmin) };
  for (const [who, cookie] of Object.entries(cookies)) {
    out[`${who} hall`] = JSON.stringify(unwrap(await run(hallRoute.loader, get(`/notices/${tenderId}/hall`, cookie), ctx, { id: tenderId })));
    const ev = unwrap(await run(evaluationRoute.loader, get(`/evaluations/${tenderId}`, cookie), ctx, { id: tenderId }));
    out[`${who} evaluation`] = JSON.stringify(ev);
    // Every file an opened bid holds: the evaluation's file route must not serve it.
    const [opened] = await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tenderId)).limit(1);
    for (const f of (opened?.files as { sha256: string }[] | null) ?? []) {
      const res = (await run(evaluationFileRoute.loader, get(`/evaluations/${tenderId}/files/${f.sha256}`, cookie), ctx, { id: tenderId, sha: f.sha256 })) as Response;
      out[`${who} file ${f.sha256}`] = String(res.status === 200 ? Buffer.from(await res.arrayBuffer()).toString("latin1") : res.status);
    }
  }
  for (const [who, cookie] of [
    ["supervisor", cookies.supervisor],
    ["admin", cookies.admin],
  ] as const) {
    for (const query of [`project=${projectId}`, `township=${townshipId}`]) {
      const res = (await run(exportRoute.loader, get(`/audit/export?${query}`, cookie), ctx)) as Response;
      expect(res.status, `${who} export ${query}`).toBe(200);
      const entries = await unzip(Buffer.from(await res.arrayBuffer()));
      out[`${who} export ${query}`] = [...entries].map(([name, bytes]) => `${name}\n${name.endsWith(".pdf") ? "" : bytes.toString("utf8")}`).join("\n");
    }
    out[`${who} supervision`] = JSON.stringify(unwrap(await run(supervisionRoute.loader, get("/supervision", cookie), ctx)));
  }
  const od = (await run(openDataRoute.loader, get(`/open-data/projects/${projectId}.json`), ctx, { id: projectId })) as Response;
  out["anyone open data"] = od instanceof Response ? await od.text() : JSON.stringify(od);
  return out;
}

function leaks(answers: Record<string, string>) {
  const found: string[] = [];
  for (const [where, text] of Object.entries(answers)) for (const n of needles()) if (text.includes(n)) found.push(`${where}: ${n}`);
  return found;
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  ctx.clock.set("2026-11-20T02:00:00Z");
  const kit = await tenderKit(database, ctx, "青山村");
  projectId = await kit.approvedProject("窗口期防泄露测试道路", 20_000_000);
  townshipId = kit.townshipId;
  villageId = kit.villageId;
  await kit.publish(projectId, tenderFields({ deadline: "2026-11-26T10:00", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
  const tender = await kit.tenderOf(projectId);
  tenderId = tender.id;
  for (const [i, phone] of PHONES.entries()) {
    const b = await preparedBidder(database, ctx, phone);
    await submitBid(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      actor: b.actor,
      companyId: b.companyId,
      tenderId,
      raw: submitInput(await sealBid(ctx, b, tenderId, { priceFen: PRICES[i], mark: `${PM_MARK}-${phone}` })),
    });
    bidders.push(b);
  }
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
  ctx.clock.set(tender.deadline);
  await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId });
  // Three of four open theirs; the last is still deciding — the moment a colluding host would like to tell them something.
  for (const b of bidders.slice(0, 3)) await decrypt(b);
  ctx.clock.advance(60_000);
}, 300_000);

async function decrypt(b: Bidder) {
  const m = (await decryptionMaterial(database.db, ctx.clock, b.companyId, tenderId))!;
  const key = await S.unwrapWithPrf(m.wraps.find((w) => w.credentialId === b.credentialId) as never, b.prf, { tenderId, submissionId: m.submissionId });
  await submitDataKey(database.db, { clock: ctx.clock, store: ctx.files, actor: b.actor, companyId: b.companyId, tenderId, rawKey: Buffer.from(key).toString("base64url") });
}

afterAll(async () => {
  await database?.close();
});

describe("during the decryption window", () => {
  it("the opened bids are really there (so the search below can find them)", async () => {
    const rows = await database.db.select().from(schema.bidOpenings).where(eq(schema.bidOpenings.tenderId, tenderId));
    expect(
      rows
        .filter((r) => r.priceFen !== null)
        .map((r) => r.priceFen)
        .sort(),
    ).toEqual([...OPENED].sort());
    expect(rows.some((r) => r.status === "decrypted" && r.reason?.includes("opening.reason.aboveCeiling"))).toBe(true);
  });

  it("no page, file, export, feed or scan shows anything of an opened bid", async () => {
    expect(leaks(await everything())).toEqual([]);
  });
});

describe("from the price reading on", () => {
  it("the same places show the opened bids", async () => {
    await decrypt(bidders[3]);
    await startReading(database.db, { clock: ctx.clock, actor: host, actingOrgId: villageId, tenderId });
    const answers = await everything();
    const found = leaks(answers);
    // The hall reads every price out, with the invalid bid's reason; the exports carry them as data.
    for (const where of ["host hall", "supervisor hall", "supervisor export project=", "admin export township="]) {
      const here = found.filter((f) => f.startsWith(where));
      expect(here.some((f) => f.endsWith(String(PRICES[0]))) || here.some((f) => f.includes(formatFen(PRICES[0]))), where).toBe(true);
    }
    expect(found.some((f) => f.startsWith("host hall") && f.endsWith("opening.reason.aboveCeiling"))).toBe(true);
    // The valid bid is on the evaluation page, with its file.
    expect(found.some((f) => f.startsWith("host evaluation") && f.includes(formatFen(PRICES[0])))).toBe(true);
    expect(found.some((f) => f.startsWith("supervisor export") && f.endsWith("技术标.pdf"))).toBe(true);
  });
});
