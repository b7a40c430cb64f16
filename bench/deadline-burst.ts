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
// like the app) that streams each bid's same ciphertext in one POST into the app's file store
// (LocalFileStore.put: write, SHA-256, fsync, rename by hash) and inserts one row into a scratch table.
//
// Latency is from the first byte sent to the receipt. After the deadline every receipt is checked in
// the database (the version, its company, hash and size, the bid's current version, its wraps) and the
// stored file is hashed again. Lost = a receipt whose bid is not intact, or a refusal for any reason
// but the deadline. Prints one JSON object; the ratio is app throughput / baseline throughput.
import { spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { LocalFileStore } from "../app/models/file-store.server";
import { checkReceipts, errorOf, mapLimit, prepareBidding, root, send, sha256OfFile, startChild, stopChild, submitSealedBid, type Outcome } from "./lib/bidding-kit";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && ["--concurrency", "--cpu-prof"].includes(args[i - 1])));

const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DB_NAME = "cyz_bench_burst";

// ── The baseline server: run in its own process (`--baseline-server`), so it competes for the two cores as the app does.

function baselineServer() {
  const filesDir = process.env.FILES_DIR!;
  const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });
  const store = new LocalFileStore(path.join(filesDir, "baseline"));
  const server = http.createServer((req, res) => {
    // node:http does not wait for a promise: the handler runs on its own and answers every request itself.
    void (async () => {
      try {
        if (req.method !== "POST" || req.url !== "/bid") {
          res.writeHead(404).end();
          return;
        }
        // The same storage as the app: its file store's put() (streamed, hashed, synced, renamed to its hash).
        const { sha256, size } = await store.put(req as AsyncIterable<Buffer>, { maxBytes: Number.MAX_SAFE_INTEGER });
        const [row] = await sql<{ id: string; received_at: Date }[]>`insert into bench_baseline_bids (sha256, size) values (${sha256}, ${size}) returning id, received_at`;
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ receipt: { id: String(row.id), ciphertextHash: sha256, ciphertextSize: size } }));
      } catch (e) {
        res.writeHead(500, { "Content-Type": "application/json" }).end(JSON.stringify({ error: (e as Error).message }));
      }
    })();
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

async function main() {
  const BIDS = Number(positional[0] ?? 300);
  const SPREAD_MS = Number(positional[1] ?? 10) * 1000;
  const CONCURRENCY = Number(option("--concurrency") ?? 64);
  const DEADLINE_AFTER_MS = SPREAD_MS + 3_000;
  const PORT = 3370;
  const CHUNK = 512 * 1024; // as app/components/resumable-uploads.client.ts sends
  const FILE_BYTES = 2 * 1024 * 1024;
  const t = { start: performance.now() } as Record<string, number>;
  const say = (msg: string) => console.error(`[${((performance.now() - t.start) / 1000).toFixed(1)} s] ${msg}`);

  if (!flag("--no-build")) {
    say("npx remix build");
    const b = spawnSync("npx", ["remix", "build"], { cwd: root, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`remix build failed:\n${b.stdout}\n${b.stderr}`);
  }

  const b = await prepareBidding({ serverUrl: SERVER, dbName: DB_NAME, bids: BIDS, fileBytes: FILE_BYTES, say });
  const { database, tender, bidders, bytesPerBid, filesDir } = b;
  const children: ChildProcess[] = [];
  try {
    await database.query(
      `CREATE TABLE bench_baseline_bids (id bigserial PRIMARY KEY, sha256 text NOT NULL, size integer NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    );
    // The two servers.
    say("starting the app and the baseline");
    const serverEnv = b.serverEnv(PORT);
    const prof = option("--cpu-prof");
    const app = await startChild(process.execPath, [...(prof ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(prof)}`] : []), "server.mjs"], serverEnv, /listening on/);
    children.push(app.child);
    const baseline = await startChild(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--baseline-server"],
      { ...serverEnv, PORT: "" },
      /baseline listening (\d+)/,
    );
    children.push(baseline.child);
    const baselinePort = Number(baseline.match[1]);
    const health = await send(new http.Agent(), PORT, "GET", "/healthz", {});
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);

    const appClient = (x: (typeof bidders)[number]) => () => submitSealedBid(x, PORT, tender.id, "cyz-bench/deadline-burst");

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
    const refusedOtherwise = appOut.filter((o) => !o.ok && o.error !== "seal: errors.bid.closed").map((o) => ({ i: o.i, why: o.error ?? "?" }));
    const checked = await checkReceipts(
      b,
      appOut.filter((o) => o.ok).map((o) => ({ bidder: bidders[o.i], receipt: o.receipt!, current: true })),
    );
    const appLost = [...refusedOtherwise, ...checked.lost];
    const unreceipted = checked.unreceipted;

    const baselineRows = new Map(
      (await database.query<{ id: string; sha256: string; size: number }>(`SELECT id::text, sha256, size FROM bench_baseline_bids`)).map((r) => [r.id, r]),
    );
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
    await b.dispose(flag("--keep"));
  }
}

if (flag("--baseline-server")) baselineServer();
else await main();
