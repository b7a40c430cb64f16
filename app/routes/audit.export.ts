import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { exportRecords } from "~/models/archive.server";
import { DomainError } from "~/models/errors";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";

/**
 * Audit export for the audit office and discipline inspectors (审计, 纪委):
 * ?project=<id> or ?township=<id>. A sealed zip; the export itself is audited.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["supervisor", "county_admin"]);
  const q = new URL(request.url).searchParams;
  const project = q.get("project");
  const township = q.get("township");
  const scope = project ? { kind: "project" as const, projectId: project } : township ? { kind: "township" as const, townshipId: township } : null;
  if (!scope) throw new Response("project or township required", { status: 400 });
  let zip;
  try {
    zip = await exportRecords(context.db, {
      clock: context.clock,
      store: context.files,
      actor: { ...actorOf(request, context, auth), userId: auth.user.id },
      viewer: { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id },
      scope,
    });
  } catch (e) {
    if (e instanceof DomainError && e.options.status === 403) throw forbidden("supervisor|county_admin");
    if (e instanceof DomainError && e.options.status === 404) throw notFound();
    throw e;
  }
  return new Response(Readable.toWeb(context.files.get(zip.sha256)) as ReadableStream, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent("审计导出.zip")}`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
