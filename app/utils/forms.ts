import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "~/utils/zod.server";
import { DomainError } from "~/models/errors";

/** A translation key, or a key with values to interpolate. */
export type ErrorMessage = string | { key: string; values?: Record<string, string | number> };

/** Field → message; "form" holds an error that belongs to no single field. */
export type FormErrors = Partial<Record<string, ErrorMessage>>;

/** What the user typed (the text fields only), echoed back with a refusal so nothing is lost. */
export type FormValues = Record<string, string>;

/** One schema's reading of a form: the typed data, or the errors beside the fields. Both echo what was typed. */
export type FormParse<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FormErrors; values: FormValues };

export function zodErrors(error: z.ZodError): FormErrors {
  const errors: FormErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The text fields of a form (the first value of each name), as typed. */
export function formValues(form: FormData): FormValues {
  const values: FormValues = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && !(k in values)) values[k] = v;
  return values;
}

/**
 * A form as the plain object a schema reads: one value per name, and an array for a name sent more
 * than once (checkboxes). A field that may repeat is read with `formList`, which takes one value or none too.
 */
function formObject(form: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const object: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const [k, v] of form.entries()) {
    const had = object[k];
    object[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return object;
}

/** A field that may be sent any number of times (a group of checkboxes): always an array. */
export function formList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]), z.array(item));
}

/** Parse a form already read (a multipart form whose files went to the store) with one schema. */
export function parseFormData<S extends z.ZodType>(form: FormData, schema: S): FormParse<z.output<S>> {
  const values = formValues(form);
  const parsed = schema.safeParse(formObject(form));
  return parsed.success ? { ok: true, data: parsed.data, values } : { ok: false, errors: zodErrors(parsed.error), values };
}

/** Read the request's form and parse it with one schema: the only place a route's form fields are read. */
export async function parseForm<S extends z.ZodType>(request: Request, schema: S): Promise<FormParse<z.output<S>>> {
  return parseFormData(await request.formData(), schema);
}

/** Parse a JSON body with one schema; a body that is not JSON reads as null (and fails the schema). */
export async function parseJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.ZodSafeParseResult<z.output<S>>> {
  const body: unknown = await request.json().catch(() => null);
  return schema.safeParse(body);
}

/**
 * A model's refusal (a thrown DomainError) as the form's answer: its message beside its field (or
 * the whole form's), what was typed, and the error's own status (403, 404, 409 …; 400 if it names
 * none). Anything else is a real failure and rethrown.
 */
export function refusal(e: unknown, values: FormValues = {}): { errors: FormErrors; values: FormValues; status: number } {
  if (!(e instanceof DomainError)) throw e;
  const message: ErrorMessage = e.options.values ? { key: e.key, values: e.options.values } : e.key;
  return { errors: { [e.options.field ?? "form"]: message }, values, status: e.options.status ?? 400 };
}

/** A text field as a route reads it: what was typed, or "" when the field was not sent (the model judges the text). */
export const formText = /* @__PURE__ */ z.lazy(() => z.string("errors.invalidInput").default(""));

/** A passkey's answer to a challenge, as the browser sends it: an object the model verifies (SimpleWebAuthn checks its shape). */
export function passkeyResponse<T extends object>() {
  return z.custom<T>((v) => typeof v === "object" && v !== null && !Array.isArray(v), "errors.invalidInput");
}

/**
 * The body of a document-signing endpoint (the opening record, the evaluation report, the award notice):
 * first ask for the challenge (`options`), then send the passkey's answer to it (`verify`).
 */
export const signatureStepSchema = /* @__PURE__ */ z.lazy(() =>
  z.discriminatedUnion("step", [
    z.object({ step: z.literal("options") }),
    z.object({ step: z.literal("verify"), requestId: z.unknown().optional(), response: passkeyResponse<AuthenticationResponseJSON>() }),
  ]),
);
