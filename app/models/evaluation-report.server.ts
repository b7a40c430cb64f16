/**
 * The evaluation report (评标报告): project, panel, bids, qualification checks,
 * clarifications, scores, the draw's inputs, ranking, up to 3 candidates and
 * every member's opinion (dissent in full) — a Chinese PDF rendered once all
 * opinions are in, then signed by each member with their passkey.
 *
 * Signers are queued: each approves the digest of the report's *current*
 * revision. A signature prepared on an older revision (another member signed
 * first) is refused as stale and the browser asks again with the new digest;
 * earlier signatures stay valid because each is an incremental update.
 */
import { and, asc, eq } from "drizzle-orm";
import { renderDocument, type DocumentSection } from "~/pdf/document.server";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { appendAudit, type Actor } from "./audit.server";
import { unreadableFields } from "./bid-rules";
import { DomainError } from "./errors";
import { transition } from "./lifecycle.server";
import { bidsUnderEvaluation, type BidUnderEvaluation } from "./evaluation.server";
import { showScore } from "./evaluation-rules.server";
import { putBytes, readBytes, type FileStore } from "./file-store.server";
import type { RelyingParty } from "./passkey.server";
import { startPublicity } from "./publicity.server";
import { completeSignature, longTermForm, requestSignature, type PasskeyApproval } from "./signature.server";
import { lockCurrentTender } from "./tender-qa.server";

const { evaluations, evaluationMembers, qualificationChecks, expertScores, clarifications, drawSecrets, panelMembers, users, tenders, projects, orgs, files } = schema;
const TIME = "yyyy-MM-dd HH:mm";
const METHOD = { lowest_price: "经评审的最低投标价法", reasonable_low: "合理低价法", comprehensive: "综合评分法", random_draw: "合格投标人中随机抽取" } as const;

export async function renderEvaluationReport(db: Db, tenderId: string, now: Date) {
  const [row] = await db
    .select({ tender: tenders, project: projects, village: orgs.name })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .innerJoin(orgs, eq(orgs.id, projects.villageId))
    .where(eq(tenders.id, tenderId));
  const [ev] = await db.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
  if (!row || !ev?.result) throw new DomainError("errors.evaluation.notNow", { status: 409 });
  const members = await db
    .select({ m: evaluationMembers, name: users.name, position: panelMembers.position })
    .from(evaluationMembers)
    .innerJoin(users, eq(users.id, evaluationMembers.expertId))
    .innerJoin(panelMembers, and(eq(panelMembers.tenderId, evaluationMembers.tenderId), eq(panelMembers.expertId, evaluationMembers.expertId)))
    .where(eq(evaluationMembers.tenderId, tenderId))
    .orderBy(asc(panelMembers.position));
  return renderReportFrom(
    {
      tender: row.tender,
      project: row.project,
      village: row.village,
      ev,
      members,
      under: await bidsUnderEvaluation(db, tenderId),
      checks: await db.select().from(qualificationChecks).where(eq(qualificationChecks.tenderId, tenderId)),
      scores: await db.select().from(expertScores).where(eq(expertScores.tenderId, tenderId)),
      asks: await db.select().from(clarifications).where(eq(clarifications.tenderId, tenderId)).orderBy(asc(clarifications.askedAt)),
      secret: (await db.select().from(drawSecrets).where(eq(drawSecrets.tenderId, tenderId)))[0],
    },
    now,
  );
}

/** Everything the report shows, as read from the database (bench/signing builds it for 30 bids). */
export interface ReportInput {
  tender: typeof tenders.$inferSelect;
  project: typeof projects.$inferSelect;
  village: string;
  ev: typeof evaluations.$inferSelect;
  members: { m: typeof evaluationMembers.$inferSelect; name: string; position: number }[];
  under: BidUnderEvaluation[];
  checks: (typeof qualificationChecks.$inferSelect)[];
  scores: (typeof expertScores.$inferSelect)[];
  asks: (typeof clarifications.$inferSelect)[];
  secret: typeof drawSecrets.$inferSelect | undefined;
}

/** The report PDF from its data: no database access, so the same bytes for the same input. */
export async function renderReportFrom(input: ReportInput, now: Date) {
  const { tender, project, ev, members, under, checks, scores, asks, secret } = input;
  const row = { village: input.village };
  const company = new Map(under.map((b) => [b.bidId, b.company]));
  if (!ev.result) throw new DomainError("errors.evaluation.notNow", { status: 409 });
  const qualified = new Set(ev.qualifiedBidIds ?? []);
  const r = ev.result;
  const memberName = new Map(members.map((m) => [m.m.expertId, m.name]));

  const sections: DocumentSection[] = [
    {
      heading: "一、评审小组",
      blocks: [
        {
          kind: "table",
          columns: [
            { label: "序号", width: 1, align: "center" },
            { label: "姓名", width: 3 },
            { label: "声明", width: 3 },
          ],
          rows: members.map((m, i) => [String(i + 1), m.name, "无利害关系"]),
        },
      ],
    },
    {
      heading: "二、投标文件与资格审查",
      blocks: [
        { kind: "paragraph", text: `开标后有效投标 ${under.length} 份。每份投标由评审小组成员逐一对照招标文件的资格要求审查，过半数成员认定合格者为合格投标。` },
        {
          kind: "table",
          columns: [
            { label: "投标人", width: 3 },
            { label: "投标报价", width: 2, align: "right" },
            { label: "工期", width: 1.3, align: "right" },
            { label: "项目经理", width: 2 },
            { label: "审查意见", width: 4 },
            { label: "结论", width: 1, align: "center" },
          ],
          rows: under.map((b) => [
            b.company,
            b.priceUnreadable ? "无法识别" : formatFen(b.priceFen),
            b.durationDays === null ? (unreadableFields(b.openingReasons).durationDays ? "无法识别" : "—") : `${b.durationDays} 天`,
            [b.projectManagerName, b.projectManagerCertificate].filter(Boolean).join(" ") || "—",
            members
              .map((m) => {
                const c = checks.find((x) => x.bidId === b.bidId && x.expertId === m.m.expertId);
                return c ? `${m.name}：${c.pass ? "合格" : `不合格（${c.reason ?? ""}）`}` : `${m.name}：—`;
              })
              .join("；"),
            qualified.has(b.bidId) ? "合格" : "不合格",
          ]),
        },
        { kind: "paragraph", text: `合格投标人名单于 ${ev.lockedAt ? formatBeijing(ev.lockedAt, TIME) : "—"} 锁定，名单摘要（SHA-256）：${ev.qualifiedListHash ?? "—"}。` },
      ],
    },
  ];
  if (asks.length) {
    sections.push({
      heading: "三、评标澄清",
      blocks: [
        {
          kind: "table",
          columns: [
            { label: "投标人", width: 2 },
            { label: "问题", width: 4 },
            { label: "答复", width: 4 },
          ],
          rows: asks.map((a) => [
            company.get(a.bidId) ?? "—",
            `${a.question}（${memberName.get(a.askedBy) ?? ""}，${formatBeijing(a.askedAt, TIME)}，限 ${formatBeijing(a.dueAt, TIME)} 前答复）`,
            a.answer ? `${a.answer}（${formatBeijing(a.answeredAt!, TIME)}）` : "逾期未答复",
          ]),
        },
        { kind: "paragraph", text: "澄清只对投标文件作出说明，不得改变投标文件的实质内容。" },
      ],
    });
  }
  const methodBlocks: DocumentSection["blocks"] = [{ kind: "paragraph", text: `评标办法：${METHOD[r.method]}。` }];
  if (r.method === "reasonable_low") {
    methodBlocks.push({
      kind: "paragraph",
      text: `评标基准价 = 有效报价平均值 × 下浮系数 = ${formatFen(r.benchmarkFen ?? 0)}（参与平均的报价：${(r.benchmarkUsedFen ?? []).map((p) => formatFen(p)).join("、")}）。与基准价差额最小者排名第一。`,
    });
  }
  if (r.method === "comprehensive") {
    methodBlocks.push({
      kind: "paragraph",
      text: `价格分 = ${r.priceWeightPercent}分 × 最低有效报价 ÷ 投标报价；技术商务分为各评审专家独立评分的平均值；总分 = 价格分 + 技术商务分，均保留两位小数。`,
    });
    methodBlocks.push({
      kind: "table",
      columns: [{ label: "投标人", width: 3 }, ...members.map((m) => ({ label: m.name, width: 2, align: "right" as const }))],
      rows: [...qualified].map((bidId) => [
        company.get(bidId) ?? "—",
        ...members.map((m) => {
          const s = scores.find((x) => x.bidId === bidId && x.expertId === m.m.expertId);
          return s ? `${showScore(s.score)}${s.flaggedBy.length ? "*" : ""}` : "—";
        }),
      ]),
    });
    const flagged = scores.filter((s) => s.explanation || s.acceptedReplacement);
    for (const s of flagged) {
      methodBlocks.push({
        kind: "paragraph",
        text: `* ${memberName.get(s.expertId)} 对 ${company.get(s.bidId)} 的评分被认定为异常：${s.explanation ? `书面说明：“${s.explanation}”，评分保留。` : "未作说明，以其他成员评分的平均值替代。"}`,
      });
    }
    for (const x of r.replacedScores ?? []) {
      if (!flagged.some((s) => s.expertId === x.expertId && s.bidId === x.bidId)) continue;
      methodBlocks.push({ kind: "paragraph", text: `替代：${memberName.get(x.expertId)} 对 ${company.get(x.bidId)} 的评分由 ${showScore(x.from)} 改为 ${showScore(x.to)}。` });
    }
  }
  methodBlocks.push({
    kind: "paragraph",
    text: `${r.method === "random_draw" ? "随机抽取" : "同分时的排序"}按公开算法：种子 = SHA-256（全部已解密投标的随机数、乡镇监督方承诺的秘密值、合格名单摘要），排序 = SHA-256（种子 ‖ 投标编号）升序。招标公告中的承诺值：${tender.drawCommitment ?? "（本公告发布时尚无承诺值，秘密值于名单锁定后生成）"}；公开的秘密值：${secret?.secret ?? "—"}；种子：${ev.seed ?? "—"}。任何人可在“验证”页重算。`,
  });
  sections.push({ heading: `${asks.length ? "四" : "三"}、评审方法与计算`, blocks: methodBlocks });
  sections.push({
    heading: `${asks.length ? "五" : "四"}、排序与推荐的中标候选人`,
    blocks: [
      {
        kind: "table",
        columns: [
          { label: "排名", width: 1, align: "center" },
          { label: "投标人", width: 3 },
          { label: "投标报价", width: 2, align: "right" },
          { label: r.method === "comprehensive" ? "总分" : r.method === "reasonable_low" ? "与基准价差额" : "说明", width: 2, align: "right" },
          { label: "候选人", width: 1, align: "center" },
        ],
        rows: r.ranking.map((x) => [
          String(x.rank),
          company.get(x.bidId) ?? "—",
          formatFen(x.priceFen),
          r.method === "comprehensive" ? showScore(x.total ?? 0) : r.method === "reasonable_low" ? formatFen(x.distanceFen ?? 0) : x.tieBrokenByDraw ? "同分抽签" : "—",
          r.candidates.includes(x.bidId) ? `第${r.candidates.indexOf(x.bidId) + 1}` : "",
        ]),
      },
    ],
  });
  sections.push({
    heading: `${asks.length ? "六" : "五"}、评审意见`,
    blocks: [
      {
        kind: "table",
        columns: [
          { label: "评审专家", width: 2 },
          { label: "意见", width: 6 },
        ],
        rows: members.map((m) => [
          m.name,
          m.m.opinion === "dissent" ? `保留意见：${m.m.dissent}` : m.m.deemedAgreeBy ? `未在规定时间内表态，视为同意（${m.m.refusalNote ?? ""}）` : "同意评审结果",
        ]),
      },
      { kind: "paragraph", text: "评审专家拒绝在本报告上签字且不陈述理由的，视为同意评审结果。" },
      { kind: "signatureLines", labels: members.map((m) => m.name) },
    ],
  });
  const rendered = await renderDocument({
    title: "评标报告",
    subtitle: project.name,
    header: `村易招 · ${row.village} · ${project.name} · 评标报告`,
    meta: [
      { label: "招标人", value: row.village },
      { label: "项目名称", value: project.name },
      { label: "最高投标限价", value: formatFen(project.ceilingFen) },
      { label: "开标时间", value: `${formatBeijing(tender.deadline, TIME)}（北京时间）` },
      { label: "评标办法", value: METHOD[r.method] },
      { label: "报告生成", value: formatBeijing(now, TIME) },
    ],
    sections,
    createdAt: now,
    author: "村易招",
    subject: "评标报告",
  });
  const slots = Object.fromEntries(
    members.map((m) => {
      const s = rendered.signatureSlots.find((x) => x.label === m.name)!;
      return [m.m.expertId, { pageIndex: s.pageIndex, x: s.x, y: s.y, width: s.width, height: s.height }];
    }),
  );
  return { ...rendered, slots };
}

/** The hook evaluation.server calls when the last opinion is in: render and store the report's first revision. */
export function reportRenderer(store: FileStore, clock: Clock) {
  return async (tx: Db, tenderId: string) => {
    const now = clock.now();
    const report = await renderEvaluationReport(tx, tenderId, now);
    const stored = await putBytes(store, report.bytes);
    await tx.insert(files).values({ sha256: stored.sha256, size: stored.size, mime: "application/pdf", createdAt: now }).onConflictDoNothing();
    await tx.update(evaluations).set({ reportPdfSha256: stored.sha256, reportSlots: report.slots }).where(eq(evaluations.tenderId, tenderId));
  };
}

/** The hook for the last signature (or recorded refusal): the report is complete, publicity begins. */
export function reportCompleter(clock: Clock, store: FileStore, actor: Actor) {
  return async (tx: Db, tenderId: string) => {
    const members = await tx.select().from(evaluationMembers).where(eq(evaluationMembers.tenderId, tenderId));
    if (!members.every((m) => m.signedAt || m.refusedAt)) return;
    const [current] = await tx.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
    // The complete report gets its long-term form (PAdES-B-LTA) before it is published.
    const final = await longTermForm(tx, { clock, store, sha256: current.reportPdfSha256! });
    const { after: ev } = await transition(tx, {
      lifecycle: "evaluation",
      clock,
      actor,
      id: tenderId,
      action: "complete_report",
      expectFrom: ["signing"],
      set: { reportCompletedAt: clock.now(), reportPdfSha256: final.sha256 },
    });
    await startPublicity(tx, { clock, actor, tenderId, candidates: ev.result!.candidates });
  };
}

async function signingMember(tx: Db, tenderId: string, userId: string) {
  const [ev] = await tx.select().from(evaluations).where(eq(evaluations.tenderId, tenderId));
  const [m] = await tx
    .select({ m: evaluationMembers, position: panelMembers.position })
    .from(evaluationMembers)
    .innerJoin(panelMembers, and(eq(panelMembers.tenderId, evaluationMembers.tenderId), eq(panelMembers.expertId, evaluationMembers.expertId)))
    .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, userId)));
  if (!m) throw new DomainError("errors.forbidden", { status: 403 });
  if (!ev || ev.state !== "signing" || !ev.reportPdfSha256) throw new DomainError("errors.evaluation.notNow", { status: 409 });
  if (m.m.signedAt || m.m.refusedAt) throw new DomainError("errors.signature.alreadySigned", { status: 409 });
  return { ev, member: m.m, position: m.position };
}

/** A member asks to sign: the current revision is prepared for their passkey. */
export async function requestReportSignature(
  db: Db,
  { clock, store, rp, actor, tenderId }: { clock: Clock; store: FileStore; rp: RelyingParty; actor: Actor & { userId: string }; tenderId: string },
) {
  if (actor.role !== "expert") throw new DomainError("errors.forbidden", { status: 403 });
  const { ev, member, position } = await signingMember(db, tenderId, actor.userId);
  const slot = ev.reportSlots?.[actor.userId];
  const current = new Uint8Array(await readBytes(store, ev.reportPdfSha256!));
  const dissent = member.opinion === "dissent" ? `（保留意见：${(member.dissent ?? "").slice(0, 200)}）` : "";
  return requestSignature(db, {
    clock,
    store,
    rp,
    userId: actor.userId,
    doc: {
      pdf: current,
      purpose: "evaluation_report",
      objectId: `${tenderId}:${ev.reportPdfSha256}`,
      fieldName: `sig-expert-${position}`,
      reason: `评标报告 评审专家签字${dissent}`,
      location: "村易招",
      rect: slot,
      page: slot?.pageIndex,
    },
  });
}

/**
 * The member's passkey approved the digest. If another member's signature
 * landed since the request, the signature is refused as stale: ask again.
 */
export async function completeReportSignature(
  db: Db,
  { clock, store, rp, actor, tenderId, requestId, response }: PasskeyApproval & { actor: Actor & { userId: string }; tenderId: string },
) {
  if (actor.role !== "expert") throw new DomainError("errors.forbidden", { status: 403 });
  await signingMember(db, tenderId, actor.userId);
  const { request, signed } = await completeSignature(db, { clock, store, rp, userId: actor.userId, requestId, response });
  if (request.purpose !== "evaluation_report" || !request.objectId.startsWith(`${tenderId}:`)) throw new DomainError("errors.signature.expired", { status: 409 });
  return db.transaction(async (tx) => {
    const { project } = await lockCurrentTender(tx, tenderId);
    const { ev } = await signingMember(tx, tenderId, actor.userId);
    if (request.objectId !== `${tenderId}:${ev.reportPdfSha256}`) throw new DomainError("errors.signature.stale", { status: 409 });
    const now = clock.now();
    await tx.update(evaluations).set({ reportPdfSha256: signed.sha256 }).where(eq(evaluations.tenderId, tenderId));
    await tx
      .update(evaluationMembers)
      .set({ signedAt: now })
      .where(and(eq(evaluationMembers.tenderId, tenderId), eq(evaluationMembers.expertId, actor.userId)));
    await appendAudit(tx, clock, actor, {
      action: "evaluation.report_signed",
      objectType: "tender",
      objectId: tenderId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      before: { sha256: ev.reportPdfSha256 },
      after: { sha256: signed.sha256, size: signed.size },
    });
    await reportCompleter(clock, store, actor)(tx, tenderId);
    return signed;
  });
}
