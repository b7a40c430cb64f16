import i18next, { type i18n, type TFunction } from "i18next";
// On the server both catalogues; in the browser build this .server module is empty, and
// entry.client adds only the page's language before hydrating (the other is ≈30 KB gzip).
import { serverCatalogues } from "./i18n-catalogues.server";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
export const LOCALE_COOKIE = "lng";

type Catalogue = Record<string, unknown>;
const catalogues: Partial<Record<Locale, Catalogue>> = {};

/** The browser adds the page's catalogue before hydrating (entry.client.tsx). */
export function addCatalogue(locale: Locale, translation: Catalogue) {
  catalogues[locale] = translation;
}

function catalogueOf(locale: Locale): Catalogue {
  return catalogues[locale] ?? (serverCatalogues as Record<Locale, Catalogue> | undefined)?.[locale] ?? {};
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
      resources: { [locale]: { translation: catalogueOf(locale) } },
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
