// The electronic archive (归档): a completed project's archive PDF (cover, index, every
// generated document, manifest, audit extract) sealed by the platform (PAdES-B-LTA) and
// a zip package whose every file matches the manifest; assembled by the scheduler job;
// a failed project only after the grace period; who may list and download archives.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPdf } from "../../signing/pades";
import { archiveDueProjects, archiveFor, assembleArchive, FAILED_GRACE_DAYS, listArchives, type ManifestEntry } from "~/models/archive.server";
import { completeAwardSignature, completeProject, decideAward, recordContract, requestAwardSignature } from "~/models/award.server";
import { readBytes } from "~/models/file-store.server";
import { platformAuthority } from "~/models/signature.server";
import { schema } from "~/utils/db.server";
import { beijingDay } from "~/utils/time";
import { createHash } from "node:crypto";
import type { Database } from "../../db/client";
import * as archivesRoute from "~/routes/archives._index";
import * as exportRoute from "~/routes/audit.export";
import * as downloadRoute from "~/routes/archives.$id.$kind";
import { cookieFor, DEMO, get, makeContext, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { asStateWriter } from "../helpers/state-writer";
import { unzip } from "../helpers/zip";
import { assertion, givePasskey, inPublicity } from "../helpers/evaluation";
import { closedOpening } from "../helpers/opening";
import { HAVE_PDF_TOOLS, pdfsig, qpdfCheck } from "../helpers/pdf-tools";

let database: Database;
let ctx: ReturnType<typeof makeContext>;
let done: Awaited<ReturnType<typeof inPublicity>>;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
  done = await inPublicity(database, ctx, "村级文化活动中心建设");
  // Publicity runs its days; the committee awards, signs the notice, records the contract and completion.
  const [pub] = await database.db.select().from(schema.publicities).where(eq(schema.publicities.tenderId, done.tenderId));
  ctx.clock.set(new Date(pub.endsAt.getTime() + 60_000));
  const hostKey = await givePasskey(database, ctx, done.host.userId, "村委会手机");
  await decideAward(database.db, { clock: ctx.clock, actor: done.host, actingOrgId: done.villageId, tenderId: done.tenderId, input: {} });
  const { requestId, options } = await requestAwardSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: done.host,
    actingOrgId: done.villageId,
    tenderId: done.tenderId,
  });
  await completeAwardSignature(database.db, {
    clock: ctx.clock,
    store: ctx.files,
    rp: ctx.rp,
    actor: done.host,
    actingOrgId: done.villageId,
    tenderId: done.tenderId,
    requestId,
    response: assertion(hostKey, options.challenge),
  });
  await recordContract(database.db, { clock: ctx.clock, actor: done.host, actingOrgId: done.villageId, tenderId: done.tenderId, day: beijingDay(ctx.clock.now()) });
  await completeProject(database.db, {
    clock: ctx.clock,
    actor: done.host,
    actingOrgId: done.villageId,
    tenderId: done.tenderId,
    input: { acceptanceDate: beijingDay(ctx.clock.now()), settlementFen: 17_950_000 },
  });
});
afterAll(async () => {
  await database?.close();
});

describe("a completed project's archive", () => {
  it("is assembled by the scheduler job once the project is complete, and only once", async () => {
    expect(await archiveDueProjects(database.db, ctx.clock, ctx.files)).toBe(1);
    expect(await archiveDueProjects(database.db, ctx.clock, ctx.files)).toBe(0);
    const [a] = await database.db.select().from(schema.archives).where(eq(schema.archives.projectId, done.projectId));
    expect(a).toMatchObject({ finalState: "completed" });
    // Retained for the county's 15 years.
    expect(Number(a.retainUntil.slice(0, 4)) - Number(beijingDay(ctx.clock.now()).slice(0, 4))).toBe(15);
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "archive.assemble"));
    expect(audit).toHaveLength(1);
  });

  it("holds a PDF sealed by the platform (PAdES-B-LTA) with the generated documents, manifest and audit extract", async () => {
    const [a] = await database.db.select().from(schema.archives).where(eq(schema.archives.projectId, done.projectId));
    const pdf = new Uint8Array(await readBytes(ctx.files, a.pdfSha256));
    const { ca } = await platformAuthority(database.db, ctx.clock);
    const reports = await verifyPdf(pdf, { caCertPem: ca.certPem });
    const seal = reports.find((r) => r.kind === "signature")!;
    expect(seal).toMatchObject({ signerName: "村易招平台", organisation: true, digestOk: true, signatureOk: true, chainOk: true, unchangedAfterSigning: true, problems: [] });
    expect(reports.at(-1)).toMatchObject({ kind: "documentTimestamp", ltv: { crl: true } });
    if (HAVE_PDF_TOOLS) {
      expect(pdfsig(pdf, ca.certPem)[0]).toContain("Signature is Valid.");
      expect(qpdfCheck(pdf).ok).toBe(true);
    }
    if (process.env.KEEP_ARCHIVE) (await import("node:fs")).writeFileSync(process.env.KEEP_ARCHIVE, pdf);
    // The generated documents are in it page by page: its page count exceeds theirs combined.
    const kinds = a.manifest.map((m: ManifestEntry) => m.path);
    // The host never signed this opening record: it is rendered at archiving and marked unsigned.
    expect(kinds).toEqual(expect.arrayContaining(["02-第1轮/招标文件.pdf", "02-第1轮/开标记录（主持人未签署）.pdf", "02-第1轮/评标报告.pdf", "02-第1轮/中标通知书.pdf"]));
    expect(kinds.some((p: string) => p.startsWith("02-第1轮/解密投标文件/"))).toBe(true);
    expect(kinds.some((p: string) => p.startsWith("02-第1轮/密封投标/"))).toBe(true);
    expect(kinds.some((p: string) => p.startsWith("01-四议两公开/"))).toBe(true);
  });

  it("packs every original into a zip whose every entry matches the manifest", async () => {
    const [a] = await database.db.select().from(schema.archives).where(eq(schema.archives.projectId, done.projectId));
    const zip = await readBytes(ctx.files, a.zipSha256);
    expect(sha(zip)).toBe(a.zipSha256);
    const entries = await unzip(zip);
    const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8")) as { archivePdf: { sha256: string }; files: ManifestEntry[] };
    expect(sha(entries.get("项目电子档案.pdf")!)).toBe(a.pdfSha256);
    expect(manifest.archivePdf.sha256).toBe(a.pdfSha256);
    expect(manifest.files).toEqual(a.manifest);
    // The test kit's decision documents are rows without bytes: listed as missing, not packed.
    const missing = manifest.files.filter((m) => m.kind === "missing");
    expect(missing.every((m) => m.path.startsWith("01-四议两公开/"))).toBe(true);
    for (const m of manifest.files.filter((x) => x.kind !== "missing")) {
      const bytes = entries.get(m.path);
      expect(bytes, m.path).toBeDefined();
      expect(sha(bytes!)).toBe(m.sha256);
      expect(bytes!.length).toBe(m.size);
    }
    expect(entries.size).toBe(manifest.files.length - missing.length + 2);
  });

  it("is listed and downloadable for the village, the township and the county — nobody else", async () => {
    const who = async (phone: string) => {
      const [u] = await database.db.select().from(schema.users).where(eq(schema.users.phone, phone));
      const [m] = await database.db.select().from(schema.memberships).where(eq(schema.memberships.userId, u.id));
      return { userId: u.id, role: m.role, orgId: m.orgId };
    };
    for (const phone of [DEMO.committeeA1, DEMO.supervisorA, DEMO.countyAdmin]) {
      const v = await who(phone);
      expect((await listArchives(database.db, v, {}))?.map((r) => r.a.projectId)).toContain(done.projectId);
      expect(await archiveFor(database.db, v, done.projectId)).not.toBeNull();
    }
    for (const phone of [DEMO.committeeB1, DEMO.supervisorB]) {
      const v = await who(phone);
      expect((await listArchives(database.db, v, {})) ?? []).toHaveLength(0);
      expect(await archiveFor(database.db, v, done.projectId)).toBeNull();
    }
    for (const phone of [DEMO.contractor1, DEMO.expert1]) expect(await listArchives(database.db, await who(phone), {})).toBeNull();
    // Filters: by year and state, and by name.
    const sup = await who(DEMO.supervisorA);
    expect(await listArchives(database.db, sup, { state: "failed" })).toHaveLength(0);
    expect(await listArchives(database.db, sup, { q: "文化活动" })).toHaveLength(1);
    expect(await listArchives(database.db, sup, { year: 1999 })).toHaveLength(0);
  });
});

describe("a failed project", () => {
  it("is archived only after the grace period without a new round", async () => {
    const opened = await closedOpening(database, ctx, "村道边沟清淤", undefined, {});
    // Fail it: the host ends the tender (three bids are valid here, so drive the state directly through evaluation's failure path).
    await asStateWriter(database.db, "project", (tx) =>
      tx.update(schema.projects).set({ state: "failed", updatedAt: ctx.clock.now() }).where(eq(schema.projects.id, opened.projectId)),
    );
    expect(await archiveDueProjects(database.db, ctx.clock, ctx.files)).toBe(0);
    ctx.clock.advance((FAILED_GRACE_DAYS + 1) * 24 * 3600_000);
    expect(await archiveDueProjects(database.db, ctx.clock, ctx.files)).toBe(1);
    const [a] = await database.db.select().from(schema.archives).where(eq(schema.archives.projectId, opened.projectId));
    expect(a.finalState).toBe("failed");
    await expect(assembleArchive(database.db, { clock: ctx.clock, store: ctx.files, projectId: done.projectId })).resolves.toBeDefined();
  });
});

describe("the archive pages", () => {
  it("list and serve archives to the village, township and county only, recording every download", async () => {
    const list = async (phone: string) => run(archivesRoute.loader, get("/archives?q=文化", await cookieFor(ctx, phone)), ctx);
    const mine = unwrap(await list(DEMO.supervisorA));
    expect(mine.data.rows.map((r: { projectId: string }) => r.projectId)).toContain(done.projectId);
    expect(((await list(DEMO.contractor1)) as Response).status).toBe(403);
    const download = async (phone: string, kind: string) =>
      (await run(downloadRoute.loader, get(`/archives/${done.projectId}/${kind}`, await cookieFor(ctx, phone)), ctx, { id: done.projectId, kind })) as Response;
    const pdf = await download(DEMO.committeeA1, "pdf");
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
    const zip = await download(DEMO.countyAdmin, "zip");
    expect(zip.headers.get("Content-Disposition")).toMatch(/^attachment/);
    expect(
      Buffer.from(await zip.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");
    expect((await download(DEMO.committeeB1, "pdf")).status).toBe(403);
    expect((await download(DEMO.supervisorB, "zip")).status).toBe(403);
    const downloads = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.objectId, done.projectId));
    expect(
      downloads
        .filter((a) => a.action.startsWith("archive.download_"))
        .map((a) => a.action)
        .sort(),
    ).toEqual(["archive.download_pdf", "archive.download_zip"]);
  });
});

describe("the audit export", () => {
  it("packs a project's or a township's whole record with the audit trail, sealed, and records the export; others are refused", async () => {
    const exp = async (phone: string, query: string) => (await run(exportRoute.loader, get(`/audit/export?${query}`, await cookieFor(ctx, phone)), ctx)) as Response;
    const res = await exp(DEMO.supervisorA, `project=${done.projectId}`);
    expect(res.status).toBe(200);
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    const manifest = JSON.parse(entries.get("manifest.json")!.toString("utf8")) as { files: ManifestEntry[]; cover: { sha256: string } };
    for (const m of manifest.files) expect(sha(entries.get(m.path)!), m.path).toBe(m.sha256);
    const csv = entries.get("audit-trail.csv")!.toString("utf8");
    expect(csv.startsWith("\uFEFFid,at,")).toBe(true);
    expect(csv).toContain("award.sign");
    const record = [...entries.keys()].find((k) => k.endsWith("/record.json"))!;
    expect(JSON.parse(entries.get(record)!.toString("utf8")).openedBids).toHaveLength(3);
    const cover = new Uint8Array(entries.get("审计导出.pdf")!);
    const { ca } = await platformAuthority(database.db, ctx.clock);
    expect((await verifyPdf(cover, { caCertPem: ca.certPem }))[0]).toMatchObject({ organisation: true, digestOk: true, signatureOk: true, chainOk: true });
    // The township's export holds every project of the township.
    const [township] = await database.db.select({ id: schema.projects.townshipId }).from(schema.projects).where(eq(schema.projects.id, done.projectId));
    expect((await exp(DEMO.countyAdmin, `township=${township.id}`)).status).toBe(200);
    // Another township's supervisor, a committee, a contractor: refused.
    expect((await exp(DEMO.supervisorB, `project=${done.projectId}`)).status).toBe(403);
    expect((await exp(DEMO.supervisorB, `township=${township.id}`)).status).toBe(403);
    expect((await exp(DEMO.committeeA1, `project=${done.projectId}`)).status).toBe(403);
    const exports = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "audit.export"));
    expect(exports).toHaveLength(2);
  });
});
