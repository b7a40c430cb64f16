/**
 * House rule (issue 19): an exported model function takes at most four
 * inputs. One that needs more takes the database handle (or transaction)
 * first and then ONE params object with named fields, as in
 * remix-run/indie-stack's `app/models/note.server.ts` and midday's queries:
 * `submitBid(db, { clock, actor, tenderId, input })`. Named fields cannot be
 * swapped by accident the way the fifth and sixth positional argument can.
 *
 * This test walks the syntax tree of every file under app/models, app/demo
 * and app/utils and fails listing each exported function (a declaration, or
 * an exported const bound to an arrow or function expression) with more than
 * four parameters. tests/fixtures/model-signatures/forbidden.ts holds one of
 * each kind; the walker must flag them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const MAX_PARAMS = 4;
const DIRS = ["app/models", "app/demo", "app/utils"];

export interface WideFunction {
  file: string;
  line: number;
  name: string;
  params: number;
}

const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The exported functions of one file that take more than four parameters. */
export function wideFunctions(file: string, source: string): WideFunction[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: WideFunction[] = [];
  const check = (name: string, fn: ts.SignatureDeclarationBase, at: ts.Node) => {
    if (fn.parameters.length > MAX_PARAMS) found.push({ file, line: sf.getLineAndCharacterOfPosition(at.getStart(sf)).line + 1, name, params: fn.parameters.length });
  };
  for (const stmt of sf.statements) {
    if (!isExported(stmt)) continue;
    if (ts.isFunctionDeclaration(stmt)) {
      // Overloads share a name; each signature counts.
      check(stmt.name?.text ?? "default", stmt, stmt);
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) {
        let init = decl.initializer;
        while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) check(decl.name.getText(sf), init, decl);
      }
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe("exported model functions take at most four inputs (issue 19)", () => {
  it("flags each kind of wide signature in the fixture", () => {
    const file = "tests/fixtures/model-signatures/forbidden.ts";
    const names = wideFunctions(file, readFileSync(join(ROOT, file), "utf8")).map((f) => f.name);
    expect(names).toEqual(["declared", "arrow", "functionExpression"]);
  });

  it("finds none under app/models, app/demo or app/utils", () => {
    const found = DIRS.flatMap(sourceFiles).flatMap((file) => wideFunctions(file, readFileSync(join(ROOT, file), "utf8")));
    const listing = found.map((f) => `${f.file}:${f.line} ${f.name} (${f.params} parameters)`);
    expect(listing, "take (db, params): the handle first, then one object with named fields").toEqual([]);
  });
});
