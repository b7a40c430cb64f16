/** The one door from app code to the database layer. */
export type { Db, Database } from "../../db/client";
export * as schema from "../../db/schema";
export type {
  Org,
  Membership,
  MemberRole,
  OrgKind,
  User,
  Session,
  Passkey,
  AuditRow,
  Project,
  ProjectDecision,
  Tender,
  TenderQuestion,
  TenderAmendment,
  ProjectAgent,
  Notification,
} from "../../db/schema";

/** Rows of a raw `db.execute()` whatever the driver (postgres.js: an array; PGlite: { rows }). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** PostgreSQL error code of a driver error, if any (e.g. 23505 unique violation). */
export function pgErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
