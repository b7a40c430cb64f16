// The evaluation, through the model functions: checks and the locked qualified list,
// the supervisor's committed secret and the reproducible seed, the result by the
// tender's method, comprehensive scoring with the abnormal-score rule, opinions and
// dissent, the queued multi-signer report (a stale approval is refused, earlier
// signatures stay valid), silence counted as agreement, and failure for too few
// qualified bids.
import { writeFileSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPdf } from "../../signing/pades";
import { completeReportSignature, reportCompleter, reportRenderer, requestReportSignature } from "~/models/evaluation-report.server";
import { drawOrder, drawSeed, qualifiedListHash, reasonableLowBenchmark, secretCommitment } from "~/models/evaluation-rules.server";
import {
  answerAbnormal,
  askClarification,
  answerClarification,
  evaluationView,
  recordOpinion,
  recordSilence,
  revealSecret,
  submitChecks,
  submitReview,
  submitScores,
  SILENCE_MS,
} from "~/models/evaluation.server";
import { declare, drawPanel } from "~/models/panel.server";
import { platformAuthority } from "~/models/signature.server";
import { schema, type MemberRole } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { DEMO, makeContext } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { assertion, sittingPanel as sittingPanelOf, type Expert } from "../helpers/evaluation";
import { HAVE_PDF_TOOLS, pdfsig, qpdfCheck } from "../helpers/pdf-tools";
import { closedOpening } from "../helpers/opening";

let database: Database;
let ctx: ReturnType<typeof makeContext>;

const userOf = async (phone: string) => (await database.db.select().from(schema.users).where(eq(schema.users.phone, phone)))[0];

type Opened = Awaited<ReturnType<typeof closedOpening>>;
type Member = Expert;

const sittingPanel = (opened: Opened) => sittingPanelOf(database, ctx, opened, "ab".repeat(32));

async function bidIds(tenderId: string) {
  return (
    await database.db
      .select({ id: schema.bidOpenings.bidId, price: schema.bidOpenings.priceFen, nonce: schema.bidOpenings.nonce })
      .from(schema.bidOpenings)
      .where(eq(schema.bidOpenings.tenderId, tenderId))
  ).sort((a, b) => a.price! - b.price!);
}

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(async () => {
  await database?.close();
});

describe("a reasonable-low-price evaluation from checks to publicity", () => {
  let opened: Opened;
  let members: Member[];
  let bids: Awaited<ReturnType<typeof bidIds>>;
  let supervisor: { userId: string; role: MemberRole; ip: string };

  beforeAll(async () => {
    opened = await closedOpening(database, ctx, "村文化礼堂修缮");
    members = await sittingPanel(opened);
    bids = await bidIds(opened.tenderId);
    supervisor = { userId: (await userOf(DEMO.supervisorA)).id, role: "supervisor" as const, ip: "203.0.113.9" };
  });

  it("publishes the supervision's commitment in the tender notice", async () => {
    const [t] = await database.db.select().from(schema.tenders).where(eq(schema.tenders.id, opened.tenderId));
    const [s] = await database.db.select().from(schema.drawSecrets).where(eq(schema.drawSecrets.tenderId, opened.tenderId));
    expect(t.drawCommitment).toBe(secretCommitment(s.secret));
    expect(t.documentText).toContain(t.drawCommitment!);
    expect(s.revealedAt).toBeNull();
  });

  it("keeps each member's checks to themselves until they hand in, and needs a reason for every rejection", async () => {
    const [a, b] = members;
    await expect(
      submitChecks(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, checks: bids.slice(1).map((x) => ({ bidId: x.id, pass: true })) }),
    ).rejects.toMatchObject({ key: "errors.evaluation.checkEveryBid" });
    await expect(
      submitChecks(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, checks: bids.map((x, i) => ({ bidId: x.id, pass: i !== 0, reason: " " })) }),
    ).rejects.toMatchObject({ key: "errors.evaluation.reasonRequired" });
    // A bidder, or an expert not on the panel, cannot hand in checks (a bidder's role takes no part in the evaluation: 403).
    await expect(
      submitChecks(database.db, { clock: ctx.clock, actor: opened.bidders[0].actor, tenderId: opened.tenderId, checks: bids.map((x) => ({ bidId: x.id, pass: true })) }),
    ).rejects.toMatchObject({ key: "errors.transition.role", options: { status: 403 } });
    await submitChecks(database.db, {
      clock: ctx.clock,
      actor: a.actor,
      tenderId: opened.tenderId,
      checks: bids.map((x, i) => ({ bidId: x.id, pass: i !== 0, reason: i === 0 ? "项目经理证书过期" : undefined })),
    });
    const seenByB = (await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: b.userId, role: "expert" as const, orgId: "" }))!;
    expect(seenByB.checks).toHaveLength(0);
    const seenByA = (await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: a.userId, role: "expert" as const, orgId: "" }))!;
    expect(seenByA.checks).toHaveLength(3);
    // Handed in once: no second go.
    await expect(
      submitChecks(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, checks: bids.map((x) => ({ bidId: x.id, pass: true })) }),
    ).rejects.toMatchObject({ key: "errors.evaluation.notNow" });
    // Nobody outside the panel, the host and the township's supervision sees the evaluation.
    expect(
      await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: opened.bidders[0].userId, role: "contractor" as const, orgId: opened.bidders[0].companyId }),
    ).toBeNull();
  });

  it("lets the panel ask a bidder for a written clarification, answered only by that bidder and before its deadline", async () => {
    const c = await askClarification(database.db, {
      clock: ctx.clock,
      actor: members[1].actor,
      tenderId: opened.tenderId,
      input: { bidId: bids[0].id, question: "请说明报价明显偏低的原因。", hours: 24 },
    });
    const [bidRow] = await database.db.select().from(schema.bids).where(eq(schema.bids.id, bids[0].id));
    const right = opened.bidders.find((b) => b.companyId === bidRow.companyId)!;
    const wrong = opened.bidders.find((b) => b.companyId !== bidRow.companyId)!;
    await expect(
      answerClarification(database.db, { clock: ctx.clock, actor: wrong.actor, companyId: wrong.companyId, tenderId: opened.tenderId, clarificationId: c.id, answer: "不是我们" }),
    ).rejects.toMatchObject({ options: { status: 403 } });
    await answerClarification(database.db, {
      clock: ctx.clock,
      actor: right.actor,
      companyId: right.companyId,
      tenderId: opened.tenderId,
      clarificationId: c.id,
      answer: "采用自有设备，材料已备货。",
    });
    await expect(
      answerClarification(database.db, { clock: ctx.clock, actor: right.actor, companyId: right.companyId, tenderId: opened.tenderId, clarificationId: c.id, answer: "再答一次" }),
    ).rejects.toMatchObject({
      key: "errors.evaluation.alreadyAnswered",
    });
    const late = await askClarification(database.db, {
      clock: ctx.clock,
      actor: members[1].actor,
      tenderId: opened.tenderId,
      input: { bidId: bids[0].id, question: "请补充说明工期安排。", hours: 1 },
    });
    ctx.clock.advance(2 * 3600_000);
    await expect(
      answerClarification(database.db, { clock: ctx.clock, actor: right.actor, companyId: right.companyId, tenderId: opened.tenderId, clarificationId: late.id, answer: "晚了" }),
    ).rejects.toMatchObject({
      key: "errors.evaluation.clarifyLate",
    });
  });

  it("locks the qualified list by majority when the last member hands in, and waits for the supervisor's secret", async () => {
    await submitChecks(database.db, { clock: ctx.clock, actor: members[1].actor, tenderId: opened.tenderId, checks: bids.map((x) => ({ bidId: x.id, pass: true })) });
    const done = await submitChecks(database.db, { clock: ctx.clock, actor: members[2].actor, tenderId: opened.tenderId, checks: bids.map((x) => ({ bidId: x.id, pass: true })) });
    // One member rejected bid 0, two passed it: qualified.
    expect(done).toMatchObject({ locked: true, failed: false });
    const [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("secret");
    expect(ev.qualifiedListHash).toBe(
      qualifiedListHash(
        opened.tenderId,
        bids.map((b) => b.id),
      ),
    );
    // The supervisor was told; members cannot reveal; a supervisor of another township cannot.
    const supervisorB = await userOf(DEMO.supervisorB);
    const [m] = await database.db.select({ townshipId: schema.memberships.orgId }).from(schema.memberships).where(eq(schema.memberships.userId, supervisorB.id));
    await expect(
      revealSecret(database.db, {
        clock: ctx.clock,
        actor: { userId: supervisorB.id, role: "supervisor" as const, ip: null },
        townshipId: m.townshipId,
        tenderId: opened.tenderId,
      }),
    ).rejects.toMatchObject({
      options: { status: 403 },
    });
    await expect(revealSecret(database.db, { clock: ctx.clock, actor: members[0].actor, townshipId: opened.townshipId, tenderId: opened.tenderId })).rejects.toMatchObject({
      options: { status: 403 },
    });
    const notes = await database.db
      .select()
      .from(schema.notifications)
      .where(and(eq(schema.notifications.userId, supervisor.userId), eq(schema.notifications.kind, "evaluation.revealSecret")));
    expect(notes).toHaveLength(1);
  });

  it("fixes a seed anyone can recompute from the published inputs, and ranks by closeness to the benchmark", async () => {
    const { seed } = await revealSecret(database.db, { clock: ctx.clock, actor: supervisor, townshipId: opened.townshipId, tenderId: opened.tenderId });
    const [s] = await database.db.select().from(schema.drawSecrets).where(eq(schema.drawSecrets.tenderId, opened.tenderId));
    const listHash = qualifiedListHash(
      opened.tenderId,
      bids.map((b) => b.id),
    );
    expect(seed).toBe(drawSeed({ nonces: bids.map((b) => b.nonce!), secret: s.secret, qualifiedListHash: listHash }));
    const [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("opinions");
    const prices = bids.map((b) => b.price!);
    const { benchmarkFen } = reasonableLowBenchmark(prices, { dropHighestAt: 6, dropBothAt: 7, coefficientBasisPoints: 9600 });
    expect(ev.result!.benchmarkFen).toBe(benchmarkFen);
    // 18.0/18.1/18.2 万 → benchmark 17.376 万: the lowest is closest.
    expect(ev.result!.ranking.map((r) => r.bidId)).toEqual([...bids].sort((a, b) => Math.abs(a.price! - benchmarkFen) - Math.abs(b.price! - benchmarkFen)).map((b) => b.id));
    expect(ev.result!.candidates).toHaveLength(3);
    expect(
      drawOrder(
        seed,
        bids.map((b) => b.id),
      ),
    ).toHaveLength(3);
  });

  it("takes every member's opinion, renders the report with the dissent, and queues the signatures", async () => {
    const render = reportRenderer(ctx.files, ctx.clock);
    await expect(
      recordOpinion(database.db, { clock: ctx.clock, actor: members[0].actor, tenderId: opened.tenderId, input: { agree: false, dissent: "" }, renderReport: render }),
    ).rejects.toMatchObject({
      key: "errors.evaluation.reasonRequired",
    });
    await recordOpinion(database.db, {
      clock: ctx.clock,
      actor: members[0].actor,
      tenderId: opened.tenderId,
      input: { agree: false, dissent: "第一名报价低于成本的说明不充分。" },
      renderReport: render,
    });
    await recordOpinion(database.db, { clock: ctx.clock, actor: members[1].actor, tenderId: opened.tenderId, input: { agree: true }, renderReport: render });
    // The third stays silent: the host may record them as agreeing only after a day.
    const complete = reportCompleter(ctx.clock, ctx.files, opened.host);
    await expect(
      recordSilence(database.db, {
        clock: ctx.clock,
        actor: opened.host,
        actingOrgId: opened.villageId,
        tenderId: opened.tenderId,
        expertId: members[2].userId,
        note: "电话联系不上",
        hooks: {
          renderReport: render,
          onReportComplete: complete,
        },
      }),
    ).rejects.toMatchObject({ key: "errors.evaluation.tooEarly" });
    ctx.clock.advance(SILENCE_MS);
    await recordSilence(database.db, {
      clock: ctx.clock,
      actor: opened.host,
      actingOrgId: opened.villageId,
      tenderId: opened.tenderId,
      expertId: members[2].userId,
      note: "电话联系不上",
      hooks: {
        renderReport: render,
        onReportComplete: complete,
      },
    });
    const [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("signing");
    expect(ev.reportPdfSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses a signature prepared on a revision another member has since signed; earlier signatures stay valid", async () => {
    const [a, b, c] = members;
    // No signature without a fresh, user-verified approval of this exact digest by the signer's own passkey.
    const probe = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: a.actor, tenderId: opened.tenderId });
    await expect(
      completeReportSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: a.actor,
        tenderId: opened.tenderId,
        requestId: probe.requestId,
        response: assertion(b.key, probe.options.challenge),
      }),
    ).rejects.toMatchObject({ key: "errors.passkeyUnknown" });
    const noUv = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: a.actor, tenderId: opened.tenderId });
    const presentOnly = a.key.approve(Buffer.from(noUv.options.challenge, "base64url"), { flags: 0x01 });
    await expect(
      completeReportSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: a.actor,
        tenderId: opened.tenderId,
        requestId: noUv.requestId,
        response: {
          id: a.key.credentialId,
          rawId: a.key.credentialId,
          type: "public-key",
          clientExtensionResults: {},
          response: presentOnly,
        },
      }),
    ).rejects.toMatchObject({ key: "errors.passkeyFailed" });
    const other = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: a.actor, tenderId: opened.tenderId });
    await expect(
      completeReportSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: a.actor,
        tenderId: opened.tenderId,
        requestId: other.requestId,
        response: assertion(a.key, Buffer.alloc(32, 7).toString("base64url")),
      }),
    ).rejects.toMatchObject({ key: "errors.passkeyFailed" });
    const reqA = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: a.actor, tenderId: opened.tenderId });
    const reqB = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: b.actor, tenderId: opened.tenderId });
    expect(reqA.options.allowCredentials.map((x) => x.id)).toEqual([a.key.credentialId]);
    // A replayed approval (its request already used) is refused.
    const replay = assertion(b.key, reqB.options.challenge);
    await completeReportSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      actor: b.actor,
      tenderId: opened.tenderId,
      requestId: reqB.requestId,
      response: replay,
    });
    await expect(
      completeReportSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: b.actor,
        tenderId: opened.tenderId,
        requestId: reqB.requestId,
        response: replay,
      }),
    ).rejects.toMatchObject({
      options: { status: 409 },
    });
    await expect(
      completeReportSignature(database.db, {
        clock: ctx.clock,
        store: ctx.files,
        rp: ctx.rp,
        actor: a.actor,
        tenderId: opened.tenderId,
        requestId: reqA.requestId,
        response: assertion(a.key, reqA.options.challenge),
      }),
    ).rejects.toMatchObject({ key: "errors.signature.stale" });
    // A signs the new revision; the host must not be able to sign for anyone.
    await expect(requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: opened.host, tenderId: opened.tenderId })).rejects.toMatchObject({
      options: { status: 403 },
    });
    const again = await requestReportSignature(database.db, { clock: ctx.clock, store: ctx.files, rp: ctx.rp, actor: a.actor, tenderId: opened.tenderId });
    await completeReportSignature(database.db, {
      clock: ctx.clock,
      store: ctx.files,
      rp: ctx.rp,
      actor: a.actor,
      tenderId: opened.tenderId,
      requestId: again.requestId,
      response: assertion(a.key, again.options.challenge),
    });
    // C never signs: after a day the host records the refusal, which counts as agreement and completes the report.
    ctx.clock.advance(SILENCE_MS);
    await recordSilence(database.db, {
      clock: ctx.clock,
      actor: opened.host,
      actingOrgId: opened.villageId,
      tenderId: opened.tenderId,
      expertId: c.userId,
      note: "拒绝签字且未说明理由",
      hooks: {
        renderReport: reportRenderer(ctx.files, ctx.clock),
        onReportComplete: reportCompleter(ctx.clock, ctx.files, opened.host),
      },
    });
    const [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("done");
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, opened.projectId));
    expect(p.state).toBe("publicity");
    const chunks: Buffer[] = [];
    for await (const ch of ctx.files.get(ev.reportPdfSha256!)) chunks.push(Buffer.from(ch));
    const { ca } = await platformAuthority(database.db, ctx.clock);
    // The CA's and the signers' private keys are encrypted at rest.
    const stored = [...(await database.db.select().from(schema.platformKeys)), ...(await database.db.select().from(schema.signerCertificates))];
    expect(stored.length).toBeGreaterThanOrEqual(4);
    for (const k of stored) expect(k.keyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    if (process.env.KEEP_REPORT) writeFileSync(process.env.KEEP_REPORT, Buffer.concat(chunks)); // to look at it: pdftoppm -r 80 -png
    const reports = await verifyPdf(new Uint8Array(Buffer.concat(chunks)), { caCertPem: ca.certPem });
    if (HAVE_PDF_TOOLS) {
      // Ordinary validators agree. (Whether pdfsig calls the certificates trusted depends on the real clock against
      // this test's fixed one; tests/unit/signing*.test.ts check trust with certificates issued at the real time.)
      const report = new Uint8Array(Buffer.concat(chunks));
      const blocks = pdfsig(report, ca.certPem);
      expect(blocks.filter((b) => b.includes("ETSI.CAdES.detached"))).toHaveLength(2);
      for (const b of blocks.filter((x) => x.includes("ETSI.CAdES.detached"))) expect(b).toContain("Signature is Valid.");
      expect(qpdfCheck(report).ok).toBe(true);
      // One changed byte inside the signed content: pdfsig and the platform's own check both notice.
      const tampered = Buffer.from(report);
      const at = tampered.indexOf(Buffer.from("/Producer"));
      tampered[at + 3] ^= 0x01;
      expect(
        pdfsig(tampered, ca.certPem)
          .filter((b) => b.includes("ETSI.CAdES.detached"))
          .every((b) => b.includes("Digest Mismatch")),
      ).toBe(true);
      expect((await verifyPdf(new Uint8Array(tampered), { caCertPem: ca.certPem })).filter((r) => r.kind === "signature").every((r) => !r.digestOk)).toBe(true);
    }
    const sigs = reports.filter((r) => r.fieldName.startsWith("sig-expert"));
    expect(sigs).toHaveLength(2);
    for (const r of sigs) expect(r).toMatchObject({ digestOk: true, signatureOk: true, chainOk: true });
    expect(sigs.every((r) => r.approval?.passkeySignatureOk && r.approval.challengeMatchesDigest)).toBe(true);
    // The complete report is in its long-term form: the CA's CRL in the DSS and a document timestamp over everything.
    const stamp = reports.at(-1)!;
    expect(stamp).toMatchObject({ kind: "documentTimestamp", digestOk: true, ltv: { dss: true, crl: true } });
    expect(stamp.timestamp?.ok).toBe(true);
    expect(sigs.map((r) => [r.unchangedAfterSigning, r.revoked])).toEqual([
      [false, false],
      [true, false],
    ]); // the first is followed by a signature, the last only by validation data
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, opened.tenderId));
    expect(audit.map((x) => x.action)).toEqual(
      expect.arrayContaining([
        "evaluation.checks",
        "evaluation.locked",
        "evaluation.secret_revealed",
        "evaluation.computed",
        "evaluation.opinion",
        "evaluation.deemed_agree",
        "evaluation.report_signed",
        "evaluation.refused_signature",
        "publicity.start",
      ]),
    );
  });
});

describe("comprehensive scoring", () => {
  let opened: Opened;
  let members: Member[];
  let bids: Awaited<ReturnType<typeof bidIds>>;

  beforeAll(async () => {
    opened = await closedOpening(database, ctx, "村道路灯安装", undefined, { evaluationMethod: "comprehensive", priceWeight: "60" });
    members = await sittingPanel(opened);
    bids = await bidIds(opened.tenderId);
    for (const m of members)
      await submitChecks(database.db, { clock: ctx.clock, actor: m.actor, tenderId: opened.tenderId, checks: bids.map((x) => ({ bidId: x.id, pass: true })) });
    await revealSecret(database.db, {
      clock: ctx.clock,
      actor: { userId: (await userOf(DEMO.supervisorA)).id, role: "supervisor" as const, ip: null },
      townshipId: opened.townshipId,
      tenderId: opened.tenderId,
    });
  });

  it("scores independently: nobody sees another's scores before handing in; scores are out of 100 − price weight", async () => {
    const [a, b, c] = members;
    await expect(
      submitScores(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, scores: bids.map((x) => ({ bidId: x.id, score: 4001 })) }),
    ).rejects.toMatchObject({ key: "errors.evaluation.scoreRange" });
    await submitScores(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, scores: bids.map((x, i) => ({ bidId: x.id, score: [3000, 3500, 3200][i] })) });
    const seenByB = (await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: b.userId, role: "expert" as const, orgId: "" }))!;
    expect(seenByB.scores).toHaveLength(0);
    await submitScores(database.db, { clock: ctx.clock, actor: b.actor, tenderId: opened.tenderId, scores: bids.map((x, i) => ({ bidId: x.id, score: [3100, 3400, 3300][i] })) });
    // C gives bid 0 an outlying 5.00.
    await submitScores(database.db, { clock: ctx.clock, actor: c.actor, tenderId: opened.tenderId, scores: bids.map((x, i) => ({ bidId: x.id, score: [500, 3450, 3250][i] })) });
    const afterAll_ = (await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: b.userId, role: "expert" as const, orgId: "" }))!;
    expect(afterAll_.scores).toHaveLength(9);
  });

  it("replaces a score most of the panel flags as abnormal when its expert does not explain it", async () => {
    const [a, b, c] = members;
    await expect(
      submitReview(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, flags: [{ expertId: a.userId, bidId: bids[0].id }] }),
    ).rejects.toMatchObject({
      key: "errors.evaluation.badFlag",
    });
    await submitReview(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, flags: [{ expertId: c.userId, bidId: bids[0].id }] });
    await submitReview(database.db, { clock: ctx.clock, actor: b.actor, tenderId: opened.tenderId, flags: [{ expertId: c.userId, bidId: bids[0].id }] });
    await submitReview(database.db, { clock: ctx.clock, actor: c.actor, tenderId: opened.tenderId, flags: [] });
    let [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("explaining");
    await expect(
      answerAbnormal(database.db, { clock: ctx.clock, actor: a.actor, tenderId: opened.tenderId, bidId: bids[0].id, input: { acceptReplacement: true } }),
    ).rejects.toMatchObject({
      key: "errors.evaluation.notNow",
    });
    await answerAbnormal(database.db, { clock: ctx.clock, actor: c.actor, tenderId: opened.tenderId, bidId: bids[0].id, input: { acceptReplacement: true } });
    [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.state).toBe("opinions");
    // 5.00 became the average of 30.00 and 31.00 = 30.50.
    expect(ev.result!.replacedScores).toEqual([{ expertId: c.userId, bidId: bids[0].id, from: 500, to: 3050 }]);
    const top = ev.result!.ranking.find((r) => r.bidId === bids[0].id)!;
    // Lowest price → full 60 price points; expert score (3000 + 3100 + 3050) / 3 = 3050.
    expect(top).toMatchObject({ priceScore: 6000, expertScore: 3050, total: 9050, rank: 3 });
    // 18.1 万: 60 × 18.0 / 18.1 = 59.67 price points + (35 + 34 + 34.5) / 3 = 34.50 → 94.17, first.
    expect(ev.result!.ranking[0]).toMatchObject({ bidId: bids[1].id, priceScore: 5967, expertScore: 3450, total: 9417, rank: 1 });
    expect(ev.result!.ranking[1]).toMatchObject({ bidId: bids[2].id, total: 5934 + 3250 });
  });
});

describe("a recusal", () => {
  it("brings in a reserve who sits in the recused member's place, and the evaluation can start", async () => {
    const opened = await closedOpening(database, ctx, "村委会办公楼屋面防水");
    const drawn = await drawPanel(database.db, { clock: ctx.clock, actor: opened.host, actingOrgId: opened.villageId, tenderId: opened.tenderId, opts: { seed: "cd".repeat(32) } });
    const [first, ...rest] = drawn.members;
    await declare(database.db, {
      clock: ctx.clock,
      actor: { userId: first, role: "expert" as const, ip: null },
      tenderId: opened.tenderId,
      input: { accept: false, reason: "与投标人负责人系同学关系" },
    });
    for (const id of [...rest, drawn.reserves[0]])
      await declare(database.db, { clock: ctx.clock, actor: { userId: id, role: "expert" as const, ip: null }, tenderId: opened.tenderId, input: { accept: true } });
    const view = (await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: drawn.reserves[0], role: "expert" as const, orgId: "" }))!;
    expect(view.panelComplete).toBe(true);
    expect(view.members.map((m) => m.expertId).sort()).toEqual([...rest, drawn.reserves[0]].sort());
    const bids = await bidIds(opened.tenderId);
    await submitChecks(database.db, {
      clock: ctx.clock,
      actor: { userId: drawn.reserves[0], role: "expert" as const, ip: null },
      tenderId: opened.tenderId,
      checks: bids.map((b) => ({ bidId: b.id, pass: true })),
    });
    // The recused expert is out of it.
    expect(await evaluationView(database.db, ctx.clock, opened.tenderId, { userId: first, role: "expert" as const, orgId: "" })).toBeNull();
  });
});

describe("too few qualified bids", () => {
  it("ends the tender (流标) with the reason when the panel qualifies fewer than the county's minimum", async () => {
    const opened = await closedOpening(database, ctx, "村口公厕改建");
    const members = await sittingPanel(opened);
    const bids = await bidIds(opened.tenderId);
    for (const m of members)
      await submitChecks(database.db, {
        clock: ctx.clock,
        actor: m.actor,
        tenderId: opened.tenderId,
        checks: bids.map((x, i) => ({ bidId: x.id, pass: i !== 2, reason: i === 2 ? "资质等级不符合要求" : undefined })),
      });
    const [ev] = await database.db.select().from(schema.evaluations).where(eq(schema.evaluations.tenderId, opened.tenderId));
    expect(ev.failReason).toEqual({ key: "evaluation.failed.tooFewQualified", values: { qualified: 2, min: 3 } });
    const [p] = await database.db.select().from(schema.projects).where(eq(schema.projects.id, opened.projectId));
    expect(p.state).toBe("failed");
  });
});
