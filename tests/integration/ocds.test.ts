// Open data (OCDS): projects driven through the models — one only published, with sealed
// bids and an amendment, then failed (流标) and re-tendered; one through publicity, the
// signed opening record, the award, the contract and completion. Every release package
// and record package is validated against the official OCDS schemas, and nothing is
// published before the public pages show it.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeAwardSignature, completeProject, decideAward, recordContract, requestAwardSignature } from "~/models/award.server";
import { submitBid } from "~/models/bid.server";
import { countyRecordPackage, projectReleasePackage, type OcdsRelease, type RecordPackage, type ReleasePackage } from "~/models/ocds.server";
import { completeRecordSignature, requestRecordSignature } from "~/models/opening-record.server";
import { retender, startDecryption } from "~/models/opening.server";
import { amendTender } from "~/models/tender-qa.server";
import { decideCancel, requestCancel } from "~/models/tender.server";
import { validateOcds } from "~/ocds/validate.server";
import * as countyRoute from "~/routes/open-data.county.$id[.json]";
import * as projectRoute from "~/routes/open-data.projects.$id[.json]";
import { schema, type MemberRole } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { beijingDay } from "~/utils/time";
import type { Database } from "../../db/client";
import type { SoftwarePasskey } from "~/demo/software-passkey.server";
import { cookieFor, DEMO, get, makeContext, ORIGIN, run } from "../helpers/app";
import { preparedBidder, sealBid, submitInput, type Bidder } from "../helpers/bids";
import { createTestDb } from "../helpers/db";
import { assertion, givePasskey, inPublicity } from "../helpers/evaluation";
import { tenderFields, tenderKit } from "../helpers/tenders";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let kit: Awaited<ReturnType<typeof tenderKit>>;
let countyId: string;
let host: { userId: string; role: MemberRole; ip: string };
let hostKey: SoftwarePasskey;

const PREFIX = "ocds-cyz000";

async function releasePackage(projectId: string): Promise<ReleasePackage> {
  const pkg = await projectReleasePackage(database.db, { clock: ctx.clock, projectId, origin: ORIGIN });
  expect(pkg, "release package").not.toBeNull();
  const v = validateOcds("releasePackage", pkg);
  expect(v.errors).toEqual([]);
  return pkg!;
}

async function recordPackage(query: Parameters<typeof countyRecordPackage>[1]["query"] = {}): Promise<RecordPackage> {
  const pkg = await countyRecordPackage(database.db, { clock: ctx.clock, countyId, origin: ORIGIN, query });
  expect(pkg, "record package").not.toBeNull();
  const v = validateOcds("recordPackage", pkg);
  expect(v.errors).toEqual([]);
  return pkg!;
}

/** Every way a price could be written: fen digits, yuan as OCDS writes it, as the app formats it. */
const priceForms = (fen: number) => [String(fen), JSON.stringify(fen / 100), formatFen(fen), formatFen(fen).replace("¥", "")];

const tags = (pkg: ReleasePackage, ocid?: string) => pkg.releases.filter((r) => !ocid || r.ocid === ocid).map((r) => r.tag.join("+"));
const last = (pkg: ReleasePackage) =>
  pkg.releases[pkg.releases.length - 1] as OcdsRelease & { buyer: any; tender: any; bids?: any; awards?: any[]; contracts?: any[]; parties: any[]; relatedProcesses?: any[] };

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  kit = await tenderKit(database, ctx);
  const [v] = await database.db.select().from(schema.orgs).where(eq(schema.orgs.id, kit.villageId));
  countyId = v.countyId!;
  const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
  host = { userId: u.id, role: "committee" as const, ip: "203.0.113.50" };
  hostKey = await givePasskey(database, ctx, host.userId, "村委会手机");
}, 120_000);
afterAll(async () => {
  await database?.close();
});

async function signRecord(tenderId: string) {
  const { requestId, options } = await requestRecordSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: host, actingOrgId: kit.villageId, tenderId });
  await completeRecordSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: host,
    actingOrgId: kit.villageId,
    tenderId,
    requestId,
    response: assertion(hostKey, options.challenge),
  });
}

describe("a project that is not public", () => {
  it("has no release package: a draft or approved project, an unknown id and a malformed one all answer 404", async () => {
    const approved = await kit.approvedProject("未发布的村道养护");
    expect(await projectReleasePackage(database.db, { clock: ctx.clock, projectId: approved, origin: ORIGIN })).toBeNull();
    for (const id of [approved, "00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const res = (await run(projectRoute.loader as never, get(`/open-data/projects/${id}.json`), ctx, { id })) as Response;
      expect(res.status, id).toBe(404);
    }
    // Nor does it appear in the county feed (which has nothing public yet at all).
    expect(await countyRecordPackage(database.db, { clock: ctx.clock, countyId, origin: ORIGIN })).toBeNull();
    expect(((await run(countyRoute.loader as never, get(`/open-data/county/${countyId}.json`), ctx, { id: countyId })) as Response).status).toBe(404);
  });
});

describe("a published tender with sealed bids, before and after its deadline", () => {
  let projectId: string;
  let tenderId: string;
  let bidders: Bidder[];
  const PRICES = [17_654_321, 18_765_432];
  let secrets: string[];

  beforeAll(async () => {
    ctx.clock.set("2026-11-20T02:00:00Z");
    projectId = await kit.approvedProject("青石板路修缮", 20_000_000);
    const published = (await kit.publish(projectId, tenderFields({ deadline: "2026-12-01T09:30", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
    expect(published.status).toBe(302);
    tenderId = (await kit.tenderOf(projectId)).id;
    bidders = [await preparedBidder(database, ctx, DEMO.contractor1), await preparedBidder(database, ctx, DEMO.contractor2)];
    for (const [i, b] of bidders.entries()) {
      await submitBid(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        actor: b.actor,
        companyId: b.companyId,
        tenderId,
        raw: submitInput(await sealBid(ctx, b, tenderId, { priceFen: PRICES[i], mark: `标记-${i}` })),
      });
    }
    const bidIds = (await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, tenderId))).map((b) => b.id);
    expect(bidIds).toHaveLength(2);
    secrets = [...bidders.map((b) => b.companyName), ...bidIds, ...PRICES.flatMap(priceForms)];
  }, 120_000);

  it("publishes the notice as one 'tender' release, with no bid, bidder or count in it", async () => {
    const pkg = await releasePackage(projectId);
    expect(pkg.uri).toBe(`${ORIGIN}/open-data/projects/${projectId}.json`);
    expect(pkg.version).toBe("1.1");
    expect(tags(pkg)).toEqual(["tender"]);
    const r = last(pkg);
    expect(r.ocid).toBe(`${PREFIX}-${projectId}`);
    expect(r.tender).toMatchObject({
      id: tenderId,
      status: "active",
      value: { amount: 200_000, currency: "CNY" },
      procurementMethod: "open",
      mainProcurementCategory: "works",
      awardCriteria: "priceOnly",
    });
    expect(r.tender.tenderPeriod.endDate).toBe("2026-12-01T01:30:00.000Z"); // 09:30 Beijing
    expect(r.buyer.name).toBe("青山村");
    expect(r.parties.map((p: { roles: string[] }) => p.roles)).toEqual([["buyer", "procuringEntity"], ["reviewBody"]]);
    expect(r.tender.documents.map((d: { documentType?: string }) => d.documentType)).toEqual(["tenderNotice", "biddingDocuments", "biddingDocuments"]);
    expect(r.bids).toBeUndefined();
    expect(r.tender.numberOfTenderers).toBeUndefined();
    expect(r.tender.tenderers).toBeUndefined();
    const text = JSON.stringify(pkg);
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
  });

  it("adds an amendment as a 'tenderAmendment' release and appears in the county feed, still without bids", async () => {
    ctx.clock.set("2026-11-21T02:00:00Z");
    await amendTender(database.db, {
      clock: ctx.clock,
      actor: host,
      tenderId,
      actingOrgId: kit.villageId,
      form: {
        title: "补充图纸",
        body: "增加排水沟大样图一张。",
        affectsPreparation: false,
        newDeadline: "2026-12-02T09:30",
      },
    });
    const pkg = await releasePackage(projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderAmendment"]);
    const r = last(pkg);
    expect(r.tender.tenderPeriod.endDate).toBe("2026-12-02T01:30:00.000Z");
    expect(r.tender.amendments).toEqual([expect.objectContaining({ id: "amendment-1", rationale: "补充图纸", description: "增加排水沟大样图一张。" })]);
    // The first release still says what was true then.
    expect((pkg.releases[0] as any).tender.tenderPeriod.endDate).toBe("2026-12-01T01:30:00.000Z");

    const feed = await recordPackage();
    const rec = feed.records.find((x) => x.ocid === r.ocid)!;
    expect(rec.releases.map((x) => x.url)).toEqual(pkg.releases.map((x) => `${pkg.uri}#${x.id}`));
    expect(rec.compiledRelease).toEqual({ ...r, id: `${r.ocid}-${r.date}`, tag: ["compiled"] });
    expect(feed.packages).toContain(pkg.uri);
    const text = JSON.stringify([pkg, feed]);
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
  });

  it("shows nothing about the bids after the deadline either, until the opening record is public; a failed opening is 'unsuccessful'", async () => {
    const tender = await kit.tenderOf(projectId);
    ctx.clock.set(new Date(tender.deadline.getTime() + 60_000));
    expect(JSON.stringify(await releasePackage(projectId))).not.toContain(bidders[0].companyName);

    // Two bids are fewer than the county's three: the opening fails (流标) at once.
    expect(await startDecryption(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId })).toEqual({ failed: true });
    let pkg = await releasePackage(projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderAmendment", "tenderUpdate"]);
    expect(last(pkg).tender.status).toBe("unsuccessful");
    expect(last(pkg).bids).toBeUndefined();
    expect(secrets.filter((s) => JSON.stringify(pkg).includes(s))).toEqual([]);

    // The signed record names the bidders (never decrypted: no prices).
    ctx.clock.advance(10 * 60_000);
    await signRecord(tenderId);
    pkg = await releasePackage(projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderAmendment", "tenderUpdate", "tenderUpdate"]);
    const r = last(pkg);
    expect(r.tender.numberOfTenderers).toBe(2);
    expect(r.bids.statistics).toEqual(expect.arrayContaining([{ id: "bids", measure: "bids", value: 2 }]));
    expect(r.bids.details.map((d: { tenderers: { name: string }[] }) => d.tenderers[0].name).sort()).toEqual(bidders.map((b) => b.companyName).sort());
    expect(r.bids.details.every((d: { value?: unknown; status: string }) => d.value === undefined && d.status === "pending")).toBe(true);
    expect(r.parties.filter((p: { roles: string[] }) => p.roles.includes("tenderer")).every((p: { identifier: { scheme: string } }) => p.identifier.scheme === "CN-USCI")).toBe(
      true,
    );
    const text = JSON.stringify(pkg);
    expect(PRICES.flatMap(priceForms).filter((s) => text.includes(s))).toEqual([]);
  });

  it("makes a new round a new contracting process that points back to the failed one", async () => {
    await retender(database.db, { clock: ctx.clock, actor: host, villageId: kit.villageId, projectId });
    // Re-tendering in preparation: the first round stays published, nothing of the second shows.
    expect(new Set((await releasePackage(projectId)).releases.map((r) => r.ocid))).toEqual(new Set([`${PREFIX}-${projectId}`]));
    const published = (await kit.publish(projectId, tenderFields({ deadline: "2026-12-20T09:30", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
    expect(published.status).toBe(302);
    const pkg = await releasePackage(projectId);
    const second = `${PREFIX}-${projectId}-2`;
    expect(tags(pkg, second)).toEqual(["tender"]);
    const r = last(pkg);
    expect(r.ocid).toBe(second);
    expect(r.relatedProcesses).toEqual([expect.objectContaining({ relationship: ["unsuccessfulProcess"], scheme: "ocid", identifier: `${PREFIX}-${projectId}` })]);
    expect(r.bids).toBeUndefined();
    const feed = await recordPackage();
    expect(feed.records.map((x) => x.ocid)).toEqual(expect.arrayContaining([`${PREFIX}-${projectId}`, second]));
  });
});

describe("a project from publicity to completion", () => {
  let p: Awaited<ReturnType<typeof inPublicity>>;
  let candidates: string[];
  let outsider: Bidder;

  beforeAll(async () => {
    // Four bidders: three become candidates, the fourth is named only by the opening record.
    p = await inPublicity(database, ctx, "村文化广场铺装", { phones: ["13900000010", "13900000011", "13900000013", "13900000014"] });
    candidates = p.publicity.candidates;
    const bidRows = await database.db.select().from(schema.bids).where(eq(schema.bids.tenderId, p.tenderId));
    const outsiderBid = bidRows.find((b) => !candidates.includes(b.id))!;
    outsider = p.bidders.find((b) => b.companyId === outsiderBid.companyId)!;
  }, 300_000);

  it("shows the candidates from the publicity on — and not the fourth bidder before the opening record is public", async () => {
    const pkg = await releasePackage(p.projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderUpdate"]);
    const r = last(pkg);
    expect(r.bids.details.map((d: { id: string }) => d.id).sort()).toEqual([...candidates].sort());
    expect(r.bids.details.map((d: { rank: number }) => d.rank).sort()).toEqual([1, 2, 3]);
    expect(r.bids.details.every((d: { status: string; value: { currency: string } }) => d.status === "valid" && d.value.currency === "CNY")).toBe(true);
    expect(r.bids.statistics).toEqual([
      { id: "validBids", measure: "validBids", value: 4 },
      { id: "disqualifiedBids", measure: "disqualifiedBids", value: 0 },
    ]);
    expect(r.tender.numberOfTenderers).toBeUndefined();
    const text = JSON.stringify(pkg);
    expect(text).not.toContain(outsider.companyName);
    expect(text).not.toContain(outsider.companyId);
  });

  it("adds every bid, with prices and the opening's statistics, once the host has signed the opening record", async () => {
    await signRecord(p.tenderId);
    const pkg = await releasePackage(p.projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderUpdate", "tenderUpdate"]);
    const r = last(pkg);
    expect(r.bids.details).toHaveLength(4);
    const o = r.bids.details.find((d: { tenderers: { name: string }[] }) => d.tenderers[0].name === outsider.companyName);
    expect(o).toMatchObject({ status: "valid", hasRank: false, value: { currency: "CNY" } });
    const measures = Object.fromEntries(r.bids.statistics.map((s: { measure: string; value: number }) => [s.measure, s.value]));
    expect(measures).toMatchObject({ bids: 4, bidders: 4, electronicBids: 4, validBids: 4, lowestValidBidValue: 180_000, highestValidBidValue: 183_000 });
    expect(r.tender.numberOfTenderers).toBe(4);
  });

  it("follows the award, the contract and completion with their own releases, settlement as the final value", async () => {
    ctx.clock.set(new Date(p.publicity.endsAt.getTime() + 60_000));
    await decideAward(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId: p.tenderId, input: {} });
    const { requestId, options } = await requestAwardSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      actor: host,
      actingOrgId: kit.villageId,
      tenderId: p.tenderId,
    });
    await completeAwardSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      actor: host,
      actingOrgId: kit.villageId,
      tenderId: p.tenderId,
      requestId,
      response: assertion(hostKey, options.challenge),
    });
    let pkg = await releasePackage(p.projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderUpdate", "tenderUpdate", "award"]);
    let r = last(pkg);
    const [award] = await database.db.select().from(schema.awards).where(eq(schema.awards.tenderId, p.tenderId));
    expect(r.tender.status).toBe("complete");
    expect(r.awards).toEqual([
      expect.objectContaining({
        id: "award-1",
        status: "active",
        value: { amount: award.priceFen / 100, currency: "CNY" },
        relatedBids: [candidates[0]],
        date: award.signedAt!.toISOString(),
      }),
    ]);
    const supplier = r.parties.find((x: { roles: string[] }) => x.roles.includes("supplier"));
    expect(r.awards![0].suppliers).toEqual([{ id: supplier.id, name: supplier.name }]);
    expect(supplier.id).toMatch(/^CN-USCI-/);
    expect(r.awards![0].documents[0]).toMatchObject({ documentType: "awardNotice", url: `${ORIGIN}/notices/${p.tenderId}/award-notice` });

    const contractDay = beijingDay(ctx.clock.now());
    ctx.clock.advance(3600_000);
    await recordContract(database.db, { clock: ctx.clock, actor: host, actingOrgId: kit.villageId, tenderId: p.tenderId, day: contractDay });
    ctx.clock.advance(20 * 24 * 3600_000);
    const acceptanceDay = beijingDay(ctx.clock.now());
    await completeProject(database.db, {
      clock: ctx.clock,
      actor: host,
      actingOrgId: kit.villageId,
      tenderId: p.tenderId,
      input: { acceptanceDate: acceptanceDay, settlementFen: 17_950_050 },
    });

    pkg = await releasePackage(p.projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderUpdate", "tenderUpdate", "award", "contract", "implementation+contractTermination"]);
    const contractRelease = pkg.releases[4] as any;
    expect(contractRelease.contracts).toEqual([expect.objectContaining({ id: "contract-1", awardID: "award-1", status: "active", dateSigned: `${contractDay}T00:00:00+08:00` })]);
    expect(contractRelease.contracts[0].implementation).toBeUndefined();
    r = last(pkg);
    expect(r.contracts![0]).toMatchObject({
      status: "terminated",
      value: { amount: award.priceFen / 100, currency: "CNY" },
      implementation: {
        endDate: `${acceptanceDay}T00:00:00+08:00`,
        finalValue: { amount: 179_500.5, currency: "CNY" },
        milestones: [{ id: "acceptance", type: "delivery", status: "met", dateMet: `${acceptanceDay}T00:00:00+08:00` }],
      },
    });
    expect(JSON.stringify(r)).toContain('"finalValue":{"amount":179500.5,"currency":"CNY"}');
    expect(pkg.publishedDate).toBe(r.date);
  });

  it("serves both as public JSON through the routes, cacheable for five minutes", async () => {
    const res = (await run(projectRoute.loader as never, get(`/open-data/projects/${p.projectId}.json`), ctx, { id: p.projectId })) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    const body = await res.json();
    expect(validateOcds("releasePackage", body).errors).toEqual([]);
    expect(body.releases[0].ocid).toBe(`${ctx.env.OCDS_PREFIX}-${p.projectId}`);

    const feed = (await run(countyRoute.loader as never, get(`/open-data/county/${countyId}.json?pageSize=2`), ctx, { id: countyId })) as Response;
    expect(feed.status).toBe(200);
    expect(feed.headers.get("Cache-Control")).toBe("public, max-age=300");
    const json = await feed.json();
    expect(validateOcds("recordPackage", json).errors).toEqual([]);
    expect(json.links.next).toBe(`${ORIGIN}/open-data/county/${countyId}.json?pageSize=2&page=2`);

    for (const bad of ["?page=0x1", "?pageSize=-3", "?since=yesterday"]) {
      const r = (await run(countyRoute.loader as never, get(`/open-data/county/${countyId}.json${bad}`), ctx, { id: countyId })) as Response;
      expect(r.status, bad).toBe(400);
    }
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(((await run(countyRoute.loader as never, get(`/open-data/county/${unknown}.json`), ctx, { id: unknown })) as Response).status).toBe(404);
  });

  it("pages the county feed with links.next, every page a valid record package, and resumes from `since`", async () => {
    const seen: string[] = [];
    let page = await recordPackage({ pageSize: 1 });
    for (let n = 1; ; n++) {
      expect(page.records).toHaveLength(1);
      seen.push(page.records[0].ocid);
      if (!page.links?.next) break;
      expect(page.links.next).toContain(`page=${n + 1}`);
      page = await recordPackage({ pageSize: 1, page: n + 1 });
    }
    expect(seen).toHaveLength(3); // the failed round, the re-tender, the completed project
    expect(new Set(seen).size).toBe(3);
    const whole = await recordPackage();
    expect(whole.records.map((x) => x.ocid)).toEqual(seen);
    // Oldest change first; `since` the last change keeps only what changed then or later.
    const changed = whole.records.map((x) => x.compiledRelease.date);
    expect([...changed].sort()).toEqual(changed);
    const resumed = await recordPackage({ since: new Date(changed[2]) });
    expect(resumed.records.map((x) => x.ocid)).toEqual([seen[2]]);
    expect(await countyRecordPackage(database.db, { clock: ctx.clock, countyId, origin: ORIGIN, query: { since: new Date(ctx.clock.now().getTime() + 1) } })).toBeNull();
    expect(await countyRecordPackage(database.db, { clock: ctx.clock, countyId, origin: ORIGIN, query: { page: 9 } })).toBeNull();
    const completed = whole.records.find((x) => x.ocid === `${PREFIX}-${p.projectId}`)!;
    expect(completed.compiledRelease.tag).toEqual(["compiled"]);
    expect((completed.compiledRelease as any).contracts[0].status).toBe("terminated");
    expect(completed.releases.map((x) => x.tag.join("+"))).toEqual(["tender", "tenderUpdate", "tenderUpdate", "award", "contract", "implementation+contractTermination"]);
  });
});

describe("a cancelled tender", () => {
  it("ends its process with a 'tenderCancellation' release carrying the reason", async () => {
    ctx.clock.set("2026-12-25T02:00:00Z");
    const projectId = await kit.approvedProject("村口路灯更换", 20_000_000);
    const published = (await kit.publish(projectId, tenderFields({ deadline: "2027-01-05T09:30", bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1))) as Response;
    expect(published.status).toBe(302);
    ctx.clock.advance(3600_000);
    await requestCancel(database.db, { clock: ctx.clock, actor: host, projectId, villageId: kit.villageId, reason: "上级补助资金未到位，暂缓实施。" });
    // Requested is not decided: nothing to publish yet.
    expect(tags(await releasePackage(projectId))).toEqual(["tender"]);
    ctx.clock.advance(3600_000);
    await decideCancel(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "supervisor" as const, ip: "203.0.113.8" },
      projectId,
      townshipId: kit.townshipId,
      approve: true,
      note: "同意撤销。",
    });
    const pkg = await releasePackage(projectId);
    expect(tags(pkg)).toEqual(["tender", "tenderCancellation"]);
    const r = last(pkg);
    expect(r.date).toBe(ctx.clock.now().toISOString());
    expect(r.tender.status).toBe("cancelled");
    expect(r.tender.documents).toContainEqual(expect.objectContaining({ documentType: "cancellationDetails", description: "上级补助资金未到位，暂缓实施。" }));
    const feed = await recordPackage({ since: new Date(r.date) });
    expect(feed.records.map((x) => x.ocid)).toEqual([r.ocid]);
  });
});
