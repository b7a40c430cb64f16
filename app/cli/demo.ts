// npm run demo -- --out DIR — one complete project lifecycle on a fresh embedded database; its
// generated PDFs, the archive and a summary are written to DIR (see demo-lifecycle.ts).
// Exit code 0: every signed PDF verifies; 2: one does not; 1: could not run.
import path from "node:path";
import { runDemoLifecycle } from "./demo-lifecycle";

const args = process.argv.slice(2);
const i = args.indexOf("--out");
const out = i >= 0 ? args[i + 1] : undefined;
if (!out) {
  console.error("用法 / usage: npm run demo -- --out DIR");
  process.exit(1);
}
try {
  const summary = await runDemoLifecycle(path.resolve(out), (msg) => console.error(`· ${msg}`));
  for (const f of summary.files) {
    const mark = f.valid === null ? (f.signatures ? "✗" : " ") : f.valid ? "✓" : "✗";
    console.log(`${mark} ${f.path}  ${f.bytes} bytes${f.signatures ? `, ${f.signatures} signature(s)` : ""}`);
  }
  const bad = summary.files.filter((f) => f.valid === false);
  console.log(`项目状态 / project: ${summary.finalState}; ${summary.files.length} files in ${path.resolve(out)} (${summary.seconds} s)`);
  console.log(`验证 / verify: pdfsig -nocert … or the platform's /verify page; the platform CA is ${path.join(path.resolve(out), "platform-ca.pem")}`);
  if (bad.length) {
    console.error(`签名无效 / signatures NOT valid: ${bad.map((f) => f.path).join(", ")}`);
    process.exitCode = 2;
  }
  process.exit(process.exitCode ?? 0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
