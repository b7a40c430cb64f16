import { notFound } from "~/utils/auth.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { projectReleasePackage } from "~/models/ocds.server";

/** A project's OCDS release package (public, no login): 404 until its tender notice is published. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const pkg = await projectReleasePackage(context.db, {
    clock: context.clock,
    projectId: params.id ?? "",
    origin: context.env.PUBLIC_ORIGIN,
    opts: { prefix: context.env.OCDS_PREFIX },
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
