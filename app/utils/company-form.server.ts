import type { AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import { DEFAULT_COUNTY_SETTINGS } from "~/models/county-settings";
import { getCountySettings } from "~/models/county-settings.server";
import { checkPdf } from "~/models/file-store.server";
import { parseFormData, type FormErrors, type FormParse } from "./forms";
import { parseUploadForm, type Upload } from "./uploads.server";

/**
 * A company form: PDFs streamed into the file store, then the text fields parsed by one schema (which
 * may depend on which files came, e.g. a manager's certificate makes the manager's fields required).
 * `errors` holds the upload refusals and, after them, the schema's, so a long form shows every error at once.
 */
export async function readCompanyForm<S extends z.ZodType>(
  request: Request,
  context: AppLoadContext,
  opts: { countyId: string | null; owner?: string },
  schema: (uploads: ReadonlyMap<string, Upload>) => S,
): Promise<{ parsed: FormParse<z.output<S>>; uploads: Map<string, Upload>; errors: FormErrors }> {
  const settings = opts.countyId ? await getCountySettings(context.db, opts.countyId) : DEFAULT_COUNTY_SETTINGS;
  const {
    form,
    uploads,
    errors: uploadErrors,
  } = await parseUploadForm(request, context.files, {
    maxBytes: settings.uploadMaxMegabytes * 1024 * 1024,
    check: checkPdf,
    owner: opts.owner,
  });
  const parsed = parseFormData(form, schema(uploads));
  const errors: FormErrors = { ...uploadErrors };
  if (!parsed.ok) for (const [k, v] of Object.entries(parsed.errors)) errors[k] ??= v;
  return { parsed, uploads, errors };
}
