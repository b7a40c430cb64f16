import type { ActionFunctionArgs } from "@remix-run/node";
import { OffsetClock } from "~/utils/clock.server";

/**
 * End-to-end tests move time forward (a deadline that would be days away).
 * Exists only when the server was started with TEST_CLOCK=1; otherwise 404.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  if (!context.env.TEST_CLOCK || !(context.clock instanceof OffsetClock)) throw new Response("not found", { status: 404 });
  const body = (await request.json().catch(() => null)) as { advanceMs?: unknown; at?: unknown } | null;
  if (typeof body?.at === "string" && !Number.isNaN(Date.parse(body.at))) context.clock.offsetMs = Math.max(context.clock.offsetMs, Date.parse(body.at) - Date.now());
  else if (typeof body?.advanceMs === "number" && body.advanceMs > 0) context.clock.offsetMs += body.advanceMs;
  else return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  return Response.json({ now: context.clock.now().toISOString() });
}

export async function loader() {
  throw new Response("not found", { status: 404 });
}
