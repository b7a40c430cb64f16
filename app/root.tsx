import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useLocation, useMatches, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { Suspense } from "react";
import { I18nextProvider, useTranslation } from "react-i18next";
import styles from "~/styles/app.css";
import { unreadCount } from "~/models/notification.server";
import { getAuth, readCookie } from "~/utils/auth.server";
import { TEXT_SIZE_COOKIE } from "~/utils/text-size";
import { DEFAULT_LOCALE, getI18n, getT, loadNamespaces, localeFromCookieHeader, missingNamespaces, namespacesOf, type Locale } from "~/utils/i18n";
import { useNonce } from "~/utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: getT(data?.locale ?? DEFAULT_LOCALE)("app.name") }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = localeFromCookieHeader(request.headers.get("Cookie"));
  const auth = await getAuth(request, context);
  return {
    locale,
    // 大字模式: the account's choice when signed in, else the visitor's cookie.
    largeText: auth ? auth.user.largeText : readCookie(request, TEXT_SIZE_COOKIE) === "large",
    user: auth ? { name: auth.user.name } : null,
    role: auth?.membership ? { role: auth.membership.role, org: auth.membership.org.name } : null,
    unread: auth ? await unreadCount(context.db, auth.user.id) : 0,
  };
}

export function useRootData() {
  return useRouteLoaderData<typeof loader>("root");
}

function Header() {
  const { t, i18n } = useTranslation();
  const data = useRootData();
  const location = useLocation();
  const role = data?.role?.role;
  return (
    <header className="site-header">
      <div className="bar">
        <a href="/" className="brand">
          <span aria-hidden="true" className="brand-mark">
            招
          </span>
          {t("app.name")}
        </a>
        <Form method="post" action="/set-locale" className="lang-switch" reloadDocument>
          <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
          <button name="lng" value="zh-CN" aria-pressed={i18n.language === "zh-CN"}>
            中文
          </button>
          <button name="lng" value="en" aria-pressed={i18n.language === "en"}>
            English
          </button>
        </Form>
        <Form method="post" action="/set-text-size" className="lang-switch" reloadDocument>
          <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
          <button name="size" value={data?.largeText ? "normal" : "large"} aria-pressed={Boolean(data?.largeText)} data-testid="large-text">
            {t("textSize.large")}
          </button>
        </Form>
      </div>
      <nav aria-label={t("nav.label")} className="nav">
        <NavLink to="/" end>
          {t("nav.home")}
        </NavLink>
        {data?.user ? (
          <>
            <NavLink to="/dashboard">{t("nav.dashboard")}</NavLink>
            {(role === "committee" || role === "agent" || role === "supervisor" || role === "county_admin") && <NavLink to="/projects">{t("nav.projects")}</NavLink>}
            {/* The name read out is what is seen ("通知 1") plus words for the number (WCAG 2.5.3, label in name). */}
            <NavLink to="/notifications">
              {t("nav.notifications")}
              {data.unread > 0 && (
                <>
                  {" "}
                  <span className="badge" data-testid="unread">
                    {data.unread}
                  </span>
                  <span className="sr-only">{t("nav.notificationsUnread")}</span>
                </>
              )}
            </NavLink>
            {role === "county_admin" && (
              <>
                <NavLink to="/admin/settings">{t("nav.settings")}</NavLink>
                <NavLink to="/admin/calendar">{t("nav.calendar")}</NavLink>
                <NavLink to="/admin/templates">{t("nav.templates")}</NavLink>
                <NavLink to="/admin/experts">{t("nav.experts")}</NavLink>
              </>
            )}
            {role === "contractor" && <NavLink to="/company">{t("nav.company")}</NavLink>}
            {(role === "supervisor" || role === "county_admin") && <NavLink to="/pool">{t("nav.pool")}</NavLink>}
            {(role === "supervisor" || role === "county_admin") && (
              <NavLink to="/supervision" end>
                {t("supervision.nav")}
              </NavLink>
            )}
            {(role === "supervisor" || role === "county_admin") && <NavLink to="/supervision/credit">{t("credit.nav")}</NavLink>}
            {(role === "committee" || role === "agent") && <NavLink to="/contractors">{t("credit.contractorsNav")}</NavLink>}
            {(role === "county_admin" || role === "supervisor") && <NavLink to="/audit">{t("nav.audit")}</NavLink>}
            {(role === "county_admin" || role === "supervisor" || role === "committee") && <NavLink to="/archives">{t("nav.archives")}</NavLink>}
            <NavLink to="/account">{t("nav.account")}</NavLink>
            <Form method="post" action="/logout" className="inline">
              <button className="link">{t("nav.logout")}</button>
            </Form>
          </>
        ) : (
          <NavLink to="/login">{t("nav.login")}</NavLink>
        )}
        <NavLink to="/notices">{t("nav.notices")}</NavLink>
        <NavLink to="/transparency">{t("nav.transparency")}</NavLink>
      </nav>
      {data?.user && (
        <p className="whoami">
          {data.user.name}
          {data.role && ` · ${t(`roles.${data.role.role}`)} · ${data.role.org}`}
        </p>
      )}
    </header>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData();
  const locale: Locale = data?.locale ?? DEFAULT_LOCALE;
  const i18n = getI18n(locale);
  // Public pages that need no script say so with handle.hydrate = false: they ship no JavaScript at all.
  const matches = useMatches();
  const hydrate = (matches.at(-1)?.handle as { hydrate?: boolean } | undefined)?.hydrate !== false;
  const nonce = useNonce();
  return (
    <html lang={locale} className={data?.largeText ? "large-text" : undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <I18nextProvider i18n={i18n}>
          {/* Only for an update outside a transition: a navigation keeps the old page while a route's areas load. */}
          <Suspense fallback={null}>
            <Translations locale={locale}>
              <Header />
              <main id="main">{children}</main>
              <Footer />
            </Translations>
          </Suspense>
        </I18nextProvider>
        {hydrate && (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        )}
      </body>
    </html>
  );
}

/**
 * The page is shown once its language holds every area the matched routes name in handle.i18n. The
 * server holds all; the first page's areas are loaded before hydrating (entry.client.tsx); on a client
 * navigation to a route that names another, this suspends the render until that area is in: the
 * router renders in a transition, so the old page stays until then. If an area cannot be fetched the
 * page is loaded from the server, as Remix does when a route's module fails to load.
 */
function Translations({ locale, children }: { locale: Locale; children: React.ReactNode }) {
  const namespaces = namespacesOf(useMatches().map((m) => m.handle));
  if (missingNamespaces(locale, namespaces).length > 0) {
    throw loadNamespaces(locale, namespaces).catch(() => {
      window.location.reload();
      return new Promise<never>(() => {});
    });
  }
  return <>{children}</>;
}

function Footer() {
  const { t } = useTranslation();
  return (
    <footer className="site-footer">
      <p>{t("app.footer")}</p>
      <p>
        <a href="/open-data">{t("openData.title")}</a> · <a href="/verify">{t("verify.title")}</a> · <a href="/sealing">{t("sealing.title")}</a>
      </p>
    </footer>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  let title = t("errors.page.unexpected");
  let detail: string | null = null;
  if (isRouteErrorResponse(error)) {
    if (error.status === 403) {
      title = t("errors.page.forbidden");
      const need = (error.data as { need?: string })?.need;
      if (need)
        detail = t("errors.page.needRole", {
          roles: need
            .split("|")
            // A role name, or a relation to the object (a member of the panel, a party to the award…).
            .map((r) => t(`roles.${r}`, { defaultValue: "" }) || t(`errors.page.need.${r}`, { defaultValue: r }))
            .join(" / "),
        });
    } else if (error.status === 404) title = t("errors.page.notFound");
    else title = `${error.status} ${error.statusText}`;
  }
  return (
    <section className="card error-page" role="alert">
      <h1>{title}</h1>
      {detail && <p>{detail}</p>}
      <p>
        <a href="/">{t("errors.page.backHome")}</a>
      </p>
    </section>
  );
}
