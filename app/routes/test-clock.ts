import { notFound } from "~/utils/auth.server";
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "~/utils/zod.server";
import { appJobs } from "~/utils/bootstrap.server";
import { OffsetClock } from "~/utils/clock.server";
import { parseJson } from "~/utils/forms";
import { runJobOnce } from "~/utils/scheduler.server";

/**
 * End-to-end tests move time forward (a deadline that would be days away),
 * and run a scheduled job now instead of waiting for its interval ({ runJob }).
 * Exists only when the server was started with TEST_CLOCK=1; otherwise 404.
 */
/** Run one job now, set the clock to a moment (never back), or move it forward (in that order of precedence). */
const clockBodySchema = /* @__PURE__ */ z.lazy(() =>
  z.union([z.object({ runJob: z.string() }), z.object({ at: z.string().refine((v) => !Number.isNaN(Date.parse(v))) }), z.object({ advanceMs: z.number().positive() })]),
);

export async function action({ request, context }: ActionFunctionArgs) {
  if (!context.env.TEST_CLOCK || !(context.clock instanceof OffsetClock)) throw notFound();
  const parsed = await parseJson(request, clockBodySchema);
  if (!parsed.success) return Response.json({ error: "errors.invalidInput" }, { status: 400 });
  const body = parsed.data;
  if ("runJob" in body) {
    const job = appJobs(context.files).find((j) => j.name === body.runJob);
    if (!job) return Response.json({ error: "errors.invalidInput" }, { status: 400 });
    return Response.json({ ran: await runJobOnce(context.db, context.clock, job) });
  }
  if ("at" in body) context.clock.offsetMs = Math.max(context.clock.offsetMs, Date.parse(body.at) - Date.now());
  else context.clock.offsetMs += body.advanceMs;
  return Response.json({ now: context.clock.now().toISOString() });
}

export async function loader() {
  throw notFound();
}
