import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { canRead, getProject } from "~/models/project.server";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";

/** A decision document of a project, for whoever may read the project. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["committee", "supervisor", "county_admin"]);
  const project = await getProject(context.db, params.id ?? "");
  if (!project) throw notFound();
  if (!canRead(project, auth.membership.role, auth.membership.org.id)) throw forbidden("");
  const d = project.decisions.find((x) => x.step === params.step);
  if (!d) throw notFound();
  const body = Readable.toWeb(context.files.get(d.fileSha256)) as ReadableStream;
  return new Response(body, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(d.fileName)}`,
      "X-Content-Type-Options": "nosniff",
      ETag: `"${d.fileSha256}"`,
      "Cache-Control": "private, max-age=3600",
    },
  });
}
