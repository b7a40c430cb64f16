import type { LoaderFunctionArgs } from "@remix-run/node";
import { dashboardCsv, parseDashboardFilter, supervisionScope } from "~/models/dashboard.server";
import { DomainError } from "~/models/errors";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";
import { attachmentDisposition } from "~/utils/content-disposition";
import { getT, localeFromCookieHeader } from "~/utils/i18n";

/**
 * The supervision dashboard as a CSV file for Excel (/supervision/export.csv):
 * the same scope and filters as the page, one row per township, headers in the
 * reader's language.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const scope = supervisionScope(auth.membership.role, auth.membership.org);
  if (!scope) throw forbidden("supervisor|county_admin");
  const t = getT(localeFromCookieHeader(request.headers.get("Cookie")));
  const filter = parseDashboardFilter(new URL(request.url).searchParams);
  let out;
  try {
    out = await dashboardCsv(context.db, { clock: context.clock, scope, filter, t });
  } catch (e) {
    if (e instanceof DomainError && e.options.status === 404) throw notFound();
    if (e instanceof DomainError && e.options.status === 403) throw forbidden("supervisor|county_admin");
    throw e;
  }
  const { csv, dashboard } = out;
  const place = dashboard.filter.townshipId ? (dashboard.townships[0]?.name ?? auth.membership.org.name) : auth.membership.org.name;
  const name = t("supervision.csv.fileName", { scope: place, year: dashboard.filter.year ?? t("supervision.csv.allYears") });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": attachmentDisposition(`${name}.csv`),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
