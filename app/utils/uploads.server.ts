import { unstable_parseMultipartFormData } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import type { FileStore, StoredFile } from "~/models/file-store.server";

export interface Upload extends StoredFile {
  name: string;
}

const TEXT_LIMIT = 64 * 1024;

/**
 * Parse a multipart form, streaming each file straight into the file store
 * (never whole in memory). Files are known only from this server-side map —
 * a text field posing as an upload is just text. A refused file (too large,
 * not a PDF) becomes a field error; the other fields still arrive so nothing
 * the user typed is lost.
 */
export async function parseUploadForm(
  request: Request,
  store: FileStore,
  opts: { maxBytes: number; check?: (head: Buffer) => string | null },
): Promise<{ form: FormData; uploads: Map<string, Upload>; errors: Record<string, string> }> {
  const uploads = new Map<string, Upload>();
  const errors: Record<string, string> = {};
  if (!(request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    return { form: await request.formData(), uploads, errors };
  }
  const form = await unstable_parseMultipartFormData(request, async (part) => {
    const it = part.data[Symbol.asyncIterator]();
    const drain = async () => {
      while (!(await it.next()).done) {
        /* discard */
      }
    };
    if (part.filename === undefined) {
      let text = "";
      for (let r = await it.next(); !r.done; r = await it.next()) {
        if (text.length < TEXT_LIMIT) text += Buffer.from(r.value).toString("utf8");
      }
      return text.slice(0, TEXT_LIMIT);
    }
    if (part.filename === "") {
      await drain();
      return null;
    }
    // The store may stop reading early (too large, wrong type); keep the iterator alive so the rest is drained.
    const guarded: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => it.next(), return: async () => ({ done: true as const, value: undefined }) }),
    };
    try {
      const stored = await store.put(guarded, opts);
      uploads.set(part.name, { ...stored, name: part.filename.slice(-200) });
    } catch (e) {
      await drain();
      if (!(e instanceof DomainError)) throw e;
      errors[part.name] = e.key;
    }
    return null;
  });
  return { form, uploads, errors };
}
