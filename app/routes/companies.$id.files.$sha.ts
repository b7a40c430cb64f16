import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { canReadCompany, companyFile } from "~/models/company.server";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";

/** A qualification or project-manager scan: for the company itself, the supervisors it applied to, its county's administrator. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["contractor", "supervisor", "county_admin"]);
  const companyId = params.id ?? "";
  const org = auth.membership.org;
  if (!/^[0-9a-f-]{36}$/.test(companyId) || !(await canReadCompany(context.db, { companyId, role: auth.membership.role, orgId: org.id, orgCountyId: org.countyId })))
    throw forbidden("");
  const name = await companyFile(context.db, companyId, params.sha ?? "");
  if (!name) throw notFound();
  const body = Readable.toWeb(context.files.get(params.sha!)) as ReadableStream;
  return new Response(body, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(name)}`,
      "X-Content-Type-Options": "nosniff",
      ETag: `"${params.sha}"`,
      "Cache-Control": "private, max-age=3600",
    },
  });
}
