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

  it("stops with a clear bilingual message on a wrong value", () => {
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(EnvError);
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/环境变量配置错误[\s\S]*DATABASE_URL: must start with postgres/);
    expect(() => parseEnv({ SEED_DEMO: "maybe" })).toThrow(/SEED_DEMO/);
  });
});
