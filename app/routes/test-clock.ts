import { notFound } from "~/utils/auth.server";
import type { ActionFunctionArgs } from "@remix-run/node";
import { appJobs } from "~/utils/bootstrap.server";
import { OffsetClock } from "~/utils/clock.server";
import { runJobOnce } from "~/utils/scheduler.server";

/**
 * End-to-end tests move time forward (a deadline that would be days away),
 * and run a scheduled job now instead of waiting for its interval ({ runJob }).
 * Exists only when the server was started with TEST_CLOCK=1; otherwise 404.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  if (!context.env.TEST_CLOCK || !(context.clock instanceof OffsetClock)) throw notFound();
  const body = (await request.json().catch(() => null)) as { advanceMs?: unknown; at?: unknown; runJob?: unknown } | null;
  if (typeof body?.runJob === "string") {
    const job = appJobs(context.files).find((j) => j.name === body.runJob);
    if (!job) return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    return Response.json({ ran: await runJobOnce(context.db, context.clock, job) });
  }
  if (typeof body?.at === "string" && !Number.isNaN(Date.parse(body.at))) context.clock.offsetMs = Math.max(context.clock.offsetMs, Date.parse(body.at) - Date.now());
  else if (typeof body?.advanceMs === "number" && body.advanceMs > 0) context.clock.offsetMs += body.advanceMs;
  else return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  return Response.json({ now: context.clock.now().toISOString() });
}

export async function loader() {
  throw notFound();
}
