import type { AppLoadContext } from "@remix-run/node";
import { checkPdf } from "~/models/file-store.server";
import { getCountySettings } from "~/models/county-settings.server";
import { DECISION_STEPS, parseDecisionFields, projectInputSchema, type DecisionInput, type ProjectInput } from "~/models/project.server";
import { zodErrors, type FormErrors } from "./forms";
import { parseUploadForm } from "./uploads.server";

export const PROJECT_TEXT_FIELDS = ["name", "type", "location", "scope", "estimate", "ceiling", "fundingSource", "durationDays", "method"] as const;

/** Everything typed, echoed back on an error so nothing is lost. */
export type Typed = Record<string, string>;

/** Read the registration form: text fields, per-step dates and votes, and the PDFs (streamed into the file store). */
export async function readProjectForm(
  request: Request,
  context: AppLoadContext,
  countyId: string,
  /** The signed-in user: their finished resumable uploads may stand in for the form's files. */
  owner: string,
): Promise<{ ok: true; input: ProjectInput; decisions: DecisionInput[]; intent: string; typed: Typed } | { ok: false; errors: FormErrors; typed: Typed }> {
  const settings = await getCountySettings(context.db, countyId);
  const {
    form,
    uploads,
    errors: uploadErrors,
  } = await parseUploadForm(request, context.files, {
    maxBytes: settings.uploadMaxMegabytes * 1024 * 1024,
    check: checkPdf,
    owner,
  });
  const typed: Typed = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") typed[k] = v;
  const errors: FormErrors = { ...uploadErrors };
  const parsed = projectInputSchema.safeParse(Object.fromEntries(PROJECT_TEXT_FIELDS.map((k) => [k, typed[k] ?? ""])));
  if (!parsed.success) Object.assign(errors, zodErrors(parsed.error));
  const steps = parseDecisionFields(form);
  if (!steps.ok) Object.assign(errors, steps.errors);
  const decisions: DecisionInput[] = steps.ok ? steps.value.map((d) => ({ ...d, file: uploads.get(`${d.step}.file`) })) : [];
  for (const step of DECISION_STEPS) {
    if (uploads.has(`${step}.file`) && !decisions.some((d) => d.step === step)) errors[`${step}.day`] ??= "errors.project.day";
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors, typed };
  return { ok: true, input: parsed.data, decisions, intent: typed.intent ?? "save", typed };
}
