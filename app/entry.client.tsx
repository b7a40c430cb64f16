import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { addCatalogue } from "~/utils/i18n";

// Only the page's language travels to the browser: its catalogue is loaded before hydrating.
async function loadCatalogue() {
  if (document.documentElement.lang === "en") addCatalogue("en", (await import("~/locales/en")).default);
  else addCatalogue("zh-CN", (await import("~/locales/zh-CN")).default);
}

void loadCatalogue().then(() =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  }),
);
