// Candidate publicity (公示), objections (异议), complaints (投诉), the award (定标) and
// close-out, and the draw's verify page — through the route loaders and actions, on a
// tender (random draw) whose evaluation report has just been signed by the whole panel.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPdf } from "../../signing/pades";
import { getCountySettings, updateCountySettings } from "~/models/county-settings.server";
import { platformAuthority } from "~/models/signature.server";
import * as awardRoute from "~/routes/notices.$id_.award";
import * as signRoute from "~/routes/notices.$id_.award_.sign";
import * as awardNoticeRoute from "~/routes/notices.$id.award-notice";
import * as drawRoute from "~/routes/notices.$id_.draw";
import * as noticeRoute from "~/routes/notices.$id";
import * as publicityRoute from "~/routes/notices.$id_.publicity";
import { schema } from "~/utils/db.server";
import { beijingDay } from "~/utils/time";
import type { Database } from "../../db/client";
import type { SoftwarePasskey } from "~/demo/software-passkey.server";
import { cookieFor, DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { assertion, givePasskey, inPublicity } from "../helpers/evaluation";
import { HAVE_PDF_TOOLS, pdfsig, qpdfCheck } from "../helpers/pdf-tools";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let p: Awaited<ReturnType<typeof inPublicity>>;
let id: string;
let hostKey: SoftwarePasskey;

const NON_BIDDER = "13900000012"; // a contractor of the township's pool that did not bid
const as = (phone: string) => cookieFor(ctx, phone);
const url = (sub = "") => `/notices/${id}${sub}`;

async function load(route: { loader: (args: never) => unknown }, path: string, phone?: string) {
  return unwrap(await run(route.loader as never, get(path, phone ? await as(phone) : undefined), ctx, { id }));
}
async function act(route: { action: (args: never) => unknown }, path: string, phone: string, fields: Record<string, string>) {
  return unwrap(await run(route.action as never, post(path, fields, await as(phone)), ctx, { id }));
}
async function sign(phone: string, body: unknown) {
  const request = new Request(new URL(url("/award/sign"), ORIGIN), {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Origin: ORIGIN, Cookie: await as(phone) },
  });
  return (await run(signRoute.action as never, request, ctx, { id })) as Response;
}
const projectState = async () => (await database.db.select().from(schema.projects).where(eq(schema.projects.id, p.projectId)))[0].state;
const count = async (table: typeof schema.objections | typeof schema.complaints) => (await database.db.select().from(table).where(eq(table.tenderId, id))).length;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  p = await inPublicity(database, ctx, "村口公厕改造", { fields: { evaluationMethod: "random_draw" } });
  id = p.tenderId;
  hostKey = await givePasskey(database, ctx, p.host.userId, "村委会手机");
}, 120_000);
afterAll(async () => {
  await database?.close();
});

describe("the publicity page", () => {
  it("shows anyone the candidates, the period and the panel, with no forms", async () => {
    const { status, data } = await load(publicityRoute, url("/publicity"));
    expect(status).toBe(200);
    expect(data.candidates).toHaveLength(3);
    expect(data.candidates.map((c: { place: number }) => c.place)).toEqual([1, 2, 3]);
    expect(data.candidates[0].price).toMatch(/^¥/);
    expect(data.panel.sort()).toEqual(p.experts.map((e) => e.name).sort());
    expect(data.period.running).toBe(true);
    expect(data.viewer).toMatchObject({ loggedIn: false, bidder: false, canObject: false, canComplain: false, host: false });
    expect(data.objections).toEqual([]);
    const missing = (await run(publicityRoute.loader as never, get("/notices/00000000-0000-0000-0000-000000000000/publicity"), ctx, {
      id: "00000000-0000-0000-0000-000000000000",
    })) as Response;
    expect(missing.status).toBe(404);
  });

  it("lets a bidder object; a contractor that did not bid and other roles are refused", async () => {
    const bidder = p.bidders[0];
    const seen = (await load(publicityRoute, url("/publicity"), bidder.phone)).data;
    expect(seen.viewer).toMatchObject({ bidder: true, canObject: true, canComplain: true });

    const refused = await act(publicityRoute, url("/publicity"), NON_BIDDER, { intent: "object", body: "评标结果有误，请复核报价。" });
    expect(refused.status).toBe(403);
    expect(refused.data.errors.form).toBe("errors.publicity.notBidder");
    expect((await act(publicityRoute, url("/publicity"), DEMO.committeeA1, { intent: "object", body: "评标结果有误，请复核报价。" })).status).toBe(403);
    expect((await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "complain", body: "评标结果有误，请复核报价。" })).status).toBe(403);
    expect(await count(schema.objections)).toBe(0);

    const tooShort = await act(publicityRoute, url("/publicity"), bidder.phone, { intent: "object", body: "有" });
    expect(tooShort.status).toBe(400);
    const filed = await act(publicityRoute, url("/publicity"), bidder.phone, { intent: "object", body: "第一名的项目经理另有在建项目，请复核。" });
    expect(filed).toMatchObject({ status: 200, data: { done: "object" } });

    const own = (await load(publicityRoute, url("/publicity"), bidder.phone)).data;
    expect(own.objections).toHaveLength(1);
    expect(own.objections[0]).toMatchObject({ state: "open", body: "第一名的项目经理另有在建项目，请复核。", company: null, overdue: false });
    // Another bidder and the public do not see it.
    expect((await load(publicityRoute, url("/publicity"), p.bidders[1].phone)).data.objections).toEqual([]);
    expect((await load(publicityRoute, url("/publicity"))).data.objections).toEqual([]);
  });

  it("holds the award back during publicity and while an objection is open", async () => {
    const during = await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "decide" });
    expect(during.status).toBe(409);
    expect(during.data.errors.form).toBe("award.blocked.publicity");
    const page = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(page.blockers).toEqual(["award.blocked.publicity", "award.blocked.objections"]);
    expect(page.mayDecide).toBe(false);

    ctx.clock.set(new Date(p.publicity.endsAt.getTime() + 24 * 3600 * 1000));
    const afterEnd = await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "decide" });
    expect(afterEnd.status).toBe(409);
    expect(afterEnd.data.errors.form).toBe("award.blocked.objections");
    // Publicity is over: no new objections.
    expect((await load(publicityRoute, url("/publicity"), p.bidders[1].phone)).data.viewer.canObject).toBe(false);
    const late = await act(publicityRoute, url("/publicity"), p.bidders[1].phone, { intent: "object", body: "公示期满后提出的异议。" });
    expect(late.data.errors.form).toBe("errors.publicity.closed");
  });

  it("lets the host answer, marked overdue when late; another village is refused", async () => {
    const hostView = (await load(publicityRoute, url("/publicity"), DEMO.committeeA1)).data;
    expect(hostView.viewer.host).toBe(true);
    const [o] = hostView.objections;
    expect(o.company).toBe(p.bidders[0].companyName);
    expect(o.overdue).toBe(true); // a day after publicity (3 days) ended, the answer (due 3 days after filing) is late

    const other = await act(publicityRoute, url("/publicity"), DEMO.committeeA2, { intent: "answer", objectionId: o.id, answer: "经核实，项目经理无在建项目。" });
    expect(other.status).toBe(403);
    expect((await act(publicityRoute, url("/publicity"), p.bidders[1].phone, { intent: "answer", objectionId: o.id, answer: "经核实，项目经理无在建项目。" })).status).toBe(403);
    const answered = await act(publicityRoute, url("/publicity"), DEMO.committeeA1, { intent: "answer", objectionId: o.id, answer: "经核实，项目经理无在建项目。" });
    expect(answered).toMatchObject({ status: 200, data: { done: "answer" } });

    const seen = (await load(publicityRoute, url("/publicity"), p.bidders[0].phone)).data.objections[0];
    expect(seen).toMatchObject({ state: "answered", answer: "经核实，项目经理无在建项目。", overdue: false });
    expect((await load(awardRoute, url("/award"), DEMO.committeeA1)).data.blockers).toEqual([]);
  });
});

describe("complaints", () => {
  it("go to the township's supervisor, who accepts and dismisses; another township's is refused", async () => {
    const filed = await act(publicityRoute, url("/publicity"), p.bidders[1].phone, { intent: "complain", body: "对异议答复不满意，请监管部门核查。" });
    expect(filed).toMatchObject({ status: 200, data: { done: "complain" } });
    const sup = (await load(publicityRoute, url("/publicity"), DEMO.supervisorA)).data;
    expect(sup.viewer).toMatchObject({ supervisor: true, handlesComplaints: true });
    const [c] = sup.complaints;
    expect(c).toMatchObject({ state: "filed", company: p.bidders[1].companyName, body: "对异议答复不满意，请监管部门核查。", overdue: false });
    expect(c.acceptDueAt).toMatch(/^\d{4}-\d{2}-\d{2} /);

    expect((await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "decide" })).data.errors.form).toBe("award.blocked.complaints");
    const otherTownship = await act(publicityRoute, url("/publicity"), DEMO.supervisorB, { intent: "accept", complaintId: c.id });
    expect(otherTownship.status).toBe(403);
    expect((await act(publicityRoute, url("/publicity"), DEMO.committeeA1, { intent: "accept", complaintId: c.id })).status).toBe(403);
    expect((await database.db.select().from(schema.complaints).where(eq(schema.complaints.id, c.id)))[0].state).toBe("filed");

    expect(await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "accept", complaintId: c.id })).toMatchObject({ status: 200, data: { done: "accept" } });
    const accepted = (await load(publicityRoute, url("/publicity"), DEMO.supervisorA)).data.complaints[0];
    expect(accepted.state).toBe("accepted");
    expect(accepted.decideDueAt).toMatch(/^\d{4}-\d{2}-\d{2} /);
    expect((await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "dismiss", complaintId: c.id, outcome: "" })).status).toBe(400);
    expect(await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "dismiss", complaintId: c.id, outcome: "经核查，评标程序合法，投诉不成立。" })).toMatchObject({
      status: 200,
      data: { done: "dismiss" },
    });

    // The outcome is public; the complaint's text and the complainant are not.
    const pub = (await load(publicityRoute, url("/publicity"))).data.complaints;
    expect(pub).toEqual([expect.objectContaining({ state: "dismissed", outcome: "经核查，评标程序合法，投诉不成立。", body: null, company: null })]);
    expect(await projectState()).toBe("publicity");
  });
});

describe("the award", () => {
  it("is for the host and the township's supervisors only", async () => {
    for (const phone of [DEMO.committeeA2, DEMO.supervisorB, DEMO.contractor1, DEMO.expert1]) {
      expect(((await run(awardRoute.loader as never, get(url("/award"), await as(phone)), ctx, { id })) as Response).status, phone).toBe(403);
    }
    const anon = (await run(awardRoute.loader as never, get(url("/award")), ctx, { id })) as Response;
    expect(anon.status).toBe(302);
    const sup = (await load(awardRoute, url("/award"), DEMO.supervisorA)).data;
    expect(sup.role).toMatchObject({ host: false, approver: true });
    expect((await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "decide" })).status).toBe(403);
    expect(((await run(awardRoute.action as never, post(url("/award"), { intent: "decide" }, await as(DEMO.contractor1)), ctx, { id })) as Response).status).toBe(403);
    expect(await database.db.select().from(schema.awards).where(eq(schema.awards.tenderId, id))).toEqual([]);
  });

  it("goes to the first candidate; another candidate is refused without 评定分离", async () => {
    const page = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(page).toMatchObject({ separate: false, mayDecide: true, blockers: [], award: null, hasPasskey: true });
    const second = page.candidates[1];
    const other = await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "choose", winner: second.bidId, reasons: "第二名施工方案更合理，工期更有保障。" });
    expect(other.status).toBe(400);
    expect(other.data.errors.winner).toBe("errors.award.firstOnly");

    expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "decide" })).toMatchObject({ status: 200, data: { done: "decide" } });
    const after = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(after.award).toMatchObject({ state: "approved", winner: page.candidates[0].company, price: page.candidates[0].price });
    expect(after.mayDecide).toBe(false);
    // Nothing to approve: the first candidate needs no approval.
    expect((await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "approve", note: "" })).data.errors.form).toBe("errors.award.notPending");
  });

  it("is signed by the committee's passkey through the sign endpoint, and the notice is then public and valid", async () => {
    expect(((await run(awardNoticeRoute.loader as never, get(url("/award-notice")), ctx, { id })) as Response).status).toBe(404);
    // Another village's committee and a bidder are refused.
    expect((await sign(DEMO.committeeA2, { step: "options" })).status).toBe(403);
    expect((await sign(DEMO.contractor1, { step: "options" })).status).toBe(403);
    expect((await sign(DEMO.committeeA1, { step: "nonsense" })).status).toBe(400);

    const options = await sign(DEMO.committeeA1, { step: "options" });
    expect(options.status).toBe(200);
    const { requestId, options: o } = (await options.json()) as { requestId: string; options: { challenge: string; allowCredentials: { id: string }[] } };
    // Every passkey the committee member holds may approve (the demo gives officials one; the test added another).
    const [member] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.committeeA1));
    const held = (await database.db.select().from(schema.passkeys).where(eq(schema.passkeys.userId, member.id))).map((p) => p.id);
    expect(o.allowCredentials.map((c) => c.id).sort()).toEqual(held.sort());
    expect(held).toContain(hostKey.credentialId);
    const done = await sign(DEMO.committeeA1, { step: "verify", requestId, response: assertion(hostKey, o.challenge) });
    expect(done.status).toBe(200);
    const { sha256 } = (await done.json()) as { sha256: string };
    expect(await projectState()).toBe("awarded");

    const res = (await run(awardNoticeRoute.loader as never, get(url("/award-notice")), ctx, { id })) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.headers.get("ETag")).toBe(`"${sha256}"`);
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
    const { ca } = await platformAuthority(database.db, ctx.clock);
    const [report, stamp] = await verifyPdf(pdf, { caCertPem: ca.certPem });
    expect(report).toMatchObject({ kind: "signature", digestOk: true, signatureOk: true, chainOk: true, unchangedAfterSigning: true, revoked: false });
    // Published in its long-term form (PAdES-B-LTA): DSS with the CA's CRL, then a document timestamp over the whole file.
    expect(stamp).toMatchObject({ kind: "documentTimestamp", digestOk: true, byteRangeCoversWholeFileExceptContents: true, ltv: { dss: true, crl: true } });
    expect(report.approval).toMatchObject({ credentialId: hostKey.credentialId, challengeMatchesDigest: true, passkeySignatureOk: true });
    expect(report.timestamp?.ok).toBe(true);
    if (HAVE_PDF_TOOLS) {
      const [sealed] = pdfsig(pdf, ca.certPem);
      expect(sealed).toContain("Signature is Valid.");
      expect(qpdfCheck(pdf).ok).toBe(true);
    }

    // The public notice page shows the result, the winner and the notice.
    const notice = (await load(noticeRoute, url())).data;
    expect(notice.result.award).toMatchObject({ winner: notice.result.candidates[0].company, contractDate: null, settlement: null });
    expect(notice.result.overseesAward).toBe(false);
    expect((await load(noticeRoute, url(), DEMO.committeeA1)).data.result.overseesAward).toBe(true);
    expect((await load(noticeRoute, url(), DEMO.supervisorA)).data.result.overseesAward).toBe(true);
  });

  it("releases the bid securities, records the contract and completes the project", async () => {
    const page = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(page.award.state).toBe("signed");
    const winner = page.award.winner;
    expect(page.releases).toHaveLength(2); // the losers, at once
    expect(
      page.releases.every(
        (r: { company: string; amount: string; overdue: boolean; releasedAt: null }) => r.company !== winner && r.amount === "¥3,000.00" && !r.overdue && r.releasedAt === null,
      ),
    ).toBe(true);

    // A supervisor cannot release; the host can.
    expect((await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "release", bidId: page.releases[0].bidId, note: "" })).status).toBe(403);
    for (const r of page.releases)
      expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "release", bidId: r.bidId, note: "已原路退回" })).toMatchObject({
        status: 200,
        data: { done: "release" },
      });
    expect((await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "release", bidId: page.releases[0].bidId, note: "" })).data.errors.form).toBe(
      "errors.award.releaseState",
    );

    const today = beijingDay(ctx.clock.now());
    expect((await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "contract", contractDate: "2020-01-01" })).data.errors.contractDate).toBe("errors.award.contractDate");
    expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "contract", contractDate: today })).toMatchObject({ status: 200, data: { done: "contract" } });
    const afterContract = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(afterContract.award.contractDate).toBe(today);
    const winnerRelease = afterContract.releases.find((r: { company: string }) => r.company === winner);
    expect(winnerRelease).toMatchObject({ releasedAt: null, overdue: false });
    // Past its due date unreleased, it shows as overdue.
    ctx.clock.advance(6 * 24 * 3600 * 1000);
    expect((await load(awardRoute, url("/award"), DEMO.committeeA1)).data.releases.find((r: { company: string }) => r.company === winner).overdue).toBe(true);
    expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "release", bidId: winnerRelease.bidId, note: "" })).toMatchObject({
      status: 200,
      data: { done: "release" },
    });

    const day = beijingDay(ctx.clock.now());
    expect((await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "complete", acceptanceDate: day, settlement: "一百" })).data.errors.settlement).toBe(
      "errors.award.settlement",
    );
    expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "complete", acceptanceDate: day, settlement: "179,500.50" })).toMatchObject({
      status: 200,
      data: { done: "complete" },
    });
    expect(await projectState()).toBe("completed");
    const done = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(done.award).toMatchObject({ contractDate: today, acceptanceDate: day, settlement: "¥179,500.50" });

    const notice = (await load(noticeRoute, url())).data;
    expect(notice.result.award).toMatchObject({ contractDate: today, acceptanceDate: day, settlement: "¥179,500.50" });
  });
});

describe("the draw's verify page", () => {
  it("recomputes every published input and finds them consistent", async () => {
    const { status, data } = await load(drawRoute, url("/draw"));
    expect(status).toBe(200);
    expect(data.randomDraw).toBe(true);
    expect(data.noticeCommitment).toMatch(/^[0-9a-f]{64}$/);
    expect(data.secret).toMatch(/^[0-9a-f]+$/);
    expect(data.nonces).toHaveLength(3);
    expect(data.qualified).toHaveLength(3);
    expect(data.checks).toEqual([
      { key: "commitment", ok: true },
      { key: "list", ok: true },
      { key: "seed", ok: true },
      { key: "order", ok: true },
    ]);
    const pub = (await load(publicityRoute, url("/publicity"))).data;
    expect(data.order.slice(0, 3).map((o: { company: string }) => o.company)).toEqual(pub.candidates.map((c: { company: string }) => c.company));
    expect(data.wouldHaveWon).toBeNull(); // everyone qualified
    // The plain-text recipe hashes exactly what the server hashed.
    expect(data.commands.seed).toContain(data.secret);
    expect(data.commands.order).toHaveLength(3);
    const missing = (await run(drawRoute.loader as never, get("/notices/00000000-0000-0000-0000-000000000000/draw"), ctx, {
      id: "00000000-0000-0000-0000-000000000000",
    })) as Response;
    expect(missing.status).toBe(404);
  });

  it("re-runs from the published text with a plain SHA-256", async () => {
    const { createHash } = await import("node:crypto");
    const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
    const { data } = await load(drawRoute, url("/draw"));
    expect(sha(data.rerun.commitment.join("\n"))).toBe(data.noticeCommitment);
    expect(sha(data.rerun.list.join("\n"))).toBe(data.listHash);
    expect(sha(data.rerun.seed.join("\n"))).toBe(data.seed);
    const order = [...data.qualified.map((q: { bidId: string }) => q.bidId)].sort((x, y) => (sha(`${data.seed}\n${x}`) < sha(`${data.seed}\n${y}`) ? -1 : 1));
    expect(order).toEqual(data.order.map((o: { bidId: string }) => o.bidId));
  });
});

describe("评定分离 (separate evaluation and decision), and an upheld complaint", () => {
  it("lets the committee choose another candidate with reasons, for the supervisor's approval; an upheld complaint makes the result fall", async () => {
    p = await inPublicity(database, ctx, "村文化礼堂修缮");
    id = p.tenderId;
    const [project] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, p.projectId));
    const settings = await getCountySettings(database.db, project.countyId);
    await updateCountySettings(database.db, {
      clock: ctx.clock,
      actor: { userId: null, role: "county_admin" as const, ip: null },
      countyId: project.countyId,
      value: {
        ...settings,
        separateEvaluationAndDecision: true,
      },
    });
    ctx.clock.set(new Date(p.publicity.endsAt.getTime() + 60_000));

    const page = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(page).toMatchObject({ separate: true, mayDecide: true });
    const second = page.candidates[1];
    const short = await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "choose", winner: second.bidId, reasons: "更好" });
    expect(short.data.errors.reasons).toBe("errors.award.reasonsRequired");
    const reasons = "第二名施工组织设计更合理，工期更有保障。";
    expect(await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "choose", winner: second.bidId, reasons })).toMatchObject({ status: 200, data: { done: "choose" } });
    expect((await load(awardRoute, url("/award"), DEMO.committeeA1)).data.award).toMatchObject({ state: "pending_approval", winner: second.company, reasons });
    // Not signable until approved.
    hostKey = await givePasskey(database, ctx, p.host.userId, "村委会手机");
    expect((await sign(DEMO.committeeA1, { step: "options" })).status).toBe(409);

    // The supervisor sends it back (a note is required), the committee chooses again, the supervisor approves.
    expect((await act(awardRoute, url("/award"), DEMO.supervisorB, { intent: "reject", note: "理由不充分" })).status).toBe(403);
    expect((await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "reject", note: "" })).data.errors.note).toBe("errors.publicity.textRequired");
    expect(await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "reject", note: "理由不充分，请补充说明。" })).toMatchObject({ status: 200, data: { done: "reject" } });
    const back = (await load(awardRoute, url("/award"), DEMO.committeeA1)).data;
    expect(back).toMatchObject({ mayDecide: true, award: { state: "rejected", approvalNote: "理由不充分，请补充说明。" } });
    await act(awardRoute, url("/award"), DEMO.committeeA1, { intent: "choose", winner: second.bidId, reasons: `${reasons}第一名项目经理同期在建项目较多。` });
    expect(await act(awardRoute, url("/award"), DEMO.supervisorA, { intent: "approve", note: "" })).toMatchObject({ status: 200, data: { done: "approve" } });
    expect((await load(awardRoute, url("/award"), DEMO.supervisorA)).data.award).toMatchObject({ state: "approved", winner: second.company });

    // A bidder's complaint, upheld: the project fails and the decision falls.
    await act(publicityRoute, url("/publicity"), p.bidders[2].phone, { intent: "complain", body: "评定分离的定标理由与事实不符。" });
    const [c] = (await load(publicityRoute, url("/publicity"), DEMO.supervisorA)).data.complaints;
    await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "accept", complaintId: c.id });
    expect(
      await act(publicityRoute, url("/publicity"), DEMO.supervisorA, { intent: "uphold", complaintId: c.id, outcome: "经核查，定标理由不成立，中标结果作废。" }),
    ).toMatchObject({ status: 200, data: { done: "uphold" } });
    expect(await projectState()).toBe("failed");
    expect((await load(awardRoute, url("/award"), DEMO.committeeA1)).data.award.state).toBe("rejected");
    expect((await load(publicityRoute, url("/publicity"))).data.complaints).toEqual([
      expect.objectContaining({ state: "upheld", outcome: "经核查，定标理由不成立，中标结果作废。" }),
    ]);
    expect((await sign(DEMO.committeeA1, { step: "options" })).status).toBe(409);
  }, 120_000);
});
