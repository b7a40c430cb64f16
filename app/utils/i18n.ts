import type { MetaDescriptor } from "@remix-run/react";
import i18next, { type i18n, type TFunction } from "i18next";
import { areaLoaders, NAMESPACES, type Namespace } from "~/locales/namespaces";
// On the server both languages whole; in the browser build this .server module is empty: a page's
// areas of its own language are loaded before hydrating (entry.client) and on navigation (root).
import { serverCatalogues } from "./i18n-catalogues.server";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
export const LOCALE_COOKIE = "lng";

type Catalogue = Record<string, unknown>;

/** The whole language where the server holds it; undefined in the browser. */
function wholeCatalogue(locale: Locale): Catalogue | undefined {
  return (serverCatalogues as Record<Locale, Catalogue> | undefined)?.[locale];
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

const instances = new Map<Locale, i18n>();

/** One initialised i18next instance per locale, shared by server and browser code. */
export function getI18n(locale: Locale): i18n {
  let inst = instances.get(locale);
  if (!inst) {
    inst = i18next.createInstance();
    void inst.init({
      lng: locale,
      fallbackLng: false,
      resources: { [locale]: { translation: wholeCatalogue(locale) ?? {} } },
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    instances.set(locale, inst);
  }
  return inst;
}

export function getT(locale: Locale): TFunction {
  return getI18n(locale).getFixedT(locale);
}

/** The texts of a language named by a page or stored with a user; Chinese when it is not one of ours. */
export function tIn(lang: string | null | undefined): TFunction {
  return getT(isLocale(lang) ? lang : DEFAULT_LOCALE);
}

export function localeFromCookieHeader(cookieHeader: string | null): Locale {
  if (!cookieHeader) return DEFAULT_LOCALE;
  const m = /(?:^|;\s*)lng=([^;]+)/.exec(cookieHeader);
  const v = m ? decodeURIComponent(m[1]) : null;
  return isLocale(v) ? v : DEFAULT_LOCALE;
}

// ── Areas (namespaces) in the browser ─────────────────────────────────────

function isNamespace(v: unknown): v is Namespace {
  return typeof v === "string" && (NAMESPACES as readonly string[]).includes(v);
}

/** The areas the matched routes need: common, and every one their `handle.i18n` names. */
export function namespacesOf(handles: readonly unknown[]): Namespace[] {
  const out = new Set<Namespace>(["common"]);
  for (const h of handles) {
    const named: unknown = typeof h === "object" && h !== null && "i18n" in h ? h.i18n : undefined;
    if (Array.isArray(named)) for (const ns of named) if (isNamespace(ns)) out.add(ns);
  }
  return [...out];
}

const present = new Set<string>();
const pending = new Map<string, Promise<void>>();

/** The areas of a language this JavaScript context still lacks (none where the whole language is here). */
export function missingNamespaces(locale: Locale, namespaces: readonly Namespace[]): Namespace[] {
  if (wholeCatalogue(locale)) return [];
  return namespaces.filter((ns) => !present.has(`${locale}/${ns}`));
}

/** Adds the areas a page needs to its language's instance; each area is fetched once. */
export function loadNamespaces(locale: Locale, namespaces: readonly Namespace[]): Promise<void> {
  const loads = missingNamespaces(locale, namespaces).map((ns) => {
    const id = `${locale}/${ns}`;
    let p = pending.get(id);
    if (!p) {
      p = areaLoaders[locale][ns]().then((m) => {
        getI18n(locale).addResourceBundle(locale, "translation", m.default, true, true);
        present.add(id);
      });
      pending.set(id, p);
      p.catch(() => pending.delete(id));
    }
    return p;
  });
  return Promise.all(loads).then(() => undefined);
}

// ── Page titles ───────────────────────────────────────────────────────────

/** The page's language in a route's meta(): the root loader's locale. */
export function localeOfMatches(matches: readonly { id: string; data?: unknown }[]): Locale {
  const root = matches.find((m) => m.id === "root")?.data;
  const locale: unknown = typeof root === "object" && root !== null && "locale" in root ? root.locale : undefined;
  return isLocale(locale) ? locale : DEFAULT_LOCALE;
}

/**
 * A page's <title> in its language: what `title` says (a text, or parts such as the tender's name and
 * the page's name), then the platform's name — "青山村道路 · 开标大厅 · 村易招". Page names are in
 * `titles.*` (common), so a title never waits for an area.
 */
export function pageTitle(matches: readonly { id: string; data?: unknown }[], title: (t: TFunction) => string | readonly (string | null | undefined)[]): MetaDescriptor[] {
  const t = getT(localeOfMatches(matches));
  const parts = [title(t)].flat().filter((p): p is string => Boolean(p));
  return [{ title: [...parts, t("app.name")].join(" · ") }];
}
