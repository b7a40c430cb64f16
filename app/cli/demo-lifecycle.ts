/**
 * One complete project, start to finish, on a fresh embedded database (issue 8, "A living demo";
 * `npm run demo -- --out DIR`): the demo county loaded; a project of 青山村 registered, submitted and
 * approved; its notice published; three contractors' bids sealed in the browser's way (the real
 * sealing script) and opened remotely; the host signing the opening record with a passkey; a panel
 * drawn, every member checking the bids and signing the evaluation report; publicity; the award
 * decided and its notice signed; contract and completion recorded; and the archive assembled by the
 * scheduler's job and sealed by the platform. Everything through the model functions and real
 * signatures (the passkeys are software ones standing in for phones), so every PDF written to DIR
 * verifies — on the platform's verify page, or with `pdfsig` given the platform CA written beside it.
 *
 * Writes DIR/archive.pdf, DIR/archive.zip, DIR/documents/<every file the archive's manifest lists>,
 * DIR/platform-ca.pem and DIR/summary.json; returns the summary.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface DemoSummary {
  projectId: string;
  tenderId: string;
  finalState: string;
  files: { path: string; sha256: string; bytes: number; signatures: number; valid: boolean | null }[];
  seconds: number;
}

export async function runDemoLifecycle(outDir: string, log: (msg: string) => void = () => undefined): Promise<DemoSummary> {
  const t0 = performance.now();
  // tests/helpers/seal.ts finds the sealing script from __dirname (vitest provides it; ESM under tsx does not).
  (globalThis as { __dirname?: string }).__dirname ??= path.join(root, "tests", "helpers");
  const { openPglite } = await import("../../db/client");
  const { seedDemo } = await import("../models/demo.server");
  const { LocalFileStore, readBytes } = await import("../models/file-store.server");
  const { archiveDueProjects } = await import("../models/archive.server");
  const { completeAwardSignature, completeProject, decideAward, recordContract, requestAwardSignature } = await import("../models/award.server");
  const { completeRecordSignature, requestRecordSignature } = await import("../models/opening-record.server");
  const { platformAuthority, verifySignedPdf } = await import("../models/signature.server");
  const { schema } = await import("../utils/db.server");
  const { beijingDay } = await import("../utils/time");
  const { makeContext } = await import("../../tests/helpers/app");
  const { assertion, givePasskey, inPublicity } = await import("../../tests/helpers/evaluation");

  const database = await openPglite(undefined);
  try {
    const ctx = makeContext(database);
    ctx.files = new LocalFileStore(mkdtempSync(path.join(os.tmpdir(), "cyz-demo-files-")));
    log("loading the demo county");
    await seedDemo(database.db, ctx.clock, ctx.files);

    log("project → approval → notice → three sealed bids → remote opening → panel → report signed → publicity");
    const done = await inPublicity(database, ctx, "青山村村道硬化及排水沟工程", { realDocuments: true });
    const db = database.db;

    log("the host signs the opening record with a passkey");
    const hostKey = await givePasskey(database, ctx, done.host.userId, "村委会主任的手机");
    const asked = await requestRecordSignature(db, ctx.clock, ctx.files, ctx.rp, done.host, done.villageId, done.tenderId);
    await completeRecordSignature(db, ctx.clock, ctx.files, ctx.rp, done.host, done.villageId, done.tenderId, asked.requestId, assertion(hostKey, asked.options.challenge));

    log("publicity ends; award decided and its notice signed; contract; completion");
    ctx.clock.set(new Date(done.publicity.endsAt.getTime() + 60_000));
    await decideAward(db, ctx.clock, done.host, done.villageId, done.tenderId, {});
    const award = await requestAwardSignature(db, ctx.clock, ctx.files, ctx.rp, done.host, done.villageId, done.tenderId);
    await completeAwardSignature(db, ctx.clock, ctx.files, ctx.rp, done.host, done.villageId, done.tenderId, award.requestId, assertion(hostKey, award.options.challenge));
    ctx.clock.advance(3 * 86_400_000);
    await recordContract(db, ctx.clock, done.host, done.villageId, done.tenderId, beijingDay(ctx.clock.now()));
    ctx.clock.advance(25 * 86_400_000);
    await completeProject(db, ctx.clock, done.host, done.villageId, done.tenderId, { acceptanceDate: beijingDay(ctx.clock.now()), settlementFen: 17_950_000 });

    log("the scheduler's archive job");
    if ((await archiveDueProjects(db, ctx.clock, ctx.files)) !== 1) throw new Error("the archive was not assembled");
    const [archive] = await db.select().from(schema.archives).where(eq(schema.archives.projectId, done.projectId));

    log(`writing to ${outDir}`);
    await mkdir(path.join(outDir, "documents"), { recursive: true });
    const entries = [
      { path: "archive.pdf", sha256: archive.pdfSha256 },
      { path: "archive.zip", sha256: archive.zipSha256 },
      ...(archive.manifest as { path: string; sha256: string }[]).map((m) => ({ path: path.join("documents", m.path), sha256: m.sha256 })),
    ];
    const files: DemoSummary["files"] = [];
    for (const e of entries) {
      const target = path.resolve(outDir, e.path);
      // Manifest paths are the platform's own, but a file is never written outside DIR.
      if (!target.startsWith(path.resolve(outDir) + path.sep)) throw new Error(`refusing to write ${e.path}`);
      const bytes = new Uint8Array(await readBytes(ctx.files, e.sha256));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes);
      let signatures = 0;
      let valid: boolean | null = null;
      // A signed PDF must verify; an unsigned one (a bidder's own file, a meeting record) is only copied.
      if (Buffer.from(bytes.subarray(0, 5)).toString("latin1") === "%PDF-" && Buffer.from(bytes).includes("/ByteRange")) {
        const report = await verifySignedPdf(db, ctx.clock, bytes).catch(() => null);
        signatures = report?.signatures.length ?? 0;
        valid = report !== null && signatures > 0 && report.signatures.every((s) => s.intact && s.trusted && s.unchangedSince) && report.longTerm.every((s) => s.ok);
      }
      files.push({ path: e.path, sha256: e.sha256, bytes: bytes.byteLength, signatures, valid });
    }
    const { ca } = await platformAuthority(db, ctx.clock);
    await writeFile(path.join(outDir, "platform-ca.pem"), ca.certPem);
    const [project] = await db.select({ state: schema.projects.state }).from(schema.projects).where(eq(schema.projects.id, done.projectId));
    const summary: DemoSummary = { projectId: done.projectId, tenderId: done.tenderId, finalState: project.state, files, seconds: Math.round((performance.now() - t0) / 100) / 10 };
    await writeFile(path.join(outDir, "summary.json"), JSON.stringify(summary, null, 2));
    return summary;
  } finally {
    await database.close();
  }
}
