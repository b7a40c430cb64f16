// Shared by the benchmarks and fault scripts that drive a real app process with sealed bids
// (bench/deadline-burst.ts, bench/fault-kill.ts): a fresh PostgreSQL database with the demo county
// and one published tender; contractor companies cloned from demo company 1 with set-based SQL, each
// with a passkey prepared for sealing, a session, and its bid sealed beforehand by the real sealing
// script; the client that submits a bid as the bid page does (tus upload, then the seal POST); and
// the check that a receipt's bid is intact in the database and the file store.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const withDb = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();
export const CHUNK = 512 * 1024; // as app/components/resumable-uploads.client.ts sends

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function send(agent: http.Agent, port: number, method: string, urlPath: string, headers: Record<string, string | number>, body?: Uint8Array): Promise<Reply> {
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

export const errorOf = (r: Reply) => {
  try {
    return (JSON.parse(r.body.toString("utf8")) as { error?: string }).error ?? `http ${r.status}`;
  } catch {
    return `http ${r.status}`;
  }
};

export interface Outcome {
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

/** The platform key passphrase makeContext stores the keys under (the app child must be given the same). */
const PASSPHRASE = "test-passphrase-0123456789";

/**
 * A fresh database `dbName` on `serverUrl` (dropped first), migrated, with the demo county, one
 * published tender of 青山村 (deadline a month ahead: move it as needed) and `bids` contractors whose
 * bids are sealed. `extra` runs before the sealing, with the context (e.g. to make more projects).
 */
export async function prepareBidding(opts: { serverUrl: string; dbName: string; bids: number; fileBytes: number; say: (msg: string) => void }) {
  const { serverUrl, dbName, bids: BIDS, fileBytes: FILE_BYTES, say } = opts;
  const { openPostgres } = await import("../../db/client");
  const { seedDemo } = await import("../../app/demo/demo.server");
  const { LocalFileStore } = await import("../../app/models/file-store.server");
  const { ManualClock } = await import("../../app/utils/clock.server");
  const { cookieFor, makeContext, DEMO } = await import("../../tests/helpers/app");
  const { tenderFields, tenderKit } = await import("../../tests/helpers/tenders");
  const { S, preparedBidder } = await import("../../tests/helpers/bids");

  const admin = postgres(withDb(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const dbUrl = withDb(serverUrl, dbName);
  const database = await openPostgres(dbUrl, { max: 10 });
  const filesDir = mkdtempSync(path.join(os.tmpdir(), `cyz-${dbName}-`));
  say("migrated; loading the demo county");
  // The real clock: sessions, certificates and the deadline are all compared with it by the server.
  const ctx = makeContext(database, new ManualClock(new Date()));
  ctx.files = new LocalFileStore(filesDir);
  await seedDemo(database.db, ctx.clock, ctx.files);

  // One published tender of 青山村.
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
    [
      `CREATE TABLE bench_bidders AS SELECT g AS n, gen_random_uuid() AS org_id, gen_random_uuid() AS user_id, '137' || lpad(g::text, 8, '0') AS phone FROM generate_series(1, ${BIDS}) g`,
      [],
    ],
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
  ];
  for (const [text, params] of steps) await database.query(text, params);
  const phones = (await database.query<{ phone: string }>(`SELECT phone FROM bench_bidders ORDER BY n`)).map((r) => r.phone);

  // Passkeys prepared for sealing, sessions, and every bid sealed, before the clock starts.
  say("passkeys, sessions, sealing");
  const base = randomBytes(FILE_BYTES);
  /** A sealed bid (version `version` of the company's bid: the price moves a little each time), as the bid page seals it. */
  async function seal(x: { b: Awaited<ReturnType<typeof preparedBidder>>; phone: string; i: number }, version: number) {
    const submissionId = randomUUID();
    const file = Buffer.concat([Buffer.from(`%PDF-1.4\n% 投标文件 ${x.phone} 第${version}版\n`), base.subarray(0, FILE_BYTES - 64)]);
    const sealed = await S.seal(
      {
        priceFen: 18_000_000 + x.i * 1_000 - version * 10,
        durationDays: 25,
        projectManagerId: x.b.pmId,
        quality: "合格",
        security: { method: "transfer", amountFen: 300_000, date: new Date().toISOString().slice(0, 10), reference: `流水-${x.phone}` },
      },
      [{ name: "技术标.pdf", bytes: file }],
      { tenderId: tender.id, submissionId, holders: [{ credentialId: x.b.credentialId, publicKey: (await S.openingKeyFromPrf(x.b.prf)).publicKey }] },
    );
    return { submissionId, sealed, ciphertext: Buffer.from(sealed.ciphertext) };
  }
  const bidders = await mapLimit(phones, 8, async (phone, i) => {
    const b = await preparedBidder(database, ctx, phone);
    const cookie = await cookieFor(ctx, phone);
    return { b, phone, i, cookie: `${cookie}; cyz_device=${randomUUID()}`, ...(await seal({ b, phone, i }, 1)) };
  });
  /** The same contractor with a new version of its bid sealed (a new submission id). */
  const resealed = async (x: (typeof bidders)[number], version: number) => ({ ...x, ...(await seal(x, version)) });
  /**
   * The contractor's session proves a step-up code now, as the bid page's code form does: replacing a
   * sealed bid needs it (or a passkey's approval of that act; app/models/bid.server.ts), for 15 minutes.
   */
  async function proveStepUp(x: { cookie: string }) {
    const token = /cyz_session=([^;]+)/.exec(x.cookie)?.[1] ?? "";
    await database.query(`UPDATE sessions SET step_up_at = now() WHERE id = $1`, [createHash("sha256").update(token).digest("base64url")]);
  }
  const bytesPerBid = Math.round(bidders.reduce((n, x) => n + x.ciphertext.byteLength, 0) / bidders.length);

  /** What the app process needs to run against this database and file store. */
  const serverEnv = (port: number): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    DATABASE_URL: dbUrl,
    FILES_DIR: filesDir,
    KEYS_DIR: path.join(filesDir, "keys"),
    PLATFORM_KEY_PASSPHRASE: PASSPHRASE,
    SEED_DEMO: "false",
    TEST_CLOCK: "false",
  });

  /** Drop the database and the files unless kept. */
  async function dispose(keep: boolean) {
    await database.close();
    if (!keep) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      rmSync(filesDir, { recursive: true, force: true });
    } else say(`kept database ${dbName} and files in ${filesDir}`);
    await admin.end({ timeout: 5 });
  }

  return { database, ctx, kit, dbUrl, filesDir, tender, bidders, resealed, proveStepUp, bytesPerBid, serverEnv, dispose, cookieFor, DEMO, tenderFields };
}

export type Bidding = Awaited<ReturnType<typeof prepareBidding>>;
export type Bidder = Bidding["bidders"][number];

/**
 * One contractor submitting its sealed bid as the bid page does: POST /uploads (tus), PATCH in
 * 512 KB pieces, POST the seal. With `resume`, the upload's address is kept there and a retry asks
 * the server how much it holds (HEAD) and goes on from that offset, as the page does after a dropped
 * connection; an upload the server no longer has is started again.
 */
export async function submitSealedBid(x: Bidder, port: number, tenderId: string, userAgent: string, resume?: { url?: string }): Promise<Omit<Outcome, "i" | "queuedMs">> {
  const { submitInput } = await import("../../tests/helpers/bids");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const h = { Cookie: x.cookie, Origin: `http://localhost:${port}`, "User-Agent": userAgent };
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
    let url = resume?.url;
    let offset = 0;
    if (url) {
      const held = await send(agent, port, "HEAD", url, { ...h, "Tus-Resumable": "1.0.0" });
      step("head");
      if (held.status === 200) offset = Number(held.headers["upload-offset"]);
      else url = undefined;
    }
    if (!url) {
      const created = await send(agent, port, "POST", "/uploads", {
        ...h,
        "Tus-Resumable": "1.0.0",
        "Upload-Length": length,
        "Upload-Metadata": `filename ${Buffer.from("bid.sealed").toString("base64")},kind ${Buffer.from("sealed").toString("base64")}`,
      });
      step("create");
      if (created.status !== 201) return end({ status: created.status, error: `create: ${errorOf(created)}` });
      url = String(created.headers.location);
      if (resume) resume.url = url;
    }
    // At least one PATCH, as the page sends: past the end the piece is empty, and asks the server to
    // finish the file (a server that died after the last byte and before storing it finishes it now).
    do {
      const r = await send(
        agent,
        port,
        "PATCH",
        url,
        { ...h, "Tus-Resumable": "1.0.0", "Upload-Offset": offset, "Content-Type": "application/offset+octet-stream" },
        x.ciphertext.subarray(offset, offset + CHUNK),
      );
      step(`patch${Math.floor(offset / CHUNK) + 1}`);
      if (r.status !== 204) return end({ status: r.status, error: `patch: ${errorOf(r)}` });
      offset = Number(r.headers["upload-offset"]);
    } while (offset < length);
    const body = { intent: "submit", ...submitInput({ sealed: x.sealed, submissionId: x.submissionId, uploadId: url.slice(url.lastIndexOf("/") + 1) }) };
    const r = await send(agent, port, "POST", `/notices/${tenderId}/bid/seal`, { ...h, "Content-Type": "application/json" }, Buffer.from(JSON.stringify(body)));
    step("seal");
    if (r.status !== 200) return end({ status: r.status, error: `seal: ${errorOf(r)}` });
    const { receipt } = JSON.parse(r.body.toString("utf8")) as { receipt: Outcome["receipt"] };
    if (resume) resume.url = undefined;
    return { ...end({ status: 200, receipt }), ok: true };
  } catch (e) {
    return end({ error: `network: ${(e as Error).message}` });
  } finally {
    agent.destroy();
  }
}

/**
 * Every receipt checked against the database and the file store: the version exists, is the
 * company's, has the hash and size sealed, has every wrapped key, its file hashes to its name, and —
 * for the last receipt of each contractor (`current`) — is the bid's current sealed version. Returns
 * the receipts that fail, and how many versions of the tender no receipt names.
 */
export async function checkReceipts(b: Bidding, receipts: { bidder: Bidder; receipt: NonNullable<Outcome["receipt"]>; current: boolean }[]) {
  const rows = await b.database.query<{
    id: string;
    company_id: string;
    ciphertext_sha256: string;
    ciphertext_size: number;
    seq: number;
    status: string;
    current_version: number;
    wraps: number;
  }>(
    `SELECT v.id, b.company_id, v.ciphertext_sha256, v.ciphertext_size::int AS ciphertext_size, v.seq, b.status, b.current_version,
            (SELECT count(*)::int FROM bid_key_wraps w WHERE w.version_id = v.id AND w.retired_at IS NULL) AS wraps
       FROM bid_versions v JOIN bids b ON b.id = v.bid_id WHERE b.tender_id = $1`,
    [b.tender.id],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lost: { i: number; why: string }[] = [];
  const storedPath = (sha: string) => path.join(b.filesDir, sha.slice(0, 2), sha.slice(2, 4), sha);
  await mapLimit(receipts, 4, async ({ bidder: x, receipt, current }) => {
    const v = byId.get(receipt.id);
    const why = !v
      ? "receipt without a version"
      : v.company_id !== x.b.companyId
        ? "wrong company"
        : v.ciphertext_sha256 !== x.sealed.ciphertextHash || v.ciphertext_size !== x.ciphertext.byteLength
          ? "hash or size differs"
          : current && (v.status !== "sealed" || v.current_version !== v.seq)
            ? "not the current sealed version"
            : current && v.wraps !== x.sealed.wraps.length
              ? "wraps missing"
              : (await sha256OfFile(storedPath(x.sealed.ciphertextHash))) !== x.sealed.ciphertextHash
                ? "stored file missing or altered"
                : null;
    if (why) lost.push({ i: x.i, why });
  });
  const receipted = new Set(receipts.map((r) => r.receipt.id));
  return { lost, unreceipted: rows.filter((r) => !receipted.has(r.id)).length, versions: rows.length };
}

export async function sha256OfFile(file: string): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest("hex");
  } catch {
    return null;
  }
}

/** Start a child server and wait for the line that says it listens. */
export function startChild(cmd: string, argv: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray; log: () => string }> {
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

export async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
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
