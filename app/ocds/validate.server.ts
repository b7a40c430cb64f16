/**
 * Validation of the platform's OCDS output against the official schemas
 * shipped in ./schema (see its README). The schemas are JSON Schema draft-04,
 * hence Ajv's draft-04 class. Extensions are merged into the core release
 * schema here, at first use, by JSON Merge Patch (RFC 7386) — the OCDS
 * extension rule — and every schema is registered under its official `id`,
 * so the package schemas' absolute `$ref`s resolve without any network.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";
import addFormats from "ajv-formats";
import recordPackageSchema from "./schema/record-package-schema.json";
import releasePackageSchema from "./schema/release-package-schema.json";
import releaseSchema from "./schema/release-schema.json";
import versionedReleaseSchema from "./schema/versioned-release-validation-schema.json";
import bidsPatch from "./schema/bids-extension/release-schema.json";
import completionPatch from "./schema/contract-completion-extension/release-schema.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge key by key, `null` removes a key, anything else (arrays included) replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The extensions applied to the core release schema, in order. */
const RELEASE_PATCHES = [bidsPatch, completionPatch] as unknown as Json[];

/** The core release schema with every shipped extension merged in (a fresh copy; the imports are never changed). */
export function mergedReleaseSchema(): Record<string, Json> {
  return RELEASE_PATCHES.reduce<Json>((schema, patch) => mergePatch(schema, patch), structuredClone(releaseSchema) as unknown as Json) as Record<string, Json>;
}

export type OcdsKind = "release" | "releasePackage" | "recordPackage";

let validators: Record<OcdsKind, ValidateFunction> | null = null;

function compile(): Record<OcdsKind, ValidateFunction> {
  // strict: false — the OCDS schemas carry their own annotations (codelist, openCodelist, deprecated, wholeListMerge…).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv, ["date-time", "uri"]);
  const release = mergedReleaseSchema();
  ajv.addSchema(release as object);
  ajv.addSchema(versionedReleaseSchema as object);
  return {
    release: ajv.getSchema(String(release.id))!,
    releasePackage: ajv.compile(releasePackageSchema as object),
    recordPackage: ajv.compile(recordPackageSchema as object),
  };
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || "/";
  const p = e.params as Record<string, unknown>;
  const detail = Array.isArray(p.allowedValues) ? ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(", ")})` : "";
  return `${where}: ${e.message ?? e.keyword}${detail}`;
}

/**
 * Check a release, a release package or a record package against the
 * official OCDS 1.1.5 schemas (with the shipped extensions). Errors come back
 * as readable lines: "<JSON pointer>: <what is wrong>".
 */
export function validateOcds(kind: OcdsKind, json: unknown): { valid: boolean; errors: string[] } {
  validators ??= compile();
  const validate = validators[kind];
  const valid = validate(json) as boolean;
  return { valid, errors: valid ? [] : [...new Set((validate.errors ?? []).map(describe))] };
}
