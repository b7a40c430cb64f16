/**
 * Open data in the Open Contracting Data Standard (DOMAIN.md "Transparency"):
 * a release package per project and a record package feed per county, OCDS
 * 1.1 with the bids and contract-completion extensions (schemas and their
 * provenance in app/ocds/schema; validation in app/ocds/validate.server.ts).
 *
 * What is published, and when, mirrors the public pages exactly:
 * - nothing of a project before its tender notice is published (a tender row
 *   exists only from publication on);
 * - the notice, its documents and amendments from publication;
 * - nothing about bids before the deadline; bidders, prices and statuses only
 *   once the opening record (开标记录) is signed and public; the candidates
 *   (names, prices, places) from the start of the candidate publicity (公示);
 * - the award once its notice is signed; the contract date, acceptance and
 *   settlement as they are recorded; failures (流标), upheld complaints and
 *   approved cancellations as they happen.
 *
 * Each round of a project is one contracting process (ocid); a re-tender after
 * a failed round is a new process that points back to the failed one
 * (relatedProcesses "unsuccessfulProcess"), as OCDS advises. Every release is
 * the whole public picture of its process as of the release's date, so the
 * compiled release of a record is simply the latest release re-tagged.
 */
import { and, asc, desc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { schema, type Db, type Org, type Project, type Tender, type TenderAmendment } from "~/utils/db.server";
import { getT } from "~/utils/i18n";
import { startOfBeijingDay } from "~/utils/time";
import { bidContentRevealed } from "./reveal";

const { projects, tenders, tenderAttachments, tenderAmendments, tenderQuestions, orgs, openings, bidOpenings, bids, evaluations, publicities, awards, complaints, auditLog } =
  schema;
const T = getT("zh-CN");

export const OCDS_VERSION = "1.1";
/**
 * A placeholder prefix for trials. A county publishing for real registers its
 * own prefix with the OCDS Data Support Team (data@open-contracting.org) and
 * sets OCDS_PREFIX; ocids made with this one must not be mixed with those.
 */
export const TEST_OCDS_PREFIX = "ocds-cyz000";
/** The extensions the releases use, as the official extension.json URLs (copies in app/ocds/schema). */
export const OCDS_EXTENSIONS = [
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json",
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contract_completion_extension/master/extension.json",
];
/** The county feed pages with `links.next` / `links.prev`, as the pagination extension names them. */
const PAGINATION_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/master/extension.json";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const FEED_PAGE_SIZE = 50;
export const FEED_MAX_PAGE_SIZE = 200;

type Obj = Record<string, unknown>;

export interface OcdsOptions {
  /** The county's registered prefix (env OCDS_PREFIX); the test prefix otherwise. */
  prefix?: string;
}

export interface OcdsRelease extends Obj {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
}

export interface ReleasePackage {
  uri: string;
  version: string;
  extensions: string[];
  publishedDate: string;
  publisher: { name: string };
  publicationPolicy: string;
  releases: OcdsRelease[];
}

export interface RecordPackage {
  uri: string;
  version: string;
  extensions: string[];
  publishedDate: string;
  publisher: { name: string };
  publicationPolicy: string;
  packages: string[];
  records: { ocid: string; releases: { url: string; date: string; tag: string[] }[]; compiledRelease: OcdsRelease }[];
  links?: { next?: string; prev?: string };
}

// ── Mapping helpers ─────────────────────────────────────────────────────

/** Round 1 keeps the plain project ocid; a re-tender is a new process with the round appended. */
export function ocidFor(prefix: string, projectId: string, round: number): string {
  return round === 1 ? `${prefix}-${projectId}` : `${prefix}-${projectId}-${round}`;
}

/**
 * Integer fen → OCDS amount in yuan. fen / 100 is the double nearest the exact
 * decimal, and JSON prints the shortest form that reads back as that double:
 * "123.45", never 123.45000000000002 (for any amount below 10^13 fen).
 */
export function ocdsAmount(fen: number) {
  return { amount: fen / 100, currency: "CNY" };
}

const iso = (d: Date) => d.toISOString();
/** A calendar day recorded in Beijing (contract, acceptance) as the instant it began there. */
const dayStart = (day: string) => `${day}T00:00:00+08:00`;

/** 统一社会信用代码 is org-id.guide's CN-USCI; other organisations are cross-referenced by their platform id. */
function partyId(org: Pick<Org, "id" | "kind" | "code">): string {
  return org.kind === "company" && org.code ? `CN-USCI-${org.code}` : org.id;
}

const SELECTION_NAMES: Record<Project["method"], string> = { open_selection: "公开选取", open_tender: "公开招标", direct_award: "直接委托", self_build: "村民自建" };

function awardCriteria(t: Tender): { awardCriteria?: string; awardCriteriaDetails: string } {
  const name = T(`tender.methods.${t.evaluationMethod}`);
  const p = (t.evaluationParams ?? {}) as { coefficientBasisPoints?: number; priceWeightPercent?: number };
  switch (t.evaluationMethod) {
    case "lowest_price":
      return { awardCriteria: "priceOnly", awardCriteriaDetails: name };
    case "reasonable_low":
      // Price is the only criterion; the winner is the bid closest to a benchmark, not the lowest.
      return { awardCriteria: "priceOnly", awardCriteriaDetails: `${name}：最接近基准价（有效报价平均值 × ${((p.coefficientBasisPoints ?? 0) / 10_000).toFixed(4)}）者中标` };
    case "comprehensive":
      return { awardCriteria: "ratedCriteria", awardCriteriaDetails: `${name}（价格分权重 ${p.priceWeightPercent ?? 0}%）` };
    case "random_draw":
      // No OCDS code fits a lottery among qualified bidders: the details say what it is.
      return { awardCriteriaDetails: `${name}：在合格投标人中随机抽取，抽取依据公开可复核` };
  }
}

// ── What the database says about each public round ─────────────────────

interface BidRow {
  bidId: string;
  company: Pick<Org, "id" | "kind" | "code" | "name">;
  status: (typeof bidOpenings.$inferSelect)["status"];
  priceFen: number | null;
  durationDays: number | null;
}

interface Round {
  project: Project;
  tender: Tender;
  village: Org;
  township: Org;
  county: Org;
  ocid: string;
  previousOcid: string | null;
  amendments: TenderAmendment[];
  attachments: { fileSha256: string; fileName: string }[];
  firstAnswerAt: Date | null;
  opening: typeof openings.$inferSelect | null;
  bids: BidRow[];
  evaluation: typeof evaluations.$inferSelect | null;
  publicity: typeof publicities.$inferSelect | null;
  award: typeof awards.$inferSelect | null;
  contractAt: Date | null;
  completedAt: Date | null;
  upheldAt: Date | null;
  /** An approved cancellation that ended this round (not one after the round had already failed). */
  cancel: { at: Date; reason: string } | null;
}

const byRound = <T extends { tenderId: string }>(rows: T[]) => {
  const m = new Map<string, T[]>();
  for (const r of rows) m.set(r.tenderId, [...(m.get(r.tenderId) ?? []), r]);
  return m;
};

/** The latest time each (object, action) was recorded in the audit trail: contract, completion, cancellation. */
async function auditTimes(db: Db, objectIds: string[], actions: string[]) {
  if (!objectIds.length) return new Map<string, Date>();
  const rows = await db
    .select({ objectId: auditLog.objectId, action: auditLog.action, at: auditLog.at })
    .from(auditLog)
    .where(and(inArray(auditLog.objectId, objectIds), inArray(auditLog.action, actions)))
    .orderBy(asc(auditLog.id));
  const m = new Map<string, Date>();
  for (const r of rows) m.set(`${r.objectId} ${r.action}`, r.at);
  return m;
}

/** Every published round of the given projects, with what the public may eventually see of it, in a few batched queries. */
async function loadRounds(db: Db, now: Date, where: { projectId: string } | { countyId: string }, prefix: string): Promise<Round[]> {
  const rows = await db
    .select({ tender: tenders, project: projects })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(and("projectId" in where ? eq(projects.id, where.projectId) : eq(projects.countyId, where.countyId), lte(tenders.publishedAt, now)))
    .orderBy(asc(tenders.publishedAt), asc(tenders.round));
  if (!rows.length) return [];
  const tenderIds = rows.map((r) => r.tender.id);
  const projectIds = [...new Set(rows.map((r) => r.project.id))];
  const orgIds = [...new Set(rows.flatMap((r) => [r.project.villageId, r.project.townshipId, r.project.countyId]))];
  const orgById = new Map((await db.select().from(orgs).where(inArray(orgs.id, orgIds))).map((o) => [o.id, o]));

  const amendments = byRound(await db.select().from(tenderAmendments).where(inArray(tenderAmendments.tenderId, tenderIds)).orderBy(asc(tenderAmendments.seq)));
  const attachments = byRound(await db.select().from(tenderAttachments).where(inArray(tenderAttachments.tenderId, tenderIds)).orderBy(asc(tenderAttachments.fileName)));
  const answers = byRound(
    await db
      .select({ tenderId: tenderQuestions.tenderId, at: tenderQuestions.answeredAt })
      .from(tenderQuestions)
      .where(and(inArray(tenderQuestions.tenderId, tenderIds), isNotNull(tenderQuestions.answeredAt)))
      .orderBy(asc(tenderQuestions.answeredAt)),
  );
  const openingOf = new Map((await db.select().from(openings).where(inArray(openings.tenderId, tenderIds))).map((o) => [o.tenderId, o]));
  const bidRows = byRound(
    await db
      .select({ tenderId: bidOpenings.tenderId, o: bidOpenings, company: { id: orgs.id, kind: orgs.kind, code: orgs.code, name: orgs.name } })
      .from(bidOpenings)
      .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
      .innerJoin(orgs, eq(orgs.id, bids.companyId))
      .where(inArray(bidOpenings.tenderId, tenderIds))
      .orderBy(asc(bids.createdAt)),
  );
  const evaluationOf = new Map((await db.select().from(evaluations).where(inArray(evaluations.tenderId, tenderIds))).map((e) => [e.tenderId, e]));
  const publicityOf = new Map((await db.select().from(publicities).where(inArray(publicities.tenderId, tenderIds))).map((p) => [p.tenderId, p]));
  const awardOf = new Map((await db.select().from(awards).where(inArray(awards.tenderId, tenderIds))).map((a) => [a.tenderId, a]));
  const upheld = byRound(
    await db
      .select({ tenderId: complaints.tenderId, at: complaints.decidedAt })
      .from(complaints)
      .where(and(inArray(complaints.tenderId, tenderIds), eq(complaints.state, "upheld")))
      .orderBy(asc(complaints.decidedAt)),
  );
  const times = await auditTimes(db, [...tenderIds, ...projectIds], ["award.contract", "project.complete", "project.approve_cancel"]);
  const latestRound = new Map<string, number>();
  for (const { tender } of rows) latestRound.set(tender.projectId, Math.max(latestRound.get(tender.projectId) ?? 0, tender.round));

  return rows.map(({ tender, project }) => {
    const opening = openingOf.get(tender.id) ?? null;
    const evaluation = evaluationOf.get(tender.id) ?? null;
    const award = awardOf.get(tender.id) ?? null;
    const upheldAt = upheld.get(tender.id)?.[0]?.at ?? null;
    const failedBefore = (d: Date) =>
      [opening?.state === "failed" ? opening.closedAt : null, evaluation?.failReason ? evaluation.lockedAt : null, upheldAt].some((f) => f && f <= d);
    const cancelAt = project.state === "cancelled" ? (times.get(`${project.id} project.approve_cancel`) ?? project.updatedAt) : null;
    // The cancellation belongs to the project's latest round, unless that round had already failed (the process was over).
    const cancel = cancelAt && tender.round === latestRound.get(project.id) && !failedBefore(cancelAt) ? { at: cancelAt, reason: project.cancelReason ?? "" } : null;
    return {
      project,
      tender,
      village: orgById.get(project.villageId)!,
      township: orgById.get(project.townshipId)!,
      county: orgById.get(project.countyId)!,
      ocid: ocidFor(prefix, project.id, tender.round),
      previousOcid: tender.round > 1 ? ocidFor(prefix, project.id, tender.round - 1) : null,
      amendments: amendments.get(tender.id) ?? [],
      attachments: attachments.get(tender.id) ?? [],
      firstAnswerAt: answers.get(tender.id)?.[0]?.at ?? null,
      opening,
      // What a bid holds is nobody's before the price reading (reveal.ts), whatever the release's own dates say.
      bids: (bidRows.get(tender.id) ?? []).map((b) =>
        bidContentRevealed(opening)
          ? { bidId: b.o.bidId, company: b.company, status: b.o.status, priceFen: b.o.priceFen, durationDays: b.o.durationDays }
          : { bidId: b.o.bidId, company: b.company, status: b.o.status === "rejected" ? ("decrypted" as const) : b.o.status, priceFen: null, durationDays: null },
      ),
      evaluation,
      publicity: publicityOf.get(tender.id) ?? null,
      // Only a signed award was ever public (an award rejected after signing is an upheld complaint).
      award: award?.signedAt ? award : null,
      contractAt: award?.contractDate ? (times.get(`${tender.id} award.contract`) ?? startOfBeijingDay(award.contractDate)) : null,
      completedAt: award?.acceptanceDate && award.settlementFen !== null ? (times.get(`${tender.id} project.complete`) ?? startOfBeijingDay(award.acceptanceDate)) : null,
      upheldAt,
      cancel,
    };
  });
}

// ── Events and releases ─────────────────────────────────────────────────

interface ReleaseEvent {
  key: string;
  at: Date;
  tag: string[];
}

function failureAt(r: Round): Date | null {
  const all = [r.opening?.state === "failed" ? r.opening.closedAt : null, r.evaluation?.failReason ? r.evaluation.lockedAt : null, r.upheldAt].filter((d): d is Date => Boolean(d));
  return all.length ? new Date(Math.min(...all.map((d) => d.getTime()))) : null;
}

/** The public moments of a round up to `now`, oldest first: each becomes one release. */
function eventsOf(r: Round, now: Date): ReleaseEvent[] {
  const awardAt = r.award?.signedAt ?? null;
  const before = (a: Date | null, b: Date) => Boolean(a && a <= b);
  const events: ReleaseEvent[] = [{ key: "tender", at: r.tender.publishedAt, tag: ["tender"] }];
  for (const a of r.amendments) events.push({ key: `amendment-${a.seq}`, at: a.createdAt, tag: ["tenderAmendment"] });
  if (r.opening?.state === "failed" && r.opening.closedAt) events.push({ key: "opening-failed", at: r.opening.closedAt, tag: ["tenderUpdate"] });
  if (r.opening?.recordSignedAt) events.push({ key: "opening-record", at: r.opening.recordSignedAt, tag: ["tenderUpdate"] });
  if (r.evaluation?.failReason && r.evaluation.lockedAt) events.push({ key: "evaluation-failed", at: r.evaluation.lockedAt, tag: ["tenderUpdate"] });
  if (r.publicity) events.push({ key: "publicity", at: r.publicity.startsAt, tag: ["tenderUpdate"] });
  if (awardAt) events.push({ key: "award", at: awardAt, tag: ["award"] });
  if (r.contractAt) events.push({ key: "contract", at: r.contractAt, tag: ["contract"] });
  if (r.completedAt) events.push({ key: "completion", at: r.completedAt, tag: ["implementation", "contractTermination"] });
  if (r.upheldAt) events.push({ key: "complaint-upheld", at: r.upheldAt, tag: before(awardAt, r.upheldAt) ? ["awardCancellation", "tenderUpdate"] : ["tenderUpdate"] });
  if (r.cancel) {
    const c = r.cancel.at;
    events.push({
      key: "cancellation",
      at: c,
      tag: before(awardAt, c) ? ["awardCancellation", ...(before(r.contractAt, c) ? ["contractTermination"] : [])] : ["tenderCancellation"],
    });
  }
  return events.filter((e) => e.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
}

function bidStatus(row: BidRow, qualified: string[] | null): "pending" | "valid" | "disqualified" | "withdrawn" {
  if (row.status === "withdrawn" || row.status === "revoked" || row.status === "platform_withdrawn") return "withdrawn";
  if (qualified) return qualified.includes(row.bidId) ? "valid" : "disqualified";
  return row.status === "rejected" ? "disqualified" : "pending";
}

/** The whole public picture of a round as of `at`. */
function releaseOf(r: Round, ev: ReleaseEvent, origin: string): OcdsRelease {
  const at = ev.at;
  const seen = (d: Date | null | undefined): d is Date => Boolean(d && d <= at);
  const notice = `${origin}/notices/${r.tender.id}`;
  const { project, tender } = r;

  // Who and what about the bids may be seen at `at`.
  const allBids = seen(r.opening?.recordSignedAt);
  const candidates = seen(r.publicity?.startsAt) ? r.publicity!.candidates : [];
  // The qualified list is public from the publicity on (the draw page shows it).
  const qualified = seen(r.publicity?.startsAt) ? (r.evaluation?.qualifiedBidIds ?? null) : null;
  const visible = r.bids.filter((b) => allBids || candidates.includes(b.bidId));

  const awardActive = seen(r.award?.signedAt);
  const awardCancelledAt = [r.upheldAt, r.cancel?.at].find((d) => d && r.award?.signedAt && d >= r.award.signedAt) ?? null;
  const winner = awardActive ? r.bids.find((b) => b.bidId === r.award!.winnerBidId) : undefined;
  const failed = failureAt(r);
  const tenderCancelled = Boolean(r.cancel && seen(r.cancel.at) && !(r.award?.signedAt && r.award.signedAt <= r.cancel.at));
  const status = tenderCancelled ? "cancelled" : seen(failed) ? "unsuccessful" : awardActive ? "complete" : "active";

  // Parties: the village committee buys and runs the procurement; the township hears complaints; companies once public.
  const buyer = { id: partyId(r.village), name: r.village.name };
  const parties: Obj[] = [
    { ...buyer, roles: ["buyer", "procuringEntity"], address: { locality: r.township.name, region: r.county.name, countryName: "中国" } },
    { id: partyId(r.township), name: r.township.name, roles: ["reviewBody"] },
  ];
  const seenCompanies = new Set<string>();
  for (const b of visible) {
    if (seenCompanies.has(b.company.id)) continue;
    seenCompanies.add(b.company.id);
    parties.push({
      id: partyId(b.company),
      name: b.company.name,
      ...(b.company.code ? { identifier: { scheme: "CN-USCI", id: b.company.code, legalName: b.company.name } } : {}),
      roles: winner && winner.company.id === b.company.id ? ["tenderer", "supplier"] : ["tenderer"],
    });
  }
  const ref = (b: BidRow) => ({ id: partyId(b.company), name: b.company.name });

  // The deadline as the amendments had moved it by `at`.
  const amendments = r.amendments.filter((a) => seen(a.createdAt));
  const deadline = amendments.length ? amendments[amendments.length - 1].deadlineAfter : (r.amendments[0]?.deadlineBefore ?? tender.deadline);

  const documents: Obj[] = [
    { id: "notice", documentType: "tenderNotice", title: "招标公告", url: notice, format: "text/html", language: "zh", datePublished: iso(tender.publishedAt) },
    ...(tender.documentPdfSha256
      ? [
          {
            id: "tender-documents",
            documentType: "biddingDocuments",
            title: "招标文件",
            description: "登录后下载",
            url: `${notice}/files/${tender.documentPdfSha256}`,
            format: "application/pdf",
            language: "zh",
            datePublished: iso(tender.publishedAt),
          },
        ]
      : []),
    ...r.attachments.map((a) => ({
      id: `attachment-${a.fileSha256.slice(0, 16)}`,
      documentType: "biddingDocuments",
      title: a.fileName,
      description: "登录后下载",
      url: `${notice}/files/${a.fileSha256}`,
      format: "application/pdf",
      language: "zh",
      datePublished: iso(tender.publishedAt),
    })),
    ...(allBids
      ? [{ id: "opening-record", title: "开标记录", url: `${notice}/record`, format: "application/pdf", language: "zh", datePublished: iso(r.opening!.recordSignedAt!) }]
      : []),
    ...(seen(r.publicity?.startsAt)
      ? [{ id: "publicity", title: "中标候选人公示", url: `${notice}/publicity`, format: "text/html", language: "zh", datePublished: iso(r.publicity!.startsAt) }]
      : []),
    ...(r.cancel && seen(r.cancel.at)
      ? [
          {
            id: "cancellation",
            documentType: "cancellationDetails",
            title: "项目撤销",
            description: r.cancel.reason,
            url: notice,
            format: "text/html",
            language: "zh",
            datePublished: iso(r.cancel.at),
          },
        ]
      : []),
  ];

  const tenderers = visible.filter((b) => b.status !== "withdrawn");
  const release: OcdsRelease = {
    ocid: r.ocid,
    id: `${r.ocid}-${ev.key}`,
    date: iso(at),
    tag: ev.tag,
    initiationType: "tender",
    language: "zh",
    parties,
    buyer,
    tender: {
      id: tender.id,
      title: project.name,
      description: `项目地点：${project.location}。建设内容：${project.scope}`,
      status,
      procuringEntity: buyer,
      value: ocdsAmount(project.ceilingFen),
      procurementMethod: "open",
      procurementMethodDetails: SELECTION_NAMES[project.method],
      mainProcurementCategory: project.type,
      ...awardCriteria(tender),
      submissionMethod: ["electronicSubmission"],
      submissionMethodDetails: "不见面开标：投标文件在投标人浏览器内加密，开标时由投标人远程解密",
      tenderPeriod: { startDate: iso(tender.publishedAt), endDate: iso(deadline) },
      hasEnquiries: seen(r.firstAnswerAt),
      eligibilityCriteria: [tender.qualificationClass, tender.otherRequirements].filter(Boolean).join("；"),
      contractPeriod: { durationInDays: project.durationDays },
      ...(allBids ? { numberOfTenderers: tenderers.length, tenderers: tenderers.map(ref) } : {}),
      documents,
      ...(amendments.length
        ? {
            amendments: amendments.map((a) => ({
              id: `amendment-${a.seq}`,
              date: iso(a.createdAt),
              rationale: a.title,
              description: a.body,
              releaseID: `${r.ocid}-amendment-${a.seq}`,
            })),
          }
        : {}),
    },
  };

  if (visible.length) {
    const statistics: Obj[] = [];
    if (allBids) {
      const count = r.opening!.bidCount ?? tenderers.length;
      statistics.push(
        { id: "bids", measure: "bids", value: count },
        { id: "bidders", measure: "bidders", value: count },
        { id: "electronicBids", measure: "electronicBids", value: count },
      );
    }
    if (qualified) {
      const opened = r.bids.filter((b) => b.status === "decrypted" || b.status === "rejected");
      statistics.push(
        { id: "validBids", measure: "validBids", value: qualified.length },
        { id: "disqualifiedBids", measure: "disqualifiedBids", value: opened.filter((b) => !qualified.includes(b.bidId)).length },
      );
      // Every qualified price is public only with the opening record; the candidates' alone could mislead.
      const prices = r.bids.filter((b) => qualified.includes(b.bidId) && b.priceFen !== null).map((b) => b.priceFen!);
      if (allBids && prices.length) {
        statistics.push(
          { id: "lowestValidBidValue", measure: "lowestValidBidValue", value: Math.min(...prices) / 100, currency: "CNY" },
          { id: "highestValidBidValue", measure: "highestValidBidValue", value: Math.max(...prices) / 100, currency: "CNY" },
        );
      }
    }
    release.bids = {
      ...(statistics.length ? { statistics } : {}),
      details: visible.map((b) => {
        const place = candidates.indexOf(b.bidId);
        return {
          id: b.bidId,
          submissionType: "bid",
          status: bidStatus(b, qualified),
          tenderers: [ref(b)],
          ...(b.priceFen !== null ? { value: ocdsAmount(b.priceFen) } : {}),
          ...(b.durationDays !== null ? { description: `工期 ${b.durationDays} 天` } : {}),
          ...(candidates.length ? (place >= 0 ? { hasRank: true, rank: place + 1 } : { hasRank: false }) : {}),
        };
      }),
    };
  }

  if (awardActive && r.award) {
    const a = r.award;
    const durationInDays = winner?.durationDays ?? project.durationDays;
    release.awards = [
      {
        id: "award-1",
        title: project.name,
        status: seen(awardCancelledAt) ? "cancelled" : "active",
        date: iso(a.signedAt!),
        value: ocdsAmount(a.priceFen),
        suppliers: winner ? [ref(winner)] : [],
        contractPeriod: { durationInDays },
        relatedBids: [a.winnerBidId],
        documents: [
          {
            id: "award-notice",
            documentType: "awardNotice",
            title: "中标通知书",
            url: `${notice}/award-notice`,
            format: "application/pdf",
            language: "zh",
            datePublished: iso(a.signedAt!),
          },
        ],
      },
    ];
    if (seen(r.contractAt) && a.contractDate) {
      const completed = seen(r.completedAt) && a.acceptanceDate && a.settlementFen !== null;
      const ended = completed || seen(awardCancelledAt);
      release.contracts = [
        {
          id: "contract-1",
          awardID: "award-1",
          title: project.name,
          status: ended ? "terminated" : "active",
          period: { startDate: dayStart(a.contractDate), durationInDays },
          value: ocdsAmount(a.priceFen),
          dateSigned: dayStart(a.contractDate),
          relatedBids: [a.winnerBidId],
          ...(completed
            ? {
                implementation: {
                  milestones: [{ id: "acceptance", title: "竣工验收", type: "delivery", status: "met", dateMet: dayStart(a.acceptanceDate!) }],
                  endDate: dayStart(a.acceptanceDate!),
                  finalValue: ocdsAmount(a.settlementFen!),
                  finalValueDetails: "结算金额",
                },
              }
            : {}),
        },
      ];
    }
  }

  if (r.previousOcid) {
    release.relatedProcesses = [
      {
        id: "previous-round",
        relationship: ["unsuccessfulProcess"],
        title: project.name,
        scheme: "ocid",
        identifier: r.previousOcid,
        uri: `${origin}/open-data/projects/${project.id}.json`,
      },
    ];
  }
  return release;
}

function releasesOf(r: Round, now: Date, origin: string): OcdsRelease[] {
  return eventsOf(r, now).map((ev) => releaseOf(r, ev, origin));
}

const publisherOf = (county: Org) => ({ name: `村易招 · ${county.name}` });
const projectPackageUri = (origin: string, projectId: string) => `${origin}/open-data/projects/${projectId}.json`;
const latest = (dates: string[]) => dates.reduce((a, b) => (new Date(a) >= new Date(b) ? a : b));

// ── The two publications ────────────────────────────────────────────────

/**
 * A project's release package: one release per public moment of each of its
 * rounds. Null when nothing of the project is public (no tender published,
 * or no such project) — the route answers 404.
 */
export async function projectReleasePackage(
  db: Db,
  { clock, projectId, origin, opts = {} }: { clock: Clock; projectId: string; origin: string; opts?: OcdsOptions },
): Promise<ReleasePackage | null> {
  if (!UUID.test(projectId)) return null;
  const now = clock.now();
  const rounds = await loadRounds(db, now, { projectId }, opts.prefix ?? TEST_OCDS_PREFIX);
  const releases = rounds.flatMap((r) => releasesOf(r, now, origin)).sort((a, b) => new Date(a.date).getTime() - new Date(b.date).getTime());
  if (!releases.length) return null;
  return {
    uri: projectPackageUri(origin, projectId),
    version: OCDS_VERSION,
    extensions: OCDS_EXTENSIONS,
    // On demand: the date of the last change to what the package holds.
    publishedDate: latest(releases.map((r) => r.date)),
    publisher: publisherOf(rounds[0].county),
    publicationPolicy: `${origin}/open-data`,
    releases,
  };
}

export interface FeedQuery {
  /** Only records changed at or after this instant. */
  since?: Date;
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

/**
 * The county's record package feed: one record per contracting process (round),
 * each with its releases (linked into the project's release package) and its
 * compiled release, oldest change first so that `since` = the last
 * publishedDate seen resumes a harvest. Null for an unknown county, an empty
 * result or a page past the end — the route answers 404 (a record package
 * must hold at least one record).
 */
export async function countyRecordPackage(
  db: Db,
  { clock, countyId, origin, query = {} }: { clock: Clock; countyId: string; origin: string; query?: FeedQuery & OcdsOptions },
): Promise<RecordPackage | null> {
  if (!UUID.test(countyId)) return null;
  const [county] = await db
    .select()
    .from(orgs)
    .where(and(eq(orgs.id, countyId), eq(orgs.kind, "county")));
  if (!county) return null;
  const now = clock.now();
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const pageSize = Math.min(FEED_MAX_PAGE_SIZE, Math.max(1, Math.floor(query.pageSize ?? FEED_PAGE_SIZE)));
  const rounds = await loadRounds(db, now, { countyId }, query.prefix ?? TEST_OCDS_PREFIX);
  const all = rounds
    .map((r) => ({ r, releases: releasesOf(r, now, origin) }))
    .filter((x) => x.releases.length)
    .map((x) => ({ ...x, changed: new Date(x.releases[x.releases.length - 1].date) }))
    .filter((x) => !query.since || x.changed >= query.since)
    .sort((a, b) => a.changed.getTime() - b.changed.getTime() || (a.r.ocid < b.r.ocid ? -1 : 1));
  const slice = all.slice((page - 1) * pageSize, page * pageSize);
  if (!slice.length) return null;

  const feedUrl = (p: number) => {
    const u = new URL(`${origin}/open-data/county/${countyId}.json`);
    if (query.since) u.searchParams.set("since", query.since.toISOString());
    if (query.pageSize) u.searchParams.set("pageSize", String(pageSize));
    if (p > 1) u.searchParams.set("page", String(p));
    return u.toString();
  };
  const records = slice.map(({ r, releases }) => {
    const last = releases[releases.length - 1];
    const pkg = projectPackageUri(origin, r.project.id);
    return {
      ocid: r.ocid,
      releases: releases.map((rel) => ({ url: `${pkg}#${rel.id}`, date: rel.date, tag: rel.tag })),
      // Each release carries the whole public picture as of its date, so the latest one is the compiled state.
      compiledRelease: { ...last, id: `${r.ocid}-${last.date}`, tag: ["compiled"] },
    };
  });
  const links: RecordPackage["links"] = {};
  if (page * pageSize < all.length) links.next = feedUrl(page + 1);
  if (page > 1) links.prev = feedUrl(page - 1);
  return {
    uri: feedUrl(page),
    version: OCDS_VERSION,
    extensions: [...OCDS_EXTENSIONS, PAGINATION_EXTENSION],
    publishedDate: latest(records.map((x) => x.compiledRelease.date)),
    publisher: publisherOf(county),
    publicationPolicy: `${origin}/open-data`,
    packages: [...new Set(slice.map(({ r }) => projectPackageUri(origin, r.project.id)))],
    records,
    ...(links.next || links.prev ? { links } : {}),
  };
}

/** For the open-data page: every county's feed, and the latest public projects with their packages. */
export async function openDataIndex(db: Db, clock: Clock, limit = 20) {
  const counties = await db.select({ id: orgs.id, name: orgs.name }).from(orgs).where(eq(orgs.kind, "county")).orderBy(asc(orgs.name));
  const recent = await db
    .select({ projectId: projects.id, name: projects.name, countyId: projects.countyId, publishedAt: tenders.publishedAt })
    .from(tenders)
    .innerJoin(projects, eq(projects.id, tenders.projectId))
    .where(lte(tenders.publishedAt, clock.now()))
    .orderBy(desc(tenders.publishedAt))
    .limit(limit * 2);
  const seen = new Set<string>();
  const projectsList = recent.filter((p) => !seen.has(p.projectId) && seen.add(p.projectId)).slice(0, limit);
  return { counties, projects: projectsList };
}
