/**
 * A lifecycle's state is written only by its writer (app/models/lifecycle.server.ts,
 * ADR 0038). This test walks the syntax tree of every file under app/ and
 * fails on a state write anywhere else:
 *   - `.set({ … state … })` or `.values({ … state … })` (also `onConflictDoUpdate({ set })`)
 *     on a query that updates or inserts into a lifecycle table, the object
 *     followed through local variables, spreads, `.map(…)` and conditionals;
 *     an argument it cannot follow counts as a write (prove it or move it);
 *   - raw SQL (a string or template) that updates a state column of a
 *     lifecycle table, or inserts into one naming it.
 * tests/fixtures/state-writes/forbidden.ts holds one of each; the walker must flag them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

/** Every lifecycle table: its drizzle name, its SQL name and its state column. */
const LIFECYCLE_TABLES = {
  projects: { sql: "projects", column: "state" },
  evaluations: { sql: "evaluations", column: "state" },
  openings: { sql: "openings", column: "state" },
  bidOpenings: { sql: "bid_openings", column: "status" },
  awards: { sql: "awards", column: "state" },
  complaints: { sql: "complaints", column: "state" },
  objections: { sql: "objections", column: "state" },
  bids: { sql: "bids", column: "status" },
  panelMembers: { sql: "panel_members", column: "status" },
  poolMemberships: { sql: "pool_memberships", column: "status" },
} as const;
type LifecycleTable = keyof typeof LIFECYCLE_TABLES;

/** Where the writers live: the only file allowed to write a state. */
const WRITERS = "app/models/lifecycle.server.ts";

/**
 * The lifecycles not converted yet: their state is still written by their own
 * models, each beside a pgEnum but without a transition table or writer.
 * Converting one (its table in lifecycle.ts, its writer in lifecycle.server.ts)
 * removes it from this list — and then the test holds it too. Every lifecycle
 * table above is converted now; a new one (a contract, a payment…) starts with
 * its writer, or here until it has one.
 */
const NOT_CONVERTED_YET: Partial<Record<LifecycleTable, string>> = {};

export interface Finding {
  file: string;
  line: number;
  table: LifecycleTable;
  how: "set" | "values" | "sql";
  text: string;
}

const isTable = (name: string): name is LifecycleTable => Object.hasOwn(LIFECYCLE_TABLES, name);

/** The lifecycle tables one file writes a state of. */
export function stateWrites(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const aliases = new Map<string, string>(); // local name → drizzle table name, from `const { projects: p } = schema`
  const variables = new Map<string, ts.Expression>(); // const/let name → initializer, anywhere in the file

  const collect = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node)) {
      if (ts.isObjectBindingPattern(node.name)) {
        for (const el of node.name.elements) {
          if (!ts.isIdentifier(el.name)) continue;
          const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
          aliases.set(el.name.text, prop);
        }
      } else if (ts.isIdentifier(node.name) && node.initializer) variables.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, collect);
  };
  collect(sf);

  const tableOf = (e: ts.Expression): LifecycleTable | null => {
    const name = ts.isIdentifier(e) ? (aliases.get(e.text) ?? e.text) : ts.isPropertyAccessExpression(e) ? e.name.text : null;
    return name && isTable(name) ? name : null;
  };

  /** Does this value (an object, or rows of objects) hold the key `column`? "unknown" when it cannot be followed. */
  const holds = (e: ts.Expression, column: string, seen = new Set<string>()): boolean | "unknown" => {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (ts.isObjectLiteralExpression(e)) {
      let result: boolean | "unknown" = false;
      for (const p of e.properties) {
        if (ts.isSpreadAssignment(p)) {
          const inner = holds(p.expression, column, seen);
          if (inner === true) return true;
          if (inner === "unknown") result = "unknown";
        } else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === column) return true;
      }
      return result;
    }
    if (ts.isArrayLiteralExpression(e)) return anyOf(e.elements.map((x) => holds(x, column, seen)));
    if (ts.isConditionalExpression(e)) return anyOf([holds(e.whenTrue, column, seen), holds(e.whenFalse, column, seen)]);
    if (ts.isIdentifier(e)) {
      const init = variables.get(e.text);
      if (!init || seen.has(e.text)) return "unknown";
      return holds(init, column, new Set([...seen, e.text]));
    }
    // rows.map((r) => ({ … })): the callback's result.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "map") {
      const fn = e.arguments[0];
      if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
        if (ts.isBlock(fn.body)) {
          const returns: ts.Expression[] = [];
          const find = (n: ts.Node) => {
            if (ts.isReturnStatement(n) && n.expression) returns.push(n.expression);
            else if (!ts.isFunctionLike(n)) ts.forEachChild(n, find);
          };
          find(fn.body);
          return returns.length ? anyOf(returns.map((r) => holds(r, column, seen))) : "unknown";
        }
        return holds(fn.body, column, seen);
      }
    }
    return "unknown";
  };
  const anyOf = (xs: (boolean | "unknown")[]) => (xs.includes(true) ? true : xs.includes("unknown") ? "unknown" : false);

  /** The table a query chain updates or inserts into: `x.update(T)…` / `x.insert(T)…`. */
  const targetOf = (e: ts.Expression): LifecycleTable | null => {
    while (true) {
      if (ts.isCallExpression(e)) {
        if (ts.isPropertyAccessExpression(e.expression) && ["update", "insert"].includes(e.expression.name.text) && e.arguments.length === 1) {
          const t = tableOf(e.arguments[0]);
          if (t) return t;
        }
        e = e.expression;
      } else if (ts.isPropertyAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
      else if (ts.isAwaitExpression(e)) e = e.expression;
      else return null;
    }
  };

  const report = (node: ts.Node, table: LifecycleTable, how: Finding["how"]) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    findings.push({ file, line, table, how, text: node.getText(sf).replace(/\s+/g, " ").slice(0, 160) });
  };

  const RAW = /\b(update)\s+("?[\w.$]+"?)\s+set\b([\s\S]*?)(?:\bwhere\b|\breturning\b|;|$)|\binsert\s+into\s+("?[\w.$]+"?)\s*\(([^)]*)\)/gi;
  const rawTable = (name: string): LifecycleTable | null => {
    const n = name.replace(/"/g, "").replace(/^public\./, "");
    for (const [k, v] of Object.entries(LIFECYCLE_TABLES)) if (n === v.sql || n === k || n.endsWith(`.${k}`)) return k as LifecycleTable;
    return null;
  };
  const checkRaw = (node: ts.Node, text: string) => {
    for (const m of text.matchAll(RAW)) {
      const table = rawTable(m[2] ?? m[4]);
      if (!table) continue;
      const column = LIFECYCLE_TABLES[table].column;
      const cols = m[3] ?? m[5];
      if (new RegExp(`(^|[^\\w])"?${column}"?\\s*(=|,|$)|\\.${column}\\b`, "i").test(cols)) report(node, table, "sql");
    }
  };

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const arg = node.arguments[0];
      if ((method === "set" || method === "values") && arg) {
        const table = targetOf(node.expression.expression);
        if (table && holds(arg, LIFECYCLE_TABLES[table].column) !== false) report(node, table, method);
      }
      if (method === "onConflictDoUpdate" && arg && ts.isObjectLiteralExpression(arg)) {
        const table = targetOf(node.expression.expression);
        const set = arg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === "set");
        if (table && set && holds(set.initializer, LIFECYCLE_TABLES[table].column) !== false) report(node, table, "set");
      }
    }
    // Raw SQL: strings and templates (a template's substitutions read as their source, e.g. `${projects}`, `${projects.state}`).
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) checkRaw(node, node.text);
    if (ts.isTemplateExpression(node)) checkRaw(node, node.head.text + node.templateSpans.map((s) => ` ${s.expression.getText(sf)} ${s.literal.text}`).join(""));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

describe("a lifecycle's state is written only by its writer", () => {
  it("finds no state write under app/ outside lifecycle.server.ts, but for the lifecycles not converted yet", () => {
    const outside: string[] = [];
    const allowed = new Set<LifecycleTable>();
    for (const path of sources(join(ROOT, "app"))) {
      const file = relative(ROOT, path);
      if (file === WRITERS) continue;
      for (const f of stateWrites(file, readFileSync(path, "utf8"))) {
        if (NOT_CONVERTED_YET[f.table]) allowed.add(f.table);
        else outside.push(`${f.file}:${f.line} ${f.table} (${f.how}): ${f.text}`);
      }
    }
    expect(outside).toEqual([]);
    // Every entry of the allowlist is still needed: a converted lifecycle leaves the list.
    expect([...allowed].sort()).toEqual(Object.keys(NOT_CONVERTED_YET).sort());
  });

  it("names every lifecycle table it does not hold yet, and holds the converted ones", () => {
    const held = Object.keys(LIFECYCLE_TABLES).filter((t) => !NOT_CONVERTED_YET[t as LifecycleTable]);
    expect(held).toEqual(["projects", "evaluations", "openings", "bidOpenings", "awards", "complaints", "objections", "bids", "panelMembers", "poolMemberships"]);
  });

  it("flags each kind of forbidden write in the fixture", () => {
    const file = "tests/fixtures/state-writes/forbidden.ts";
    const found = stateWrites(file, readFileSync(join(ROOT, file), "utf8")).map((f) => `${f.table} ${f.how} ${f.line}`);
    const expected = readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .flatMap((text, i) => {
        const m = /; \/\/ flagged: (.+)$/.exec(text);
        return m ? m[1].split(",").map((f) => `${f.trim()} ${i + 1}`) : [];
      });
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect(found.sort()).toEqual(expected.sort());
  });
});
