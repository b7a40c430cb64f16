/**
 * Officials who host openings or supervise them must hold a passkey (issue 18, ADR 0034): a rival
 * who knows an official's number can pause that official's password sign-in from devices it has
 * not used before, but never a passkey. The village side hosts (its committee, or the agent it
 * appoints — any agent may be appointed on the next project), the township supervisor and the
 * county administrator watch. Until such a person has registered one, every page sends them to
 * register it first (app/utils/auth.server.ts).
 */
import { eq } from "drizzle-orm";
import { schema, type Db, type MemberRole } from "~/utils/db.server";

export const PASSKEY_ROLES: readonly MemberRole[] = ["committee", "agent", "supervisor", "county_admin"];

/** Whether this person, holding these roles, still has to register a passkey. */
export async function passkeyRequired(db: Db, userId: string, roles: readonly MemberRole[]): Promise<boolean> {
  if (!roles.some((r) => PASSKEY_ROLES.includes(r))) return false;
  const [held] = await db.select({ id: schema.passkeys.id }).from(schema.passkeys).where(eq(schema.passkeys.userId, userId)).limit(1);
  return !held;
}
