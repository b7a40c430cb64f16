import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { evaluationView } from "~/models/evaluation.server";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";
import { inlineDisposition } from "~/utils/content-disposition";

/**
 * The evaluation report's current revision (each member's signature is an
 * incremental update): for the panel, the host and the supervisors only —
 * the public sees the candidates in the publicity, not the report.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["expert", "committee", "agent", "supervisor", "county_admin"]);
  const v = await evaluationView(context.db, context.clock, params.id ?? "", { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id });
  if (!v) throw forbidden("evaluation");
  const sha = v.evaluation?.reportPdfSha256;
  if (!sha || !(await context.files.has(sha))) throw notFound();
  return new Response(Readable.toWeb(context.files.get(sha)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": inlineDisposition(`评标报告-${v.project.name}.pdf`),
      ETag: `"${sha}"`,
      // A new signature makes a new revision: never serve an old one from a cache.
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
