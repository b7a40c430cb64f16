/**
 * Defence against cross-site form posts: every unsafe request must come from
 * one of our own origins. Browsers send Origin on every POST (and
 * Sec-Fetch-Site on modern ones), so a forged form on another site is
 * refused here, before any action runs. Requests with neither header come
 * from non-browser clients, which cannot carry a victim's cookie anyway.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

export function checkSameOrigin(method: string, header: (name: string) => string | null | undefined, allowedOrigins: string[]): OriginVerdict {
  if (SAFE_METHODS.has(method.toUpperCase())) return { ok: true };
  const origin = header("origin");
  if (origin) {
    return allowedOrigins.includes(origin) ? { ok: true } : { ok: false, reason: `origin ${origin} not allowed` };
  }
  const site = header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return { ok: false, reason: `sec-fetch-site ${site}` };
  const referer = header("referer");
  if (referer) {
    let refOrigin: string;
    try {
      refOrigin = new URL(referer).origin;
    } catch {
      return { ok: false, reason: "bad referer" };
    }
    if (!allowedOrigins.includes(refOrigin)) return { ok: false, reason: `referer ${refOrigin} not allowed` };
  }
  return { ok: true };
}
