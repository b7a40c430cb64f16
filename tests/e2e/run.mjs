// npm run test:e2e — build the app, then run the Playwright suite in Debian's Chromium.
// Without Chromium (a newcomer's laptop) the browser tests are skipped with a clear message;
// in CI (CI=true) a missing browser is a failure, never a silent skip.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  const msg = `Chromium not found at ${chromium}: browser tests skipped. Install it with \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
  if (process.env.CI === "true") {
    console.error(msg);
    process.exit(1);
  }
  console.warn(msg);
  process.exit(0);
}

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run("npx", ["remix", "build"]);
run("npx", ["playwright", "test", ...process.argv.slice(2)]);
