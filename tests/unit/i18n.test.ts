import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import zhCNBrowser from "~/locales/zh-CN";
import { SERVER_ONLY_SECTIONS } from "~/locales/server-only";
import { serverCatalogues } from "~/utils/i18n-catalogues.server";
import { SETTING_DEFS, SETTING_GROUPS } from "~/models/county-settings";
import { getT, localeFromCookieHeader } from "~/utils/i18n";

function keys(obj: object, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

// What the server renders with: the browser's catalogue plus the server-only texts.
const zhCN = serverCatalogues["zh-CN"];
const en = serverCatalogues.en;

describe("translation catalogues", () => {
  it("have the same keys in Chinese and English, none empty", () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort());
    // Only unit suffixes may be empty ("count" and "boolean" have none), and then in both languages.
    for (const k of keys(en).filter((k) => !k.startsWith("settings.units."))) {
      expect(getT("en")(k), k).not.toBe("");
      expect(getT("zh-CN")(k), k).not.toBe("");
    }
  });

  it("contain every literal key the code uses", () => {
    const all = new Set(keys(zhCN).map((k) => k.replace(/_(one|other)$/, "")));
    const used = new Set<string>();
    for (const file of sourceFiles(path.resolve(__dirname, "../../app"))) {
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
    for (const file of sourceFiles(path.resolve(__dirname, "../../app"))) {
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
    for (const file of sourceFiles(path.resolve(__dirname, "../../app"))) {
      const src = readFileSync(file, "utf8");
      if (/export const handle = \{[^}]*hydrate: false/.test(src)) continue;
      for (const m of src.matchAll(/<(?:Link|NavLink)\b[^>]*>/g)) {
        if (serverRendered.some((p) => m[0].includes(`"${p}"`) || m[0].includes(`\`${p}`))) expect(m[0], file).toContain("reloadDocument");
      }
    }
    // …and none of them is in the catalogue the browser loads.
    for (const section of SERVER_ONLY_SECTIONS) expect(zhCNBrowser).not.toHaveProperty(section);
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
