import type { AppLoadContext } from "@remix-run/node";
import { DEFAULT_COUNTY_SETTINGS } from "~/models/county-settings";
import { getCountySettings } from "~/models/county-settings.server";
import { checkPdf } from "~/models/file-store.server";
import { zodErrors, type FormErrors } from "./forms";
import { parseUploadForm, type Upload } from "./uploads.server";

/** A company form: text fields echoed back, PDFs streamed into the file store, upload refusals as field errors. */
export async function readCompanyForm(
  request: Request,
  context: AppLoadContext,
  opts: { countyId: string | null; owner?: string },
): Promise<{ typed: Record<string, string>; uploads: Map<string, Upload>; errors: FormErrors }> {
  const settings = opts.countyId ? await getCountySettings(context.db, opts.countyId) : DEFAULT_COUNTY_SETTINGS;
  const { form, uploads, errors } = await parseUploadForm(request, context.files, {
    maxBytes: settings.uploadMaxMegabytes * 1024 * 1024,
    check: checkPdf,
    owner: opts.owner,
  });
  const typed: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") typed[k] = v;
  return { typed, uploads, errors: { ...errors } };
}

/** Collect every field's first error from several schemas at once, so a long form shows them all. */
export function collectErrors(errors: FormErrors, ...results: { success: boolean; error?: unknown }[]): FormErrors {
  for (const r of results) if (!r.success) for (const [k, v] of Object.entries(zodErrors(r.error as never))) errors[k] ??= v;
  return errors;
}
