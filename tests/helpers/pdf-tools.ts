// poppler's pdfsig (with the platform CA in a throwaway NSS database) and
// qpdf --check on a PDF the app produced. .ci/run installs both; without them
// (a newcomer's laptop) the callers skip these checks.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const HAVE_PDF_TOOLS = ["/usr/bin/pdfsig", "/usr/bin/certutil", "/usr/bin/qpdf"].every((f) => existsSync(f));

/** pdfsig's report, one block per signature ("Signature #1:" …). */
export function pdfsig(pdf: Uint8Array, caCertPem: string): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-pdfsig-"));
  const nss = path.join(dir, "nss");
  mkdirSync(nss);
  execFileSync("/usr/bin/certutil", ["-N", "-d", `sql:${nss}`, "--empty-password"], { stdio: "ignore" });
  writeFileSync(path.join(dir, "ca.pem"), caCertPem);
  execFileSync("/usr/bin/certutil", ["-A", "-d", `sql:${nss}`, "-n", "cyz-ca", "-t", "CT,C,C", "-i", path.join(dir, "ca.pem")], { stdio: "ignore" });
  const file = path.join(dir, "doc.pdf");
  writeFileSync(file, pdf);
  const result = spawnSync("/usr/bin/pdfsig", ["-nssdir", `sql:${nss}`, file], { encoding: "utf8" });
  return result.stdout.split(/^Signature #\d+:$/m).slice(1);
}

/** qpdf --check: the structure is sound ("No syntax or stream encoding errors found"). */
export function qpdfCheck(pdf: Uint8Array): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-qpdf-"));
  const file = path.join(dir, "doc.pdf");
  writeFileSync(file, pdf);
  const result = spawnSync("/usr/bin/qpdf", ["--check", file], { encoding: "utf8" });
  return { ok: result.status === 0 && result.stdout.includes("No syntax or stream encoding errors found"), output: result.stdout + result.stderr };
}
