import { notFound } from "~/utils/auth.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { publishedAwardNotice } from "~/models/award.server";

/** The signed award notice (中标通知书), public once the committee has signed it. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const notice = await publishedAwardNotice(context.db, params.id ?? "");
  if (!notice) throw notFound();
  return new Response(Readable.toWeb(context.files.get(notice.sha256)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent("中标通知书.pdf")}`,
      ETag: `"${notice.sha256}"`,
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
