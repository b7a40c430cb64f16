import type { LoaderFunctionArgs } from "@remix-run/node";
import { hallEventsAfter, hallHub, type HallEventRow } from "~/models/hall-events.server";
import { requireHall } from "~/utils/hall.server";
import { hallStreams } from "~/utils/stream-limits.server";

const KEEPALIVE_MS = 15_000;

/**
 * The opening hall's live sequence as server-sent events. A client that
 * reconnects sends Last-Event-ID (EventSource does it by itself) and gets
 * every event it missed, from the database, before the live ones.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, tenderId } = await requireHall(request, context, params.id ?? "");
  // A few streams per session, more per address (utils/stream-limits.server.ts); the place is given back when the stream ends.
  const release = hallStreams.acquire(auth.session.id, context.ip);
  if (!release) return Response.json({ error: "errors.opening.tooManyStreams" }, { status: 429, headers: { "Retry-After": "10", "Cache-Control": "no-store" } });
  const url = new URL(request.url);
  const from = Number(request.headers.get("Last-Event-ID") ?? url.searchParams.get("lastEventId") ?? 0);
  let last = Number.isSafeInteger(from) && from > 0 ? from : 0;
  const encoder = new TextEncoder();
  // A client may hang up while the subscription is still being set up: remembered here, acted on once it is.
  let cancelled = false;
  let stop = () => {
    cancelled = true;
    release();
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      let running: Promise<void> = Promise.resolve();
      const write = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          closed = true; // the stream was closed under us
        }
      };
      // In order, from the last id sent: nothing twice, nothing skipped.
      const send = (events: HallEventRow[]) => {
        for (const e of events) {
          if (e.id <= last) continue;
          write(`id: ${e.id}\nevent: hall\ndata: ${JSON.stringify({ id: e.id, at: e.at.toISOString(), kind: e.kind, payload: e.payload })}\n\n`);
          last = e.id;
        }
      };
      write("retry: 3000\n\n");
      // Subscribe first, then replay what was missed; live batches that come before the replay is done wait for it.
      // An event in both arrives twice and is sent once.
      let replayed = false;
      const early: HallEventRow[][] = [];
      let unsubscribe: () => void;
      try {
        unsubscribe = await hallHub(context.database).subscribe(tenderId, (events) => {
          if (!replayed) early.push(events);
          else running = running.then(() => send(events));
        });
      } catch (e) {
        release();
        throw e;
      }
      if (cancelled || request.signal.aborted) {
        closed = true;
        unsubscribe();
        release();
        return;
      }
      running = running
        .then(async () => send(await hallEventsAfter(context.db, tenderId, last)))
        .catch(() => write(": retry\n\n"))
        .finally(() => {
          replayed = true;
          for (const batch of early.splice(0)) send(batch);
        });
      const ping = setInterval(() => write(": ping\n\n"), KEEPALIVE_MS);
      stop = () => {
        release();
        if (closed) return;
        closed = true;
        clearInterval(ping);
        unsubscribe();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      request.signal.addEventListener("abort", stop, { once: true });
    },
    cancel() {
      cancelled = true;
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: compression and proxies must pass events through as they come.
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    },
  });
}
