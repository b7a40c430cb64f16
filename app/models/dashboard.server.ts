/**
 * The supervision dashboard (监管统计, DOMAIN.md "Supervision and risk"): for a
 * township supervisor their township, for the county administrator the whole
 * county with a row per township. Every figure is aggregated in PostgreSQL by
 * a handful of statements over one narrow row per project (project_figures,
 * kept up to date through a queue the database fills on every write, ADR
 * 0023; no project rows loaded into the process): it has to stay fast on a
 * county with 100 000 projects (bench/analytics.ts, ADR 0020).
 *
 * What each figure means (also printed under the dashboard):
 * - A project counts in the year (Beijing time) it was registered, so all of a
 *   project's figures fall in one year. No year: every year.
 * - projects by state: the project's state, with a published tender whose
 *   deadline has passed counted as opening (as everywhere else: lifecycle.ts
 *   effectiveState).
 * - tendered: projects with at least one tender notice published (round 1
 *   exists), and the sum of their ceiling prices (最高投标限价).
 * - awarded: projects whose award notice (中标通知书) is signed and stands (an
 *   upheld complaint withdraws it), the sum of the award prices, and the sum of
 *   those projects' ceilings.
 * - savings: awarded ceiling − awarded price; savings rate = savings ÷ awarded
 *   ceiling (money-weighted).
 * - 平均下浮率 (average price reduction): the plain mean over awarded projects of
 *   (ceiling − award) ÷ ceiling — every project weighs the same.
 * - days from approval to award: median of (award notice signed − township
 *   approval (备案)), in days, one decimal.
 * - tenders: notices published (every round counts); opened: tenders whose bids
 *   were counted at the deadline; bidders per tender: mean of the sealed bids in
 *   force at the deadline (openings.bid_count) over opened tenders, and their
 *   spread. Never read from the bids table: before the deadline not even a
 *   count of bids may show (ADR 0011).
 * - failed tenders (流标): the opening failed (too few bids) or the evaluation
 *   did (too few qualified); failure rate = failed ÷ opened.
 * - open complaints: filed or accepted complaints with the deadline that runs
 *   now (accept/reject, then decide), overdue when it has passed. Not filtered
 *   by year: they are work to do.
 * Rates are integer basis points (1 bp = 0.01 %); money is integer fen.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Clock } from "~/utils/clock.server";
import { rowsOf, type Db, type MemberRole, type Org } from "~/utils/db.server";
import { fenToYuanInput } from "~/utils/money";
import { beijingDay, startOfBeijingDay } from "~/utils/time";
import { toCsv } from "~/utils/csv";
import { BIDDER_BUCKETS, type Figures } from "./dashboard";
import { DomainError } from "./errors";
import { PROJECT_STATES, type ProjectState } from "./lifecycle";
import { listOrgsInCounty } from "./org.server";

/** Whose figures: a county, or one township of it. */
export interface DashboardScope {
  countyId: string;
  townshipId?: string | null;
}

/** What the viewer narrowed it to: a registration year (Beijing), one township (county administrator only). */
export interface DashboardFilter {
  year?: number | null;
  townshipId?: string | null;
}

export interface TownshipFigures extends Figures {
  townshipId: string;
  name: string;
  states: Record<ProjectState, number>;
}

export interface OpenComplaint {
  id: string;
  tenderId: string;
  project: string;
  township: string;
  company: string;
  state: "filed" | "accepted";
  filedAt: Date;
  /** The deadline running now: to accept or reject (filed), to decide (accepted). */
  dueAt: Date | null;
  overdue: boolean;
}

export interface Dashboard {
  scope: { countyId: string; townshipId: string | null };
  filter: { year: number | null; townshipId: string | null };
  /** Years (Beijing) from the first registered project to now, newest first. */
  years: number[];
  /** The county's townships (for the filter); the supervisor's own only. */
  townshipChoices: { id: string; name: string }[];
  total: Figures;
  states: Record<ProjectState, number>;
  /** One row per township in the scope and filter, all of them even when empty, in the filter's order. */
  townships: TownshipFigures[];
  complaints: OpenComplaint[];
  generatedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMPLAINT_LIMIT = 200;

/** The dashboard scope of a member: the supervisor's township, the county administrator's county; null for any other role. */
export function supervisionScope(role: MemberRole, org: Pick<Org, "id" | "kind" | "countyId">): DashboardScope | null {
  if (role === "supervisor" && org.kind === "township" && org.countyId) return { countyId: org.countyId, townshipId: org.id };
  if (role === "county_admin" && org.kind === "county") return { countyId: org.id, townshipId: null };
  return null;
}

/** Query-string values → a filter; anything malformed is simply not applied (the year) or refused later (the township). */
export function parseDashboardFilter(q: URLSearchParams): DashboardFilter {
  const y = Number(q.get("year"));
  return {
    year: Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : null,
    townshipId: q.get("township") || null,
  };
}

const num = (v: unknown): number => {
  if (v === null || v === undefined) return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${String(v)}`);
  return n;
};
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ratioBp = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part * 10_000) / whole) : null);

function emptyStates(): Record<ProjectState, number> {
  return Object.fromEntries(PROJECT_STATES.map((s) => [s, 0])) as Record<ProjectState, number>;
}

function emptyFigures(): Figures {
  return {
    projects: 0,
    tendered: 0,
    tenderedFen: 0,
    awarded: 0,
    awardedFen: 0,
    awardedCeilingFen: 0,
    savingsFen: 0,
    reductionBp: null,
    savingsRateBp: null,
    medianDaysToAward: null,
    tenders: 0,
    opened: 0,
    bidsAtDeadline: 0,
    avgBidders: null,
    bidderSpread: { lt3: 0, b3: 0, b4to5: 0, b6to9: 0, b10plus: 0 },
    failed: 0,
    failedRateBp: null,
  };
}

/**
 * Brings the queued projects' dashboard figures up to date (ADR 0023) and
 * returns how many were refreshed. Takes the projects the triggers queued and
 * committed (a writer still running keeps its entry for the next refresh),
 * locks their figure rows — so of two refreshes of one project the later
 * computes after the earlier has committed, and the newer figures win — then
 * sums each project's tender rounds, openings, failed evaluations and signed
 * awards from what is committed by then. Called before the dashboard reads,
 * and every minute by the scheduler so the queue stays short.
 */
export async function refreshProjectFigures(db: Db): Promise<number> {
  const [pending] = rowsOf<{ any: boolean }>(await db.execute(sql`select exists (select 1 from project_figures_queue) as any`));
  if (!pending?.any) return 0;
  return db.transaction(async (tx) => {
    const [taken] = rowsOf<{ ids: string | null }>(
      await tx.execute(sql`with d as (delete from project_figures_queue returning project_id) select string_agg(distinct project_id::text, ',') as ids from d`),
    );
    if (!taken?.ids) return 0;
    const changed = sql`unnest(string_to_array(${taken.ids}, ',')::uuid[]) as c(id)`;
    await tx.execute(sql`insert into project_figures (project_id) select p.id from ${changed} join projects p on p.id = c.id on conflict do nothing`);
    await tx.execute(sql`select 1 from project_figures f join ${changed} on c.id = f.project_id order by f.project_id for update of f`);
    await tx.execute(sql`
      update project_figures f
         set county_id = x.county_id, township_id = x.township_id, state = x.state, created_at = x.created_at, ceiling_fen = x.ceiling_fen,
             projects = x.projects, latest_deadline = x.latest_deadline, tendered = x.tendered, tenders = x.tenders, opened = x.opened,
             bids = x.bids, lt3 = x.lt3, b3 = x.b3, b4to5 = x.b4to5, b6to9 = x.b6to9, b10plus = x.b10plus, failed = x.failed,
             awarded = x.awarded, awarded_fen = x.awarded_fen, reduction_sum_bp = x.reduction_sum_bp, award_seconds = x.award_seconds
        from (
          select p.id, p.county_id, p.township_id, p.state, p.created_at, p.ceiling_fen,
                 -- A project counts once: as itself before its first tender, as its first round after.
                 count(*) filter (where t.round is null or t.round = 1)::int as projects,
                 max(t.deadline) as latest_deadline,
                 count(*) filter (where t.round = 1)::int as tendered,
                 count(t.id)::int as tenders,
                 count(o.bid_count)::int as opened,
                 coalesce(sum(o.bid_count), 0)::int as bids,
                 count(*) filter (where o.bid_count < 3)::int as lt3,
                 count(*) filter (where o.bid_count = 3)::int as b3,
                 count(*) filter (where o.bid_count between 4 and 5)::int as b4to5,
                 count(*) filter (where o.bid_count between 6 and 9)::int as b6to9,
                 count(*) filter (where o.bid_count >= 10)::int as b10plus,
                 count(*) filter (where o.state = 'failed' or ef.tender_id is not null)::int as failed,
                 count(a.price_fen)::int as awarded,
                 coalesce(sum(a.price_fen), 0)::bigint as awarded_fen,
                 -- Per-row arithmetic in float8, as the sums it feeds.
                 sum((p.ceiling_fen - a.price_fen)::float8 * 10000 / nullif(p.ceiling_fen, 0)) as reduction_sum_bp,
                 array_agg(date_part('epoch', a.signed_at - p.decided_at)) filter (where date_part('epoch', a.signed_at - p.decided_at) is not null) as award_seconds
            from ${changed}
            join projects p on p.id = c.id
            left join tenders t on t.project_id = p.id
            left join openings o on o.tender_id = t.id
            left join evaluations ef on ef.tender_id = t.id and ef.fail_reason is not null
            left join awards a on a.tender_id = t.id and a.state = 'signed'
           group by p.id
        ) x
       where f.project_id = x.id`);
    return taken.ids.split(",").length;
  });
}

/**
 * Every figure of the dashboard for a county or a township. A county
 * administrator may narrow to one township of the county (filter.townshipId);
 * a supervisor's scope is their township whatever the filter says.
 */
export async function dashboardFor(db: Db, clock: Clock, scope: DashboardScope, filter: DashboardFilter = {}): Promise<Dashboard> {
  const now = clock.now();
  const countyTownships = (await listOrgsInCounty(db, scope.countyId, "township")).map((o) => ({ id: o.id, name: o.name }));
  let townshipId = scope.townshipId ?? null;
  if (!townshipId && filter.townshipId) {
    if (!UUID.test(filter.townshipId) || !countyTownships.some((o) => o.id === filter.townshipId)) throw new DomainError("errors.notFound", { status: 404 });
    townshipId = filter.townshipId;
  }
  if (scope.townshipId && !countyTownships.some((o) => o.id === scope.townshipId)) throw new DomainError("errors.forbidden", { status: 403 });
  const year = filter.year ?? null;

  // One WHERE for every statement (on projects or project_figures, both as p): the county (always, so a foreign township id finds nothing), the township, the year.
  const where: SQL[] = [sql`p.county_id = ${scope.countyId}::uuid`];
  if (townshipId) where.push(sql`p.township_id = ${townshipId}::uuid`);
  if (year) {
    where.push(sql`p.created_at >= ${startOfBeijingDay(`${year}-01-01`).toISOString()}::timestamptz`);
    where.push(sql`p.created_at < ${startOfBeijingDay(`${year + 1}-01-01`).toISOString()}::timestamptz`);
  }
  const scoped = sql.join(where, sql` and `);
  const place = sql.join(where.slice(0, townshipId ? 2 : 1), sql` and `);
  const nowIso = now.toISOString();

  // The figures come from one narrow row per project (project_figures, ADR 0023), brought up to date
  // first: (1) summed by township and state (the township rows and the total are sums of these ≤ 13 ×
  // townships rows); (2) the medians, which do not add up, over each signed award's days. They run
  // side by side with the complaints and the first year.
  await refreshProjectFigures(db);
  const [figureRows, medianRows, complaintRows, firstRows] = await Promise.all([
    db.execute(sql`
      select p.township_id as township,
             p.state::text as state,
             coalesce(sum(p.projects), 0)::int as projects,
             count(*) filter (where p.state = 'published' and p.latest_deadline > ${nowIso}::timestamptz)::int as bidding,
             coalesce(sum(p.tendered), 0)::int as tendered,
             coalesce(sum(p.ceiling_fen * p.tendered), 0)::bigint as tendered_fen,
             coalesce(sum(p.tenders), 0)::int as tenders,
             coalesce(sum(p.opened), 0)::int as opened,
             coalesce(sum(p.bids), 0)::bigint as bids,
             coalesce(sum(p.lt3), 0)::int as lt3,
             coalesce(sum(p.b3), 0)::int as b3,
             coalesce(sum(p.b4to5), 0)::int as b4to5,
             coalesce(sum(p.b6to9), 0)::int as b6to9,
             coalesce(sum(p.b10plus), 0)::int as b10plus,
             coalesce(sum(p.failed), 0)::int as failed,
             coalesce(sum(p.awarded), 0)::int as awarded,
             coalesce(sum(p.awarded_fen), 0)::bigint as awarded_fen,
             coalesce(sum(p.ceiling_fen * p.awarded), 0)::bigint as awarded_ceiling_fen,
             sum(p.reduction_sum_bp) as reduction_sum_bp
        from project_figures p
       where ${scoped}
       group by 1, 2`),
    db.execute(sql`
      select p.township_id as township,
             grouping(p.township_id) as total,
             round((percentile_cont(0.5) within group (order by s.seconds) / 86400)::numeric, 1)::float8 as median_days
        from project_figures p
        cross join lateral unnest(p.award_seconds) as s(seconds)
       where ${scoped}
       group by rollup (p.township_id)`),
    // Open complaints with the deadline running now (every year: they are work to do).
    db.execute(sql`
      select c.id, c.tender_id, c.state::text as state, c.filed_at,
             case when c.state = 'filed' then c.accept_due_at else c.decide_due_at end as due_at,
             p.name as project, tw.name as township, co.name as company
        from complaints c
        join tenders t on t.id = c.tender_id
        join projects p on p.id = t.project_id
        join orgs tw on tw.id = p.township_id
        join orgs co on co.id = c.company_id
       where c.state in ('filed', 'accepted') and ${place}
       order by due_at nulls last, c.filed_at
       limit ${COMPLAINT_LIMIT}`),
    // The first registration, for the year filter.
    db.execute(sql`select min(p.created_at) as first from projects p where ${place}`),
  ]);

  const shown = countyTownships.filter((o) => !townshipId || o.id === townshipId);
  const rows = new Map<string, TownshipFigures>(shown.map((o) => [o.id, { townshipId: o.id, name: o.name, ...emptyFigures(), states: emptyStates() }]));
  const total = emptyFigures();
  const states = emptyStates();
  // Sum the (township, state) rows into their township and the total; the rates follow from the sums.
  const reductionSum = new Map<Figures, number>();
  for (const r of rowsOf<Record<string, unknown> & { state: ProjectState }>(figureRows)) {
    const row = rows.get(String(r.township));
    const state = r.state;
    // A published tender whose deadline has passed is opening (lifecycle.ts effectiveState).
    const due = state === "published" ? num(r.projects) - num(r.bidding) : 0;
    for (const f of row ? [row, total] : [total]) {
      f.projects += num(r.projects);
      f.tendered += num(r.tendered);
      f.tenderedFen += num(r.tendered_fen);
      f.tenders += num(r.tenders);
      f.opened += num(r.opened);
      f.bidsAtDeadline += num(r.bids);
      for (const b of BIDDER_BUCKETS) f.bidderSpread[b] += num(r[b]);
      f.failed += num(r.failed);
      f.awarded += num(r.awarded);
      f.awardedFen += num(r.awarded_fen);
      f.awardedCeilingFen += num(r.awarded_ceiling_fen);
      reductionSum.set(f, (reductionSum.get(f) ?? 0) + Number(r.reduction_sum_bp ?? 0));
    }
    for (const st of row ? [row.states, states] : [states]) {
      st[state] += num(r.projects) - due;
      st.opening += due;
    }
  }
  for (const f of [...rows.values(), total]) {
    f.savingsFen = f.awardedCeilingFen - f.awardedFen;
    f.reductionBp = f.awarded ? Math.round((reductionSum.get(f) ?? 0) / f.awarded) : null;
    f.savingsRateBp = ratioBp(f.savingsFen, f.awardedCeilingFen);
    f.avgBidders = f.opened ? Math.round((f.bidsAtDeadline * 10) / f.opened) / 10 : null;
    f.failedRateBp = ratioBp(f.failed, f.opened);
  }
  for (const r of rowsOf<Record<string, unknown>>(medianRows)) {
    const f = Number(r.total) === 1 || r.total === true ? total : rows.get(String(r.township));
    if (f) f.medianDaysToAward = numOrNull(r.median_days);
  }

  const complaints: OpenComplaint[] = rowsOf<Record<string, unknown>>(complaintRows).map((r) => {
    // An accepted complaint always has its decision deadline; should one be missing it is shown without one.
    const dueAt = r.due_at ? new Date(r.due_at as string | Date) : null;
    return {
      id: String(r.id),
      tenderId: String(r.tender_id),
      project: String(r.project),
      township: String(r.township),
      company: String(r.company),
      state: r.state as "filed" | "accepted",
      filedAt: new Date(r.filed_at as string | Date),
      dueAt,
      overdue: dueAt !== null && now.getTime() > dueAt.getTime(),
    };
  });

  const first = rowsOf<{ first: string | Date | null }>(firstRows)[0]?.first;
  const thisYear = Number(beijingDay(now).slice(0, 4));
  const firstYear = first ? Math.min(thisYear, Number(beijingDay(new Date(first)).slice(0, 4))) : thisYear;
  const years = Array.from({ length: thisYear - firstYear + 1 }, (_, i) => thisYear - i);

  return {
    scope: { countyId: scope.countyId, townshipId: scope.townshipId ?? null },
    filter: { year, townshipId: scope.townshipId ? null : townshipId },
    years,
    townshipChoices: scope.townshipId ? countyTownships.filter((o) => o.id === scope.townshipId) : countyTownships,
    total,
    states,
    townships: [...rows.values()],
    complaints,
    generatedAt: now,
  };
}

// ── CSV export ──────────────────────────────────────────────────────────

const yuan = (fen: number) => (fen < 0 ? `-${fenToYuanInput(-fen)}` : fenToYuanInput(fen));
const percent = (bp: number | null) => (bp === null ? "" : (bp / 100).toFixed(2));

type Translate = (key: string, values?: Record<string, unknown>) => string;

/**
 * The dashboard as a spreadsheet: one row per township (the table the
 * dashboard shows), then a total row when there is more than one township.
 * Money in yuan with two decimals and rates in percent, as plain numbers
 * Excel can sum; the project counts by state follow as one column per state.
 * Per-project data is what the audit export and the open data are for.
 */
export async function dashboardCsv(
  db: Db,
  { clock, scope, filter, t }: { clock: Clock; scope: DashboardScope; filter: DashboardFilter; t: Translate },
): Promise<{ csv: string; dashboard: Dashboard }> {
  const d = await dashboardFor(db, clock, scope, filter);
  const header = [
    t("supervision.csv.township"),
    t("supervision.csv.projects"),
    t("supervision.csv.tendered"),
    t("supervision.csv.tenderedYuan"),
    t("supervision.csv.awarded"),
    t("supervision.csv.awardedYuan"),
    t("supervision.csv.awardedCeilingYuan"),
    t("supervision.csv.savingsYuan"),
    t("supervision.csv.reductionPercent"),
    t("supervision.csv.savingsRatePercent"),
    t("supervision.csv.medianDays"),
    t("supervision.csv.tenders"),
    t("supervision.csv.opened"),
    t("supervision.csv.avgBidders"),
    t("supervision.csv.failed"),
    t("supervision.csv.failedRatePercent"),
    ...PROJECT_STATES.map((s) => t("supervision.csv.state", { state: t(`project.states.${s}`) })),
  ];
  const line = (name: string, f: Figures, states: Record<ProjectState, number>) => [
    name,
    f.projects,
    f.tendered,
    yuan(f.tenderedFen),
    f.awarded,
    yuan(f.awardedFen),
    yuan(f.awardedCeilingFen),
    yuan(f.savingsFen),
    percent(f.reductionBp),
    percent(f.savingsRateBp),
    f.medianDaysToAward === null ? "" : f.medianDaysToAward.toFixed(1),
    f.tenders,
    f.opened,
    f.avgBidders === null ? "" : f.avgBidders.toFixed(1),
    f.failed,
    percent(f.failedRateBp),
    ...PROJECT_STATES.map((s) => states[s]),
  ];
  const rows = [header, ...d.townships.map((r) => line(r.name, r, r.states))];
  if (d.townships.length > 1) rows.push(line(t("supervision.csv.total"), d.total, d.states));
  return { csv: toCsv(rows), dashboard: d };
}
