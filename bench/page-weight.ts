// npm run bench:page-weight — the JavaScript each page ships, and the server's time to first byte.
// Usage: tsx bench/page-weight.ts [notices=10000] [requests=300] [--keep]
// Expects `npx remix build` done (build/, public/build/). Needs the PostgreSQL server (BENCH_PG_URL,
// default postgres://postgres@127.0.0.1:5432/postgres): creates a fresh database cyz_bench_pages,
// starts the real server (node server.mjs, PORT=3360) on it with the demo county seeded, then adds
// `notices` published notices across the demo villages with set-based SQL (generate_series) and one
// tender in candidate publicity (a results page). For each page it fetches the HTML (anonymously,
// or as the demo contractor for the bidder's pages), every <script src> and modulepreload link, and
// sums their gzip size (node:zlib, level 9) with the translation areas entry.client loads before
// hydrating (common and those the page's routes name in handle.i18n), plus the inline script bytes; apart from those, the
// sealing script the bid page's own code loads (loadedByScriptGzipKB). Then it times the response
// headers of the notice list and of one notice over `requests` sequential requests each (after a
// warm-up) and prints p50/p95. Prints one JSON object.
// The database is dropped at the end unless --keep.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import postgres from "postgres";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const positional = args.filter((a) => !a.startsWith("--"));
const NOTICES = Number(positional[0] ?? 10_000);
const REQUESTS = Number(positional[1] ?? 300);
const PORT = 3360;
const BASE = `http://localhost:${PORT}`;
const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "cyz_bench_pages";
const CONTRACTOR = { phone: "13900000010", password: "cyz-demo-2026" }; // first demo company: in 青山镇's pool
const TARGET = { publicJsGzipKB: 0, bidJsGzipKB: 150, ttfbP95Ms: 50 };

const progress = (what: string) => process.stderr.write(`[bench:page-weight] ${what}\n`);

function withDb(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
};

// ── A fresh database and the real server on it ─────────────────────────

/** The machine's 1-minute load average when the run starts: figures are only comparable on a quiet machine. */
const loadAtStart = os.loadavg()[0];
const admin = postgres(withDb(SERVER, "postgres"), { max: 1, onnotice: () => {} });
await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
const url = withDb(SERVER, DB_NAME);

const tmp = mkdtempSync(path.join(os.tmpdir(), "cyz-page-weight-"));
progress(`starting node server.mjs on :${PORT} (migrate, seed the demo county)`);
const server = spawn(process.execPath, ["server.mjs"], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(PORT),
    DATABASE_URL: url,
    DATA_DIR: path.join(tmp, "pglite"),
    FILES_DIR: path.join(tmp, "files"),
    SEED_DEMO: "true",
    DEMO_PROJECTS: "false",
    TEST_CLOCK: "false",
    PUBLIC_ORIGIN: BASE,
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));
const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));

async function stopServer() {
  if (server.exitCode !== null) return;
  server.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

async function waitHealthy() {
  const t0 = performance.now();
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited (${server.exitCode}):\n${serverLog}`);
    try {
      const r = await fetch(`${BASE}/healthz`);
      if (r.ok) return Math.round(performance.now() - t0);
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 120_000) throw new Error(`server not healthy after 120 s:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

try {
  const startMs = await waitHealthy();

  // ── Seed: published notices across the demo villages, set-based ──────

  progress(`seeding ${NOTICES} published notices`);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const t0 = performance.now();
  await sql.unsafe(`
    SELECT setseed(0.8);
    INSERT INTO templates (id, county_id, version, title, body, created_at)
      SELECT gen_random_uuid(), c.id, coalesce((SELECT max(version) FROM templates WHERE county_id = c.id), 0) + 1, '基准示范文本', '正文', now()
        FROM orgs c WHERE c.kind = 'county';
    CREATE TEMP TABLE v AS
      SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id, township_id, county_id FROM orgs WHERE kind = 'village';
    CREATE TEMP TABLE bp AS
      SELECT g, gen_random_uuid() AS project_id, gen_random_uuid() AS tender_id, v.id AS village_id, v.township_id, v.county_id,
             now() - random() * interval '30 days' AS published_at,
             now() + (1 + random() * 20) * interval '1 day' AS deadline,
             (10 + floor(random() * 390))::bigint * 1000000 AS ceiling
        FROM generate_series(1, ${NOTICES}) g JOIN v ON v.k = g % (SELECT count(*) FROM v);
    INSERT INTO projects (id, village_id, township_id, county_id, name, type, location, scope, estimate_fen, ceiling_fen, funding_source, duration_days, method, state,
                          created_at, updated_at, submitted_at, decided_at)
      SELECT project_id, village_id, township_id, county_id, '基准项目' || g || '号道路硬化及排水沟工程', (ARRAY['works','goods','services'])[1 + g % 3]::project_type,
             '村口至祠堂', '道路硬化 800 米，排水沟 1200 米', ceiling, ceiling, '财政专项', 60, 'open_selection', 'published',
             published_at - interval '10 days', published_at, published_at - interval '9 days', published_at - interval '3 days'
        FROM bp;
    INSERT INTO tenders (id, project_id, round, template_id, template_version, qualification_class, require_pm_certificate, require_pool_member, deadline,
                         decryption_window_minutes, bid_security_fen, evaluation_method, evaluation_params, panel_size, document_text, published_at)
      SELECT bp.tender_id, bp.project_id, 1, t.id, t.version, '市政公用工程施工总承包三级及以上', true, true, bp.deadline, 30, 500000, 'reasonable_low', '{}', 3,
             repeat('第一章 招标公告。本项目已由村民代表会议决议通过，资金来源为财政专项，现进行公开招标。', 40), bp.published_at
        FROM bp JOIN LATERAL (SELECT id, version FROM templates WHERE county_id = bp.county_id ORDER BY version DESC LIMIT 1) t ON true;`);
  // One tender in candidate publicity (a results page): three demo companies' bids, the first two ranked as candidates.
  await sql.unsafe(`
    CREATE TEMP TABLE rp AS
      SELECT gen_random_uuid() AS project_id, gen_random_uuid() AS tender_id, v.id AS village_id, v.township_id, v.county_id FROM v WHERE k = 0;
    INSERT INTO projects (id, village_id, township_id, county_id, name, type, location, scope, estimate_fen, ceiling_fen, funding_source, duration_days, method, state,
                          created_at, updated_at, submitted_at, decided_at)
      SELECT project_id, village_id, township_id, county_id, '基准公示项目 村文化礼堂修缮工程', 'works', '村文化礼堂', '屋面修缮', 30000000, 30000000, '财政专项', 60,
             'open_selection', 'publicity', now() - interval '40 days', now() - interval '2 days', now() - interval '39 days', now() - interval '38 days'
        FROM rp;
    INSERT INTO tenders (id, project_id, round, template_id, template_version, qualification_class, require_pm_certificate, require_pool_member, deadline,
                         decryption_window_minutes, bid_security_fen, evaluation_method, evaluation_params, panel_size, document_text, published_at)
      SELECT rp.tender_id, rp.project_id, 1, t.id, t.version, '三级及以上', true, true, now() - interval '10 days', 30, 500000, 'lowest_price', '{}', 3, '招标文件', now() - interval '30 days'
        FROM rp JOIN LATERAL (SELECT id, version FROM templates WHERE county_id = rp.county_id ORDER BY version DESC LIMIT 1) t ON true;
    INSERT INTO bids (id, tender_id, company_id, status, current_version, created_at, updated_at)
      SELECT gen_random_uuid(), rp.tender_id, c.id, 'sealed', 1, now() - interval '11 days', now() - interval '11 days'
        FROM rp CROSS JOIN (SELECT id FROM orgs WHERE kind = 'company' ORDER BY name LIMIT 3) c;
    INSERT INTO publicities (tender_id, starts_at, ends_at, candidates)
      SELECT rp.tender_id, now() - interval '1 day', now() + interval '2 days',
             (SELECT jsonb_agg(id ORDER BY id) FROM (SELECT id FROM bids WHERE tender_id = rp.tender_id ORDER BY id LIMIT 2) b)
        FROM rp;`);
  await sql.unsafe(`VACUUM ANALYZE`);
  const seedMs = Math.round(performance.now() - t0);
  const [ids] = await sql.unsafe<{ notice: string; bid: string; results: string; published: number }[]>(`
    SELECT (SELECT t.id FROM tenders t JOIN projects p ON p.id = t.project_id WHERE p.state = 'published' ORDER BY t.published_at DESC LIMIT 1) AS notice,
           (SELECT t.id FROM tenders t JOIN projects p ON p.id = t.project_id JOIN orgs tw ON tw.id = p.township_id
             WHERE p.state = 'published' AND tw.name = '青山镇' ORDER BY t.published_at DESC LIMIT 1) AS bid,
           (SELECT tender_id FROM publicities LIMIT 1) AS results,
           (SELECT count(*) FROM projects WHERE state = 'published')::int AS published`);
  await sql.end();

  // ── Log in as the demo contractor (a same-origin form post) ───────────

  const login = await fetch(`${BASE}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: BASE, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(CONTRACTOR),
  });
  const session = login.headers
    .getSetCookie()
    .find((c) => c.startsWith("cyz_session="))
    ?.split(";")[0];
  if (login.status !== 302 || !session) throw new Error(`login failed: ${login.status}`);

  // ── Page weight ───────────────────────────────────────────────────────

  const assetCache = new Map<string, Buffer>();
  async function asset(src: string): Promise<Buffer> {
    const href = new URL(src, BASE).toString();
    if (!assetCache.has(href)) {
      const r = await fetch(href);
      if (!r.ok) throw new Error(`${href}: ${r.status}`);
      assetCache.set(href, Buffer.from(await r.arrayBuffer()));
    }
    return assetCache.get(href)!;
  }
  const gz = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;

  async function weigh(label: string, pathname: string, cookie?: string) {
    const r = await fetch(`${BASE}${pathname}`, { headers: cookie ? { Cookie: cookie } : {} });
    const html = await r.text();
    const external = new Set<string>();
    for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) external.add(m[1]);
    for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*>/g)) {
      const href = /\bhref="([^"]+)"/.exec(m[0])?.[1];
      if (href) external.add(href);
    }
    // entry.client loads, before hydrating, the translation areas of the page's language that its routes
    // name in handle.i18n, and common (app/locales/namespaces.ts): part of what the page ships. Each is a
    // chunk named <area>.<language>-<hash>.js, imported by the chunk that holds the loaders.
    const lang = /<html\b[^>]*\blang="([^"]+)"/.exec(html)?.[1] === "en" ? "en" : "zh-CN";
    const areas = new Set<string>();
    if (external.size > 0) {
      areas.add("common");
      const code = await Promise.all([...external].map(async (src) => (await asset(src)).toString("utf8")));
      for (const [i, src] of [...external].entries()) {
        if (!src.includes("/build/routes/") && !src.includes("/build/root-")) continue;
        for (const m of code[i].matchAll(/\bi18n:\[([^\]]*)\]/g)) for (const n of m[1].matchAll(/"([\w-]+)"/g)) areas.add(n[1]);
      }
      for (const area of areas) {
        const chunk = code.map((c) => new RegExp(`/build/_shared/${area}\\.${lang}-[A-Z0-9]+\\.js`).exec(c)?.[0]).find(Boolean);
        if (!chunk) throw new Error(`${pathname}: no chunk for the "${area}" area (${lang})`);
        external.add(chunk);
      }
    }
    let jsBytes = 0;
    let jsGzip = 0;
    for (const src of external) {
      const b = await asset(src);
      jsBytes += b.length;
      jsGzip += gz(b);
    }
    const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    // The sealing script (/seal/vN.js) is added by the bid page's own code, named in its loader data (an inline script).
    let onDemandGzip = 0;
    for (const src of new Set(inline.flatMap((s) => [...s.matchAll(/\/seal\/v\d+\.js/g)].map((m) => m[0])))) onDemandGzip += gz(await asset(src));
    const inlineBytes = inline.reduce((n, s) => n + Buffer.byteLength(s), 0);
    return {
      page: label,
      path: pathname,
      status: r.status,
      htmlGzipKB: kb(gz(html)),
      scriptFiles: external.size,
      i18nAreas: [...areas],
      jsKB: kb(jsBytes),
      jsGzipKB: kb(jsGzip),
      loadedByScriptGzipKB: kb(onDemandGzip),
      inlineScripts: inline.length,
      inlineBytes,
      inlineGzipBytes: inline.length ? gz(inline.join("")) : 0,
    };
  }

  progress("weighing pages");
  const publicPages = [
    await weigh("home", "/"),
    await weigh("notice list", "/notices"),
    await weigh("notice (open, countdown)", `/notices/${ids.notice}`),
    await weigh("notice with results", `/notices/${ids.results}`),
    await weigh("publicity (results)", `/notices/${ids.results}/publicity`),
    await weigh("draw", `/notices/${ids.results}/draw`),
    await weigh("verify", "/verify"),
    await weigh("transparency", "/transparency"),
    await weigh("open data", "/open-data"),
    await weigh("sealing", "/sealing"),
  ];
  const bidderPages = [
    await weigh("notice (as contractor)", `/notices/${ids.bid}`, session),
    await weigh("bid", `/notices/${ids.bid}/bid`, session),
    await weigh("dashboard", "/dashboard", session),
    await weigh("company", "/company", session),
  ];

  // ── Time to first byte ────────────────────────────────────────────────

  async function ttfb(pathname: string) {
    const times: number[] = [];
    for (let i = 0; i < 20 + REQUESTS; i++) {
      const t = performance.now();
      const r = await fetch(`${BASE}${pathname}`);
      const ms = performance.now() - t; // fetch resolves when the response headers are in
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${pathname}: ${r.status}`);
      if (i >= 20) times.push(ms); // the first 20 warm the plan caches and the JIT
    }
    return { requests: times.length, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: percentile(times, 100) };
  }
  progress(`timing ${REQUESTS} sequential requests per page`);
  const timing = { noticeList: await ttfb("/notices"), notice: await ttfb(`/notices/${ids.notice}`) };

  const publicMax = Math.max(...publicPages.map((p) => p.jsGzipKB));
  const bid = bidderPages.find((p) => p.page === "bid")!;
  const p95 = Math.max(timing.noticeList.p95Ms, timing.notice.p95Ms);
  const met = { publicJs: publicMax <= TARGET.publicJsGzipKB, bidJs: bid.status === 200 && bid.jsGzipKB <= TARGET.bidJsGzipKB, ttfb: p95 < TARGET.ttfbP95Ms };
  // A missed target fails the bench (exit 1), so a script or CI step that runs it sees the miss.
  if (!Object.values(met).every(Boolean)) process.exitCode = 1;
  console.log(
    JSON.stringify(
      {
        database: `postgres ${DB_NAME}${flag("--keep") ? " (kept)" : " (dropped)"}`,
        publishedNotices: ids.published,
        serverStartMs: startMs,
        seedMs,
        publicPages,
        bidderPages,
        ttfb: timing,
        target: TARGET,
        loadAverage1m: { atStart: loadAtStart, atEnd: os.loadavg()[0] },
        met,
      },
      null,
      2,
    ),
  );
} finally {
  await stopServer();
  if (!flag("--keep")) await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end({ timeout: 5 });
  rmSync(tmp, { recursive: true, force: true });
}
