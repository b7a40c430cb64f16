import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { bidsUnderEvaluation, evaluationRole } from "~/models/evaluation.server";
import { getPublicNotice } from "~/models/tender.server";
import { forbidden, requireRole, notFound } from "~/utils/auth.server";
import { inlineDisposition } from "~/utils/content-disposition";

/**
 * A file the panel evaluates: an opened bid's PDF (decrypted at the opening),
 * or the tender's own document and attachments (which the notice's download
 * route does not serve to experts). Members, the host and the supervisors only.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireRole(request, context, ["expert", "committee", "agent", "supervisor", "county_admin"]);
  const tenderId = params.id ?? "";
  const sha = params.sha ?? "";
  const seen = await evaluationRole(context.db, tenderId, { userId: auth.user.id, role: auth.membership.role, orgId: auth.membership.org.id });
  if (!seen) throw forbidden("evaluation");
  if (!/^[0-9a-f]{64}$/.test(sha)) throw notFound();
  const fileName = await nameOf(context, tenderId, sha, seen.tender.documentPdfSha256 === sha ? `招标文件-${seen.project.name}.pdf` : null);
  if (!fileName || !(await context.files.has(sha))) throw notFound();
  return new Response(Readable.toWeb(context.files.get(sha)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": inlineDisposition(fileName),
      ETag: `"${sha}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

async function nameOf(context: LoaderFunctionArgs["context"], tenderId: string, sha: string, documentName: string | null) {
  if (documentName) return documentName;
  const bidFile = (await bidsUnderEvaluation(context.db, tenderId)).flatMap((b) => b.files).find((f) => f.sha256 === sha);
  if (bidFile) return bidFile.name;
  const notice = await getPublicNotice(context.db, context.clock, tenderId);
  return notice?.attachments.find((a) => a.fileSha256 === sha)?.fileName ?? null;
}
