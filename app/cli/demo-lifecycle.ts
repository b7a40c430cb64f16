/**
 * One complete project, start to finish, on a fresh embedded database (issue 8, "A living demo";
 * `npm run demo -- --out DIR`): the living demo's archived story (demo-projects.server.ts) alone — the
 * demo county loaded; a project of 青山村 registered, submitted and
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
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";

export interface DemoSummary {
  projectId: string;
  tenderId: string;
  finalState: string;
  files: { path: string; sha256: string; bytes: number; signatures: number; valid: boolean | null }[];
  seconds: number;
}

export async function runDemoLifecycle(outDir: string, log: (msg: string) => void = () => undefined): Promise<DemoSummary> {
  const t0 = performance.now();
  const { openPglite } = await import("../../db/client");
  const { seedLivingDemo } = await import("../demo/demo.server");
  const { LocalFileStore, readBytes } = await import("../models/file-store.server");
  const { platformAuthority, protectPlatformKeys, verifySignedPdf } = await import("../models/signature.server");
  const { schema } = await import("../utils/db.server");
  const { systemClock } = await import("../utils/clock.server");

  const database = await openPglite(undefined);
  try {
    // A throw-away database: its platform keys are protected by a passphrase that dies with it.
    protectPlatformKeys(randomBytes(24).toString("base64url"));
    const filesStore = new LocalFileStore(mkdtempSync(path.join(os.tmpdir(), "cyz-demo-files-")));
    const rp = { rpID: "localhost", origins: ["http://localhost:3000"], rpName: "村易招" };
    log(
      "the demo county, then one project's whole life: registration → approval → notice → three sealed bids → remote opening → signed record → panel → signed report → publicity → signed award notice → contract → completion → archive",
    );
    const { projects } = await seedLivingDemo(database.db, { files: filesStore, rp, now: new Date(), opts: { only: ["completed"] } });
    const done = projects[0];
    const db = database.db;
    const [archive] = await db.select().from(schema.archives).where(eq(schema.archives.projectId, done.projectId));
    if (!archive) throw new Error("the archive was not assembled");

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
      const bytes = new Uint8Array(await readBytes(filesStore, e.sha256));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes);
      let signatures = 0;
      let valid: boolean | null = null;
      // A signed PDF must verify; an unsigned one (a bidder's own file, a meeting record) is only copied.
      if (Buffer.from(bytes.subarray(0, 5)).toString("latin1") === "%PDF-" && Buffer.from(bytes).includes("/ByteRange")) {
        const report = await verifySignedPdf(db, systemClock, bytes).catch(() => null);
        signatures = report?.signatures.length ?? 0;
        valid = report !== null && signatures > 0 && report.signatures.every((s) => s.intact && s.trusted && s.unchangedSince) && report.longTerm.every((s) => s.ok);
      }
      files.push({ path: e.path, sha256: e.sha256, bytes: bytes.byteLength, signatures, valid });
    }
    const { ca } = await platformAuthority(db, systemClock);
    await writeFile(path.join(outDir, "platform-ca.pem"), ca.certPem);
    const [project] = await db.select({ state: schema.projects.state }).from(schema.projects).where(eq(schema.projects.id, done.projectId));
    const summary: DemoSummary = {
      projectId: done.projectId,
      tenderId: done.tenderId!,
      finalState: project.state,
      files,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    await writeFile(path.join(outDir, "summary.json"), JSON.stringify(summary, null, 2));
    return summary;
  } finally {
    await database.close();
  }
}
