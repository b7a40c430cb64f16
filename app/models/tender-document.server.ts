/**
 * The tender documents (招标文件) as a Chinese PDF: the county template's text
 * as filled in at publication, with a cover block of the key facts and the
 * list of attachments with their SHA-256. Written to the file store inside
 * the publishing transaction, so the PDF exists before the row naming it commits.
 */
import { renderDocument, type DocumentSection } from "~/pdf/document.server";
import { formatFen } from "~/utils/money";
import { formatBeijing } from "~/utils/time";
import { DomainError } from "./errors";
import { putBytes, type FileStore, type StoredFile } from "./file-store.server";

export interface TenderDocumentFacts {
  projectName: string;
  village: string;
  township: string;
  typeName: string;
  location: string;
  ceilingFen: number;
  estimateFen: number;
  deadline: Date;
  publishedAt: Date;
  round: number;
  templateTitle: string;
  templateVersion: number;
  documentText: string;
  attachments: { name: string; sha256: string; size: number }[];
}

const CHAPTER = /^第[一二三四五六七八九十百\d]+[章节部分]/;

/** Template text → sections: a line like "第二章 投标人须知" starts a section; other lines are paragraphs. */
export function sectionsOf(text: string): DocumentSection[] {
  const sections: DocumentSection[] = [];
  let current: DocumentSection = { blocks: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (CHAPTER.test(line)) {
      if (current.heading || current.blocks.length) sections.push(current);
      current = { heading: line, blocks: [] };
    } else current.blocks.push({ kind: "paragraph", text: line });
  }
  if (current.heading || current.blocks.length) sections.push(current);
  return sections;
}

export async function renderTenderDocument(f: TenderDocumentFacts): Promise<Uint8Array> {
  const sections = sectionsOf(f.documentText);
  if (f.attachments.length)
    sections.push({
      heading: "附件",
      blocks: [
        {
          kind: "table",
          columns: [
            { label: "文件", width: 3 },
            { label: "大小", width: 1, align: "right" },
            { label: "SHA-256", width: 4 },
          ],
          rows: f.attachments.map((a) => [a.name, `${Math.max(1, Math.round(a.size / 1024))} KB`, a.sha256]),
        },
      ],
    });
  const rendered = await renderDocument({
    title: "招标文件",
    subtitle: f.projectName,
    header: `村易招 · ${f.township}${f.village} · ${f.projectName}${f.round > 1 ? ` · 第 ${f.round} 轮` : ""}`,
    meta: [
      { label: "招标人", value: f.village },
      { label: "项目名称", value: f.projectName },
      { label: "项目类型", value: f.typeName },
      { label: "建设地点", value: f.location },
      { label: "估算价", value: formatFen(f.estimateFen) },
      { label: "最高投标限价", value: formatFen(f.ceilingFen) },
      { label: "投标截止及开标时间", value: `${formatBeijing(f.deadline)}（北京时间）` },
      { label: "发布时间", value: formatBeijing(f.publishedAt) },
      { label: "示范文本", value: `${f.templateTitle} 第 ${f.templateVersion} 版` },
    ],
    sections,
    footerNote: "本文件由村易招平台依据县级示范文本生成。澄清与修改、答疑以平台公告页发布的为准。",
    createdAt: f.publishedAt,
    author: f.village,
    subject: `${f.projectName} 招标文件`,
    keywords: ["招标文件", f.township, f.village],
  });
  // A character the fonts cannot draw would silently vanish from a legal document: refuse instead.
  if (rendered.missingCharacters.length) throw new DomainError("errors.tender.unprintable", { values: { chars: rendered.missingCharacters.join(" ") } });
  return rendered.bytes;
}

/** Render and store; the caller records the returned sha256 in its own transaction. */
export async function storeTenderDocument(files: FileStore, f: TenderDocumentFacts): Promise<StoredFile> {
  const bytes = await renderTenderDocument(f);
  return putBytes(files, bytes);
}
