import { notFound } from "~/utils/auth.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import { publishedRecord } from "~/models/opening-record.server";

/** The signed opening record (开标记录), public once the host has signed it. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const record = await publishedRecord(context.db, params.id ?? "");
  if (!record) throw notFound();
  return new Response(Readable.toWeb(context.files.get(record.sha256)) as ReadableStream, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename*=UTF-8''${encodeURIComponent("开标记录.pdf")}`,
      ETag: `"${record.sha256}"`,
      "Cache-Control": "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
