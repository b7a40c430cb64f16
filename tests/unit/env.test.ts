import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "~/utils/env.server";

describe("environment", () => {
  it("defaults to the embedded database with demo data on port 3000", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SEED_DEMO).toBe(true);
    expect(env.PUBLIC_ORIGIN).toBe("http://localhost:3000");
    expect(env.RP_ID).toBe("localhost");
  });

  it("does not seed demo data into a real server unless asked", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).SEED_DEMO).toBe(false);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db", SEED_DEMO: "true" }).SEED_DEMO).toBe(true);
  });

  it("loads the demo projects with the demo county unless told not to", () => {
    expect(parseEnv({}).DEMO_PROJECTS).toBe(true);
    expect(parseEnv({ DEMO_PROJECTS: "false" }).DEMO_PROJECTS).toBe(false);
    expect(parseEnv({ SEED_DEMO: "false" }).DEMO_PROJECTS).toBe(false);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).DEMO_PROJECTS).toBe(false);
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db", SEED_DEMO: "true" }).DEMO_PROJECTS).toBe(true);
  });

  it("derives the passkey relying party from the public origin", () => {
    expect(parseEnv({ PUBLIC_ORIGIN: "https://cyz.qingshan.gov.cn/" }).RP_ID).toBe("cyz.qingshan.gov.cn");
  });

  it("refuses DEV_MAILBOX and TEST_CLOCK on an origin others reach, and keeps the demo's mailbox to local origins", () => {
    for (const key of ["DEV_MAILBOX", "TEST_CLOCK"]) {
      for (const origin of ["https://cyz.qingshan.gov.cn", "http://192.168.1.20:3000", "http://localhost.example.com", "http://127.0.0.2:3000"]) {
        expect(() => parseEnv({ PUBLIC_ORIGIN: origin, [key]: "true" }), `${key} ${origin}`).toThrow(
          new RegExp(`${key}: only on a local origin \\(localhost, 127\\.0\\.0\\.1 or ::1\\), not ${origin.replace(/[.]/g, "\\.")}`),
        );
      }
      for (const origin of ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:3000"])
        expect(parseEnv({ PUBLIC_ORIGIN: origin, [key]: "true" })[key as "DEV_MAILBOX" | "TEST_CLOCK"]).toBe(true);
      // Switched off explicitly anywhere is fine.
      expect(parseEnv({ PUBLIC_ORIGIN: "https://cyz.qingshan.gov.cn", [key]: "false" })[key as "DEV_MAILBOX" | "TEST_CLOCK"]).toBe(false);
    }
    // The demo county turns the mailbox on by itself only on a local origin; a public demo starts without it.
    expect(parseEnv({}).DEV_MAILBOX).toBe(true);
    expect(parseEnv({ PUBLIC_ORIGIN: "https://demo.cyz.example.cn" }).DEV_MAILBOX).toBe(false);
    expect(parseEnv({ PUBLIC_ORIGIN: "https://demo.cyz.example.cn" }).TEST_CLOCK).toBe(false);
  });

  it("stops with a clear bilingual message on a wrong value", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(EnvError);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/环境变量配置错误[\s\S]*DATABASE_URL: must start with postgres/);
    expect(() => parseEnv({ SEED_DEMO: "maybe" })).toThrow(/SEED_DEMO/);
  });
});
