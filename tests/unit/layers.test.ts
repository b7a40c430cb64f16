// The layers (STYLE.md): signing/ is pure (ADR 0012) — Buffer in, Buffer out.
// It imports only Node's built-ins, npm packages and its own files, never app/
// or db/, and reads nothing itself: a visible signature is drawn with the face
// the caller passes in. db/ is plain: the schema, the migrations and the
// client, importing nothing from app/ (the commands live in app/cli/).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderDocument } from "~/pdf/document.server";
import { preparePdf } from "../../signing/pades";

const SIGNING = path.resolve(__dirname, "../../signing");
const DB = path.resolve(__dirname, "../../db");

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/g)) out.push(m[1]);
  for (const m of source.matchAll(/(?:import|require)\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]);
  return out;
}

describe("the layers", () => {
  it("signing/ imports nothing from the app, the database or anywhere outside itself", () => {
    const files = readdirSync(SIGNING).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const f of files) {
      for (const s of specifiers(readFileSync(path.join(SIGNING, f), "utf8"))) {
        if (s.startsWith("~") || (s.startsWith(".") && !path.resolve(SIGNING, s).startsWith(SIGNING + path.sep))) outside.push(`${f}: ${s}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("db/ holds the schema, the migrations and the client only, and imports nothing from app/", () => {
    expect(readdirSync(DB).sort()).toEqual(["client.ts", "migrations", "schema"]);
    const files = [path.join(DB, "client.ts"), ...readdirSync(path.join(DB, "schema")).map((f) => path.join(DB, "schema", f))];
    const intoApp = files.flatMap((f) =>
      specifiers(readFileSync(f, "utf8"))
        .filter((s) => s.startsWith("~") || path.resolve(path.dirname(f), s).includes(`${path.sep}app${path.sep}`))
        .map((s) => `${path.relative(DB, f)}: ${s}`),
    );
    expect(intoApp).toEqual([]);
  });

  it("app/models holds the platform's rules only: nothing there imports the demo (app/demo)", () => {
    const MODELS = path.resolve(__dirname, "../../app/models");
    const demo = readdirSync(MODELS)
      .filter((f) => /\.tsx?$/.test(f))
      .flatMap((f) =>
        specifiers(readFileSync(path.join(MODELS, f), "utf8"))
          .filter((s) => s.startsWith("~/demo/") || path.resolve(MODELS, s).includes(`${path.sep}app${path.sep}demo${path.sep}`))
          .map((s) => `${f}: ${s}`),
      );
    expect(demo).toEqual([]);
    expect(readdirSync(MODELS).filter((f) => /^(demo|software-passkey|seal-runner)/.test(f))).toEqual([]);
  });

  it("routes and browser-loadable utilities take zod through ~/utils/zod.server, so no page's JavaScript carries it", () => {
    // The browser build leaves *.server modules out; a route importing "zod" itself would ship ~90 KB of it (ADR 0041).
    const dirs = [path.resolve(__dirname, "../../app/routes"), path.resolve(__dirname, "../../app/utils")];
    const direct = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => /\.tsx?$/.test(f) && !/\.server\.tsx?$/.test(f))
        .flatMap((f) =>
          specifiers(readFileSync(path.join(dir, f), "utf8"))
            .filter((s) => s === "zod" || s.startsWith("zod/"))
            .map(() => `${path.basename(dir)}/${f}`),
        ),
    );
    expect(direct).toEqual([]);
    expect(specifiers(`import { z } from "zod";`)).toEqual(["zod"]);
  });

  it("finds an import from outside when there is one (the check above can fail)", () => {
    expect(specifiers(`import { fontBytes } from "../app/pdf/fonts.server";\nconst x = await import("~/utils/env");`)).toEqual(["../app/pdf/fonts.server", "~/utils/env"]);
  });

  it("refuses to draw a visible signature without the face to draw it with", async () => {
    const doc = await renderDocument({
      title: "测试",
      sections: [{ heading: "一", blocks: [{ kind: "signatureLines", labels: ["签字"] }] }],
      createdAt: new Date("2026-12-01T00:00:00Z"),
      author: "村易招",
    });
    const slot = doc.signatureSlots[0];
    await expect(
      preparePdf(doc.bytes, { fieldName: "s", signerName: "张三", reason: "r", location: "l", signingTime: new Date("2026-12-01T00:00:00Z"), rect: slot, page: slot.pageIndex }),
    ).rejects.toThrow(/font/);
  });
});
