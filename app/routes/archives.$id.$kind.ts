import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { archiveFor, recordArchiveDownload } from "~/models/archive.server";
import { actorOf, forbidden, requireRole, notFound } from "~/utils/auth.server";
import { inlineDisposition } from "~/utils/content-disposition";

/** Download a project's archive PDF or zip package; every download is recorded in the audit trail. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["county_admin", "supervisor", "committee"]);
  const kind = params.kind;
  if (kind !== "pdf" && kind !== "zip") throw notFound();
  const archive = await archiveFor(context.db, { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id }, params.id ?? "");
  if (!archive) throw forbidden("county_admin|supervisor|committee");
  await recordArchiveDownload(context.db, { clock: context.clock, actor: actorOf(request, context, auth), archive, what: kind });
  const sha = kind === "pdf" ? archive.pdfSha256 : archive.zipSha256;
  const name = kind === "pdf" ? "项目电子档案.pdf" : "项目电子档案.zip";
  return new Response(Readable.toWeb(context.files.get(sha)) as ReadableStream, {
    headers: {
      "Content-Type": kind === "pdf" ? "application/pdf" : "application/zip",
      "Content-Disposition": kind === "pdf" ? inlineDisposition(name) : inlineDisposition(name).replace(/^inline/, "attachment"),
      ETag: `"${sha}"`,
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
