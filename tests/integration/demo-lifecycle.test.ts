// `npm run demo -- --out DIR` (issue 8): one project driven from registration to its archive on a
// fresh embedded database, through the model functions and real signatures; every file the archive
// lists is written to DIR with the hash the manifest gives, and every signed PDF verifies — with the
// platform's own checks and, where installed, with poppler's pdfsig against the platform CA.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDemoLifecycle } from "~/cli/demo-lifecycle";
import { isRealServer } from "../helpers/db";
import { HAVE_PDF_TOOLS, pdfsig } from "../helpers/pdf-tools";

const out = mkdtempSync(path.join(os.tmpdir(), "cyz-demo-out-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// `npm run demo` always runs on a fresh embedded database, whatever TEST_DATABASE_URL says: once is enough.
describe.skipIf(isRealServer())("the demo lifecycle", () => {
  it("completes a project, archives it and writes every document, each signed one valid", async () => {
    const summary = await runDemoLifecycle(out);
    expect(summary.finalState).toBe("completed");
    for (const f of summary.files) {
      const bytes = readFileSync(path.join(out, f.path));
      expect(createHash("sha256").update(bytes).digest("hex"), f.path).toBe(f.sha256);
    }
    const signed = Object.fromEntries(summary.files.filter((f) => f.signatures > 0).map((f) => [path.basename(f.path), f]));
    // The archive sealed by the platform; the record signed by the host; the report by the three members; the award notice.
    expect(Object.keys(signed).sort()).toEqual(["archive.pdf", "中标通知书.pdf", "开标记录.pdf", "评标报告.pdf"].sort());
    expect(signed["评标报告.pdf"].signatures).toBe(3);
    expect(Object.values(signed).every((f) => f.valid)).toBe(true);
    // The meeting records of the approval are real documents in the archive, not placeholders.
    expect(summary.files.filter((f) => f.path.includes("四议两公开")).length).toBe(5);
    const summaryFile = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"));
    expect(summaryFile.projectId).toBe(summary.projectId);
    if (HAVE_PDF_TOOLS) {
      const ca = readFileSync(path.join(out, "platform-ca.pem"), "utf8");
      expect(pdfsig(readFileSync(path.join(out, "archive.pdf")), ca)[0]).toContain("Signature is Valid.");
    }
  }, 120_000);
});
