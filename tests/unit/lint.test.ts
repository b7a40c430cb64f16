/**
 * The linter holds the house rules (ADR 0040): a promise nobody awaits, a
 * switch over a state that forgets one, a promise handed where nothing waits
 * for it. tests/fixtures/lint/forbidden.ts holds one of each; ESLint, with the
 * project's own configuration, must report exactly those lines — and the tree
 * itself must lint clean (`npm run lint` in CI).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const FIXTURE = "tests/fixtures/lint/forbidden.ts";

describe("lint", () => {
  it("reports each forbidden line of the fixture with its rule, and nothing else", async () => {
    const eslint = new ESLint({ cwd: ROOT, ignore: false });
    const [result] = await eslint.lintFiles([join(ROOT, FIXTURE)]);
    const found = result.messages.map((m) => `${m.line} ${m.ruleId}`).sort();
    const expected = readFileSync(join(ROOT, FIXTURE), "utf8")
      .split("\n")
      .flatMap((text, i) => {
        const m = /^\s*\/\/ lint: (\S+)$/.exec(text);
        return m ? [`${i + 2} ${m[1]}`] : [];
      })
      .sort();
    expect(expected).toHaveLength(3);
    expect(found).toEqual(expected);
  }, 120_000);

  it("leaves the fixture out of the tree's own run", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    expect(await eslint.isPathIgnored(join(ROOT, FIXTURE))).toBe(true);
  });
});
