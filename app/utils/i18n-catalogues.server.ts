import en from "~/locales/en";
import zhCN from "~/locales/zh-CN";

/** Both catalogues, for the server; the browser loads only the page's language (app/utils/i18n.ts). */
export const serverCatalogues = { "zh-CN": zhCN, en } as const;
