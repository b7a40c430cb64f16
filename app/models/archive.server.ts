/**
 * The project's electronic archive (归档, DOMAIN.md step 13): when a project
 * is completed or cancelled — or failed with no new round for 30 days — the
 * platform assembles, by itself (a scheduler job):
 *
 *   • the archive PDF: cover, index, every generated document in order
 *     (tender notice, amendments, Q&A, opening record, evaluation report,
 *     publicity, objections and complaints, award notice, close-out), a
 *     manifest of every file's SHA-256 and the project's audit-trail
 *     extract — sealed by the platform (电子印章, PAdES-B-LTA);
 *   • a zip package holding that PDF, manifest.json and every original
 *     upload (decision documents, tender attachments, sealed and opened bid
 *     files, the signed documents as signed), streamed from the file store
 *     into the file store, never held whole in memory.
 *
 * Retention: the county's archiveRetentionYears (≥ 15).
 */
import { createHash } from "node:crypto";
import { PassThrough } from "node:stream";
import { and, asc, desc, eq, ilike, inArray, isNotNull, lte, or, sql, type SQL } from "drizzle-orm";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import yazl from "yazl";
import { renderDocument, type DocumentSection } from "~/pdf/document.server";
import type { Clock } from "~/utils/clock.server";
import { toCsv } from "~/utils/csv";
import { schema, type Db, type MemberRole } from "~/utils/db.server";
import { formatFen } from "~/utils/money";
import { addDays, beijingDay, formatBeijing } from "~/utils/time";
import { appendAudit, SYSTEM_ACTOR, type Actor } from "./audit.server";
import { getCountySettings } from "./county-settings.server";
import { DomainError } from "./errors";
import { putBytes, readBytes, type FileStore, type StoredFile } from "./file-store.server";
import { renderOpeningRecord } from "./opening-record.server";
import { bidContentRevealedSql, sealedActShownSql } from "./reveal";
import { sealAsPlatform } from "./signature.server";

const {
  projects,
  projectDecisions,
  tenders,
  tenderAttachments,
  tenderAmendments,
  tenderQuestions,
  openings,
  bidOpenings,
  bids,
  bidVersions,
  evaluations,
  publicities,
  objections,
  complaints,
  awards,
  orgs,
  auditLog,
  archives,
  files,
} = schema;

type Project = typeof projects.$inferSelect;
const TIME = "yyyy-MM-dd HH:mm";
export const ARCHIVE_STATES = ["completed", "cancelled", "failed"] as const;
/** A failed project is archived once no new round has started for this long. */
export const FAILED_GRACE_DAYS = 30;
const STATE_NAMES: Record<string, string> = { completed: "已完成", cancelled: "已撤销", failed: "流标" };
const MAX_ZIP_BYTES = 20 * 1024 * 1024 * 1024;

export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
  kind: string;
}

interface GeneratedPdf {
  title: string;
  sha256: string;
}

/** Safe file-name part: no path separators or control characters. */
const safe = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").slice(0, 80);

async function fileSize(db: Db, sha: string): Promise<number> {
  const [f] = await db.select({ size: files.size }).from(files).where(eq(files.sha256, sha));
  return f?.size ?? 0;
}

/**
 * Everything the archive holds, gathered from the database (no file bytes yet),
 * as it may be seen at `now` (reveal.ts): opened bids only from their price
 * reading, sealed bids only from their tender's deadline, and no audit row of a
 * contractor's act on a tender still taking bids.
 */
async function gather(db: Db, project: Project, now: Date) {
  const rounds = await db.select().from(tenders).where(eq(tenders.projectId, project.id)).orderBy(asc(tenders.round));
  const tenderIds = rounds.map((t) => t.id);
  const [village] = await db.select().from(orgs).where(eq(orgs.id, project.villageId));
  const [township] = await db.select().from(orgs).where(eq(orgs.id, project.townshipId));
  const decisions = await db.select().from(projectDecisions).where(eq(projectDecisions.projectId, project.id));
  const any = tenderIds.length > 0;
  const attachments = any ? await db.select().from(tenderAttachments).where(inArray(tenderAttachments.tenderId, tenderIds)) : [];
  const amendments = any ? await db.select().from(tenderAmendments).where(inArray(tenderAmendments.tenderId, tenderIds)).orderBy(asc(tenderAmendments.createdAt)) : [];
  const questions = any ? await db.select().from(tenderQuestions).where(inArray(tenderQuestions.tenderId, tenderIds)).orderBy(asc(tenderQuestions.askedAt)) : [];
  const opens = any ? await db.select().from(openings).where(inArray(openings.tenderId, tenderIds)) : [];
  const opened = any
    ? await db
        .select({ o: bidOpenings, company: orgs.name })
        .from(bidOpenings)
        .innerJoin(bids, eq(bids.id, bidOpenings.bidId))
        .innerJoin(orgs, eq(orgs.id, bids.companyId))
        .innerJoin(openings, eq(openings.tenderId, bidOpenings.tenderId))
        .where(and(inArray(bidOpenings.tenderId, tenderIds), bidContentRevealedSql(openings.state, openings.readingStartedAt)))
    : [];
  const sealed = any
    ? await db
        .select({ v: bidVersions, tenderId: bids.tenderId, company: orgs.name })
        .from(bidVersions)
        .innerJoin(bids, eq(bids.id, bidVersions.bidId))
        .innerJoin(orgs, eq(orgs.id, bids.companyId))
        .innerJoin(tenders, eq(tenders.id, bids.tenderId))
        .where(and(inArray(bids.tenderId, tenderIds), isNotNull(bidVersions.ciphertextSha256), lte(tenders.deadline, now)))
        .orderBy(asc(bidVersions.receivedAt))
    : [];
  const evals = any ? await db.select().from(evaluations).where(inArray(evaluations.tenderId, tenderIds)) : [];
  const pubs = any ? await db.select().from(publicities).where(inArray(publicities.tenderId, tenderIds)) : [];
  const objs = any
    ? await db
        .select({ o: objections, company: orgs.name })
        .from(objections)
        .innerJoin(orgs, eq(orgs.id, objections.companyId))
        .where(inArray(objections.tenderId, tenderIds))
        .orderBy(asc(objections.filedAt))
    : [];
  const comps = any
    ? await db
        .select({ c: complaints, company: orgs.name })
        .from(complaints)
        .innerJoin(orgs, eq(orgs.id, complaints.companyId))
        .where(inArray(complaints.tenderId, tenderIds))
        .orderBy(asc(complaints.filedAt))
    : [];
  const awardRows = any ? await db.select().from(awards).where(inArray(awards.tenderId, tenderIds)) : [];
  const bidIds = opened.map((x) => x.o.bidId).concat(sealed.map((s) => s.v.bidId));
  const objectIds = [project.id, ...tenderIds, ...new Set(bidIds)];
  const audit = await db
    .select({ id: auditLog.id, at: auditLog.at, role: auditLog.actorRole, action: auditLog.action, ip: auditLog.ip, hash: auditLog.hash })
    .from(auditLog)
    .where(and(inArray(auditLog.objectId, objectIds), sealedActShownSql(auditLog.summary, now)))
    .orderBy(asc(auditLog.id));
  return {
    rounds,
    village,
    township,
    decisions,
    attachments,
    amendments,
    questions,
    opens,
    opened,
    sealed,
    evals,
    pubs,
    objs,
    comps,
    awardRows,
    audit,
    unsignedRecords: new Map<string, string>(),
  };
}

/** An opening record the host never signed is still part of the record: rendered now, marked unsigned. */
async function renderUnsignedRecords(db: Db, store: FileStore, g: Gathered, now: Date) {
  for (const o of g.opens) {
    if (o.recordPdfSha256 || (o.state !== "closed" && o.state !== "failed")) continue;
    const record = await renderOpeningRecord(db, o.tenderId, now);
    const stored = await putBytes(store, record.bytes);
    await db.insert(files).values({ sha256: stored.sha256, size: stored.size, mime: "application/pdf", createdAt: now }).onConflictDoNothing();
    g.unsignedRecords.set(o.tenderId, stored.sha256);
  }
}

type Gathered = Awaited<ReturnType<typeof gather>>;

/** Every file of the zip package except the archive PDF and manifest.json, with its path. */
async function originals(db: Db, store: FileStore, g: Gathered): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  const add = async (path: string, sha256: string | null | undefined, kind: string) => {
    if (!sha256) return;
    // A file the store has lost is listed as missing (the archive says so) rather than stopping the archive.
    out.push({ path, sha256, size: await fileSize(db, sha256), kind: (await store.has(sha256)) ? kind : "missing" });
  };
  for (const d of g.decisions) await add(`01-四议两公开/${d.step}-${safe(d.fileName)}`, d.fileSha256, "decision");
  for (const t of g.rounds) {
    const r = `02-第${t.round}轮`;
    await add(`${r}/招标文件.pdf`, t.documentPdfSha256, "generated");
    for (const a of g.attachments.filter((x) => x.tenderId === t.id)) await add(`${r}/招标附件/${safe(a.fileName)}`, a.fileSha256, "attachment");
    for (const s of g.sealed.filter((x) => x.tenderId === t.id)) await add(`${r}/密封投标/${safe(s.company)}-第${s.v.seq}版.sealed`, s.v.ciphertextSha256, "sealed-bid");
    for (const o of g.opened.filter((x) => x.o.tenderId === t.id)) {
      for (const f of (o.o.files as { name: string; sha256: string }[] | null) ?? []) await add(`${r}/解密投标文件/${safe(o.company)}/${safe(f.name)}`, f.sha256, "bid-file");
    }
    const open = g.opens.find((o) => o.tenderId === t.id);
    if (open?.recordPdfSha256) await add(`${r}/开标记录.pdf`, open.recordPdfSha256, "generated");
    else await add(`${r}/开标记录（主持人未签署）.pdf`, g.unsignedRecords.get(t.id), "generated");
    const ev = g.evals.find((e) => e.tenderId === t.id && e.state === "done");
    await add(`${r}/评标报告.pdf`, ev?.reportPdfSha256, "generated");
    const award = g.awardRows.find((a) => a.tenderId === t.id && a.state === "signed");
    await add(`${r}/中标通知书.pdf`, award?.noticePdfSha256, "generated");
  }
  return out;
}

/** The generated PDFs to include page by page, in the order of the project's life. */
function generatedInOrder(g: Gathered): GeneratedPdf[][] {
  return g.rounds.map((t) => {
    const list: GeneratedPdf[] = [];
    if (t.documentPdfSha256) list.push({ title: `第${t.round}轮 招标公告及招标文件`, sha256: t.documentPdfSha256 });
    const open = g.opens.find((o) => o.tenderId === t.id);
    if (open?.recordPdfSha256) list.push({ title: `第${t.round}轮 开标记录`, sha256: open.recordPdfSha256 });
    else if (g.unsignedRecords.has(t.id)) list.push({ title: `第${t.round}轮 开标记录（主持人未签署）`, sha256: g.unsignedRecords.get(t.id)! });
    const ev = g.evals.find((e) => e.tenderId === t.id && e.state === "done");
    if (ev?.reportPdfSha256) list.push({ title: `第${t.round}轮 评标报告`, sha256: ev.reportPdfSha256 });
    const award = g.awardRows.find((a) => a.tenderId === t.id && a.state === "signed");
    if (award?.noticePdfSha256) list.push({ title: `第${t.round}轮 中标通知书`, sha256: award.noticePdfSha256 });
    return list;
  });
}

/** The text records of one round: amendments, Q&A, publicity, objections and complaints, award and close-out. */
function roundSections(g: Gathered, t: Gathered["rounds"][number]): DocumentSection[] {
  const s: DocumentSection[] = [];
  const am = g.amendments.filter((a) => a.tenderId === t.id);
  s.push({
    heading: `第${t.round}轮 澄清与修改`,
    blocks: am.length
      ? am.map((a) => ({
          kind: "paragraph" as const,
          text: `第${a.seq}号（${formatBeijing(a.createdAt, TIME)}）${a.title}：${a.body}${a.deadlineAfter.getTime() !== a.deadlineBefore.getTime() ? `（截止时间由 ${formatBeijing(a.deadlineBefore, TIME)} 改为 ${formatBeijing(a.deadlineAfter, TIME)}）` : ""}`,
        }))
      : [{ kind: "paragraph", text: "无。" }],
  });
  const qs = g.questions.filter((q) => q.tenderId === t.id);
  s.push({
    heading: `第${t.round}轮 答疑`,
    blocks: qs.length
      ? [
          {
            kind: "table",
            columns: [
              { label: "问题", width: 4 },
              { label: "答复", width: 4 },
            ],
            rows: qs.map((q) => [`${q.body}（${formatBeijing(q.askedAt, TIME)}）`, q.answer ? `${q.answer}（${formatBeijing(q.answeredAt!, TIME)}）` : "未答复"]),
          },
        ]
      : [{ kind: "paragraph", text: "无。" }],
  });
  const pub = g.pubs.find((p) => p.tenderId === t.id);
  if (pub) {
    const names = new Map(g.opened.map((o) => [o.o.bidId, { company: o.company, price: o.o.priceFen }]));
    s.push({
      heading: `第${t.round}轮 中标候选人公示`,
      blocks: [
        { kind: "paragraph", text: `公示期：${formatBeijing(pub.startsAt, TIME)} 至 ${formatBeijing(pub.endsAt, TIME)}。` },
        {
          kind: "table",
          columns: [
            { label: "排名", width: 1 },
            { label: "中标候选人", width: 4 },
            { label: "投标报价", width: 2, align: "right" },
          ],
          rows: pub.candidates.map((id, i) => [`第${i + 1}`, names.get(id)?.company ?? "", formatFen(names.get(id)?.price ?? 0)]),
        },
      ],
    });
  }
  const objs = g.objs.filter((o) => o.o.tenderId === t.id);
  const comps = g.comps.filter((c) => c.c.tenderId === t.id);
  if (objs.length || comps.length) {
    s.push({
      heading: `第${t.round}轮 异议与投诉`,
      blocks: [
        ...objs.map((o) => ({
          kind: "paragraph" as const,
          text: `异议（${o.company}，${formatBeijing(o.o.filedAt, TIME)}）：${o.o.body}。答复：${o.o.answer ?? "未答复"}${o.o.answeredAt ? `（${formatBeijing(o.o.answeredAt, TIME)}）` : ""}`,
        })),
        ...comps.map((c) => ({
          kind: "paragraph" as const,
          text: `投诉（${c.company}，${formatBeijing(c.c.filedAt, TIME)}）：${c.c.body}。处理：${c.c.state}${c.c.outcome ? `，${c.c.outcome}` : ""}`,
        })),
      ],
    });
  }
  const award = g.awardRows.find((a) => a.tenderId === t.id && a.state === "signed");
  if (award) {
    const w = g.opened.find((o) => o.o.bidId === award.winnerBidId);
    s.push({
      heading: `第${t.round}轮 定标与履约`,
      blocks: [
        {
          kind: "table",
          columns: [
            { label: "项目", width: 2 },
            { label: "内容", width: 5 },
          ],
          rows: [
            ["中标人", w?.company ?? "—"],
            ["中标价", formatFen(award.priceFen)],
            ["中标通知书签发", award.signedAt ? formatBeijing(award.signedAt, TIME) : "—"],
            ["合同签订", award.contractDate ?? "—"],
            ["验收", award.acceptanceDate ?? "—"],
            ["结算金额", award.settlementFen === null ? "—" : formatFen(award.settlementFen)],
          ],
        },
      ],
    });
  }
  return s;
}

/** Stamp "n / N" on every page of the merged archive (ASCII, so a standard font will do). */
async function numberPages(doc: PDFDocument) {
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pages = doc.getPages();
  pages.forEach((p, i) => {
    const text = `${i + 1} / ${pages.length}`;
    p.drawText(text, { x: p.getWidth() - 40 - font.widthOfTextAtSize(text, 8), y: p.getHeight() - 24, size: 8, font, color: rgb(0.45, 0.45, 0.45) });
  });
}

/**
 * Render the archive PDF: cover and index, the generated documents page by
 * page, the text records, the manifest and the audit extract, and a place
 * for the platform's seal. Returns the unsigned bytes and where the seal goes.
 */
async function renderArchivePdf(db: Db, store: FileStore, project: Project, g: Gathered, manifest: ManifestEntry[], now: Date, retainUntil: string) {
  // The text records and the tail (manifest + audit) first: the index needs their page counts.
  const parts: { title: string; bytes: Uint8Array; pages: number }[] = [];
  const generated = generatedInOrder(g);
  for (const [i, t] of g.rounds.entries()) {
    for (const d of generated[i]) {
      const bytes = new Uint8Array(await readBytes(store, d.sha256));
      parts.push({ title: d.title, bytes, pages: (await PDFDocument.load(bytes, { updateMetadata: false })).getPageCount() });
    }
    const text = await renderDocument({ title: `第${t.round}轮 过程记录`, subtitle: project.name, sections: roundSections(g, t), createdAt: now, author: "村易招" });
    parts.push({ title: `第${t.round}轮 澄清、答疑、公示、异议投诉与履约`, bytes: text.bytes, pages: text.pageCount });
  }
  const tail = await renderDocument({
    title: "文件清单与审计记录",
    subtitle: project.name,
    sections: [
      {
        heading: "一、文件清单（SHA-256）",
        blocks: [
          { kind: "paragraph", text: `档案包（zip）中的每个文件及其 SHA-256 摘要如下；manifest.json 内容相同。本档案 PDF 本身由平台电子印章签署。` },
          {
            kind: "table",
            columns: [
              { label: "路径", width: 4 },
              { label: "SHA-256", width: 5 },
              { label: "字节", width: 1, align: "right" },
            ],
            rows: manifest.map((m) => [m.kind === "missing" ? `${m.path}（文件缺失，未能收入档案包）` : m.path, m.sha256, String(m.size)]),
          },
        ],
      },
      {
        heading: "二、审计记录摘录",
        blocks: [
          { kind: "paragraph", text: `本项目相关的审计记录 ${g.audit.length} 条（哈希链，可在“审计链公示”页核对）。` },
          {
            kind: "table",
            columns: [
              { label: "编号", width: 1 },
              { label: "时间", width: 2 },
              { label: "角色", width: 2 },
              { label: "操作", width: 3 },
              { label: "地址", width: 2 },
              { label: "哈希", width: 3 },
            ],
            rows: g.audit.map((a) => [String(a.id), formatBeijing(a.at, TIME), a.role ?? "", a.action, a.ip ?? "", a.hash.slice(0, 16)]),
          },
        ],
      },
      {
        heading: "三、归档签章",
        blocks: [
          { kind: "paragraph", text: `归档时间：${formatBeijing(now, TIME)}。保存期限至 ${retainUntil}。` },
          { kind: "signatureLines", labels: ["村易招平台（电子印章）"] },
        ],
      },
    ],
    createdAt: now,
    author: "村易招",
  });
  // The cover and index: rendered twice if its own length changes the page numbers.
  const cover = async (coverPages: number) => {
    let page = coverPages + 1;
    const rows = parts.map((p) => {
      const row = [p.title, p.pages === 1 ? `${page}` : `${page}–${page + p.pages - 1}`];
      page += p.pages;
      return row;
    });
    rows.push(["文件清单与审计记录", `${page}–${page + tail.pageCount - 1}`]);
    return renderDocument({
      title: "项目电子档案",
      subtitle: project.name,
      header: `村易招 · ${g.village?.name ?? ""} · ${project.name} · 电子档案`,
      meta: [
        { label: "项目名称", value: project.name },
        { label: "招标人", value: g.village?.name ?? "" },
        { label: "乡镇", value: g.township?.name ?? "" },
        { label: "最高投标限价", value: formatFen(project.ceilingFen) },
        { label: "项目状态", value: STATE_NAMES[project.state] ?? project.state },
        { label: "招标轮次", value: String(g.rounds.length) },
        { label: "归档时间", value: formatBeijing(now, TIME) },
        { label: "保存期限至", value: retainUntil },
      ],
      sections: [
        {
          heading: "目录",
          blocks: [
            {
              kind: "table",
              columns: [
                { label: "内容", width: 6 },
                { label: "页码", width: 2, align: "right" },
              ],
              rows,
            },
          ],
        },
      ],
      createdAt: now,
      author: "村易招",
    });
  };
  let front = await cover(1);
  if (front.pageCount !== 1) front = await cover(front.pageCount);
  const merged = await PDFDocument.create();
  merged.setTitle(`${project.name} 项目电子档案`);
  merged.setAuthor("村易招");
  merged.setCreationDate(now);
  merged.setModificationDate(now);
  for (const part of [{ bytes: front.bytes }, ...parts, { bytes: tail.bytes }]) {
    const src = await PDFDocument.load(part.bytes, { updateMetadata: false });
    for (const p of await merged.copyPages(src, src.getPageIndices())) merged.addPage(p);
  }
  await numberPages(merged);
  const slot = tail.signatureSlots[0];
  const sealPage = merged.getPageCount() - tail.pageCount + slot.pageIndex;
  return { bytes: await merged.save({ useObjectStreams: false }), slot, sealPage, pages: merged.getPageCount() };
}

/** Stream a zip of `entries` (read from the store) plus extra in-memory entries into the store. */
async function writeZip(store: FileStore, entries: ManifestEntry[], extra: { path: string; bytes: Uint8Array }[]): Promise<StoredFile> {
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  for (const e of extra) zip.addBuffer(Buffer.from(e.bytes), e.path, { compress: true });
  for (const e of entries) {
    if (e.kind === "missing") continue;
    const source = store.get(e.sha256);
    // A read error must fail the archive, not leave the zip waiting for bytes forever.
    source.on("error", (err) => out.destroy(err));
    zip.addReadStream(source, e.path, { compress: !e.path.endsWith(".pdf") && !e.path.endsWith(".sealed") });
  }
  zip.end();
  return store.put(out, { maxBytes: MAX_ZIP_BYTES });
}

/**
 * Assemble (or re-assemble) a project's archive. Only for a project in a
 * final state — completed, cancelled or failed.
 */
export async function assembleArchive(db: Db, { clock, store, projectId, actor = SYSTEM_ACTOR }: { clock: Clock; store: FileStore; projectId: string; actor?: Actor }) {
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
  if (!project) throw new DomainError("errors.notFound", { status: 404 });
  if (!(ARCHIVE_STATES as readonly string[]).includes(project.state)) throw new DomainError("errors.archive.notFinal", { status: 409 });
  const now = clock.now();
  const settings = await getCountySettings(db, project.countyId);
  const retainUntil = addDays(beijingDay(now), Math.round(settings.archiveRetentionYears * 365.25));
  const g = await gather(db, project, now);
  await renderUnsignedRecords(db, store, g, now);
  const manifest = await originals(db, store, g);
  const pdf = await renderArchivePdf(db, store, project, g, manifest, now, retainUntil);
  const sealed = await sealAsPlatform(db, {
    clock,
    store,
    pdf: pdf.bytes,
    doc: {
      fieldName: "seal-platform",
      reason: "项目电子档案 平台签章",
      rect: pdf.slot,
      page: pdf.sealPage,
      bottomText: "电子档案专用",
    },
  });
  const manifestJson = Buffer.from(
    JSON.stringify(
      {
        project: { id: project.id, name: project.name, state: project.state },
        archivedAt: now.toISOString(),
        retainUntil,
        archivePdf: { path: "项目电子档案.pdf", sha256: sealed.sha256, size: sealed.size },
        files: manifest,
      },
      null,
      2,
    ),
    "utf8",
  );
  const zip = await writeZip(
    store,
    [{ path: "项目电子档案.pdf", sha256: sealed.sha256, size: sealed.size, kind: "archive" }, ...manifest],
    [{ path: "manifest.json", bytes: manifestJson }],
  );
  await db.transaction(async (tx) => {
    await tx.insert(files).values({ sha256: zip.sha256, size: zip.size, mime: "application/zip", createdAt: now }).onConflictDoNothing();
    const values = {
      projectId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      villageId: project.villageId,
      finalState: project.state,
      year: Number(beijingDay(now).slice(0, 4)),
      pdfSha256: sealed.sha256,
      zipSha256: zip.sha256,
      zipSize: zip.size,
      manifest,
      createdAt: now,
      retainUntil,
    };
    await tx.insert(archives).values(values).onConflictDoUpdate({ target: archives.projectId, set: values });
    await appendAudit(tx, clock, actor, {
      action: "archive.assemble",
      objectType: "project",
      objectId: projectId,
      countyId: project.countyId,
      townshipId: project.townshipId,
      after: { pdf: sealed.sha256, zip: zip.sha256, files: manifest.length, pages: pdf.pages, retainUntil },
    });
  });
  return { pdf: sealed, zip, manifest, pages: pdf.pages };
}

/** The scheduler's job: archive every project that is final and has no (current) archive. */
export async function archiveDueProjects(db: Db, clock: Clock, store: FileStore): Promise<number> {
  const graceStart = new Date(clock.now().getTime() - FAILED_GRACE_DAYS * 24 * 3600_000);
  const due = await db
    .select({ id: projects.id })
    .from(projects)
    .leftJoin(archives, eq(archives.projectId, projects.id))
    .where(
      and(
        or(inArray(projects.state, ["completed", "cancelled"]), and(eq(projects.state, "failed"), lte(projects.updatedAt, graceStart))),
        // Not yet archived, or changed since (a failed project that went on to a new round and finished).
        or(sql`${archives.projectId} is null`, sql`${archives.createdAt} < ${projects.updatedAt}`),
      ),
    )
    .limit(20);
  let n = 0;
  for (const { id } of due) {
    await assembleArchive(db, { clock, store, projectId: id });
    n++;
  }
  return n;
}

// ── Who may see archives ────────────────────────────────────────────────

export interface ArchiveViewer {
  userId: string;
  role: MemberRole;
  orgId: string;
}

/** The archives a viewer may see: county admin the county, a supervisor the township, a committee its village. */
function scopeOf(v: ArchiveViewer): SQL | null {
  if (v.role === "county_admin") return eq(archives.countyId, v.orgId);
  if (v.role === "supervisor") return eq(archives.townshipId, v.orgId);
  if (v.role === "committee") return eq(archives.villageId, v.orgId);
  return null;
}

export interface ArchiveFilter {
  q?: string;
  townshipId?: string;
  villageId?: string;
  year?: number;
  state?: string;
}

export async function listArchives(db: Db, viewer: ArchiveViewer, f: ArchiveFilter, limit = 100) {
  const scope = scopeOf(viewer);
  if (!scope) return null;
  const conds: SQL[] = [scope];
  const uuid = /^[0-9a-f-]{36}$/;
  if (f.townshipId && uuid.test(f.townshipId)) conds.push(eq(archives.townshipId, f.townshipId));
  if (f.villageId && uuid.test(f.villageId)) conds.push(eq(archives.villageId, f.villageId));
  if (f.year && Number.isInteger(f.year)) conds.push(eq(archives.year, f.year));
  if (f.state && (ARCHIVE_STATES as readonly string[]).includes(f.state)) conds.push(eq(archives.finalState, f.state));
  if (f.q?.trim()) conds.push(ilike(projects.name, `%${f.q.trim().replace(/[%_\\]/g, (c) => `\\${c}`)}%`));
  const village = schema.orgs;
  return db
    .select({ a: archives, name: projects.name, village: village.name })
    .from(archives)
    .innerJoin(projects, eq(projects.id, archives.projectId))
    .innerJoin(village, eq(village.id, archives.villageId))
    .where(and(...conds))
    .orderBy(desc(archives.createdAt))
    .limit(limit);
}

/** One archive, if the viewer may see it. */
export async function archiveFor(db: Db, viewer: ArchiveViewer, projectId: string) {
  const scope = scopeOf(viewer);
  if (!scope || !/^[0-9a-f-]{36}$/.test(projectId)) return null;
  const [row] = await db
    .select()
    .from(archives)
    .where(and(eq(archives.projectId, projectId), scope));
  return row ?? null;
}

/** A download is recorded in the audit trail (who took a copy of the archive, when, from where). */
export async function recordArchiveDownload(db: Db, { clock, actor, archive, what }: { clock: Clock; actor: Actor; archive: typeof archives.$inferSelect; what: "pdf" | "zip" }) {
  await appendAudit(db, clock, actor, {
    action: `archive.download_${what}`,
    objectType: "project",
    objectId: archive.projectId,
    countyId: archive.countyId,
    townshipId: archive.townshipId,
    detail: { sha256: what === "pdf" ? archive.pdfSha256 : archive.zipSha256 },
  });
}

// ── Audit export (审计导出) ─────────────────────────────────────────────

export type ExportScope = { kind: "project"; projectId: string } | { kind: "township"; townshipId: string };

/**
 * For the audit office and discipline inspectors (审计, 纪委): a project's or a
 * township's complete record — the full audit trail (with its hash chain),
 * every document, bids after their opening, decisions — as a zip with a
 * cover PDF sealed by the platform, itself recorded in the audit trail.
 * Supervisors export their township; the county administrator any in the county.
 */
export async function exportRecords(
  db: Db,
  { clock, store, actor, viewer, scope }: { clock: Clock; store: FileStore; actor: Actor & { userId: string }; viewer: ArchiveViewer; scope: ExportScope },
) {
  const uuid = /^[0-9a-f-]{36}$/;
  const id = scope.kind === "project" ? scope.projectId : scope.townshipId;
  if (!uuid.test(id)) throw new DomainError("errors.notFound", { status: 404 });
  let list: Project[];
  let townshipId: string;
  let countyId: string;
  if (scope.kind === "project") {
    list = await db.select().from(projects).where(eq(projects.id, scope.projectId));
    if (!list[0]) throw new DomainError("errors.notFound", { status: 404 });
    townshipId = list[0].townshipId;
    countyId = list[0].countyId;
  } else {
    const [t] = await db
      .select()
      .from(orgs)
      .where(and(eq(orgs.id, scope.townshipId), eq(orgs.kind, "township")));
    if (!t) throw new DomainError("errors.notFound", { status: 404 });
    townshipId = t.id;
    countyId = t.countyId!;
    list = await db.select().from(projects).where(eq(projects.townshipId, t.id)).orderBy(asc(projects.createdAt));
  }
  const allowed = (viewer.role === "supervisor" && viewer.orgId === townshipId) || (viewer.role === "county_admin" && viewer.orgId === countyId);
  if (!allowed) throw new DomainError("errors.forbidden", { status: 403 });
  const now = clock.now();
  const entries: ManifestEntry[] = [];
  const extra: { path: string; bytes: Uint8Array }[] = [];
  const objectIds: string[] = [];
  for (const p of list) {
    const g = await gather(db, p, now);
    await renderUnsignedRecords(db, store, g, now);
    const dir = `${safe(p.name)}-${p.id.slice(0, 8)}`;
    for (const e of await originals(db, store, g)) entries.push({ ...e, path: `${dir}/${e.path}` });
    // Bids from their tender's deadline on (gather leaves out earlier ones): their acts belong to the project's record.
    objectIds.push(p.id, ...g.rounds.map((t) => t.id), ...new Set([...g.opened.map((o) => o.o.bidId), ...g.sealed.map((s) => s.v.bidId)]));
    // Bids after their opening and the decisions taken, as data.
    const record = {
      project: p,
      rounds: g.rounds.map((t) => ({ id: t.id, round: t.round, deadline: t.deadline, method: t.evaluationMethod, drawCommitment: t.drawCommitment })),
      openedBids: g.opened.map((o) => ({ company: o.company, ...o.o, files: o.o.files })),
      evaluations: g.evals.map((e) => ({
        tenderId: e.tenderId,
        state: e.state,
        qualified: e.qualifiedBidIds,
        listHash: e.qualifiedListHash,
        seed: e.seed,
        result: e.result,
        failReason: e.failReason,
      })),
      publicities: g.pubs,
      objections: g.objs.map((o) => ({ company: o.company, ...o.o })),
      complaints: g.comps.map((c) => ({ company: c.company, ...c.c })),
      awards: g.awardRows,
    };
    extra.push({ path: `${dir}/record.json`, bytes: Buffer.from(JSON.stringify(record, null, 2), "utf8") });
  }
  // What the audit page hides until a tender's deadline, the export leaves out too (reveal.ts).
  const shown = sealedActShownSql(auditLog.summary, now);
  const auditRows =
    scope.kind === "project"
      ? objectIds.length
        ? await db
            .select()
            .from(auditLog)
            .where(and(inArray(auditLog.objectId, objectIds), shown))
            .orderBy(asc(auditLog.id))
        : []
      : await db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.townshipId, townshipId), shown))
          .orderBy(asc(auditLog.id));
  const header = ["id", "at", "actor_user_id", "actor_role", "action", "object_type", "object_id", "summary", "ip", "user_agent", "prev_hash", "hash"];
  const csv = toCsv([
    header,
    ...auditRows.map((a) => [
      a.id,
      a.at.toISOString(),
      a.actorUserId,
      a.actorRole,
      a.action,
      a.objectType,
      a.objectId,
      JSON.stringify(a.summary),
      a.ip,
      a.userAgent,
      a.prevHash,
      a.hash,
    ]),
  ]);
  extra.push({ path: "audit-trail.csv", bytes: Buffer.from(csv, "utf8") });
  const listed = [
    ...entries.filter((e) => e.kind !== "missing"),
    ...extra.map((x) => ({ path: x.path, sha256: createHash("sha256").update(x.bytes).digest("hex"), size: x.bytes.length, kind: "data" })),
  ];
  const [township] = await db.select({ name: orgs.name }).from(orgs).where(eq(orgs.id, townshipId));
  const cover = await renderDocument({
    title: "审计导出",
    subtitle: scope.kind === "project" ? list[0].name : `${township?.name ?? ""} 全部项目`,
    meta: [
      { label: "范围", value: scope.kind === "project" ? `项目：${list[0].name}` : `乡镇：${township?.name ?? ""}（${list.length} 个项目）` },
      { label: "导出时间", value: formatBeijing(now, TIME) },
      { label: "审计记录", value: `${auditRows.length} 条（audit-trail.csv，含哈希链）` },
      { label: "文件", value: `${listed.length} 个` },
    ],
    sections: [
      {
        heading: "文件清单（SHA-256）",
        blocks: [
          {
            kind: "table",
            columns: [
              { label: "路径", width: 5 },
              { label: "SHA-256", width: 5 },
              { label: "字节", width: 1, align: "right" },
            ],
            rows: listed.map((m) => [m.path, m.sha256, String(m.size)]),
          },
        ],
      },
      {
        heading: "签章",
        blocks: [
          { kind: "paragraph", text: "本导出由平台生成并加盖电子印章；导出行为已记入审计记录。" },
          { kind: "signatureLines", labels: ["村易招平台（电子印章）"] },
        ],
      },
    ],
    createdAt: now,
    author: "村易招",
  });
  const slot = cover.signatureSlots[0];
  const sealed = await sealAsPlatform(db, {
    clock,
    store,
    pdf: cover.bytes,
    doc: {
      fieldName: "seal-platform",
      reason: "审计导出 平台签章",
      rect: slot,
      page: slot.pageIndex,
      bottomText: "审计导出专用",
    },
  });
  const manifestJson = Buffer.from(
    JSON.stringify({ scope, exportedAt: now.toISOString(), exportedBy: actor.userId, cover: { path: "审计导出.pdf", sha256: sealed.sha256 }, files: listed }, null, 2),
    "utf8",
  );
  const zip = await writeZip(
    store,
    [{ path: "审计导出.pdf", sha256: sealed.sha256, size: sealed.size, kind: "cover" }, ...entries],
    [...extra, { path: "manifest.json", bytes: manifestJson }],
  );
  await db.insert(files).values({ sha256: zip.sha256, size: zip.size, mime: "application/zip", createdAt: now }).onConflictDoNothing();
  await appendAudit(db, clock, actor, {
    action: "audit.export",
    objectType: scope.kind === "project" ? "project" : "org",
    objectId: id,
    countyId,
    townshipId,
    detail: { projects: list.length, auditRows: auditRows.length, files: listed.length, zip: zip.sha256, cover: sealed.sha256 },
  });
  return zip;
}
