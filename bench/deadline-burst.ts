// npm run bench:deadline-burst — 300 contractors seal and submit a 2 MB bid in the last 10 seconds before a deadline.
// Usage: tsx bench/deadline-burst.ts [bids=300] [spreadSeconds=10] [--concurrency 64] [--no-build] [--keep] [--cpu-prof DIR] [--log]
// Needs the PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres):
// creates a fresh database cyz_bench_burst, runs the migrations, loads the demo county, publishes one
// tender of 青山村 through the real publish route, and gives it `bids` contractor companies cloned from
// demo company 1 with set-based SQL (admitted to 青山镇's pool, a valid qualification, a project
// manager), each with a passkey prepared for sealing (tests/helpers/bids preparedBidder) and a session
// minted in the database (tests/helpers/app cookieFor). Every bid is sealed beforehand by the real
// sealing script (public/seal/v1.js), as the browser does before it sends anything.
//
// The app: `npx remix build`, then `node server.mjs` on PORT 3370 against that database, files in a
// temporary FILES_DIR. Each contractor does what the bid page does: POST /uploads (tus, kind sealed),
// PATCH the ciphertext in 512 KB pieces, then POST /notices/:id/bid/seal with the commitment and the
// wrapped keys. Clients start evenly over `spreadSeconds`, at most `concurrency` at once, each on its
// own keep-alive connection; the tender's deadline is set 13 s after the first start.
//
// The baseline, in the same run and on the same schedule: a bare node:http server (its own process,
// like the app) that streams each bid's same ciphertext in one POST to the same files directory
// (write, SHA-256, fsync, rename by hash) and inserts one row into a scratch table of the same database.
//
// Latency is from the first byte sent to the receipt. After the deadline every receipt is checked in
// the database (the version, its company, hash and size, the bid's current version, its wraps) and the
// stored file is hashed again. Lost = a receipt whose bid is not intact, or a refusal for any reason
// but the deadline. Prints one JSON object; the ratio is app throughput / baseline throughput.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && ["--concurrency", "--cpu-prof"].includes(args[i - 1])));

const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "cyz_bench_burst";
const withDb = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();

// ── The baseline server: run in its own process (`--baseline-server`), so it competes for the two cores as the app does.

function baselineServer() {
  const filesDir = process.env.FILES_DIR!;
  const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== "POST" || req.url !== "/bid") {
        res.writeHead(404).end();
        return;
      }
      const tmpDir = path.join(filesDir, "baseline", "tmp");
      await mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, randomUUID());
      const hash = createHash("sha256");
      const out = createWriteStream(tmp);
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
      await new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      });
      // The same durability as the app's file store: synced, then renamed to its hash.
      const fh = await open(tmp, "r");
      await fh.sync();
      await fh.close();
      const sha256 = hash.digest("hex");
      const final = path.join(filesDir, "baseline", sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      await mkdir(path.dirname(final), { recursive: true });
      await rename(tmp, final);
      const [row] = await sql<{ id: string; received_at: Date }[]>`insert into bench_baseline_bids (sha256, size) values (${sha256}, ${size}) returning id, received_at`;
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ receipt: { id: String(row.id), ciphertextHash: sha256, ciphertextSize: size } }));
    } catch (e) {
      res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ error: (e as Error).message }));
    }
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1", () => console.log(`baseline listening ${(server.address() as AddressInfo).port}`));
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void sql.end({ timeout: 2 }).then(() => process.exit(0));
  });
}

// ── The bench ───────────────────────────────────────────────────────────

interface Outcome {
  i: number;
  ok: boolean;
  /** ms from the client's slot opening to its first byte (waiting for the concurrency bound). */
  queuedMs: number;
  latencyMs: number;
  startedAt: number;
  endedAt: number;
  status?: number;
  error?: string;
  receipt?: { id: string; ciphertextHash: string; ciphertextSize: number | null };
  /** ms spent in each step of the protocol (app only): create, each PATCH, seal. */
  phases?: Record<string, number>;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(agent: http.Agent, port: number, method: string, urlPath: string, headers: Record<string, string | number>, body?: Uint8Array): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, agent, timeout: 60_000, headers: { ...headers, "Content-Length": body?.byteLength ?? 0 } },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

const errorOf = (r: Reply) => {
  try {
    return (JSON.parse(r.body.toString("utf8")) as { error?: string }).error ?? `http ${r.status}`;
  } catch {
    return `http ${r.status}`;
  }
};

/** Start client i at start + i·spread/n, at most `concurrency` running; resolves with every outcome. */
async function burst(n: number, spreadMs: number, concurrency: number, start: number, client: (i: number) => Promise<Omit<Outcome, "i" | "queuedMs">>): Promise<Outcome[]> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => (running < concurrency ? (running++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const due = start + (i * spreadMs) / n;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      await acquire();
      const queuedMs = performance.now() - due;
      try {
        return { i, queuedMs, ...(await client(i)) };
      } finally {
        release();
      }
    }),
  );
}

function summary(outcomes: Outcome[], bytesPerBid: number) {
  const ok = outcomes.filter((o) => o.ok);
  const lat = ok.map((o) => o.latencyMs).sort((a, b) => a - b);
  const pct = (p: number) => (lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]) : null);
  const first = Math.min(...outcomes.map((o) => o.startedAt));
  const last = Math.max(...ok.map((o) => o.endedAt));
  const seconds = (last - first) / 1000;
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (!o.ok) errors[o.error ?? "?"] = (errors[o.error ?? "?"] ?? 0) + 1;
  return {
    receipts: ok.length,
    refused: outcomes.length - ok.length,
    errors,
    windowSeconds: Math.round(seconds * 100) / 100,
    throughputBidsPerS: ok.length ? Math.round((ok.length / seconds) * 100) / 100 : 0,
    throughputMBPerS: ok.length ? Math.round(((ok.length * bytesPerBid) / 1e6 / seconds) * 10) / 10 : 0,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    maxMs: lat.length ? Math.round(lat.at(-1)!) : null,
    maxQueuedMs: Math.round(Math.max(0, ...outcomes.map((o) => o.queuedMs))),
    ...(ok[0]?.phases ? { phaseP50Ms: phaseMedians(ok) } : {}),
  };
}

/** The median time of each protocol step, over the successful clients. */
function phaseMedians(ok: Outcome[]) {
  const names = [...new Set(ok.flatMap((o) => Object.keys(o.phases ?? {})))];
  return Object.fromEntries(
    names.map((n) => {
      const v = ok.map((o) => o.phases?.[n] ?? 0).sort((a, b) => a - b);
      return [n, Math.round(v[Math.floor(v.length / 2)])];
    }),
  );
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function sha256OfFile(file: string): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } catch {
    return null;
  }
}

/** Start a child server and wait for the line that says it listens. */
function startChild(cmd: string, argv: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; log: () => string }> {
  const child = spawn(cmd, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(" ")} did not start:\n${log}`)), 60_000);
    const onData = (d: Buffer) => {
      log += d.toString("utf8");
      const match = log.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, log: () => log });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (log += d.toString("utf8")));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(" ")} exited (${code}):\n${log}`));
    });
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

async function main() {
  const BIDS = Number(positional[0] ?? 300);
  const SPREAD_MS = Number(positional[1] ?? 10) * 1000;
  const CONCURRENCY = Number(option("--concurrency") ?? 64);
  const DEADLINE_AFTER_MS = SPREAD_MS + 3_000;
  const PORT = 3370;
  const ORIGIN = `http://localhost:${PORT}`;
  const CHUNK = 512 * 1024; // as app/components/resumable-uploads.client.ts sends
  const FILE_BYTES = 2 * 1024 * 1024;
  const t = { start: performance.now() } as Record<string, number>;
  const say = (msg: string) => console.error(`[${((performance.now() - t.start) / 1000).toFixed(1)} s] ${msg}`);

  if (!flag("--no-build")) {
    say("npx remix build");
    const b = spawnSync("npx", ["remix", "build"], { cwd: root, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`remix build failed:\n${b.stdout}\n${b.stderr}`);
  }

  // tests/helpers/seal.ts finds the sealing script from __dirname (vitest provides it; ESM under tsx does not).
  (globalThis as { __dirname?: string }).__dirname = path.join(root, "tests", "helpers");
  const { openPostgres } = await import("../db/client");
  const { seedDemo } = await import("../app/models/demo.server");
  const { LocalFileStore } = await import("../app/models/file-store.server");
  const { ManualClock } = await import("../app/utils/clock.server");
  const { cookieFor, makeContext, DEMO } = await import("../tests/helpers/app");
  const { tenderFields, tenderKit } = await import("../tests/helpers/tenders");
  const { S, preparedBidder, submitInput } = await import("../tests/helpers/bids");

  // A fresh database, migrated.
  const admin = postgres(withDb(SERVER, "postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  const dbUrl = withDb(SERVER, DB_NAME);
  const database = await openPostgres(dbUrl, { max: 10 });
  const filesDir = mkdtempSync(path.join(os.tmpdir(), "cyz-bench-burst-"));
  const children: ChildProcess[] = [];
  try {
    say("migrated; loading the demo county");
    // The real clock: sessions, certificates and the deadline are all compared with it by the server.
    const ctx = makeContext(database, new ManualClock(new Date()));
    ctx.files = new LocalFileStore(filesDir);
    await seedDemo(database.db, ctx.clock, ctx.files);

    // One published tender of 青山村; its deadline is moved to just after the burst below.
    const kit = await tenderKit(database, ctx);
    const projectId = await kit.approvedProject("截标高峰基准测试", 20_000_000);
    const laterBeijing = new Date(Date.now() + 30 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);
    await kit.publish(projectId, tenderFields({ deadline: laterBeijing, bidSecurity: "3000" }), await cookieFor(ctx, DEMO.committeeA1));
    const tender = await kit.tenderOf(projectId);
    if (!tender) throw new Error("the tender was not published");

    // `BIDS` companies like demo company 1, set-based.
    say(`cloning ${BIDS} contractor companies`);
    const [tpl] = await database.query<{ org_id: string; user_id: string }>(
      `SELECT m.org_id, m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.phone = $1 AND m.role = 'contractor'`,
      [DEMO.contractor1],
    );
    const org = [tpl.org_id];
    const steps: [string, unknown[]][] = [
      [`CREATE TABLE bench_bidders AS SELECT g AS n, gen_random_uuid() AS org_id, gen_random_uuid() AS user_id, '137' || lpad(g::text, 8, '0') AS phone FROM generate_series(1, ${BIDS}) g`, []],
      [
        `INSERT INTO orgs (id, kind, name, code, parent_id, county_id, township_id, address, created_at)
           SELECT b.org_id, 'company', '基准测试建设工程有限公司' || b.n || '号', '91330781BN' || lpad(b.n::text, 8, '0'), t.parent_id, t.county_id, t.township_id, t.address, now()
           FROM bench_bidders b, orgs t WHERE t.id = $1`,
        org,
      ],
      [
        `INSERT INTO users (id, phone, name, password_hash, locale, created_at)
           SELECT b.user_id, b.phone, '投标员' || b.n, u.password_hash, u.locale, now() FROM bench_bidders b, users u WHERE u.id = $1`,
        [tpl.user_id],
      ],
      [`INSERT INTO memberships (user_id, org_id, role, created_at) SELECT user_id, org_id, 'contractor', now() FROM bench_bidders`, []],
      [
        `INSERT INTO company_profiles (org_id, legal_representative, contact_name, contact_phone, bank_name, bank_account, bank_account_name, created_at, updated_at)
           SELECT b.org_id, p.legal_representative, p.contact_name, b.phone, p.bank_name, p.bank_account || b.n, p.bank_account_name, now(), now()
           FROM bench_bidders b, company_profiles p WHERE p.org_id = $1`,
        org,
      ],
      [
        `INSERT INTO company_qualifications (company_id, name, certificate_number, expires_on, file_sha256, file_name, created_at)
           SELECT b.org_id, q.name, q.certificate_number || '-' || b.n, q.expires_on, q.file_sha256, q.file_name, now()
           FROM bench_bidders b, company_qualifications q WHERE q.company_id = $1 AND q.removed_at IS NULL`,
        org,
      ],
      [
        `INSERT INTO project_managers (company_id, name, certificate_number, file_sha256, file_name, created_at)
           SELECT b.org_id, m.name, m.certificate_number, m.file_sha256, m.file_name, now()
           FROM bench_bidders b, project_managers m WHERE m.company_id = $1 AND m.removed_at IS NULL`,
        org,
      ],
      [
        `INSERT INTO pool_memberships (company_id, township_id, status, applied_at, decided_by, decided_at)
           SELECT b.org_id, pm.township_id, pm.status, now(), pm.decided_by, now() FROM bench_bidders b, pool_memberships pm WHERE pm.company_id = $1`,
        org,
      ],
      [`CREATE TABLE bench_baseline_bids (id bigserial PRIMARY KEY, sha256 text NOT NULL, size integer NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`, []],
    ];
    for (const [text, params] of steps) await database.query(text, params);
    const phones = (await database.query<{ phone: string }>(`SELECT phone FROM bench_bidders ORDER BY n`)).map((r) => r.phone);

    // Passkeys prepared for sealing, sessions, and every bid sealed, before the clock starts.
    say("passkeys, sessions, sealing");
    const base = randomBytes(FILE_BYTES);
    const bidders = await mapLimit(phones, 8, async (phone, i) => {
      const b = await preparedBidder(database, ctx, phone);
      const cookie = await cookieFor(ctx, phone);
      const submissionId = randomUUID();
      const file = Buffer.concat([Buffer.from(`%PDF-1.4\n% 投标文件 ${phone}\n`), base.subarray(0, FILE_BYTES - 64)]);
      const sealed = await S.seal(
        {
          priceFen: 18_000_000 + i * 1_000,
          durationDays: 25,
          projectManagerId: b.pmId,
          quality: "合格",
          security: { method: "transfer", amountFen: 300_000, date: new Date().toISOString().slice(0, 10), reference: `流水-${phone}` },
        },
        [{ name: "技术标.pdf", bytes: file }],
        { tenderId: tender.id, submissionId, holders: [{ credentialId: b.credentialId, publicKey: (await S.openingKeyFromPrf(b.prf)).publicKey }] },
      );
      return { b, cookie: `${cookie}; cyz_device=${randomUUID()}`, submissionId, sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    });
    const bytesPerBid = Math.round(bidders.reduce((n, x) => n + x.ciphertext.byteLength, 0) / bidders.length);

    // The two servers.
    say("starting the app and the baseline");
    const serverEnv = {
      ...process.env,
      NODE_ENV: "production" as const,
      PORT: String(PORT),
      DATABASE_URL: dbUrl,
      FILES_DIR: filesDir,
      KEYS_DIR: path.join(filesDir, "keys"),
      // makeContext stored the platform keys under this passphrase while publishing.
      PLATFORM_KEY_PASSPHRASE: "test-passphrase-0123456789",
      SEED_DEMO: "false",
      TEST_CLOCK: "false",
    };
    const prof = option("--cpu-prof");
    const app = await startChild(process.execPath, [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(prof)}`] : []), "server.mjs"], serverEnv, /listening on/);
    children.push(app.child);
    const baseline = await startChild(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--baseline-server"], { ...serverEnv, PORT: "" }, /baseline listening (\d+)/);
    children.push(baseline.child);
    const baselinePort = Number(baseline.match[1]);
    const health = await send(new http.Agent(), PORT, "GET", "/healthz", {});
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);

    const appClient = (x: (typeof bidders)[number]) => async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const h = { Cookie: x.cookie, Origin: ORIGIN, "User-Agent": "cyz-bench/deadline-burst" };
      const startedAt = performance.now();
      const phases: Record<string, number> = {};
      let mark = startedAt;
      const step = (name: string) => {
        const now = performance.now();
        phases[name] = now - mark;
        mark = now;
      };
      const end = (o: Partial<Outcome>) => ({ ok: false, ...o, phases, startedAt, endedAt: performance.now(), latencyMs: performance.now() - startedAt });
      try {
        const length = x.ciphertext.byteLength;
        const created = await send(agent, PORT, "POST", "/uploads", {
          ...h,
          "Tus-Resumable": "1.0.0",
          "Upload-Length": length,
          "Upload-Metadata": `filename ${Buffer.from("bid.sealed").toString("base64")},kind ${Buffer.from("sealed").toString("base64")}`,
        });
        step("create");
        if (created.status !== 201) return end({ status: created.status, error: `create: ${errorOf(created)}` });
        const url = String(created.headers.location);
        for (let offset = 0; offset < length; ) {
          const r = await send(agent, PORT, "PATCH", url, { ...h, "Tus-Resumable": "1.0.0", "Upload-Offset": offset, "Content-Type": "application/offset+octet-stream" }, x.ciphertext.subarray(offset, offset + CHUNK));
          step(`patch${Math.floor(offset / CHUNK) + 1}`);
          if (r.status !== 204) return end({ status: r.status, error: `patch: ${errorOf(r)}` });
          offset = Number(r.headers["upload-offset"]);
        }
        const body = { intent: "submit", ...submitInput({ sealed: x.sealed, submissionId: x.submissionId, uploadId: url.slice(url.lastIndexOf("/") + 1) }) };
        const r = await send(agent, PORT, "POST", `/notices/${tender.id}/bid/seal`, { ...h, "Content-Type": "application/json" }, Buffer.from(JSON.stringify(body)));
        step("seal");
        if (r.status !== 200) return end({ status: r.status, error: `seal: ${errorOf(r)}` });
        const { receipt } = JSON.parse(r.body.toString("utf8")) as { receipt: Outcome["receipt"] };
        return { ...end({ status: 200, receipt }), ok: true };
      } catch (e) {
        return end({ error: `network: ${(e as Error).message}` });
      } finally {
        agent.destroy();
      }
    };

    const baselineClient = (x: (typeof bidders)[number]) => async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const startedAt = performance.now();
      const end = (o: Partial<Outcome>) => ({ ok: false, ...o, startedAt, endedAt: performance.now(), latencyMs: performance.now() - startedAt });
      try {
        const r = await send(agent, baselinePort, "POST", "/bid", { "Content-Type": "application/octet-stream" }, x.ciphertext);
        if (r.status !== 200) return end({ status: r.status, error: errorOf(r) });
        return { ...end({ status: 200, receipt: (JSON.parse(r.body.toString("utf8")) as { receipt: Outcome["receipt"] }).receipt }), ok: true };
      } catch (e) {
        return end({ error: `network: ${(e as Error).message}` });
      } finally {
        agent.destroy();
      }
    };

    // Baseline first, then the app with its deadline; both on the same schedule.
    say("baseline burst");
    let cpu = cpuSeconds(baseline.child.pid!);
    const baselineOut = await burst(BIDS, SPREAD_MS, CONCURRENCY, performance.now() + 500, (i) => baselineClient(bidders[i])());
    const baselineCpu = cpuSeconds(baseline.child.pid!) - cpu;

    say("app burst");
    const startWall = Date.now() + 1_000;
    const deadline = new Date(startWall + DEADLINE_AFTER_MS);
    await database.query(`UPDATE tenders SET deadline = $1 WHERE id = $2`, [deadline.toISOString(), tender.id]);
    cpu = cpuSeconds(app.child.pid!);
    const appOut = await burst(BIDS, SPREAD_MS, CONCURRENCY, performance.now() + (startWall - Date.now()), (i) => appClient(bidders[i])());
    const appCpu = cpuSeconds(app.child.pid!) - cpu;
    const lastAppEnd = Math.max(...appOut.map((o) => o.endedAt));
    const finishedBeforeDeadline = Date.now() - (performance.now() - lastAppEnd) < deadline.getTime();
    // Checked after the deadline, when nothing can change any more.
    await new Promise((r) => setTimeout(r, Math.max(0, deadline.getTime() - Date.now() + 1_000)));

    say("verifying");
    const rows = await database.query<{ id: string; company_id: string; ciphertext_sha256: string; ciphertext_size: number; seq: number; status: string; current_version: number; wraps: number }>(
      `SELECT v.id, b.company_id, v.ciphertext_sha256, v.ciphertext_size::int AS ciphertext_size, v.seq, b.status, b.current_version,
              (SELECT count(*)::int FROM bid_key_wraps w WHERE w.version_id = v.id AND w.retired_at IS NULL) AS wraps
         FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.tender_id = $1`,
      [tender.id],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const appLost: { i: number; why: string }[] = [];
    const storedPath = (sha: string) => path.join(filesDir, sha.slice(0, 2), sha.slice(2, 4), sha);
    await mapLimit(appOut, 4, async (o) => {
      const x = bidders[o.i];
      if (!o.ok) {
        if (o.error !== "seal: errors.bid.closed") appLost.push({ i: o.i, why: o.error ?? "?" });
        return;
      }
      const v = byId.get(o.receipt!.id);
      const why = !v
        ? "receipt without a version"
        : v.company_id !== x.b.companyId
          ? "wrong company"
          : v.ciphertext_sha256 !== x.sealed.ciphertextHash || v.ciphertext_size !== x.ciphertext.byteLength
            ? "hash or size differs"
            : v.status !== "sealed" || v.current_version !== v.seq
              ? "not the current sealed version"
              : v.wraps !== x.sealed.wraps.length
                ? "wraps missing"
                : (await sha256OfFile(storedPath(x.sealed.ciphertextHash))) !== x.sealed.ciphertextHash
                  ? "stored file missing or altered"
                  : null;
      if (why) appLost.push({ i: o.i, why });
    });
    const receipted = new Set(appOut.filter((o) => o.ok).map((o) => o.receipt!.id));
    const unreceipted = rows.filter((r) => !receipted.has(r.id)).length;

    const baselineRows = new Map((await database.query<{ id: string; sha256: string; size: number }>(`SELECT id::text, sha256, size FROM bench_baseline_bids`)).map((r) => [r.id, r]));
    const baselineLost: { i: number; why: string }[] = [];
    await mapLimit(baselineOut, 4, async (o) => {
      const x = bidders[o.i];
      if (!o.ok) return void baselineLost.push({ i: o.i, why: o.error ?? "?" });
      const row = baselineRows.get(o.receipt!.id);
      const sha = x.sealed.ciphertextHash;
      const why = !row
        ? "receipt without a row"
        : row.sha256 !== sha || row.size !== x.ciphertext.byteLength
          ? "hash or size differs"
          : (await sha256OfFile(path.join(filesDir, "baseline", sha.slice(0, 2), sha.slice(2, 4), sha))) !== sha
            ? "stored file missing or altered"
            : null;
      if (why) baselineLost.push({ i: o.i, why });
    });

    const appSummary = summary(appOut, bytesPerBid);
    const baselineSummary = summary(baselineOut, bytesPerBid);
    const ratio = baselineSummary.throughputBidsPerS ? Math.round((appSummary.throughputBidsPerS / baselineSummary.throughputBidsPerS) * 1000) / 1000 : null;
    const lostReasons = (lost: { why: string }[]) => lost.reduce<Record<string, number>>((m, l) => ((m[l.why] = (m[l.why] ?? 0) + 1), m), {});
    const result = {
      bids: BIDS,
      spreadSeconds: SPREAD_MS / 1000,
      concurrency: CONCURRENCY,
      ciphertextBytes: bytesPerBid,
      cores: os.cpus().length,
      deadlineAfterFirstStartS: DEADLINE_AFTER_MS / 1000,
      app: {
        requestsPerBid: 2 + Math.ceil(bytesPerBid / CHUNK),
        ...appSummary,
        closedAtDeadline: appOut.filter((o) => o.error === "seal: errors.bid.closed").length,
        allDoneBeforeDeadline: finishedBeforeDeadline,
        lost: appLost.length,
        lostReasons: lostReasons(appLost),
        bidsWithoutReceipt: unreceipted,
        serverCpuSeconds: Math.round(appCpu * 100) / 100,
      },
      baseline: {
        requestsPerBid: 1,
        ...baselineSummary,
        lost: baselineLost.length,
        lostReasons: lostReasons(baselineLost),
        serverCpuSeconds: Math.round(baselineCpu * 100) / 100,
      },
      ratio,
      target: { lost: 0, p99Ms: 2000, ratio: 0.5 },
      pass: appLost.length === 0 && appSummary.p99Ms !== null && appSummary.p99Ms < 2000 && ratio !== null && ratio >= 0.5,
      totalSeconds: Math.round((performance.now() - t.start) / 100) / 10,
    };
    console.log(JSON.stringify(result, null, 2));
    if (flag("--log")) console.error(app.log());
  } finally {
    for (const c of children) await stopChild(c);
    await database.close();
    if (!flag("--keep")) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
      rmSync(filesDir, { recursive: true, force: true });
    } else console.error(`kept database ${DB_NAME} and files in ${filesDir}`);
    await admin.end({ timeout: 5 });
  }
}

if (flag("--baseline-server")) baselineServer();
else await main();
