import type { AppLoadContext } from "@remix-run/node";
import { hallRole, type HallRole } from "~/models/opening.server";
import { getPublicNotice } from "~/models/tender.server";
import { forbidden, requireRole, type RoleAuth } from "./auth.server";

/**
 * Who may be in a tender's opening hall: its host (the village's committee or
 * appointed agent), a company with a bid on it, the township's supervisor or
 * the county administrator. Anyone else is refused; anonymous goes to log in.
 */
export async function requireHall(
  request: Request,
  context: AppLoadContext,
  tenderId: string,
): Promise<{ auth: RoleAuth; role: HallRole; tenderId: string; notice: NonNullable<Awaited<ReturnType<typeof getPublicNotice>>> }> {
  const auth = await requireRole(request, context, ["committee", "agent", "contractor", "supervisor", "county_admin"]);
  const notice = await getPublicNotice(context.db, context.clock, tenderId);
  if (!notice) throw new Response("not found", { status: 404 });
  const role = await hallRole(context.db, notice.project, { role: auth.membership.role, orgId: auth.membership.org.id }, notice.tender.id);
  if (!role) throw forbidden("hall");
  return { auth, role, tenderId: notice.tender.id, notice };
}
