import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDocument, renderDocumentPdf, type DocumentSpec } from "~/pdf/document.server";
import { breakLines } from "~/pdf/line-break";
import { CREATED_AT, LONG_PARAGRAPH, openingRecord } from "../fixtures/pdf-specs";

const PDFTOTEXT = "/usr/bin/pdftotext";
const PDFFONTS = "/usr/bin/pdffonts";
const PDFINFO = "/usr/bin/pdfinfo";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cyz-pdf-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writePdf(bytes: Uint8Array): string {
  const file = path.join(dir, `doc-${++fileCount}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: "utf8" });
}

function pageText(file: string, page: number, layout = false): string {
  return run(PDFTOTEXT, [...(layout ? ["-layout"] : []), "-f", String(page), "-l", String(page), file, "-"]);
}

function pageCount(file: string): number {
  const match = /^Pages:\s+(\d+)/m.exec(run(PDFINFO, [file]));
  return Number(match?.[1]);
}

const squash = (text: string) => text.replace(/\s+/g, "");

function spec(sections: DocumentSpec["sections"], extra: Partial<DocumentSpec> = {}): DocumentSpec {
  return { title: "测试文书", createdAt: CREATED_AT, sections, ...extra };
}

/** Each character is 1 unit wide, so breaks are easy to predict. */
const oneEach = (text: string) => Array.from(text).length;

describe("line breaking", () => {
  it("breaks between CJK characters but never before closing punctuation", () => {
    const lines = breakLines("一二三四五，六七", oneEach, { maxWidth: 5 }).map((l) => l.text);
    expect(lines).toEqual(["一二三四", "五，六七"]);
  });

  it("never ends a line with opening punctuation", () => {
    const lines = breakLines("一二三四（五）", oneEach, { maxWidth: 5 }).map((l) => l.text);
    expect(lines).toEqual(["一二三四", "（五）"]);
  });

  it("keeps Latin words and amounts together where they fit", () => {
    const lines = breakLines("金额ABC123 ¥430,000.00元整", oneEach, { maxWidth: 14 }).map((l) => l.text);
    expect(lines).toEqual(["金额ABC123", "¥430,000.00元整"]);
  });

  it("cuts a word longer than a line, keeps hard breaks and preformatted indentation", () => {
    expect(breakLines("abcdefghij", oneEach, { maxWidth: 4 }).map((l) => l.text)).toEqual(["abcd", "efgh", "ij"]);
    const pre = breakLines("甲\n\n  乙丙丁戊己", oneEach, { maxWidth: 5, keepLeadingSpace: true });
    expect(pre.map((l) => l.text)).toEqual(["甲", "", "  乙丙丁", "戊己"]);
    expect(pre.map((l) => l.endsParagraph)).toEqual([true, true, false, true]);
  });
});

describe("Chinese PDF documents", () => {
  const sample = "犇牛村与镕溪镇的𬌗字测试：逗号，句号。顿号、分号；问号？感叹号！（括号）「引号」《书名》——破折号……ABC123 ¥430,000.00";

  it("puts the Chinese text, rare characters, punctuation and mixed Latin where pdftotext finds it", async () => {
    const file = writePdf(await renderDocumentPdf(spec([{ heading: "一、文字", blocks: [{ kind: "paragraph", text: sample }] }])));
    const text = squash(run(PDFTOTEXT, [file, "-"]));
    expect(text).toContain(squash(sample));
    expect(text).toContain("测试文书");
    expect(text).toContain("一、文字");
  });

  it("embeds both fonts as subsets with a Unicode map", async () => {
    const file = writePdf(await renderDocumentPdf(spec([{ heading: "标题", blocks: [{ kind: "paragraph", text: sample }] }])));
    const fonts = run(PDFFONTS, [file]).split("\n").slice(2).filter(Boolean);
    expect(fonts).toHaveLength(2);
    expect(fonts.some((line) => /^[A-Z]{6}\+NotoSerifSC-Regular\s/.test(line))).toBe(true);
    expect(fonts.some((line) => /^[A-Z]{6}\+NotoSansSC-Bold\s/.test(line))).toBe(true);
    for (const line of fonts) expect(line).toMatch(/CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it("numbers every page of a long document as 第 N 页 / 共 M 页", async () => {
    const rendered = await renderDocument(openingRecord({ sections: 4, bidders: 12 }));
    const file = writePdf(rendered.bytes);
    const pages = pageCount(file);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(rendered.pageCount).toBe(pages);
    for (let page = 1; page <= pages; page++) {
      expect(squash(pageText(file, page))).toContain(`第${page}页/共${pages}页`);
    }
  });

  it("repeats the table header on the next page and never splits a row", async () => {
    const rows = Array.from({ length: 70 }, (_, i) => {
      const n = String(i + 1).padStart(3, "0");
      return [String(i + 1), `起R${n}A\n止R${n}Z`, "¥1,000.00"];
    });
    const table = {
      kind: "table" as const,
      columns: [
        { label: "序号", width: 1 },
        { label: "投标人名称", width: 4 },
        { label: "报价", width: 2, align: "right" as const },
      ],
      rows,
    };
    const file = writePdf(await renderDocumentPdf(spec([{ blocks: [table] }])));
    const pages = pageCount(file);
    expect(pages).toBeGreaterThanOrEqual(2);

    const texts = Array.from({ length: pages }, (_, i) => pageText(file, i + 1));
    for (const text of texts) {
      expect(text).toContain("投标人名称");
      // The header comes before the first row on every page.
      expect(text.indexOf("投标人名称")).toBeLessThan(text.search(/R\d{3}A/));
    }
    const pageOf = (marker: string) => texts.findIndex((text) => text.includes(marker));
    for (let i = 1; i <= rows.length; i++) {
      const n = String(i).padStart(3, "0");
      expect(pageOf(`R${n}A`)).toBeGreaterThanOrEqual(0);
      expect(pageOf(`R${n}Z`)).toBe(pageOf(`R${n}A`));
    }
  });

  it("gives the same bytes for the same spec", async () => {
    const first = await renderDocumentPdf(openingRecord({ sections: 2, bidders: 8 }));
    const second = await renderDocumentPdf(openingRecord({ sections: 2, bidders: 8 }));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);

    const other = await renderDocumentPdf({ ...openingRecord({ sections: 2, bidders: 8 }), title: "另一份开标记录" });
    expect(Buffer.from(other).equals(Buffer.from(first))).toBe(false);

    const raw = Buffer.from(first).toString("latin1");
    expect(raw).toContain("/CreationDate (D:20261120023000Z)");
    expect(raw).toContain("/ModDate (D:20261120023000Z)");
    expect(raw).toContain("/Lang (zh-CN)");
    expect(raw).not.toContain("pdf-lib");
  });

  it("sets the title, producer and language metadata", async () => {
    const file = writePdf(await renderDocumentPdf(openingRecord({ sections: 1, bidders: 3 })));
    const info = run(PDFINFO, [file]);
    expect(info).toMatch(/^Title:\s+犇牛村村道硬化工程开标记录$/m);
    expect(info).toMatch(/^Producer:\s+村易招$/m);
    expect(info).toMatch(/^Creator:\s+村易招$/m);
    expect(info).toMatch(/^Author:\s+犇牛村村民委员会$/m);
  });

  it("keeps a three-page document small", async () => {
    const rendered = await renderDocument(openingRecord({ sections: 2, bidders: 12 }));
    expect(rendered.pageCount).toBe(3);
    expect(rendered.bytes.length).toBeLessThan(200 * 1024);
  });

  it("starts no line with closing punctuation in a wrapping-heavy paragraph", async () => {
    // Punctuation after runs of every length lands on every position of the line.
    const text = Array.from({ length: 80 }, (_, k) => `${"犇".repeat((k % 9) + 1)}，${"镕".repeat((k % 4) + 1)}${k % 2 ? "。" : "、"}`).join("");
    const file = writePdf(
      await renderDocumentPdf(
        spec([
          {
            blocks: [
              { kind: "paragraph", text },
              { kind: "paragraph", text: LONG_PARAGRAPH },
            ],
          },
        ]),
      ),
    );
    const lines = pageText(file, 1, true)
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line).not.toMatch(/^[，。、；：？！）」》]/);
  });

  it("reports characters the fonts cannot show and where signatures go", async () => {
    const rendered = await renderDocument(spec([{ heading: "签字 🙂", blocks: [{ kind: "signatureLines", labels: ["评标委员会主任委员", "评标委员", "监督人", "记录人"] }] }]));
    expect(rendered.missingCharacters).toEqual(["🙂"]);
    expect(rendered.signatureSlots.map((slot) => slot.label)).toEqual(["评标委员会主任委员", "评标委员", "监督人", "记录人"]);
    for (const slot of rendered.signatureSlots) {
      expect(slot.pageIndex).toBe(0);
      expect(slot.width).toBeGreaterThan(80);
      expect(slot.height).toBeGreaterThan(20);
    }
  });
});
