// Start the real HTTP server (tests/helpers/server-main.ts: startServer, as server.mjs does) in a
// child process on a free port, on its own embedded database, for tests that need the whole
// server: its environment checks, its edge limits, and its memory as the operating system sees it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Resident memory of the server process, in bytes (from /proc). */
  rss(): number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Spawn the server with this environment (on top of a fresh PGlite directory, no demo data); `wait` for /healthz unless false. */
export async function startServerProcess(env: Record<string, string> = {}, opts: { wait?: boolean } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cyz-server-"));
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TEST_DATABASE_URL|DEV_MAILBOX|TEST_CLOCK|PUBLIC_ORIGIN|SEED_DEMO|DEMO_PROJECTS|PORT|NODE_OPTIONS)$/.test(k)),
  );
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/server-main.ts"], {
    cwd: process.cwd(),
    env: {
      ...inherited,
      NODE_ENV: "production",
      PORT: String(port),
      DATA_DIR: path.join(dir, "pglite"),
      FILES_DIR: path.join(dir, "files"),
      KEYS_DIR: path.join(dir, "keys"),
      PLATFORM_KEY_PASSPHRASE: "test-passphrase-0123456789",
      SEED_DEMO: "false",
      DEMO_PROJECTS: "false",
      PUBLIC_ORIGIN: `http://localhost:${port}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  const server: ServerProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) * 1024,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.wait === false) return server;
  const until = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    const ok = await fetch(`${server.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return server;
    if (Date.now() > until) {
      await server.stop();
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
