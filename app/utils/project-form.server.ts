import type { AppLoadContext } from "@remix-run/node";
import { checkPdf } from "~/models/file-store.server";
import { getCountySettings } from "~/models/county-settings.server";
import { DECISION_STEPS, projectFormSchemaWith, type DecisionInput, type ProjectForm, type ProjectInput } from "~/models/project.server";
import { parseFormData, type FormErrors, type FormValues } from "./forms";
import { parseUploadForm } from "./uploads.server";

/** Everything typed, echoed back on an error so nothing is lost. */
export type Typed = FormValues;

/** Read the registration form: its text fields by one schema (project, per-step dates and votes, the button), and the PDFs (streamed into the file store). */
export async function readProjectForm(
  request: Request,
  context: AppLoadContext,
  countyId: string,
  /** The signed-in user: their finished resumable uploads may stand in for the form's files. */
  owner: string,
): Promise<{ ok: true; input: ProjectInput; decisions: DecisionInput[]; intent: ProjectForm["intent"]; typed: Typed } | { ok: false; errors: FormErrors; typed: Typed }> {
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
  // A file is evidence of a step held on a day: a file for a step left without one is refused.
  const schema = projectFormSchemaWith((v, ctx) => {
    for (const step of DECISION_STEPS) {
      const day = v[`${step}.day`];
      if (uploads.has(`${step}.file`) && (typeof day !== "string" || !day.trim())) ctx.addIssue({ code: "custom", path: [`${step}.day`], message: "errors.project.day" });
    }
  });
  const parsed = parseFormData(form, schema);
  const errors: FormErrors = { ...uploadErrors };
  if (!parsed.ok) for (const [k, v] of Object.entries(parsed.errors)) errors[k] ??= v;
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors, typed: parsed.values };
  const decisions: DecisionInput[] = parsed.data.decisions.map((d) => ({ ...d, file: uploads.get(`${d.step}.file`) }));
  return { ok: true, input: parsed.data.input, decisions, intent: parsed.data.intent, typed: parsed.values };
}
