import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Readable } from "node:stream";
import { authorizeDownload } from "~/models/tender-qa.server";
import { actorOf, forbidden, getAuth, notFound } from "~/utils/auth.server";

/**
 * A tender's documents (the generated 招标文件 PDF and the attachments). The
 * notice is public; downloading needs a login (DOMAIN.md step 5) — for a
 * contractor also 报名 where the county requires it — and the first download
 * is recorded, sealed, so that amendments reach the company.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await getAuth(request, context);
  const who = auth?.membership ? { role: auth.membership.role, orgId: auth.membership.org.id } : null;
  const tenderId = params.id ?? "";
  const verdict = await authorizeDownload(context.db, { clock: context.clock, actor: actorOf(request, context, auth), who, tenderId, sha256: params.sha ?? "" });
  if (!verdict.ok) {
    if (verdict.reason === "notFound") throw notFound();
    if (verdict.reason === "login") throw redirect(`/login?redirectTo=${encodeURIComponent(new URL(request.url).pathname)}`);
    if (verdict.reason === "register") throw redirect(`/notices/${tenderId}?needRegister=1#access`);
    throw forbidden("contractor");
  }
  return new Response(Readable.toWeb(context.files.get(params.sha!)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(verdict.fileName)}`,
      ETag: `"${params.sha}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
