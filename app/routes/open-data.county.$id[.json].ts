import { notFound } from "~/utils/auth.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { countyRecordPackage } from "~/models/ocds.server";

/**
 * A county's OCDS record package feed (public, no login), paged:
 * ?page=2&pageSize=50&since=2026-11-01T00:00:00Z — `links.next` gives the next page.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams;
  const number = (name: string) => {
    const v = q.get(name);
    if (v === null) return undefined;
    if (!/^\d{1,6}$/.test(v)) throw new Response(`${name} must be a positive whole number`, { status: 400 });
    return Number(v);
  };
  const sinceText = q.get("since");
  const since = sinceText ? new Date(sinceText) : undefined;
  if (since && Number.isNaN(since.getTime())) throw new Response("since must be an ISO 8601 date-time", { status: 400 });
  const pkg = await countyRecordPackage(context.db, {
    clock: context.clock,
    countyId: params.id ?? "",
    origin: context.env.PUBLIC_ORIGIN,
    query: {
      since,
      page: number("page"),
      pageSize: number("pageSize"),
      prefix: context.env.OCDS_PREFIX,
    },
  });
  if (!pkg) throw notFound();
  return new Response(JSON.stringify(pkg), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "public, max-age=300",
      "Access-Control-Allow-Origin": "*",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
