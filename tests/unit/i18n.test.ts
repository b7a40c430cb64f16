import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { areaLoaders, NAMESPACES, type Namespace } from "~/locales/namespaces";
import { SERVER_ONLY_SECTIONS } from "~/locales/server-only";
import { serverCatalogues } from "~/utils/i18n-catalogues.server";
import { SETTING_DEFS, SETTING_GROUPS } from "~/models/county-settings";
import { getT, localeFromCookieHeader, namespacesOf, pageTitle } from "~/utils/i18n";

function keys(obj: object, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

const APP = path.resolve(__dirname, "../../app");
const ROUTES = path.join(APP, "routes");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

// What the server renders with: every area plus the server-only texts.
const zhCN = serverCatalogues["zh-CN"];
const en = serverCatalogues.en;

// What the browser can load: each area of each language on its own.
const areas = {
  "zh-CN": Object.fromEntries(await Promise.all(NAMESPACES.map(async (ns) => [ns, (await areaLoaders["zh-CN"][ns]()).default] as const))) as Record<Namespace, object>,
  en: Object.fromEntries(await Promise.all(NAMESPACES.map(async (ns) => [ns, (await areaLoaders.en[ns]()).default] as const))) as Record<Namespace, object>,
};
const plain = (k: string) => k.replace(/_(one|other)$/, "");
const areaKeys = Object.fromEntries(NAMESPACES.map((ns) => [ns, new Set(keys(areas["zh-CN"][ns]).map(plain))])) as Record<Namespace, Set<string>>;
const serverOnlyKeys = new Set(keys(Object.fromEntries(SERVER_ONLY_SECTIONS.map((s) => [s, (zhCN as Record<string, object>)[s]]))).map(plain));

/** The areas holding a key, or for a prefix (`a.b.` of a key built at run time), every area holding a key under it. */
function areasOf(key: string): Namespace[] {
  return NAMESPACES.filter((ns) => (key.endsWith(".") ? [...areaKeys[ns]].some((k) => k.startsWith(key)) : areaKeys[ns].has(key)));
}

// ── What a file renders: key strings in it and in the app modules it imports ───────────────

const importRe = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[\s\S]*?\sfrom\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function resolveImport(from: string, spec: string): string | null {
  const base = spec.startsWith("~/") ? path.join(APP, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.tsx`, `${base}.ts`, path.join(base, "index.ts")]) if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return null;
}

/**
 * A route and every module of app/ it imports that can reach the browser: not *.server.ts, not the
 * catalogues, not root.tsx (always loaded; its texts are in common, checked below).
 */
function browserModules(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    for (const m of readFileSync(file, "utf8").matchAll(importRe)) {
      if (m[1]) continue; // import type
      const target = resolveImport(file, m[2] ?? m[3]);
      if (!target || seen.has(target)) continue;
      if (/\.server\.tsx?$/.test(target) || target.startsWith(path.join(APP, "locales")) || target === path.join(APP, "root.tsx")) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen];
}

const allKeys = new Set([...NAMESPACES.flatMap((ns) => [...areaKeys[ns]]), ...serverOnlyKeys]);

/** Every catalogue key a source names: a whole key in quotes, or the start of one in a template (`roles.${r}`). */
function keysIn(src: string): string[] {
  const out = new Set<string>();
  for (const m of src.matchAll(/["'`]([a-zA-Z][\w]*(?:\.[\w]+)+)["'`]/g)) if (allKeys.has(m[1])) out.add(m[1]);
  for (const m of src.matchAll(/`([a-zA-Z][\w]*(?:\.[\w]+)*\.)\$\{/g)) if ([...allKeys].some((k) => k.startsWith(m[1]))) out.add(m[1]);
  return [...out];
}

const routeFiles = readdirSync(ROUTES)
  .filter((f) => /\.tsx?$/.test(f))
  .map((f) => path.join(ROUTES, f))
  .filter((f) => /^export default function/m.test(readFileSync(f, "utf8")));

/** The areas a route names: `export const handle = { …, i18n: ["bid", "errors"] }`. */
function declared(src: string): string[] | null {
  const handle = /export const handle = \{([^}]*)\}/.exec(src)?.[1];
  const list = handle && /\bi18n:\s*\[([^\]]*)\]/.exec(handle)?.[1];
  return list == null ? null : [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** Pages that show a form's errors, or post and show the answer: their text is an errors.* key. */
const showsErrors = (files: string[]) =>
  files.some((f) => f.endsWith(`${path.sep}components${path.sep}forms.tsx`) || /^export async function action/m.test(readFileSync(f, "utf8")));

function needs(route: string) {
  const files = browserModules(route);
  const need = new Map<Namespace, string[]>();
  for (const file of files) {
    for (const key of keysIn(readFileSync(file, "utf8"))) {
      if (serverOnlyKeys.has(key) || [...serverOnlyKeys].some((k) => key.endsWith(".") && k.startsWith(key))) continue;
      for (const ns of areasOf(key)) need.set(ns, [...(need.get(ns) ?? []), `${path.basename(file)}: ${key}`]);
    }
  }
  if (showsErrors(files)) need.set("errors", [...(need.get("errors") ?? []), "shows a form's errors"]);
  need.delete("common");
  return need;
}

describe("translation catalogues", () => {
  it("have the same keys in Chinese and English, none empty", () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
    // Only unit suffixes may be empty ("count" and "boolean" have none), and then in both languages.
    for (const k of keys(en).filter((k) => !k.startsWith("settings.units."))) {
      expect(getT("en")(k), k).not.toBe("");
      expect(getT("zh-CN")(k), k).not.toBe("");
    }
  });

  it("have the same keys in both languages in every area, and no key in two areas", () => {
    for (const ns of NAMESPACES) expect(keys(areas.en[ns]).sort(), ns).toEqual(keys(areas["zh-CN"][ns]).sort());
    const seen = new Map<string, Namespace>();
    for (const ns of NAMESPACES)
      for (const k of areaKeys[ns]) {
        expect(seen.get(k), `${k} in ${ns}`).toBeUndefined();
        seen.set(k, ns);
      }
    // The areas together are the language the server renders with, less the server-only texts.
    expect([...seen.keys(), ...serverOnlyKeys].sort()).toEqual([...new Set(keys(zhCN).map(plain))].sort());
  });

  it("contain every literal key the code uses", () => {
    const all = new Set(keys(zhCN).map(plain));
    const used = new Set<string>();
    for (const file of sourceFiles(APP)) {
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/\bt\(\s*"([a-zA-Z][\w.]*)"/g)) used.add(m[1]);
      for (const m of src.matchAll(/"(errors\.[a-zA-Z][\w.]*)"/g)) used.add(m[1]);
    }
    const missing = [...used].filter((k) => !all.has(k) && !keys(zhCN).some((x) => x.startsWith(`${k}.`)));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(50);
  });

  it("keep server-only texts out of every page that runs in the browser", () => {
    const pattern = new RegExp(`["\`](?:${SERVER_ONLY_SECTIONS.join("|")})\\.`);
    const users: string[] = [];
    for (const file of sourceFiles(APP)) {
      if (file.includes(`${path.sep}locales${path.sep}`)) continue;
      const src = readFileSync(file, "utf8");
      if (!pattern.test(src)) continue;
      users.push(path.basename(file));
      // A server module, or a route that ships no script (its texts are never rendered in the browser).
      expect(file.endsWith(".server.ts") || /export const handle = \{[^}]*hydrate: false/.test(src), file).toBe(true);
    }
    expect(users.sort()).toEqual(["dev-mailbox.tsx", "forgot-password.tsx", "notifications_.settings.tsx", "outbox.server.ts"]);
    // A page with scripts reaches them by loading a new document, never by rendering them itself.
    const serverRendered = ["/dev-mailbox", "/forgot-password", "/notifications/settings"];
    for (const file of sourceFiles(APP)) {
      const src = readFileSync(file, "utf8");
      if (/export const handle = \{[^}]*hydrate: false/.test(src)) continue;
      for (const m of src.matchAll(/<(?:Link|NavLink)\b[^>]*>/g)) {
        if (serverRendered.some((p) => m[0].includes(`"${p}"`) || m[0].includes(`\`${p}`))) expect(m[0], file).toContain("reloadDocument");
      }
    }
    // …and none of them is in an area the browser loads.
    for (const section of SERVER_ONLY_SECTIONS) for (const ns of NAMESPACES) expect(areas["zh-CN"][ns], ns).not.toHaveProperty(section);
  });

  it("label every county setting and group", () => {
    for (const d of SETTING_DEFS) {
      expect(zhCN.settings.fields).toHaveProperty(d.key);
      expect(en.settings.fields).toHaveProperty(d.key);
    }
    for (const g of SETTING_GROUPS) expect(en.settings.groups).toHaveProperty(g);
  });

  it("interpolates and pluralises", () => {
    expect(getT("zh-CN")("dashboard.title", { name: "张三" })).toBe("张三，您好");
    expect(getT("en")("home.villages", { count: 1 })).toBe(" (1 village)");
    expect(getT("en")("home.villages", { count: 3 })).toBe(" (3 villages)");
  });

  it("chooses Chinese unless the cookie says English", () => {
    expect(localeFromCookieHeader(null)).toBe("zh-CN");
    expect(localeFromCookieHeader("a=b; lng=en")).toBe("en");
    expect(localeFromCookieHeader("lng=fr")).toBe("zh-CN");
  });
});

describe("areas a page loads", () => {
  it("the layout (root.tsx) renders only texts of common, which every page loads", () => {
    const outside = browserModules(path.join(APP, "root.tsx"))
      .flatMap((f) => keysIn(readFileSync(f, "utf8")).map((k) => [path.basename(f), k] as const))
      .filter(([, k]) => areasOf(k).some((ns) => ns !== "common"));
    expect(outside).toEqual([]);
  });

  it("every route names, in handle.i18n, the areas of the texts it and the modules it imports render", () => {
    expect(routeFiles.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const route of routeFiles) {
      const src = readFileSync(route, "utf8");
      const named = declared(src);
      const name = path.basename(route);
      if (named === null) {
        problems.push(`${name}: no handle.i18n`);
        continue;
      }
      for (const ns of named) if (!(NAMESPACES as readonly string[]).includes(ns) || ns === "common") problems.push(`${name}: names "${ns}", not an area it can load`);
      for (const [ns, why] of needs(route)) if (!named.includes(ns)) problems.push(`${name}: renders ${why.slice(0, 3).join(", ")} but does not name "${ns}"`);
    }
    expect(problems).toEqual([]);
  });

  it("the check sees a route that renders an area it does not name", () => {
    const hall = path.join(ROUTES, "notices.$id_.hall.tsx");
    expect(needs(hall).has("opening")).toBe(true);
    expect(needs(hall).has("errors")).toBe(true);
    // The bid page: its sealing form (a component) renders bid.* texts, and errors shown by its forms.
    const bid = needs(path.join(ROUTES, "notices.$id_.bid.tsx"));
    expect([...bid.keys()]).toEqual(expect.arrayContaining(["bid", "errors"]));
    expect(bid.get("bid")!.some((why) => why.startsWith("sealed-bid.tsx"))).toBe(true);
    expect(bid.has("evaluation")).toBe(false);
  });

  it("reads the areas from the matched routes' handles", () => {
    expect(namespacesOf([undefined, { hydrate: false }, { i18n: ["bid", "errors"] }, { i18n: ["errors", "nonsense", 3] }])).toEqual(["common", "bid", "errors"]);
  });
});

describe("page titles", () => {
  it("no route's meta holds Chinese text: every title comes from the catalogue", () => {
    const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
    const metas: string[] = [];
    for (const route of [...routeFiles, path.join(APP, "root.tsx")]) {
      const src = readFileSync(route, "utf8");
      const meta = /export const meta\b[\s\S]*?(?=\n(?:export|const|function|type|\/\*\*|\/\/)\b|\n\/[/*])/.exec(src)?.[0];
      expect(meta, `${path.basename(route)} has a meta`).toBeDefined();
      metas.push(meta!);
      expect(meta, path.basename(route)).not.toMatch(cjk);
    }
    expect(metas.filter((m) => /pageTitle\(|getT\(/.test(m)).length).toBe(metas.length);
  });

  it("puts the page's name and the platform's in the page's language", () => {
    const root = (locale: string) => [
      { id: "root", data: { locale } },
      { id: "routes/notices.$id_.hall", data: {} },
    ];
    expect(pageTitle(root("zh-CN"), (t) => ["青山村道路", t("titles.hall")])).toEqual([{ title: "青山村道路 · 开标大厅 · 村易招" }]);
    expect(pageTitle(root("en"), (t) => [null, t("titles.hall")])).toEqual([{ title: "Opening hall · Cunyizhao" }]);
    expect(pageTitle([], (t) => t("titles.login"))).toEqual([{ title: "登录 · 村易招" }]);
  });
});
