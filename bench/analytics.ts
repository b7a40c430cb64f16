// npm run bench:analytics — the supervision dashboard and the risk scan on a county-sized database.
// Usage: tsx bench/analytics.ts [projects=100000] [bids=1000000] [--explain FILE] [--keep] [--reuse] [--no-risk] [--compare-indexes]
// Needs the PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres):
// creates a fresh database cyz_bench_analytics, runs the migrations, seeds one county of 10
// townships and 100 villages with `projects` projects in every state and about `bids` sealed bids
// with their openings, evaluations, awards and complaints — set-based SQL (generate_series), not
// row by row — then times dashboardFor for the county and for one township (median of 5 runs
// after a warm-up), and the full risk scan of the county (median of 3) when app/models/risk.server.ts has one.
// With --compare-indexes it measures twice, without and with the indexes ADR 0020 added, and
// with --explain writes EXPLAIN (ANALYZE, BUFFERS) of every dashboard statement.
// Prints JSON. The database is dropped at the end unless --keep; --reuse measures again on a kept one.
import { writeFileSync } from "node:fs";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { openPostgres, schema, type Db } from "../db/client";
import { dashboardFor, refreshProjectFigures } from "../app/models/dashboard.server";
import { ManualClock } from "../app/utils/clock.server";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1] === "--explain"));
const PROJECTS = Number(positional[0] ?? 100_000);
const BIDS = Number(positional[1] ?? 1_000_000);
const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "cyz_bench_analytics";
const RUNS = 5;
/** The app's clock for every figure: seeded data runs from 2024-01-01 to a few days before this. */
const NOW = "2026-11-20T02:00:00Z";

/** The indexes ADR 0020 added for the dashboard (in db/schema, migration 0012; --compare-indexes measures without them too). */
export const ADR_INDEXES: { name: string; ddl: string }[] = [
  // The first year for the year filter (min(created_at)) and a year's projects of a county.
  { name: "projects_county_created_idx", ddl: `CREATE INDEX projects_county_created_idx ON projects (county_id, created_at)` },
  // Failed evaluations (流标 after the check): a few thousand index entries instead of the evaluations heap with its jsonb.
  { name: "evaluations_failed_idx", ddl: `CREATE INDEX evaluations_failed_idx ON evaluations (tender_id) WHERE fail_reason IS NOT NULL` },
];

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 10) / 10;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function medianOf(fn: () => Promise<unknown>, runs = RUNS): Promise<{ medianMs: number; runsMs: number[] }> {
  await fn(); // warm-up: plan caches, buffers
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) runsMs.push(Math.round((await timed(fn)).ms * 10) / 10);
  return { medianMs: median(runsMs), runsMs };
}

// ── A fresh database ────────────────────────────────────────────────────

const admin = postgres(withDb(SERVER, "postgres"), { max: 1, onnotice: () => {} });
const url = withDb(SERVER, DB_NAME);
// --reuse: measure again on the database a --keep run left (no new seed).
const reuse = flag("--reuse") && (await admin.unsafe(`SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}'`)).length > 0;
if (!reuse) {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
}
const migrated = await timed(async () => (await openPostgres(url, { max: 1 })).close());

// ── Seed, set-based, on one connection (temporary tables, one random sequence) ──

const seedSql = postgres(url, { max: 1, onnotice: () => {} });
const progress = (what: string) => process.stderr.write(`[bench:analytics] ${what}\n`);
const step = async (label: string, text: string, log: Record<string, number>) => {
  progress(`seed ${label}`);
  const t0 = performance.now();
  await seedSql.unsafe(text);
  log[label] = Math.round(performance.now() - t0);
};
const seedLog: Record<string, number> = {};
const seeded = await timed(async () => {
  if (reuse) return;
  // Bulk loading a throw-away database: skip foreign-key triggers (every reference below is built from the rows just inserted).
  await step("setup", `SET session_replication_role = replica; SELECT setseed(0.42)`, seedLog);
  await step(
    "orgs",
    `
    INSERT INTO orgs (id, kind, name, code, created_at) VALUES ('00000000-0000-4000-8000-000000000001', 'county', '基准县', '339999', '2023-12-01');
    INSERT INTO orgs (id, kind, name, code, parent_id, county_id, created_at)
      SELECT gen_random_uuid(), 'township', '基准镇' || lpad(i::text, 2, '0'), '339999' || lpad(i::text, 3, '0'), '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001', '2023-12-01'
        FROM generate_series(1, 10) i;
    INSERT INTO orgs (id, kind, name, code, parent_id, county_id, township_id, created_at)
      SELECT gen_random_uuid(), 'village', tw.name || v || '村', tw.code || lpad(v::text, 3, '0'), tw.id, tw.county_id, tw.id, '2023-12-01'
        FROM orgs tw, generate_series(1, 10) v WHERE tw.kind = 'township';
    INSERT INTO orgs (id, kind, name, code, county_id, created_at)
      SELECT gen_random_uuid(), 'company', '基准建设第' || i || '工程有限公司', 'BENCH' || lpad(i::text, 13, '0'), '00000000-0000-4000-8000-000000000001', '2023-12-01'
        FROM generate_series(1, 300) i;
    INSERT INTO users (id, phone, name, password_hash, created_at) VALUES ('00000000-0000-4000-8000-000000000002', '19900000000', '基准用户', 'x', '2023-12-01');
    INSERT INTO templates (id, county_id, version, title, body, created_at) VALUES ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001', 1, '示范文本', '正文', '2023-12-01');
    CREATE TEMP TABLE v AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id, township_id FROM orgs WHERE kind = 'village';
    CREATE TEMP TABLE c AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id FROM orgs WHERE kind = 'company';
    CREATE INDEX ON c (k);`,
    seedLog,
  );
  // Projects: registered from 2024 to mid-November 2026. Older ones have mostly finished; the last weeks' are still under way.
  await step(
    "projects",
    `
    CREATE TEMP TABLE sp AS
      WITH base AS (
        SELECT g, gen_random_uuid() AS id, (g % 100) AS vk, random() AS rs, random() AS rr, random() AS rf,
               timestamptz '2024-01-01 00:00+08' + random() * (timestamptz '2026-11-15 00:00+08' - timestamptz '2024-01-01 00:00+08') AS created_at,
               (10 + floor(random() * 390))::bigint * 1000000 AS ceiling
          FROM generate_series(1, ${PROJECTS}) g)
      SELECT base.*,
             CASE WHEN created_at > timestamptz '${NOW}' - interval '60 days' THEN
                    CASE WHEN rs < .10 THEN 'draft' WHEN rs < .16 THEN 'submitted' WHEN rs < .19 THEN 'returned' WHEN rs < .27 THEN 'approved'
                         WHEN rs < .52 THEN 'published' WHEN rs < .57 THEN 'opening' WHEN rs < .70 THEN 'evaluating' WHEN rs < .80 THEN 'publicity'
                         WHEN rs < .92 THEN 'awarded' WHEN rs < .97 THEN 'failed' ELSE 'cancel_requested' END
                  ELSE
                    CASE WHEN rs < .01 THEN 'draft' WHEN rs < .02 THEN 'returned' WHEN rs < .40 THEN 'awarded' WHEN rs < .82 THEN 'completed'
                         WHEN rs < .93 THEN 'failed' WHEN rs < .94 THEN 'cancel_requested' ELSE 'cancelled' END
             END::project_state AS state,
             created_at + (1 + random() * 9) * interval '1 day' AS decided_at
        FROM base;
    INSERT INTO projects (id, village_id, township_id, county_id, name, type, location, scope, estimate_fen, ceiling_fen, funding_source, duration_days, method, state,
                          created_at, updated_at, submitted_at, decided_at)
      SELECT sp.id, v.id, v.township_id, '00000000-0000-4000-8000-000000000001', '基准项目' || sp.g, (ARRAY['works','goods','services'])[1 + sp.g % 3]::project_type,
             '基准地点', '基准内容', sp.ceiling, sp.ceiling, '财政', 60, 'open_selection', sp.state, sp.created_at, sp.created_at,
             CASE WHEN sp.state <> 'draft' THEN sp.created_at + interval '12 hours' END,
             CASE WHEN sp.state NOT IN ('draft', 'submitted') THEN sp.decided_at END
        FROM sp JOIN v ON v.k = sp.vk;`,
    seedLog,
  );
  // Tenders: one round, or two where the first failed at the opening (12 % of projects that went on); the outcome of each round.
  await step(
    "tenders",
    `
    CREATE TEMP TABLE st AS
      WITH tendered AS (
        SELECT sp.*, (rr < .12 AND state NOT IN ('failed', 'cancel_requested', 'cancelled')) AS retender
          FROM sp WHERE state IN ('published', 'opening', 'evaluating', 'publicity', 'awarded', 'completed', 'failed')
                     OR (state IN ('cancel_requested', 'cancelled') AND rr < .5)),
      rounds AS (
        SELECT t.*, r.round, (r.round = CASE WHEN t.retender THEN 2 ELSE 1 END) AS final
          FROM tendered t CROSS JOIN LATERAL generate_series(1, CASE WHEN t.retender THEN 2 ELSE 1 END) AS r(round))
      SELECT gen_random_uuid() AS id, id AS project_id, round, ceiling, state,
             decided_at + ((round - 1) * 25 + 2) * interval '1 day' AS published_at,
             CASE
               WHEN NOT final THEN 'open_fail'
               WHEN state = 'published' THEN CASE WHEN rf < .8 THEN 'future' ELSE 'unopened' END
               WHEN state = 'opening' THEN 'decrypting'
               WHEN state = 'evaluating' THEN 'evaluating'
               WHEN state = 'publicity' THEN 'publicity'
               WHEN state IN ('awarded', 'completed') THEN 'awarded'
               WHEN state = 'failed' THEN CASE WHEN rf < .7 THEN 'open_fail' ELSE 'eval_fail' END
               ELSE 'unopened'
             END AS outcome,
             floor(random() * 300)::int AS coff, random() AS rn, 0 AS n
        FROM rounds;
    ALTER TABLE st ADD COLUMN deadline timestamptz;
    UPDATE st SET deadline = CASE WHEN outcome = 'future' THEN timestamptz '${NOW}' + (1 + rn * 12) * interval '1 day'
                                  ELSE published_at + (7 + floor(rn * 14)) * interval '1 day' END;
    -- Rounds whose opening failed had 0–2 bids; the others share what is left of the bid total (3 or more each, mean to hit it).
    UPDATE st SET n = floor(rn * 3)::int WHERE outcome = 'open_fail';
    WITH k AS (SELECT (${BIDS} - (SELECT coalesce(sum(n), 0) FROM st WHERE outcome = 'open_fail'))::float8
                       / greatest(1, (SELECT count(*) FROM st WHERE outcome IN ('decrypting', 'evaluating', 'publicity', 'awarded', 'eval_fail'))) AS mean)
    UPDATE st SET n = least(299, 3 + floor(random() * (2 * (k.mean - 3) + 1)))::int FROM k
     WHERE outcome IN ('decrypting', 'evaluating', 'publicity', 'awarded', 'eval_fail');
    INSERT INTO tenders (id, project_id, round, template_id, template_version, qualification_class, require_pm_certificate, require_pool_member, deadline,
                         decryption_window_minutes, bid_security_fen, evaluation_method, evaluation_params, panel_size, document_text, published_at)
      SELECT id, project_id, round, '00000000-0000-4000-8000-000000000003', 1, '三级及以上', true, true, deadline, 30, 500000, 'reasonable_low', '{}', 3, '招标文件', published_at
        FROM st;`,
    seedLog,
  );
  await step(
    "bids",
    `
    INSERT INTO bids (id, tender_id, company_id, status, current_version, created_at, updated_at)
      SELECT gen_random_uuid(), st.id, c.id, 'sealed', 1, st.deadline - interval '1 day', st.deadline - interval '1 day'
        FROM st CROSS JOIN LATERAL generate_series(0, st.n - 1) i JOIN c ON c.k = (st.coff + i) % 300
       WHERE st.n > 0;`,
    seedLog,
  );
  await step(
    "bid_openings",
    `
    INSERT INTO bid_openings (bid_id, tender_id, status, decrypted_at, price_fen, duration_days, project_manager_name, confirmation, confirmed_at)
      SELECT b.id, b.tender_id,
             CASE WHEN st.outcome IN ('decrypting', 'open_fail') THEN 'waiting' ELSE 'decrypted' END::bid_opening_status,
             CASE WHEN st.outcome IN ('decrypting', 'open_fail') THEN NULL ELSE st.deadline + interval '10 minutes' END,
             CASE WHEN st.outcome IN ('decrypting', 'open_fail') THEN NULL ELSE (st.ceiling * (0.86 + random() * 0.14))::bigint END,
             60, '项目经理', CASE WHEN st.outcome IN ('decrypting', 'open_fail') THEN 'pending' ELSE 'confirmed' END::bid_confirmation,
             CASE WHEN st.outcome IN ('decrypting', 'open_fail') THEN NULL ELSE st.deadline + interval '40 minutes' END
        FROM bids b JOIN st ON st.id = b.tender_id;`,
    seedLog,
  );
  await step(
    "openings",
    `
    INSERT INTO openings (tender_id, state, host_user_id, bid_count, bidder_set, decryption_started_at, window_ends_at, reading_started_at, closed_at, fail_reason, created_at)
      SELECT id, CASE outcome WHEN 'decrypting' THEN 'decrypting' WHEN 'open_fail' THEN 'failed' ELSE 'closed' END::opening_state,
             '00000000-0000-4000-8000-000000000002', n,
             (SELECT string_agg(b.company_id::text, ',' ORDER BY b.company_id::text) FROM bids b WHERE b.tender_id = st.id AND b.status = 'sealed'),
             deadline + interval '2 minutes', deadline + interval '32 minutes',
             CASE WHEN outcome NOT IN ('decrypting', 'open_fail') THEN deadline + interval '35 minutes' END,
             CASE WHEN outcome <> 'decrypting' THEN deadline + interval '1 hour' END,
             CASE WHEN outcome = 'open_fail' THEN '{"key":"opening.failReason.tooFewBids"}' END,
             deadline + interval '2 minutes'
        FROM st WHERE outcome NOT IN ('future', 'unopened');
    INSERT INTO evaluations (tender_id, state, step_started_at, fail_reason, created_at)
      SELECT id, CASE WHEN outcome = 'evaluating' THEN 'checking' ELSE 'done' END::evaluation_state, deadline + interval '1 day',
             CASE WHEN outcome = 'eval_fail' THEN '{"key":"evaluation.failed.tooFewQualified"}'::jsonb END, deadline + interval '1 hour'
        FROM st WHERE outcome IN ('evaluating', 'publicity', 'awarded', 'eval_fail');`,
    seedLog,
  );
  await step(
    "awards",
    `
    INSERT INTO awards (tender_id, winner_bid_id, price_fen, state, decided_by, decided_at, approved_by, approved_at, signed_at, signed_by, contract_date, acceptance_date, settlement_fen)
      SELECT DISTINCT ON (bo.tender_id) bo.tender_id, bo.bid_id, bo.price_fen, 'signed', '00000000-0000-4000-8000-000000000002',
             st.deadline + interval '8 days', '00000000-0000-4000-8000-000000000002', st.deadline + interval '8 days',
             st.deadline + (8 + st.rn * 20) * interval '1 day', '00000000-0000-4000-8000-000000000002',
             (st.deadline + interval '20 days')::date,
             CASE WHEN st.state = 'completed' THEN (st.deadline + interval '120 days')::date END,
             CASE WHEN st.state = 'completed' THEN (bo.price_fen * (0.97 + st.rn * 0.06))::bigint END
        FROM bid_openings bo JOIN st ON st.id = bo.tender_id
       WHERE st.outcome = 'awarded'
       ORDER BY bo.tender_id, bo.price_fen;
    UPDATE bids b SET awarded_at = a.signed_at FROM awards a WHERE a.winner_bid_id = b.id;`,
    seedLog,
  );
  // Complaints: on 3 % of publicity rounds (open: filed or accepted, some overdue) and 1 % of awarded ones (decided).
  await step(
    "complaints",
    `
    INSERT INTO complaints (tender_id, company_id, filed_by, body, filed_at, accept_due_at, decide_due_at, state, accepted_at, decided_at, outcome)
      SELECT st.id, b.company_id, '00000000-0000-4000-8000-000000000002', '评标结果有误', f.filed_at, f.filed_at + interval '5 days',
             CASE WHEN st.outcome = 'awarded' OR st.rn < .015 THEN f.filed_at + interval '42 days' END,
             CASE WHEN st.outcome = 'awarded' THEN 'dismissed' WHEN st.rn < .015 THEN 'accepted' ELSE 'filed' END::complaint_state,
             CASE WHEN st.outcome = 'awarded' OR st.rn < .015 THEN f.filed_at + interval '2 days' END,
             CASE WHEN st.outcome = 'awarded' THEN f.filed_at + interval '20 days' END,
             CASE WHEN st.outcome = 'awarded' THEN '投诉不成立' END
        FROM st
        JOIN LATERAL (SELECT company_id FROM bids WHERE tender_id = st.id LIMIT 1) b ON true
        CROSS JOIN LATERAL (SELECT least(st.deadline + interval '4 days', timestamptz '${NOW}' - interval '1 day') AS filed_at) f
       WHERE (st.outcome = 'publicity' AND st.rn < .03) OR (st.outcome = 'awarded' AND st.rn < .01);`,
    seedLog,
  );
  await step("reset", `SET session_replication_role = DEFAULT`, seedLog);
  // The seed ran with triggers off (replica role): queue every project for the dashboard's figures, as migration 0016 does for existing data.
  await step("figures queue", `INSERT INTO project_figures_queue (project_id) SELECT id FROM projects`, seedLog);
  await step("analyze", `VACUUM ANALYZE`, seedLog); // VACUUM refuses to run inside the implicit transaction of a multi-statement query
});
const counts = (
  await seedSql.unsafe(`
    SELECT (SELECT count(*) FROM projects)::int AS projects, (SELECT count(*) FROM tenders)::int AS tenders, (SELECT count(*) FROM bids)::int AS bids,
           (SELECT count(*) FROM bid_openings)::int AS bid_openings, (SELECT count(*) FROM openings)::int AS openings, (SELECT count(*) FROM awards)::int AS awards,
           (SELECT count(*) FROM complaints WHERE state IN ('filed', 'accepted'))::int AS open_complaints,
           pg_size_pretty(pg_database_size(current_database())) AS size`)
)[0];
await seedSql.end();

// ── Measure ─────────────────────────────────────────────────────────────

// The app's queries through a client that remembers what it sent, so each statement can be EXPLAINed as it ran.
let capture: { query: string; params: unknown[] }[] | null = null;
const client = postgres(url, {
  max: 10,
  onnotice: () => {},
  debug: (_conn, query, params) => {
    if (capture && /^\s*select/i.test(query)) capture.push({ query, params: params as unknown[] });
  },
});
const db = drizzle(client, { schema }) as unknown as Db;
const clock = new ManualClock(NOW);
const [{ county, township }] = await client.unsafe<{ county: string; township: string }[]>(
  `SELECT '00000000-0000-4000-8000-000000000001' AS county, (SELECT id FROM orgs WHERE kind = 'township' ORDER BY name LIMIT 1) AS township`,
);
const risk = (await import("../app/models/risk.server").catch(() => null)) as {
  scanRisks?: (db: Db, clock: ManualClock, scope: { countyId: string; townshipId?: string | null }) => Promise<{ flags: unknown[] }>;
} | null;

async function explainDashboard(label: string, scope: { countyId: string; townshipId?: string | null }, filter: { year?: number } = {}): Promise<string> {
  capture = [];
  await dashboardFor(db, clock, scope, filter);
  const statements = capture;
  capture = null;
  const out: string[] = [];
  for (const s of statements) {
    if (/^\s*select "[^"]+", /.test(s.query)) continue; // the townships list (drizzle's select of orgs) is a plain index read
    const plan = await client.unsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${s.query}`, s.params as never[]);
    out.push(`-- ${label}\n${s.query.trim().replace(/\n\s+/g, "\n  ")}\n-- params: ${JSON.stringify(s.params)}\n${plan.map((r) => r["QUERY PLAN"]).join("\n")}\n`);
  }
  return out.join("\n");
}

async function measure(phase: string) {
  progress(`measure: ${phase}`);
  const dashboardCounty = await medianOf(() => dashboardFor(db, clock, { countyId: county }, {}));
  const dashboardCountyYear = await medianOf(() => dashboardFor(db, clock, { countyId: county }, { year: 2025 }));
  const dashboardTownship = await medianOf(() => dashboardFor(db, clock, { countyId: county, townshipId: township }, {}));
  let riskScanCounty: { medianMs: number; runsMs: number[]; flags: number } | string = flag("--no-risk")
    ? "skipped (--no-risk)"
    : "scanRisks not available (app/models/risk.server.ts)";
  if (risk?.scanRisks && !flag("--no-risk")) {
    const scan = risk.scanRisks;
    let flags = 0;
    // Seconds per scan at full size: three timed runs are enough for a median.
    const m = await medianOf(async () => {
      flags = (await scan(db, clock, { countyId: county, townshipId: null })).flags.length;
    }, 3);
    riskScanCounty = { ...m, flags };
  }
  const explain = option("--explain")
    ? [
        await explainDashboard(`${phase}: county, all years`, { countyId: county }),
        await explainDashboard(`${phase}: county, 2025`, { countyId: county }, { year: 2025 }),
        await explainDashboard(`${phase}: one township`, { countyId: county, townshipId: township }),
      ].join("\n")
    : "";
  return { result: { dashboardCounty, dashboardCountyYear, dashboardTownship, riskScanCounty }, explain };
}

// The schema carries ADR 0020's indexes (migration 0012). With --compare-indexes the dashboard is
// measured without them first, then with them again, for the ADR's before/after table.
const compare = flag("--compare-indexes");
if (compare) for (const { name } of ADR_INDEXES) await client.unsafe(`DROP INDEX IF EXISTS ${name}`);
// Every project's figures built from the queue at once (what the first dashboard view or the scheduler's job does after a bulk import).
const figuresRebuild = await timed(() => refreshProjectFigures(db));
const sample = await dashboardFor(db, clock, { countyId: county }, {});
// The figures against the tables they sum, straight from the base tables.
const [direct] = await client.unsafe<{ tenders: number; opened: number; bids: number; awarded: number; awarded_fen: number }[]>(
  `SELECT count(t.id)::int AS tenders, count(o.bid_count)::int AS opened, coalesce(sum(o.bid_count), 0)::int AS bids,
          count(a.price_fen)::int AS awarded, coalesce(sum(a.price_fen), 0)::float8 AS awarded_fen
     FROM projects p JOIN tenders t ON t.project_id = p.id LEFT JOIN openings o ON o.tender_id = t.id
     LEFT JOIN awards a ON a.tender_id = t.id AND a.state = 'signed' WHERE p.county_id = $1`,
  [county],
);
const figuresCheck = {
  same:
    direct.tenders === sample.total.tenders &&
    direct.opened === sample.total.opened &&
    direct.bids === sample.total.bidsAtDeadline &&
    direct.awarded === sample.total.awarded &&
    Number(direct.awarded_fen) === sample.total.awardedFen,
  direct,
};
// A view right after a write: one project's award touched (its figures queued), then the county dashboard — which refreshes that project first.
const afterWrite: number[] = [];
for (let i = 0; i < RUNS; i++) {
  await client.unsafe(`UPDATE awards SET signed_at = signed_at WHERE tender_id = (SELECT tender_id FROM awards WHERE state = 'signed' ORDER BY tender_id OFFSET ${i} LIMIT 1)`);
  afterWrite.push(Math.round((await timed(() => dashboardFor(db, clock, { countyId: county }, {}))).ms * 10) / 10);
}
const before = compare ? await measure("without ADR 0020's indexes") : null;
const indexing = compare
  ? await timed(async () => {
      for (const { ddl } of ADR_INDEXES) await client.unsafe(ddl);
      await client.unsafe(`VACUUM ANALYZE projects, evaluations`);
    })
  : null;
const after = await measure("schema indexes");
if (option("--explain")) writeFileSync(option("--explain")!, before ? `${before.explain}\n\n==== with ADR 0020's indexes ====\n\n${after.explain}` : after.explain);

await client.end({ timeout: 5 });
if (!flag("--keep") && !flag("--reuse")) await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
await admin.end({ timeout: 5 });

console.log(
  JSON.stringify(
    {
      database: `postgres ${DB_NAME}${reuse ? " (reused)" : flag("--keep") ? " (kept)" : " (dropped)"}`,
      requested: { projects: PROJECTS, bids: BIDS },
      rows: counts,
      migrateMs: Math.round(migrated.ms),
      seedMs: Math.round(seeded.ms),
      seedStepsMs: seedLog,
      figuresRebuildMs: Math.round(figuresRebuild.ms),
      projectsRefreshed: figuresRebuild.value,
      figuresCheck,
      dashboardCountyAfterWrite: { medianMs: median(afterWrite), runsMs: afterWrite },
      countyFigures: {
        projects: sample.total.projects,
        tendered: sample.total.tendered,
        awarded: sample.total.awarded,
        reductionBp: sample.total.reductionBp,
        medianDaysToAward: sample.total.medianDaysToAward,
        avgBidders: sample.total.avgBidders,
        failed: sample.total.failed,
        openComplaints: sample.complaints.length,
      },
      ...(before && indexing ? { withoutAdrIndexes: before.result, adrIndexesCreateMs: Math.round(indexing.ms) } : {}),
      schemaIndexes: after.result,
      targetMs: 300,
    },
    null,
    2,
  ),
);
