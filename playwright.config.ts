import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
// A fresh embedded database for every run: the demo county is seeded into it at start-up.
const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), "cyz-e2e-")), "pglite");

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "tests/e2e/.artifacts",
  timeout: 60_000,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "node server.mjs",
    url: `http://localhost:${PORT}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    // E2E_DATABASE_URL runs the same browser tests against a real PostgreSQL server (see .ci/run).
    env: {
      PORT: String(PORT),
      DATA_DIR: dataDir,
      FILES_DIR: path.join(path.dirname(dataDir), "files"),
      SEED_DEMO: "true",
      DEMO_PROJECTS: "false",
      TEST_CLOCK: "true",
      PUBLIC_ORIGIN: `http://localhost:${PORT}`,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
    },
    stdout: "pipe",
  },
});
