/**
 * The risk scan (DOMAIN.md "Supervision and risk"): reads what the rules in
 * risk-rules.ts need for a county or a township — or one project — with a
 * fixed, small number of set-based queries (never one per project), runs the
 * rules and attaches the supervisors' reviews.
 *
 * Nothing about a tender shows before its deadline: every query about bids,
 * traces, files, scores or awards is limited to tenders whose deadline has
 * passed, and what is inside a bid (price, project manager, bid security,
 * files) only from the price reading (唱标) on — the rule in reveal.ts.
 * Where a rule only cares about values two companies share, the query keeps
 * just those rows (a window over the tender and the value), so the scan reads
 * little more than what it flags; the rules still decide.
 *
 * Scale: the queries lean on projects_township_state_idx, tenders_deadline_idx,
 * bids_tender_company and the activity_traces / bid_openings tender indexes.
 */
import { and, eq, inArray, isNotNull, isNull, lte, notInArray, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { Clock } from "~/utils/clock.server";
import { rowsOf, schema, type Db, type MemberRole } from "~/utils/db.server";
import { onOneSnapshot, type RunOnSnapshot } from "~/utils/snapshot.server";
import { appendAudit, type Actor, memberRoleOf } from "./audit.server";
import { getCountySettings } from "./county-settings.server";
import type { EvaluationResult } from "../../db/schema/evaluations";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { DomainError } from "./errors";
import { showScore } from "./evaluation-rules.server";
import { supervisionScope } from "./dashboard.server";
import { getOrg } from "./org.server";
import { bidContentRevealedOn, bidContentRevealedSql } from "./reveal";
import type { SplittingFinding } from "./project-rules";
import {
  FINGERPRINT,
  normaliseMark,
  pricePatterns,
  RISK_RULES,
  riskThresholdsOf,
  runRiskRules,
  type AwardedTender,
  type BidderMark,
  type BidFile,
  type ContactKind,
  type DeviceKind,
  type DrawOutcome,
  type FailedRound,
  type PricedTender,
  type RankedTender,
  type RiskFlag,
  type RiskInput,
  type RiskRule,
  type RiskThresholds,
  type ScoredTender,
  type Severity,
} from "./risk-rules";

// The routes take the rule and severity lists from here, so the hashing in risk-rules never reaches a browser bundle.
export { FINGERPRINT, RISK_RULES, SEVERITIES } from "./risk-rules";

const {
  projects,
  tenders,
  tenderAmendments,
  openings,
  evaluations,
  awards,
  complaints,
  bids,
  bidOpenings,
  orgs,
  companyProfiles,
  projectManagers,
  expertScores,
  users,
  riskReviews,
} = schema;

export interface RiskScope {
  countyId: string;
  /** A township supervisor's scope; absent for the county administrator. */
  townshipId?: string | null;
}

export interface RiskViewer {
  role: MemberRole;
  orgId: string;
}

export interface RiskReview {
  note: string;
  reviewedAt: Date;
  reviewer: string;
}

export interface ScannedFlag extends RiskFlag {
  projectName: string;
  townshipId: string | null;
  review: RiskReview | null;
}

export interface RiskScan {
  flags: ScannedFlag[];
  thresholds: RiskThresholds;
}

/** What a supervisor (their township) or the county administrator (the county) may scan; null for anyone else. */
export async function riskScopeOf(db: Db, viewer: RiskViewer): Promise<RiskScope | null> {
  if (viewer.role !== "supervisor" && viewer.role !== "county_admin") return null;
  const org = await getOrg(db, viewer.orgId);
  return org ? supervisionScope(viewer.role, org) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const asDate = (ms: number) => new Date(ms);
const DAY_MS = 24 * 3600 * 1000;
/** An instant as epoch milliseconds (what a Date holds): a Date from a number, not from text. */
const epochMs = (column: SQL | AnyColumn) => sql<number>`floor(extract(epoch from ${column}) * 1000)::float8`;

/** Evaluation states from which every member's scores are in (nobody's are shown before). */
const SCORED_STATES = ["review", "explaining", "opinions", "signing", "done"] as const;

/**
 * Scan a county or township (or, with `projectId`, only what concerns that
 * project — the same flags, with the same fingerprints, as the full scan has
 * for it). `thresholds` override the county's for a what-if (tests, benchmarks).
 */
export async function scanRisks(db: Db, clock: Clock, scope: RiskScope, opts: { projectId?: string; thresholds?: Partial<RiskThresholds> } = {}): Promise<RiskScan> {
  // One read-only snapshot for every query, so the rules see one moment of the county; the county-wide
  // joins and aggregates get the memory to hash a county's bids without spilling to disk, and no JIT
  // (compiling costs more than it saves for one scan) — for this transaction only.
  // On PostgreSQL the queries spread over three connections sharing the snapshot (the server's two
  // cores each take one while the third's rows are parsed here).
  return onOneSnapshot(
    db,
    {
      lanes: 3,
      setup: sql`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true), set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.01', true)`,
    },
    (run) => scanIn(run, clock, scope, opts),
  );
}

async function scanIn(run: RunOnSnapshot, clock: Clock, scope: RiskScope, opts: { projectId?: string; thresholds?: Partial<RiskThresholds> }): Promise<RiskScan> {
  const now = clock.now();
  const nowIso = now.toISOString();
  const settings = await run((q) => getCountySettings(q, scope.countyId));
  const t: RiskThresholds = { ...riskThresholdsOf(settings), ...opts.thresholds };
  const empty: RiskScan = { flags: [], thresholds: t };

  // One project: everything by its id (and, for splitting, the later projects that name it).
  let only: { id: string } | null = null;
  if (opts.projectId !== undefined) {
    if (!UUID.test(opts.projectId)) return empty;
    const projectId = opts.projectId;
    const [p] = await run((q) =>
      q
        .select({ id: projects.id })
        .from(projects)
        .where(and(eq(projects.id, projectId), eq(projects.countyId, scope.countyId), scope.townshipId ? eq(projects.townshipId, scope.townshipId) : undefined)),
    );
    if (!p) return empty;
    only = p;
  }

  const inScope = and(
    eq(projects.countyId, scope.countyId),
    scope.townshipId ? eq(projects.townshipId, scope.townshipId) : undefined,
    only ? eq(projects.id, only.id) : undefined,
  ) as SQL;
  // The same condition for raw SQL, on the alias p.
  const rawScope = sql.join(
    [sql`p.county_id = ${scope.countyId}`, ...(scope.townshipId ? [sql`p.township_id = ${scope.townshipId}`] : []), ...(only ? [sql`p.id = ${only.id}`] : [])],
    sql` and `,
  );
  const pastDeadline = lte(tenders.deadline, now);
  const revealed = bidContentRevealedSql(openings.state, openings.readingStartedAt);
  // Complaints are few: when one was upheld, per tender.
  // Sealed bids in force at the deadline: recorded when the opening starts, counted before that.
  const sealedAtDeadline = sql<number>`coalesce(${openings.bidCount}, (select count(*) from bids cb where cb.tender_id = ${tenders.id} and cb.status = 'sealed'))::int`;
  const qb = new QueryBuilder();
  const upheld = qb
    .select({ tenderId: complaints.tenderId, atMs: sql<number>`floor(extract(epoch from max(${complaints.decidedAt})) * 1000)::float8`.as("upheld_at_ms") })
    .from(complaints)
    .where(eq(complaints.state, "upheld"))
    .groupBy(complaints.tenderId)
    .as("upheld");

  const [splitting, tenderRaw, amendmentRows, priceRows, declaredRows, companyRows, pmRows, deviceRows, fileRows, rotationRows, scoreRows, reviewRows] = await Promise.all([
    // Splitting: what the check found when each project was submitted (not drafts, not cancelled ones).
    run((q) =>
      q
        .select({
          id: projects.id,
          name: projects.name,
          type: projects.type,
          townshipId: projects.townshipId,
          estimateFen: projects.estimateFen,
          submittedAt: projects.submittedAt,
          createdAt: projects.createdAt,
          finding: projects.splitting,
          justification: projects.splittingJustification,
        })
        .from(projects)
        .where(
          and(
            eq(projects.countyId, scope.countyId),
            scope.townshipId ? eq(projects.townshipId, scope.townshipId) : undefined,
            isNotNull(projects.splitting),
            notInArray(projects.state, ["draft", "cancelled"]),
            // One project: its own finding, and the later ones that list it as related.
            only ? or(eq(projects.id, only.id), sql`${projects.splitting}->'related' @> ${JSON.stringify([{ id: only.id }])}::jsonb`) : undefined,
          ),
        ),
    ),
    // The published tenders a per-tender rule can flag, with their opening, evaluation, award and upheld
    // complaint: past the deadline with fewer sealed bids than the minimum (few bidders), announced for
    // less than the minimum (short announcement), failed (repeated failures) or evaluated (winner far
    // below, disqualified would have won) — the rules' own tests, so a county's other tenders are never
    // read. The rules decide again on these rows.
    run((q) =>
      q
        .select({
          tenderId: tenders.id,
          projectId: tenders.projectId,
          projectName: projects.name,
          projectState: projects.state,
          townshipId: projects.townshipId,
          round: tenders.round,
          // Instants as epoch milliseconds: a Date from a number, not from text, for every tender of a county.
          publishedAtMs: epochMs(tenders.publishedAt),
          deadlineMs: epochMs(tenders.deadline),
          openingState: openings.state,
          openingClosedAtMs: sql<number | null>`floor(extract(epoch from ${openings.closedAt}) * 1000)::float8`,
          recordSigned: sql<boolean>`${openings.recordSignedAt} is not null`,
          evaluationState: evaluations.state,
          evaluationFailed: sql<boolean>`${evaluations.failReason} is not null`,
          evaluationFailedAt: sql<number | null>`floor(extract(epoch from coalesce(${evaluations.lockedAt}, ${evaluations.stepStartedAt})) * 1000)::float8`,
          result: evaluations.result,
          // Sealed bids in force at the deadline: recorded when the opening starts, counted before that (past the deadline only).
          bidCount: sql<number | null>`case when ${tenders.deadline} <= ${nowIso}::timestamptz then ${sealedAtDeadline} end`,
          awardWinnerBidId: awards.winnerBidId,
          awardState: awards.state,
          upheldAtMs: upheld.atMs,
        })
        .from(tenders)
        .innerJoin(projects, eq(projects.id, tenders.projectId))
        .leftJoin(openings, eq(openings.tenderId, tenders.id))
        .leftJoin(evaluations, eq(evaluations.tenderId, tenders.id))
        .leftJoin(awards, eq(awards.tenderId, tenders.id))
        .leftJoin(upheld, eq(upheld.tenderId, tenders.id))
        .where(
          and(
            inScope,
            or(
              and(pastDeadline, notInArray(projects.state, ["cancelled", "cancel_requested"]), sql`${sealedAtDeadline} < ${t.minBidders}`),
              sql`${epochMs(tenders.deadline)} - ${epochMs(tenders.publishedAt)} < ${t.minAnnouncementDays * DAY_MS}`,
              and(pastDeadline, or(eq(openings.state, "failed"), isNotNull(evaluations.failReason), isNotNull(upheld.tenderId), isNotNull(evaluations.result))),
            ),
          ),
        ),
    ),
    run((q) =>
      q
        .select({
          tenderId: tenderAmendments.tenderId,
          projectId: tenders.projectId,
          seq: tenderAmendments.seq,
          title: tenderAmendments.title,
          createdAt: tenderAmendments.createdAt,
          deadlineBefore: tenderAmendments.deadlineBefore,
          deadlineAfter: tenderAmendments.deadlineAfter,
          affectsPreparation: tenderAmendments.affectsPreparation,
        })
        .from(tenderAmendments)
        .innerJoin(tenders, eq(tenders.id, tenderAmendments.tenderId))
        .innerJoin(projects, eq(projects.id, tenders.projectId))
        .where(inScope),
    ),
    // Each read-out tender's prices as one short text: the price rule looks at these first, and only
    // the tenders whose prices form a pattern are read bid by bid below. (A decrypted or rejected bid
    // opening is a bid sealed at the deadline: withdrawn ones are recorded as withdrawn.)
    run((q) =>
      q.execute(sql`
      select bo.tender_id as "tenderId", string_agg(bo.price_fen::text, ',') as prices
        from bid_openings bo
        join openings o on o.tender_id = bo.tender_id
        join tenders t on t.id = bo.tender_id
        join projects p on p.id = t.project_id
       where ${rawScope} and t.deadline <= ${nowIso}::timestamptz
         and ${bidContentRevealedOn("o")}
         and bo.price_fen is not null and bo.status in ('decrypted', 'rejected')
       group by bo.tender_id`),
    ),
    // What each company declared in its read-out bids (project manager, the account the security came
    // from, the guarantee), once per company and value: whether two companies share one is decided
    // on these, and only the bids of companies that share something are read bid by bid below.
    run((q) =>
      q.execute(sql`
      select distinct b.company_id as "companyId", k.kind, k.value
        from bids b
        join tenders t on t.id = b.tender_id
        join projects p on p.id = t.project_id
        join bid_openings bo on bo.bid_id = b.id
        left join openings o on o.tender_id = b.tender_id
        cross join lateral (values
          ('project_manager', bo.project_manager_certificate),
          ('bank_account', bo.security->>'fromAccount'),
          ('guarantee', case when coalesce(bo.security->>'number', '') <> '' then trim(coalesce(bo.security->>'issuer', '') || ' ' || (bo.security->>'number')) end)
        ) as k(kind, value)
       where ${rawScope} and t.deadline <= ${nowIso}::timestamptz and b.status = 'sealed'
         and ${bidContentRevealedOn("o")}
         and (bo.project_manager_certificate is not null or bo.security is not null)
         and coalesce(k.value, '') <> ''`),
    ),
    // Every company's registered contacts and project managers: a few thousand rows at most, cheaper than
    // finding which companies bid in the scope (a pass over its bids); a value only counts where two
    // companies bid on one tender, so companies that bid elsewhere change nothing but what is read below.
    run((q) =>
      q
        .select({ id: orgs.id, name: orgs.name, address: orgs.address, phone: companyProfiles.contactPhone, bankAccount: companyProfiles.bankAccount })
        .from(orgs)
        .leftJoin(companyProfiles, eq(companyProfiles.orgId, orgs.id))
        .where(eq(orgs.kind, "company")),
    ),
    run((q) => q.select({ companyId: projectManagers.companyId, certificate: projectManagers.certificateNumber }).from(projectManagers).where(isNull(projectManagers.removedAt))),
    // Network addresses, devices, passkeys and accounts two companies used on one tender. The account
    // comes from the traces (a bid's trace is written with the bid); the passkey of a bid from its key wraps.
    run((q) =>
      q.execute(sql`
      with marks as (
        select a.tender_id, a.company_id, k.kind, k.value
          from activity_traces a
          join tenders t on t.id = a.tender_id
          join projects p on p.id = t.project_id
          cross join lateral (values ('ip', a.ip), ('device', a.device_id), ('passkey', a.credential_id), ('user', a.user_id::text)) as k(kind, value)
         where ${rawScope} and t.deadline <= ${nowIso}::timestamptz and k.value is not null
        union
        select b.tender_id, b.company_id, 'passkey', w.credential_id
          from bid_key_wraps w
          join bid_versions v on v.id = w.version_id
          join bids b on b.id = v.bid_id
          join tenders t on t.id = b.tender_id
          join projects p on p.id = t.project_id
         where ${rawScope} and t.deadline <= ${nowIso}::timestamptz and w.kind = 'passkey' and w.credential_id is not null
      ), counted as (
        select *, count(*) over (partition by tender_id, kind, value) as n from marks
      )
      select c.tender_id as "tenderId", c.company_id as "companyId", c.kind, c.value, u.name as label
        from counted c
        left join users u on c.kind = 'user' and u.id::text = c.value
       where c.n > 1`),
    ),
    // Files two companies' opened bids have in common (read out only).
    run((q) =>
      q.execute(sql`
      with f as (
        select bo.tender_id, b.company_id, e->>'sha256' as sha, min(e->>'name') as name,
               coalesce(bool_or(e->>'sha256' = t.document_pdf_sha256
                 or exists (select 1 from tender_attachments ta where ta.tender_id = t.id and ta.file_sha256 = e->>'sha256')), false) as published
          from bid_openings bo
          join bids b on b.id = bo.bid_id
          join tenders t on t.id = bo.tender_id
          join projects p on p.id = t.project_id
          join openings o on o.tender_id = t.id
          cross join lateral jsonb_array_elements(case when jsonb_typeof(bo.files) = 'array' then bo.files else '[]'::jsonb end) as e
         where ${rawScope} and t.deadline <= ${nowIso}::timestamptz and b.status = 'sealed'
           and (case when jsonb_typeof(bo.files) = 'array' then jsonb_array_length(bo.files) else 0 end) > 0
           and ${bidContentRevealedOn("o")}
         group by bo.tender_id, b.company_id, e->>'sha256'
      ), counted as (
        select *, count(*) over (partition by tender_id, sha) as n from f
      )
      select tender_id as "tenderId", company_id as "companyId", sha, name, published from counted where n > 1`),
    ),
    // Awarded tenders of the whole county grouped by their exact set of bidders, only sets seen often enough —
    // county-wide so a township supervisor and the county administrator see one flag with one fingerprint.
    run((q) =>
      q.execute(sql`
      with sets as (
        -- Each opened and awarded tender's bidders, as recorded when the opening started (sorted ids; a set
        -- of n companies is n × 36 characters and n − 1 commas long), compared by its MD5 — 16 bytes instead
        -- of a few hundred characters — with what the flag shows carried along, so nothing is joined twice.
        select t.id as tender_id, t.project_id, t.round, t.deadline, p.name, p.township_id, a.winner_bid_id, md5(o.bidder_set)::uuid as set_key
          from tenders t
          join projects p on p.id = t.project_id
          join openings o on o.tender_id = t.id
          join awards a on a.tender_id = t.id and a.state <> 'rejected'
         where p.county_id = ${scope.countyId} and t.deadline <= ${nowIso}::timestamptz
           and (length(o.bidder_set) + 1) / 37 >= ${t.rotationMinCompanies}
      ), counted as (
        select s.*, count(*) over w as n, row_number() over w as nth
          from sets s window w as (partition by set_key)
      )
      -- Each set's ids once (on its first tender), the others by its key.
      select c.tender_id as "tenderId", c.project_id as "projectId", c.round, c.name as "projectName", c.township_id as "townshipId",
             floor(extract(epoch from c.deadline) * 1000)::float8 as "deadlineMs", c.set_key as "setNo",
             case when c.nth = 1 then (select o.bidder_set from openings o where o.tender_id = c.tender_id) end as companies,
             (select wb.company_id from bids wb where wb.id = c.winner_bid_id) as winner
        from counted c
       where c.n >= ${t.rotationMinTenders}
         ${
           // A township or a project: only sets one of its tenders has (the whole county needs no check).
           scope.townshipId || only ? sql`and c.set_key in (select s.set_key from sets s join projects p on p.id = s.project_id where ${rawScope})` : sql``
         }`),
    ),
    // Comprehensive scoring, once every member's scores are in.
    run((q) =>
      q
        .select({
          tenderId: expertScores.tenderId,
          bidId: expertScores.bidId,
          expertId: expertScores.expertId,
          expertName: users.name,
          companyId: bids.companyId,
          score: expertScores.score,
        })
        .from(expertScores)
        .innerJoin(evaluations, eq(evaluations.tenderId, expertScores.tenderId))
        .innerJoin(tenders, eq(tenders.id, expertScores.tenderId))
        .innerJoin(projects, eq(projects.id, tenders.projectId))
        .innerJoin(users, eq(users.id, expertScores.expertId))
        .innerJoin(bids, eq(bids.id, expertScores.bidId))
        .where(and(inScope, pastDeadline, inArray(evaluations.state, [...SCORED_STATES]))),
    ),
    run((q) =>
      q
        .select({ fingerprint: riskReviews.fingerprint, note: riskReviews.note, reviewedAt: riskReviews.reviewedAt, reviewer: users.name })
        .from(riskReviews)
        .innerJoin(users, eq(users.id, riskReviews.reviewedBy))
        .where(eq(riskReviews.countyId, scope.countyId)),
    ),
  ]);

  // ── Lookups ──
  const tenderRows = tenderRaw.map(({ publishedAtMs, deadlineMs, openingClosedAtMs, ...x }) => ({
    ...x,
    publishedAt: asDate(Number(publishedAtMs)),
    deadline: asDate(Number(deadlineMs)),
    openingClosedAt: openingClosedAtMs === null ? null : asDate(Number(openingClosedAtMs)),
  }));
  // Where a tender's flag points (its project, its deadline, whether its opening record can be linked):
  // the candidates', then those the evidence rows below name.
  type TenderAt = { projectId: string; deadline: Date; recordSigned: boolean };
  const tenderById = new Map<string, TenderAt>(tenderRows.map((r) => [r.tenderId, r]));
  const projectInfo = new Map<string, { name: string; townshipId: string | null }>();
  for (const p of splitting) projectInfo.set(p.id, { name: p.name, townshipId: p.townshipId });
  for (const r of tenderRows) projectInfo.set(r.projectId, { name: r.projectName, townshipId: r.townshipId });
  const company = new Map(companyRows.map((c) => [c.id, c]));
  const nameOf = (companyId: string) => company.get(companyId)?.name ?? companyId;
  const past = (tenderId: string) => {
    const x = tenderById.get(tenderId);
    return x && x.deadline <= now ? x : null;
  };

  // ── Shared contacts: registered (company) and declared in the bid (read out) ──
  // A value can only be shared on a tender if some other company has it at all: values no
  // second company has are dropped here, so the rule sees a few marks, not five per bid.
  type Value = { kind: ContactKind; value: string; key: string };
  // Per comparable value: the one company that has it, or null once a second one does.
  const holder = new Map<string, string | null>();
  // The same account or certificate comes back on every bid of a company: normalise each once.
  const values = new Map<string, Value | null>();
  const valueOf = (companyId: string, kind: ContactKind, value: string | null | undefined): Value | null => {
    if (!value) return null;
    const raw = `${kind}|${value}`;
    let v = values.get(raw);
    if (v === undefined) {
      const norm = normaliseMark(kind, value);
      values.set(raw, (v = norm === null ? null : { kind, value, key: `${kind}|${norm}` }));
    }
    if (v === null) return null;
    const first = holder.get(v.key);
    if (first === undefined) holder.set(v.key, companyId);
    else if (first !== null && first !== companyId) holder.set(v.key, null);
    return v;
  };
  const registered = new Map<string, Value[]>();
  for (const c of companyRows)
    registered.set(
      c.id,
      [valueOf(c.id, "phone", c.phone), valueOf(c.id, "address", c.address), valueOf(c.id, "bank_account", c.bankAccount)].filter((v): v is Value => v !== null),
    );
  for (const r of pmRows) {
    const v = valueOf(r.companyId, "project_manager", r.certificate);
    if (v) registered.set(r.companyId, [...(registered.get(r.companyId) ?? []), v]);
  }
  // Who holds a value depends only on which companies have it, not on how many bids carry it:
  // the distinct declared values decide it, then only the bids that can matter are read.
  const declaredOnce = rowsOf<{ companyId: string; kind: ContactKind; value: string }>(declaredRows).map((r) => ({
    companyId: r.companyId,
    v: valueOf(r.companyId, r.kind, r.value),
  }));
  const sharing = new Set<string>();
  for (const [id, vs] of registered) if (vs.some((v) => holder.get(v.key) === null)) sharing.add(id);
  for (const d of declaredOnce) if (d.v && holder.get(d.v.key) === null) sharing.add(d.companyId);
  // Tenders whose prices form a pattern (the same test the rule makes), read bid by bid for the evidence.
  const patterned = new Set(
    rowsOf<{ tenderId: string; prices: string }>(priceRows)
      .filter((r) => pricePatterns(r.prices.split(",").map(Number), t).length > 0)
      .map((r) => r.tenderId),
  );
  // The bids evaluation results and awards name, for the companies' names.
  const named = new Set<string>();
  for (const x of tenderRows) {
    const result = x.result as EvaluationResult | null;
    for (const r of result?.ranking ?? []) named.add(r.bidId);
    for (const id of result?.candidates ?? []) named.add(id);
    if (result?.wouldHaveWon) named.add(result.wouldHaveWon);
    // The winner is named where a ranking is compared with it (winner far below the runner-up).
    if (result && x.awardWinnerBidId) named.add(x.awardWinnerBidId);
  }
  const idList = (ids: Iterable<string>) => [...ids].join(",");
  // The other tenders the device, file, score and price evidence is about.
  const unknown = new Set<string>();
  for (const r of rowsOf<{ tenderId: string }>(deviceRows)) if (!tenderById.has(r.tenderId)) unknown.add(r.tenderId);
  for (const r of rowsOf<{ tenderId: string }>(fileRows)) if (!tenderById.has(r.tenderId)) unknown.add(r.tenderId);
  for (const r of scoreRows) if (!tenderById.has(r.tenderId)) unknown.add(r.tenderId);
  for (const id of patterned) if (!tenderById.has(id)) unknown.add(id);
  const [bidRows, namedRows, tenderInfo] = await Promise.all([
    // Sealed bids past the deadline of the companies that share a value or of the patterned tenders, with what the opening read.
    sharing.size || patterned.size
      ? run((q) =>
          q
            .select({
              bidId: bids.id,
              tenderId: bids.tenderId,
              companyId: bids.companyId,
              projectId: tenders.projectId,
              deadlineMs: epochMs(tenders.deadline),
              recordSigned: sql<boolean>`${openings.recordSignedAt} is not null`,
              revealed,
              openStatus: bidOpenings.status,
              priceFen: bidOpenings.priceFen,
              pmCertificate: bidOpenings.projectManagerCertificate,
              securityAccount: sql<string | null>`${bidOpenings.security}->>'fromAccount'`,
              guaranteeIssuer: sql<string | null>`${bidOpenings.security}->>'issuer'`,
              guaranteeNumber: sql<string | null>`${bidOpenings.security}->>'number'`,
            })
            .from(bids)
            .innerJoin(tenders, eq(tenders.id, bids.tenderId))
            .innerJoin(projects, eq(projects.id, tenders.projectId))
            .leftJoin(openings, eq(openings.tenderId, bids.tenderId))
            .leftJoin(bidOpenings, eq(bidOpenings.bidId, bids.id))
            .where(
              and(
                inScope,
                pastDeadline,
                eq(bids.status, "sealed"),
                or(sql`${bids.companyId} = any(string_to_array(${idList(sharing)}, ',')::uuid[])`, sql`${bids.tenderId} = any(string_to_array(${idList(patterned)}, ',')::uuid[])`),
              ),
            ),
        )
      : [],
    named.size
      ? run((q) =>
          q
            .select({ id: bids.id, companyId: bids.companyId })
            .from(bids)
            .where(sql`${bids.id} = any(string_to_array(${idList(named)}, ',')::uuid[])`),
        )
      : [],
    unknown.size
      ? run((q) =>
          q
            .select({
              tenderId: tenders.id,
              projectId: tenders.projectId,
              projectName: projects.name,
              townshipId: projects.townshipId,
              deadlineMs: epochMs(tenders.deadline),
              recordSigned: sql<boolean>`${openings.recordSignedAt} is not null`,
            })
            .from(tenders)
            .innerJoin(projects, eq(projects.id, tenders.projectId))
            .leftJoin(openings, eq(openings.tenderId, tenders.id))
            .where(and(inScope, sql`${tenders.id} = any(string_to_array(${idList(unknown)}, ',')::uuid[])`)),
        )
      : [],
  ]);
  for (const r of tenderInfo) {
    tenderById.set(r.tenderId, { projectId: r.projectId, deadline: asDate(Number(r.deadlineMs)), recordSigned: r.recordSigned });
    projectInfo.set(r.projectId, { name: r.projectName, townshipId: r.townshipId });
  }
  for (const b of bidRows)
    if (!tenderById.has(b.tenderId)) tenderById.set(b.tenderId, { projectId: b.projectId, deadline: asDate(Number(b.deadlineMs)), recordSigned: b.recordSigned });
  const declared: (Value | null)[][] = bidRows.map((b) =>
    b.revealed && past(b.tenderId)
      ? [
          valueOf(b.companyId, "project_manager", b.pmCertificate),
          valueOf(b.companyId, "bank_account", b.securityAccount),
          valueOf(b.companyId, "guarantee", b.guaranteeNumber ? `${b.guaranteeIssuer ?? ""} ${b.guaranteeNumber}`.trim() : null),
        ]
      : [],
  );
  const shared = (v: Value | null): v is Value => v !== null && holder.get(v.key) === null;
  const sharedRegistered = new Map([...registered].map(([id, vs]) => [id, vs.filter(shared)]));
  const contacts: BidderMark<ContactKind>[] = [];
  const devices: BidderMark<DeviceKind>[] = [];
  const pricesOf = new Map<string, PricedTender>();
  bidRows.forEach((b, i) => {
    const x = past(b.tenderId);
    if (!x) return;
    for (const v of [...(sharedRegistered.get(b.companyId) ?? []), ...declared[i].filter(shared)])
      contacts.push({ tenderId: b.tenderId, projectId: x.projectId, deadline: x.deadline, companyId: b.companyId, companyName: nameOf(b.companyId), kind: v.kind, value: v.value });
    if (patterned.has(b.tenderId) && b.revealed && b.priceFen !== null && (b.openStatus === "decrypted" || b.openStatus === "rejected")) {
      const pt = pricesOf.get(b.tenderId) ?? { tenderId: b.tenderId, projectId: x.projectId, deadline: x.deadline, recordSigned: x.recordSigned, prices: [] };
      pt.prices.push({ bidId: b.bidId, companyName: nameOf(b.companyId), priceFen: b.priceFen });
      pricesOf.set(b.tenderId, pt);
    }
  });
  for (const r of rowsOf<{ tenderId: string; companyId: string; kind: DeviceKind; value: string; label: string | null }>(deviceRows)) {
    const x = past(r.tenderId);
    if (x)
      devices.push({
        tenderId: r.tenderId,
        projectId: x.projectId,
        deadline: x.deadline,
        companyId: r.companyId,
        companyName: nameOf(r.companyId),
        kind: r.kind,
        value: r.value,
        label: r.label,
      });
  }
  const files: BidFile[] = [];
  for (const r of rowsOf<{ tenderId: string; companyId: string; sha: string; name: string; published: boolean }>(fileRows)) {
    const x = past(r.tenderId);
    if (x)
      files.push({
        tenderId: r.tenderId,
        projectId: x.projectId,
        deadline: x.deadline,
        companyId: r.companyId,
        companyName: nameOf(r.companyId),
        sha256: r.sha,
        name: r.name,
        publishedWithTender: r.published,
      });
  }

  // ── Rotation ──
  type RotationRow = {
    tenderId: string;
    projectId: string;
    round: number;
    projectName: string;
    townshipId: string;
    deadlineMs: number;
    setNo: number | string;
    companies: string | null;
    winner: string;
  };
  const rotation = rowsOf<RotationRow>(rotationRows);
  // One bidders list per set, shared by its tenders.
  const biddersOfSet = new Map<string, { companyId: string; companyName: string }[]>();
  for (const r of rotation)
    if (r.companies !== null)
      biddersOfSet.set(
        String(r.setNo),
        r.companies.split(",").map((id) => ({ companyId: id, companyName: nameOf(id) })),
      );
  const awarded: AwardedTender[] = rotation.map((r) => {
    if (!projectInfo.has(r.projectId)) projectInfo.set(r.projectId, { name: r.projectName, townshipId: r.townshipId });
    return {
      tenderId: r.tenderId,
      projectId: r.projectId,
      projectName: r.projectName,
      round: Number(r.round),
      deadline: asDate(Number(r.deadlineMs)),
      bidders: biddersOfSet.get(String(r.setNo)) ?? [],
      winnerCompanyId: r.winner,
    };
  });

  // ── Evaluation and award ──
  const ranked: RankedTender[] = [];
  const draws: DrawOutcome[] = [];
  const failures: FailedRound[] = [];
  const bidCompany = new Map(namedRows.map((b) => [b.id, b.companyId]));
  for (const x of tenderRows) {
    if (x.deadline > now) continue;
    const result = x.result as EvaluationResult | null;
    const winnerBidId = x.awardWinnerBidId && x.awardState !== "rejected" ? x.awardWinnerBidId : (result?.candidates?.[0] ?? null);
    if (result && winnerBidId && result.ranking.length > 1)
      ranked.push({
        tenderId: x.tenderId,
        projectId: x.projectId,
        deadline: x.deadline,
        winnerBidId,
        ranking: result.ranking.map((r) => ({ bidId: r.bidId, rank: r.rank, priceFen: r.priceFen, companyName: nameOf(bidCompany.get(r.bidId) ?? r.bidId) })),
      });
    if (result?.wouldHaveWon)
      draws.push({
        tenderId: x.tenderId,
        projectId: x.projectId,
        deadline: x.deadline,
        wouldHaveWon: { bidId: result.wouldHaveWon, companyName: nameOf(bidCompany.get(result.wouldHaveWon) ?? result.wouldHaveWon) },
        winnerCompanyName: winnerBidId ? nameOf(bidCompany.get(winnerBidId) ?? winnerBidId) : null,
      });
    if (x.openingState === "failed") failures.push({ projectId: x.projectId, tenderId: x.tenderId, round: x.round, failedAt: x.openingClosedAt ?? x.deadline, cause: "opening" });
    else if (x.evaluationFailed)
      failures.push({
        projectId: x.projectId,
        tenderId: x.tenderId,
        round: x.round,
        failedAt: x.evaluationFailedAt !== null ? asDate(Number(x.evaluationFailedAt)) : x.deadline,
        cause: "evaluation",
      });
    else if (x.upheldAtMs !== null) failures.push({ projectId: x.projectId, tenderId: x.tenderId, round: x.round, failedAt: asDate(Number(x.upheldAtMs)), cause: "complaint" });
  }

  const scoresOf = new Map<string, ScoredTender>();
  for (const s of scoreRows) {
    const x = past(s.tenderId);
    if (!x) continue;
    const st = scoresOf.get(s.tenderId) ?? { tenderId: s.tenderId, projectId: x.projectId, deadline: x.deadline, scores: [] };
    st.scores.push({ expertId: s.expertId, expertName: s.expertName, bidId: s.bidId, companyName: nameOf(s.companyId), score: s.score });
    scoresOf.set(s.tenderId, st);
  }

  const input: RiskInput = {
    splitting: splitting.map((p) => ({
      id: p.id,
      name: p.name,
      type: p.type,
      estimateFen: p.estimateFen,
      at: p.submittedAt ?? p.createdAt,
      finding: p.finding as SplittingFinding | null,
      justification: p.justification,
    })),
    bidCounts: tenderRows
      .filter((x) => x.deadline <= now && x.projectState !== "cancelled" && x.projectState !== "cancel_requested")
      .map((x) => ({ tenderId: x.tenderId, projectId: x.projectId, round: x.round, deadline: x.deadline, bidCount: Number(x.bidCount ?? 0) })),
    contacts,
    devices,
    files,
    prices: [...pricesOf.values()],
    awarded,
    ranked,
    announced: tenderRows.map((x) => ({ tenderId: x.tenderId, projectId: x.projectId, round: x.round, publishedAt: x.publishedAt, deadline: x.deadline })),
    amendments: amendmentRows,
    failures,
    scores: [...scoresOf.values()],
    draws,
  };

  const reviews = new Map(reviewRows.map((r) => [r.fingerprint, { note: r.note, reviewedAt: r.reviewedAt, reviewer: r.reviewer }]));
  const found = runRiskRules(settings, input, t).filter((f) => !only || f.projectIds.includes(only.id));
  // The names of the flagged projects no row above carried.
  const unnamed = new Set(found.map((f) => f.projectId).filter((id) => !projectInfo.has(id)));
  if (unnamed.size) {
    const rows = await run((q) =>
      q
        .select({ id: projects.id, name: projects.name, townshipId: projects.townshipId })
        .from(projects)
        .where(sql`${projects.id} = any(string_to_array(${idList(unnamed)}, ',')::uuid[])`),
    );
    for (const r of rows) projectInfo.set(r.id, { name: r.name, townshipId: r.townshipId });
  }
  const flags = found.map((f) => {
    const info = projectInfo.get(f.projectId);
    return { ...f, projectName: info?.name ?? "", townshipId: info?.townshipId ?? null, review: reviews.get(f.fingerprint) ?? null };
  });
  return { flags, thresholds: t };
}

/** The thresholds the scope's county runs on (for the rule explanations). */
export async function riskThresholdsFor(db: Db, scope: RiskScope): Promise<RiskThresholds> {
  return riskThresholdsOf(await getCountySettings(db, scope.countyId));
}

/** The flags about one project, for its page: supervisors of its township and the county administrator; null for anyone else. */
export async function flagsForProject(db: Db, clock: Clock, projectId: string, viewer: RiskViewer): Promise<ScannedFlag[] | null> {
  const scope = await riskScopeOf(db, viewer);
  if (!scope || !UUID.test(projectId)) return null;
  const [p] = await db.select({ countyId: projects.countyId, townshipId: projects.townshipId }).from(projects).where(eq(projects.id, projectId));
  if (!p || p.countyId !== scope.countyId || (scope.townshipId && p.townshipId !== scope.townshipId)) return null;
  return (await scanRisks(db, clock, scope, { projectId })).flags;
}

/**
 * One flag of the scope by its fingerprint, or null. `projectId` is a hint
 * (the list links carry it) that lets the scan read one project instead of
 * the whole scope; a wrong hint only costs the full scan.
 */
export async function flagByFingerprint(
  db: Db,
  { clock, scope, fingerprint, hint = {} }: { clock: Clock; scope: RiskScope; fingerprint: string; hint?: { projectId?: string | null } },
): Promise<ScannedFlag | null> {
  if (!FINGERPRINT.test(fingerprint)) return null;
  if (hint.projectId && UUID.test(hint.projectId)) {
    const found = (await scanRisks(db, clock, scope, { projectId: hint.projectId })).flags.find((f) => f.fingerprint === fingerprint);
    if (found) return found;
  }
  return (await scanRisks(db, clock, scope)).flags.find((f) => f.fingerprint === fingerprint) ?? null;
}

export const reviewSchema = z.object({
  fingerprint: z.string().regex(FINGERPRINT, "errors.risk.notFound"),
  rule: z.enum(RISK_RULES, { message: "errors.risk.notFound" }),
  note: z.string().trim().min(2, "errors.risk.note").max(2000, "errors.risk.note"),
  projectId: z.string().optional(),
});

/**
 * A supervisor of the township (or the county administrator) marks a flag
 * reviewed, with a note; audited in the same transaction. Only a flag the
 * scope shows now can be reviewed, and only once (the note stays as written).
 */
export async function reviewFlag(
  db: Db,
  { clock, actor, orgId, raw }: { clock: Clock; actor: Actor & { userId: string }; orgId: string; raw: unknown },
): Promise<typeof riskReviews.$inferSelect> {
  const scope = await riskScopeOf(db, { role: memberRoleOf(actor), orgId });
  if (!scope) throw new DomainError("errors.forbidden", { status: 403 });
  const parsed = reviewSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(issue.message, { field: issue.path[0] === "note" ? "note" : undefined, status: issue.path[0] === "note" ? 400 : 404 });
  }
  const input = parsed.data;
  const flag = await flagByFingerprint(db, { clock, scope, fingerprint: input.fingerprint, hint: { projectId: input.projectId } });
  if (!flag || flag.rule !== (input.rule as RiskRule)) throw new DomainError("errors.risk.notFound", { status: 404 });
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(riskReviews)
      .values({ countyId: scope.countyId, rule: flag.rule, fingerprint: flag.fingerprint, note: input.note, reviewedBy: actor.userId, reviewedAt: clock.now() })
      .onConflictDoNothing({ target: [riskReviews.countyId, riskReviews.fingerprint] })
      .returning();
    if (!row) throw new DomainError("errors.risk.alreadyReviewed", { status: 409 });
    await appendAudit(tx, clock, actor, {
      action: "risk.review",
      objectType: "risk_flag",
      objectId: flag.fingerprint,
      countyId: scope.countyId,
      townshipId: flag.townshipId,
      detail: { rule: flag.rule, severity: flag.severity, projectId: flag.projectId, tenderId: flag.tenderId ?? null, note: input.note },
    });
    return row;
  });
}

// ── For the pages ───────────────────────────────────────────────────────

/** An evidence value as shown, by the naming convention in risk-rules.ts; lists stay lists (the page joins them). */
function shownValue(key: string, v: string | number | string[]): string | string[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "number" && key.endsWith("Fen")) return formatFen(v);
  // Basis points are hundredths of a percent: the same two decimals as a score.
  if (typeof v === "number" && key.endsWith("Bp")) return `${showScore(v)}%`;
  if (typeof v === "number" && key.endsWith("Score")) return showScore(v);
  if (typeof v === "string" && key.endsWith("At")) return formatBeijing(v);
  return String(v);
}

export interface FlagView {
  fingerprint: string;
  rule: RiskRule;
  severity: Severity;
  projectId: string;
  projectName: string;
  tenderId: string | null;
  at: string;
  /** The evidence page, with the project as a hint so it reads one project instead of the scope. */
  href: string;
  review: { note: string; reviewer: string; reviewedAt: string } | null;
  evidence: { labelKey: string; values: Record<string, string | string[]>; links: { href: string; labelKey: string }[] }[];
}

/** A flag as the pages show it: times in Beijing, money in yuan, ratios as percentages. */
export function flagView(f: ScannedFlag): FlagView {
  return {
    fingerprint: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    projectId: f.projectId,
    projectName: f.projectName,
    tenderId: f.tenderId ?? null,
    at: formatBeijing(f.at),
    href: `/supervision/flags/${f.fingerprint}?project=${f.projectId}`,
    review: f.review ? { note: f.review.note, reviewer: f.review.reviewer, reviewedAt: formatBeijing(f.review.reviewedAt) } : null,
    evidence: f.evidence.map((e) => ({ labelKey: e.labelKey, links: e.links, values: Object.fromEntries(Object.entries(e.values).map(([k, v]) => [k, shownValue(k, v)])) })),
  };
}

/** The thresholds as the rule explanations quote them. */
export function thresholdValues(t: RiskThresholds): Record<string, string> {
  return {
    minBidders: String(t.minBidders),
    clusterPct: `${showScore(t.priceClusterBasisPoints)}%`,
    minBids: String(t.pricePatternMinBids),
    tolerance: formatFen(t.sequenceToleranceFen),
    rotationCompanies: String(t.rotationMinCompanies),
    rotationTenders: String(t.rotationMinTenders),
    rotationWinners: String(t.rotationMinWinners),
    winnerPct: `${showScore(t.winnerBelowRunnerUpBasisPoints)}%`,
    announcementDays: String(t.minAnnouncementDays),
    lateDays: String(t.lateAmendmentDays),
    failedRounds: String(t.minFailedRounds),
    outlierPoints: showScore(t.outlierScoreHundredths),
    outlierScores: String(t.outlierMinScores),
  };
}
