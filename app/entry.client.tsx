import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { loadNamespaces, namespacesOf } from "~/utils/i18n";

declare global {
  interface Window {
    /** The matched routes' modules, imported by the page before this script (Remix's <Scripts>). */
    __remixRouteModules?: Record<string, { handle?: unknown } | undefined>;
  }
}

// Only the page's language travels to the browser, and of it only the areas the matched routes name
// in handle.i18n (and common): they are loaded before hydrating. root.tsx loads more on navigation.
const locale = document.documentElement.lang === "en" ? "en" : "zh-CN";
const handles = Object.values(window.__remixRouteModules ?? {}).map((m) => m?.handle);

void loadNamespaces(locale, namespacesOf(handles)).then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  }),
);
