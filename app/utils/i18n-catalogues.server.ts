import en from "~/locales/en";
import { serverOnlyCatalogues } from "~/locales/server-only";
import zhCN from "~/locales/zh-CN";

/**
 * Both catalogues, for the server, with the texts only the server renders (app/locales/server-only.ts);
 * the browser loads only the page's language, without those (app/entry.client.tsx).
 */
export const serverCatalogues = {
  "zh-CN": { ...zhCN, ...serverOnlyCatalogues["zh-CN"] },
  en: { ...en, ...serverOnlyCatalogues.en },
} as const;
