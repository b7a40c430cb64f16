import { unstable_parseMultipartFormData } from "@remix-run/node";
import { DomainError } from "~/models/errors";
import type { FileStore, StoredFile } from "~/models/file-store.server";
import { finishedUpload } from "~/models/resumable-upload.server";

export interface Upload extends StoredFile {
  name: string;
}

const TEXT_LIMIT = 64 * 1024;
/** All text fields of one form together: the rest of the body may only be files (streamed to the store). */
const FORM_TEXT_LIMIT = 1024 * 1024;
/** A field `<name>__upload` names a finished resumable upload that stands for the file field `<name>`. */
export const RESUMABLE_SUFFIX = "__upload";

/**
 * Parse a multipart form, streaming each file straight into the file store
 * (never whole in memory). Files are known only from this server-side map —
 * a text field posing as an upload is just text. A refused file (too large,
 * not a PDF) becomes a field error; the other fields still arrive so nothing
 * the user typed is lost.
 *
 * With `owner`, a field `<name>__upload` holding the id of a finished
 * resumable upload of that user (app/routes/uploads.ts) counts as the file
 * `<name>`: its hash, size and name come from the server's record, and it
 * passes the same size limit and check as a file sent with the form.
 */
export async function parseUploadForm(
  request: Request,
  store: FileStore,
  opts: { maxBytes: number; check?: (head: Buffer) => string | null; owner?: string },
): Promise<{ form: FormData; uploads: Map<string, Upload>; errors: Record<string, string> }> {
  const uploads = new Map<string, Upload>();
  const errors: Record<string, string> = {};
  if (!(request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    const form = await request.formData();
    await takeResumable(form, store, opts, uploads, errors);
    return { form, uploads, errors };
  }
  let textLeft = FORM_TEXT_LIMIT;
  const form = await unstable_parseMultipartFormData(request, async (part) => {
    const it = part.data[Symbol.asyncIterator]();
    const drain = async () => {
      while (!(await it.next()).done) {
        /* discard */
      }
    };
    if (part.filename === undefined) {
      // Past the form's text budget a field is dropped, not kept: a body of countless small fields holds no memory.
      if (textLeft <= 0) {
        await drain();
        return null;
      }
      let text = "";
      for (let r = await it.next(); !r.done; r = await it.next()) {
        if (text.length < Math.min(TEXT_LIMIT, textLeft)) text += Buffer.from(r.value).toString("utf8");
      }
      text = text.slice(0, Math.min(TEXT_LIMIT, textLeft));
      textLeft -= text.length + part.name.length + 1;
      return text;
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
  }).catch((e: unknown) => {
    // A body that is not the multipart it says it is: the sender's error (400), never the server's.
    if (e instanceof Error && /^malformed multipart/.test(e.message)) throw new Response("malformed multipart body", { status: 400 });
    throw e;
  });
  await takeResumable(form, store, opts, uploads, errors);
  return { form, uploads, errors };
}

/** Turn `<name>__upload` fields into uploads (or field errors), and take them out of the form. */
async function takeResumable(
  form: FormData,
  store: FileStore,
  opts: { maxBytes: number; check?: (head: Buffer) => string | null; owner?: string },
  uploads: Map<string, Upload>,
  errors: Record<string, string>,
) {
  for (const key of [...new Set(form.keys())]) {
    if (!key.endsWith(RESUMABLE_SUFFIX)) continue;
    const name = key.slice(0, -RESUMABLE_SUFFIX.length);
    const id = form.get(key);
    form.delete(key);
    // A file sent with the form itself wins: the browser fell back to a plain upload for this field.
    if (!name || typeof id !== "string" || id === "" || uploads.has(name) || errors[name]) continue;
    const found = opts.owner ? await finishedUpload(store, id, opts.owner) : ({ ok: false, error: "errors.upload.unknown" } as const);
    if (!found.ok) {
      errors[name] = found.error;
      continue;
    }
    // The route's own rules apply here too: its limit and its check, on the stored bytes.
    if (found.upload.size > opts.maxBytes) {
      errors[name] = "errors.upload.tooLarge";
      continue;
    }
    let head: Buffer;
    try {
      head = await headOf(store, found.upload.sha256);
    } catch {
      errors[name] = "errors.upload.unknown";
      continue;
    }
    const problem = opts.check ? opts.check(head) : null;
    if (problem) {
      errors[name] = problem;
      continue;
    }
    uploads.set(name, found.upload);
  }
}

async function headOf(store: FileStore, sha256: string): Promise<Buffer> {
  const stream = store.get(sha256);
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      head = Buffer.concat([head, Buffer.from(chunk as Uint8Array)]);
      if (head.length >= 8) break;
    }
  } finally {
    stream.destroy();
  }
  return head.subarray(0, 8);
}
