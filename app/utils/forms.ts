import type { z } from "zod";
import { DomainError } from "~/models/errors";

/** A translation key, or a key with values to interpolate. */
export type ErrorMessage = string | { key: string; values?: Record<string, string | number> };

/** Field → message; "form" holds an error that belongs to no single field. */
export type FormErrors = Partial<Record<string, ErrorMessage>>;

export function zodErrors(error: z.ZodError): FormErrors {
  const errors: FormErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Turn a refusal from a model into form errors; anything else is a real failure and rethrown. */
export function domainErrors(e: unknown): FormErrors {
  if (e instanceof DomainError) return { [e.options.field ?? "form"]: e.options.values ? { key: e.key, values: e.options.values } : e.key };
  throw e;
}

/** The HTTP status for a refused action: the domain error's own (403, 409 …), else 400. */
export function errorStatus(e: unknown): number {
  return e instanceof DomainError ? (e.options.status ?? 400) : 400;
}
