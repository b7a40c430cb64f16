/**
 * No route reads a form field by hand: every action parses its form with one zod schema through
 * app/utils/forms.ts (parseForm, or parseFormData for a multipart form whose files went to the
 * store), so a field's errors come back beside it and a refusal is answered one way. This test
 * type-checks every file under app/routes and fails on
 *   - a `.get(…)` / `.getAll(…)` call on a FormData (however it was obtained: `request.formData()`,
 *     a variable, a parameter, a destructured `form` from the upload parser);
 *   - a `.formData()` call: reading the body is forms.ts's (and the upload parser's) job.
 * tests/fixtures/route-forms/reads-by-hand.ts holds one of each; the walker must flag them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const FIXTURE = "tests/fixtures/route-forms/reads-by-hand.ts";

export interface Finding {
  file: string;
  line: number;
  text: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

/** One program over the given files with the project's compiler options (its `~/` paths too). */
function program(files: string[]): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error("tsconfig.json did not parse");
  return ts.createProgram(files, { ...config.options, noEmit: true });
}

const isFormData = (checker: ts.TypeChecker, e: ts.Expression): boolean => {
  const type = checker.getTypeAtLocation(e);
  const parts = type.isUnion() ? type.types : [type];
  return parts.some((t) => (t.getSymbol() ?? t.aliasSymbol)?.getName() === "FormData");
};

/** The form reads by hand in one file of the program. */
export function formReads(prog: ts.Program, path: string): Finding[] {
  const sf = prog.getSourceFile(path);
  if (!sf) throw new Error(`${path} is not in the program`);
  const checker = prog.getTypeChecker();
  const file = relative(ROOT, path);
  const findings: Finding[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const readsField = (method === "get" || method === "getAll") && isFormData(checker, node.expression.expression);
      if (readsField || method === "formData") {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        findings.push({ file, line, text: node.getText(sf).replace(/\s+/g, " ").slice(0, 120) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

describe("no route reads a form field by hand", () => {
  const routes = sources(join(ROOT, "app", "routes"));
  const fixture = join(ROOT, FIXTURE);
  const prog = program([...routes, fixture]);

  it("finds no form read under app/routes: each action parses its form with one schema (app/utils/forms.ts)", () => {
    expect(routes.length).toBeGreaterThan(40);
    const found = routes.flatMap((path) => formReads(prog, path)).map((f) => `${f.file}:${f.line} ${f.text}`);
    expect(found).toEqual([]);
  });

  it("flags each way of reading a form by hand in the fixture", () => {
    const found = formReads(prog, fixture).map((f) => f.line);
    const expected = readFileSync(fixture, "utf8")
      .split("\n")
      .flatMap((text, i) => (/\/\/ flagged$/.test(text) ? [i + 1] : []));
    expect(expected.length).toBeGreaterThanOrEqual(7);
    expect([...new Set(found)].sort((a, b) => a - b)).toEqual(expected);
  });
});
