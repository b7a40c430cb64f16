import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { getPublicNotice } from "~/models/tender.server";

/** A published tender's attachment: public, like the notice itself. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const n = await getPublicNotice(context.db, context.clock, params.id ?? "");
  const a = n?.attachments.find((x) => x.fileSha256 === params.sha);
  if (!n || !a) throw new Response("not found", { status: 404 });
  return new Response(Readable.toWeb(context.files.get(a.fileSha256)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent(a.fileName)}`,
      ETag: `"${a.fileSha256}"`,
      "Cache-Control": "public, max-age=86400, immutable",
    },
  });
}
