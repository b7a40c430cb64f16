// npm run bench:fault-kill — kill -9 the app at random moments while contractors submit sealed bids,
// committees publish tender notices and hosts sign opening records (PAdES with a passkey, then the
// long-term form with a document timestamp), then check that nothing a client was told happened is
// missing and nothing is half-written.
// Usage: tsx bench/fault-kill.ts [kills=50] [bidders=40] [--seed N] [--no-build] [--keep]
// (CI runs `tsx bench/fault-kill.ts 5 12 --no-build`.)
// Needs the PostgreSQL server (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres).
//
// Set-up as bench/deadline-burst (bench/lib/bidding-kit.ts): a fresh database cyz_fault_kill with the
// demo county, one published tender and `bidders` contractors whose 1 MB bids are sealed beforehand;
// kills + 3 approved projects of 青山村 waiting to be published, and kills + 3 closed openings whose
// host (with a software passkey) has to sign the record. Then `kills` times: start
// `node server.mjs`, let 6 contractors at a time submit (tus upload in 512 KB pieces, then the seal)
// and one committee member publish the next project (the publish form, multipart, with a drawing),
// and after a random 0.15–2 s (seeded: the run can be repeated) SIGKILL the server. A client whose
// request died does what the bid page does after the restart: asks how much of its upload the server
// holds (HEAD), sends the rest, and seals with the same submission id; a committee member publishes
// the same project again, the host asks to sign the record again. A last life runs without a kill
// until every contractor has a receipt, every project is published and every record signed.
//
// Checked at the end, in the database and the file store: every receipt a client got names its bid
// intact (version, company, hash, size, current, wrapped keys, stored file); no version of the tender
// lacks a receipt; no partial rows (a bid without its current version, a sealed version without keys
// or file, a tender without its notice, a published project without a tender or the reverse); every
// notice stored under its hash; every record signed and verifying (the host's signature intact,
// trusted, timestamped, approved by the passkey, nothing after it; the long-term timestamp valid); and
// the audit chain verifies. Prints one JSON object; exits 1 when any check fails.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { checkReceipts, prepareBidding, root, startChild, submitSealedBid, type Bidder, type Outcome } from "./lib/bidding-kit";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1] === "--seed"));
const KILLS = Number(positional[0] ?? 50);
const BIDDERS = Number(positional[1] ?? 40);
const SEED = Number(option("--seed") ?? Date.now() % 1_000_000);
const SERVER = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PORT = 3380;
const ORIGIN = `http://localhost:${PORT}`;
const BID_WORKERS = 6;

/** mulberry32: a small seeded generator, so a failing run can be repeated with --seed. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const t0 = performance.now();
  const say = (msg: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${msg}`);
  const random = seeded(SEED);
  if (!flag("--no-build")) {
    say("npx remix build");
    const b = spawnSync("npx", ["remix", "build"], { cwd: root, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`remix build failed:\n${b.stdout}\n${b.stderr}`);
  }

  const b = await prepareBidding({ serverUrl: SERVER, dbName: "cyz_fault_kill", bids: BIDDERS, fileBytes: 1024 * 1024, say });
  const { database, ctx, kit, tender, bidders } = b;
  let failed: boolean;
  try {
    say(`${KILLS + 3} approved projects to publish`);
    const toPublish: string[] = [];
    for (let k = 0; k < KILLS + 3; k++) toPublish.push(await kit.approvedProject(`断电测试项目${k + 1}`, 20_000_000, "故障测试：各项目地点与内容不同，并非拆分"));
    // Closed openings whose host has yet to sign the record (开标记录: PAdES with the host's passkey,
    // then the long-term form with a document timestamp), made through the model functions with the
    // clock in the past; then the clock is the real one again, as the server's is.
    say(`${KILLS + 3} closed openings whose records are to be signed`);
    const { closedOpening } = await import("../tests/helpers/opening");
    const { givePasskey } = await import("../tests/helpers/evaluation");
    const toSign: string[] = [];
    let hostUserId = "";
    for (let k = 0; k < KILLS + 3; k++) {
      const o = await closedOpening(database, ctx, `断电签字测试${k + 1}`, undefined, undefined, "故障测试：各项目地点与内容不同，并非拆分");
      toSign.push(o.tenderId);
      hostUserId = o.host.userId;
    }
    ctx.clock.set(new Date());
    const hostKey = await givePasskey(database, ctx, hostUserId, "主持人的手机");
    const committee = await b.cookieFor(ctx, b.DEMO.committeeA1);
    const deadline = new Date(Date.now() + 30 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);
    const fields = b.tenderFields({ deadline, bidSecurity: "3000" });

    // Each contractor's bid in hand (sealed, maybe not yet received), its version, and every receipt it got.
    const current = [...bidders];
    const version = bidders.map(() => 1);
    const unfinished = bidders.map(() => true);
    // The upload each contractor's page would resume (kept as the bid page keeps it in localStorage).
    const uploads = bidders.map(() => ({}) as { url?: string });
    const history = bidders.map(() => [] as { bidder: Bidder; receipt: NonNullable<Outcome["receipt"]> }[]);
    let receiptCount = 0;
    const pendingProjects = [...toPublish];
    const pendingRecords = [...toSign];
    const signedSeen = new Set<string>();
    const publishedSeen = new Set<string>();
    /** Answers that are neither a success nor a dead connection: each one is a failure of the run. */
    const unexpected: string[] = [];
    const inFlight = { bids: 0, publishes: 0, signatures: 0 };
    const atKills: { afterMs: number; bidsInFlight: number; publishesInFlight: number; signaturesInFlight: number; receipts: number; published: number }[] = [];
    let retries = 0;

    // Worker w takes contractors w, w + BID_WORKERS, … in turn. While the server lives a contractor whose
    // last bid was received seals a new version (bids may be replaced before the deadline); one whose
    // request died sends the same sealed bid again, with the same submission id. The last life only
    // finishes what is unfinished.
    const bidWorker = async (w: number, alive: () => boolean, finishOnly: boolean) => {
      const mine = bidders.map((_, i) => i).filter((i) => i % BID_WORKERS === w);
      for (let k = 0; alive(); k++) {
        const todo = finishOnly ? mine.filter((i) => unfinished[i]) : mine;
        if (!todo.length) return;
        const i = todo[k % todo.length];
        if (!unfinished[i]) {
          current[i] = await b.resealed(current[i], ++version[i]);
          unfinished[i] = true;
          uploads[i] = {};
        }
        // A replacement needs the bidder's second factor: the session proves a step-up code first.
        if (version[i] > 1) await b.proveStepUp(current[i]);
        inFlight.bids++;
        const o = await submitSealedBid(current[i], PORT, tender.id, "cyz-bench/fault-kill", uploads[i]);
        inFlight.bids--;
        if (process.env.FAULT_DEBUG && !alive()) say(`bid ${i} after the kill: ${o.ok ? "ok" : o.error}`);
        if (o.ok) {
          history[i].push({ bidder: current[i], receipt: o.receipt! });
          unfinished[i] = false;
          receiptCount++;
        } else {
          if (!o.error?.startsWith("network:")) {
            unexpected.push(`bid ${i}: ${o.error}`);
            say(`unexpected answer: bid ${i}: ${o.error}`);
            // Not the kill's doing: stop this contractor rather than loop on it (the run fails).
            if (unexpected.length > 20) return;
          }
          retries++;
        }
      }
    };
    const publishWorker = async (alive: () => boolean) => {
      while (alive() && pendingProjects.length) {
        const id = pendingProjects.shift()!;
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append("attachment1", new File(["%PDF-1.4\n图纸\n%%EOF"], "施工图纸.pdf", { type: "application/pdf" }));
        inFlight.publishes++;
        try {
          const r = await fetch(`${ORIGIN}/projects/${id}/publish`, { method: "POST", body: form, redirect: "manual", headers: { Cookie: committee, Origin: ORIGIN } });
          const to = r.headers.get("location") ?? "";
          // Published now (…?published=1), or already by a request whose answer the kill swallowed (back to the project).
          if (r.status === 302 && to.startsWith(`/projects/${id}`)) publishedSeen.add(id);
          else {
            unexpected.push(`publish ${id}: ${r.status} ${to}`);
            say(`unexpected answer: publish ${id}: ${r.status} ${to}`);
            if (unexpected.length > 20) return;
            pendingProjects.push(id);
          }
        } catch (e) {
          if (process.env.FAULT_DEBUG) say(`publish ${id}: ${(e as Error).message}`);
          retries++;
          pendingProjects.push(id);
        } finally {
          inFlight.publishes--;
        }
      }
    };

    // The host signs the next record: options (the record rendered and prepared, a challenge over its
    // digest), the passkey's approval, verify (signed, made long-term, published). A request whose answer
    // died starts again from the options; a record found signed already was signed by one of them.
    const signWorker = async (alive: () => boolean) => {
      const post = async (tenderId: string, body: unknown) => {
        const r = await fetch(`${ORIGIN}/notices/${tenderId}/hall/sign`, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { Cookie: committee, Origin: ORIGIN, "Content-Type": "application/json" },
        });
        return { status: r.status, json: (await r.json()) as { requestId?: string; options?: { challenge: string }; ok?: boolean; error?: string } };
      };
      while (alive() && pendingRecords.length) {
        const tenderId = pendingRecords.shift()!;
        inFlight.signatures++;
        try {
          const asked = await post(tenderId, { step: "options" });
          if (asked.status === 409 && asked.json.error === "errors.signature.alreadySigned") {
            signedSeen.add(tenderId);
            continue;
          }
          if (asked.status !== 200 || !asked.json.options) throw new Error(`unexpected: options ${asked.status} ${asked.json.error}`);
          // The host's phone approves the digest (a software passkey, for this origin).
          const a = hostKey.approve(Buffer.from(asked.json.options.challenge, "base64url"), { origin: ORIGIN, rpId: "localhost" });
          const response = {
            id: hostKey.credentialId,
            rawId: hostKey.credentialId,
            type: "public-key",
            clientExtensionResults: {},
            response: { authenticatorData: a.authenticatorData, clientDataJSON: a.clientDataJSON, signature: a.signature },
          };
          const done = await post(tenderId, { step: "verify", requestId: asked.json.requestId, response });
          if (done.status === 200 && done.json.ok) signedSeen.add(tenderId);
          else if (done.status === 409 && done.json.error === "errors.signature.alreadySigned") signedSeen.add(tenderId);
          else throw new Error(`unexpected: verify ${done.status} ${done.json.error}`);
        } catch (e) {
          const message = (e as Error).message;
          if (message.startsWith("unexpected:")) {
            unexpected.push(`sign ${tenderId}: ${message}`);
            say(`${message} (sign ${tenderId})`);
            if (unexpected.length > 20) return;
          }
          retries++;
          pendingRecords.push(tenderId);
        } finally {
          inFlight.signatures--;
        }
      }
    };

    for (let life = 0; life <= KILLS; life++) {
      const last = life === KILLS;
      if (process.env.FAULT_DEBUG) say(`life ${life}: starting`);
      const app = await startChild(process.execPath, ["server.mjs"], b.serverEnv(PORT), /listening on/);
      if (process.env.FAULT_DEBUG) say(`life ${life}: listening`);
      let alive = true;
      const workers = [...Array.from({ length: BID_WORKERS }, (_, w) => bidWorker(w, () => alive, last)), publishWorker(() => alive), signWorker(() => alive)];
      if (last) {
        await Promise.all(workers);
        app.child.kill("SIGTERM");
      } else {
        const afterMs = Math.round(150 + random() * 1850);
        await sleep(afterMs);
        const exited = new Promise((r) => app.child.once("exit", r));
        atKills.push({
          afterMs,
          bidsInFlight: inFlight.bids,
          publishesInFlight: inFlight.publishes,
          signaturesInFlight: inFlight.signatures,
          receipts: receiptCount,
          published: publishedSeen.size,
        });
        app.child.kill("SIGKILL");
        if (process.env.FAULT_DEBUG)
          say(`life ${life}: killed after ${afterMs} ms (${inFlight.bids} bids, ${inFlight.publishes} publications, ${inFlight.signatures} signatures in flight)`);
        await exited;
        if (process.env.FAULT_DEBUG) say(`life ${life}: exited`);
        alive = false;
        await Promise.all(workers);
      }
      // A killed process has a signal and no exit code.
      await new Promise((r) => (app.child.exitCode !== null || app.child.signalCode !== null ? r(null) : app.child.once("exit", r)));
      if (!last && (life + 1) % 10 === 0) say(`${life + 1} kills: ${receiptCount} receipts, ${publishedSeen.size}/${toPublish.length} published`);
    }
    say("checking");

    // 1. Every receipt's bid intact, and every version of the tender receipted.
    const receiptCheck = await checkReceipts(
      b,
      history.flatMap((h) => h.map((r, n) => ({ ...r, current: n === h.length - 1 }))),
    );
    const withoutReceipt = history.filter((h) => h.length === 0).length;

    // 2. No partial rows.
    const one = async (text: string, params: unknown[] = []) => Number(Object.values((await database.query<Record<string, unknown>>(text, params))[0])[0]);
    const partial = {
      bidsWithoutCurrentVersion: await one(`SELECT count(*) FROM bids b WHERE NOT EXISTS (SELECT 1 FROM bid_versions v WHERE v.bid_id = b.id AND v.seq = b.current_version)`),
      sealedVersionsWithoutKeys: await one(`SELECT count(*) FROM bid_versions v WHERE v.kind = 'sealed' AND NOT EXISTS (SELECT 1 FROM bid_key_wraps w WHERE w.version_id = v.id)`),
      sealedVersionsWithoutFile: await one(
        `SELECT count(*) FROM bid_versions v WHERE v.kind = 'sealed' AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = v.ciphertext_sha256)`,
      ),
      tendersWithoutNotice: await one(`SELECT count(*) FROM tenders WHERE document_pdf_sha256 IS NULL`),
      publishedProjectsWithoutTender: await one(`SELECT count(*) FROM projects p WHERE p.state = 'published' AND NOT EXISTS (SELECT 1 FROM tenders t WHERE t.project_id = p.id)`),
      tendersOfUnpublishedProjects: await one(`SELECT count(*) FROM tenders t JOIN projects p ON p.id = t.project_id WHERE p.state IN ('approved', 'draft', 'submitted')`),
      projectsLeftUnpublished: await one(`SELECT count(*) FROM projects WHERE id = ANY($1::uuid[]) AND state <> 'published'`, [toPublish]),
    };

    // 3. Every notice stored under its hash; every record signed, stored under its hash and verifying.
    const stored = (sha: string) => readFile(path.join(b.filesDir, sha.slice(0, 2), sha.slice(2, 4), sha)).catch(() => null);
    const hashOf = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
    const notices = await database.query<{ project_id: string; sha: string }>(`SELECT project_id, document_pdf_sha256 AS sha FROM tenders WHERE project_id = ANY($1::uuid[])`, [
      toPublish,
    ]);
    const badNotices: string[] = [];
    for (const n of notices) {
      const bytes = await stored(n.sha);
      if (!bytes || hashOf(bytes) !== n.sha) badNotices.push(`${n.project_id}: notice file missing or altered`);
    }
    const { verifySignedPdf } = await import("../app/models/signature.server");
    const records = await database.query<{ tender_id: string; sha: string | null; signed_at: Date | null }>(
      `SELECT tender_id, record_pdf_sha256 AS sha, record_signed_at AS signed_at FROM openings WHERE tender_id = ANY($1::uuid[])`,
      [toSign],
    );
    const badRecords: string[] = [];
    for (const r of records) {
      const bytes = r.sha && r.signed_at ? await stored(r.sha) : null;
      if (!bytes || hashOf(bytes) !== r.sha) {
        badRecords.push(`${r.tender_id}: ${r.signed_at ? "file missing or altered" : "not signed"}`);
        continue;
      }
      const report = await verifySignedPdf(database.db, ctx.clock, new Uint8Array(bytes));
      // The host's signature intact, trusted, timestamped, approved by the passkey and not followed by changes; the long-term timestamp valid.
      const ok =
        report.signatures.length === 1 &&
        report.signatures.every((x) => x.intact && x.trusted && x.timestamped && x.passkey && x.unchangedSince) &&
        report.longTerm.length > 0 &&
        report.longTerm.every((x) => x.ok);
      if (!ok) badRecords.push(`${r.tender_id}: ${JSON.stringify(report)}`);
    }

    // 4. The audit chain.
    const { verifyAuditChain } = await import("../app/models/audit.server");
    const chain = await verifyAuditChain(database.db);

    const partialRows = Object.values(partial).reduce((n, x) => n + x, 0);
    const pass =
      receiptCheck.lost.length === 0 &&
      receiptCheck.unreceipted === 0 &&
      withoutReceipt === 0 &&
      partialRows === 0 &&
      badNotices.length === 0 &&
      notices.length === toPublish.length &&
      badRecords.length === 0 &&
      records.length === toSign.length &&
      chain.ok &&
      unexpected.length === 0;
    console.log(
      JSON.stringify(
        {
          kills: KILLS,
          seed: SEED,
          bidders: bidders.length,
          receipts: receiptCount,
          bidVersions: receiptCheck.versions,
          contractorsWithoutReceipt: withoutReceipt,
          lost: receiptCheck.lost.length,
          lostReasons: receiptCheck.lost.slice(0, 10),
          versionsWithoutReceipt: receiptCheck.unreceipted,
          retriesAfterKills: retries,
          killsDuringBidRequests: atKills.filter((k) => k.bidsInFlight > 0).length,
          killsDuringPublishing: atKills.filter((k) => k.publishesInFlight > 0).length,
          partialRows: partial,
          killsDuringSigning: atKills.filter((k) => k.signaturesInFlight > 0).length,
          notices: { published: notices.length, expected: toPublish.length, bad: badNotices.slice(0, 10) },
          openingRecords: { signed: records.filter((r) => r.signed_at).length, expected: toSign.length, failingVerification: badRecords.slice(0, 10) },
          auditChain: { ok: chain.ok, checked: chain.checked, firstBrokenId: chain.firstBrokenId, reason: chain.reason },
          unexpectedAnswers: unexpected.slice(0, 10),
          pass,
          totalSeconds: Math.round((performance.now() - t0) / 100) / 10,
        },
        null,
        2,
      ),
    );
    failed = !pass;
  } finally {
    await b.dispose(flag("--keep"));
  }
  process.exit(failed ? 1 : 0);
}

await main();
