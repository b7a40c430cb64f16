import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import type { Actor } from "~/models/audit.server";
import { KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS } from "~/models/known-device.server";
import { passkeyRequired } from "~/models/official-passkey.server";
import { resumeSession } from "~/models/session.server";
import { getUser, listMemberships, type MembershipWithOrg } from "~/models/user.server";
import type { MemberRole, Session, User } from "./db.server";
import { isLocalOrigin } from "./env.server";

export const SESSION_COOKIE = "cyz_session";

/** A cookie of the request (anything with its headers: a Request, or the direct upload path's headers). */
export function readCookie(request: { headers: Headers }, name: string): string | null {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    // A malformed %-escape is a cookie we did not set: treated as absent, never a server error.
    try {
      return decodeURIComponent(v.join("="));
    } catch {
      return null;
    }
  }
  return null;
}

export function sessionCookie(context: AppLoadContext, token: string, maxAgeDays: number): string {
  const secure = isLocalOrigin(context.env.PUBLIC_ORIGIN) ? "" : "; Secure";
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeDays * 86400}${secure}`;
}

export function clearSessionCookie(context: AppLoadContext): string {
  const secure = isLocalOrigin(context.env.PUBLIC_ORIGIN) ? "" : "; Secure";
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`;
}

/** The browser's known-device token (app/models/known-device.server.ts), set at a correct sign-in or a reset. */
export function knownDeviceCookie(context: AppLoadContext, token: string): string {
  const secure = isLocalOrigin(context.env.PUBLIC_ORIGIN) ? "" : "; Secure";
  return `${KNOWN_DEVICE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${KNOWN_DEVICE_DAYS * 86400}${secure}`;
}

export interface Auth {
  user: User;
  session: Session;
  memberships: MembershipWithOrg[];
  /** The role the session is acting as, if the user has any. */
  membership: MembershipWithOrg | null;
  /** An official who hosts or supervises openings and has no passkey yet (only the open paths below see this). */
  passkeyMissing: boolean;
}

/** Where an official without a passkey registers one before any other page. */
export const PASSKEY_SETUP_PATH = "/passkey-required";
/** All an official without a passkey may reach: the registration page and its endpoint, logout, and the language and text-size switches. */
const PASSKEY_GATE_OPEN: ReadonlySet<string> = new Set([PASSKEY_SETUP_PATH, "/auth/passkey/register", "/logout", "/set-locale", "/set-text-size"]);

/**
 * The signed-in user, or null. Never throws for a missing or stale cookie. An official who must
 * hold a passkey and has none (app/models/official-passkey.server.ts) is sent to register one from
 * every path but the few open ones: a thrown redirect, whatever the loader or action (ADR 0034).
 */
export async function getAuth(request: Request, context: AppLoadContext): Promise<Auth | null> {
  const token = readCookie(request, SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const session = await resumeSession(context.db, context.clock, token, context.env.SESSION_DAYS);
  if (!session) return null;
  const user = await getUser(context.db, session.userId);
  if (!user) return null;
  const memberships = await listMemberships(context.db, user.id);
  const membership = memberships.find((m) => m.id === session.membershipId) ?? null;
  const passkeyMissing = await passkeyRequired(
    context.db,
    user.id,
    memberships.map((m) => m.role),
  );
  if (passkeyMissing) {
    const url = new URL(request.url);
    if (!PASSKEY_GATE_OPEN.has(url.pathname)) {
      // Back to the page asked for once the passkey is registered (for a GET; a form post starts again).
      url.searchParams.delete("_data");
      const back = request.method === "GET" ? `?redirectTo=${encodeURIComponent(url.pathname + url.search)}` : "";
      throw redirect(PASSKEY_SETUP_PATH + back);
    }
  }
  return { user, session, memberships, membership, passkeyMissing };
}

/**
 * Only whose session this is (one query): for requests that need nothing but the user's id, such as
 * each piece of a resumable upload (a 2 MB sealed bid is five of them, at the busiest minute of a
 * tender). The same validity as getAuth: an unexpired session, renewed as it is used.
 */
export async function sessionUserId(request: { headers: Headers }, context: AppLoadContext): Promise<string | null> {
  const token = readCookie(request, SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const session = await resumeSession(context.db, context.clock, token, context.env.SESSION_DAYS);
  return session?.userId ?? null;
}

/** The signed-in user, or a redirect to the login page that comes back here. */
export async function requireAuth(request: Request, context: AppLoadContext): Promise<Auth> {
  const auth = await getAuth(request, context);
  if (!auth) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return auth;
}

/** A 403 that names what was missing; the root error boundary shows it translated. */
export function forbidden(need: string): Response {
  return Response.json({ code: "forbidden", need }, { status: 403 });
}

/** A 404: nothing here, or nothing this caller may know is here; the root error boundary shows it translated. */
export function notFound(): Response {
  return Response.json({ code: "notFound" }, { status: 404 });
}

export type RoleAuth = Auth & { membership: MembershipWithOrg };

/**
 * The signed-in user acting in one of the given roles, or a thrown 403.
 * Ownership (which county, township, village or company) is checked by the
 * caller against membership.org — usually inside the model's where clause.
 */
export async function requireRole(request: Request, context: AppLoadContext, roles: MemberRole[]): Promise<RoleAuth> {
  const auth = await requireAuth(request, context);
  if (!auth.membership || !roles.includes(auth.membership.role)) throw forbidden(roles.join("|"));
  return auth as RoleAuth;
}

/** Who is acting, for the audit trail. */
export function actorOf(request: Request, context: AppLoadContext, auth: Auth | null): Actor {
  return {
    userId: auth?.user.id ?? null,
    role: auth?.membership?.role ?? null,
    ip: context.ip,
    userAgent: request.headers.get("User-Agent"),
    deviceId: deviceIdOf(request),
  };
}

export const DEVICE_COOKIE = "cyz_device";

/** The device cookie server.mjs sets on a browser's first visit (random, two years). */
export function deviceIdOf(request: Request): string | null {
  const m = /(?:^|;\s*)cyz_device=([0-9a-f-]{36})(?:;|$)/.exec(request.headers.get("Cookie") ?? "");
  return m ? m[1] : null;
}

/**
 * A path on this site to go back to (after sign-in, a language or text-size switch); anything else
 * falls back. Refused: whatever a browser could resolve to another origin or read differently from
 * us — control characters or white space anywhere (browsers drop tab and newline, so `/\t/evil`
 * becomes `//evil`), backslashes (read as slashes), `//` or `/\\`, and their percent-encoded forms;
 * what is left must resolve, against a stand-in origin, to that same origin with the same path.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/dashboard"): string {
  if (typeof to !== "string" || to.length > 2000 || !to.startsWith("/") || to.startsWith("//")) return fallback;
  if (/[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\\]/.test(to)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(to);
  } catch {
    return fallback;
  }
  // An encoded slash, backslash or control character in the path may be decoded again by a proxy or the browser.
  if (decoded.startsWith("//") || /[\u0000-\u001f\u007f\\]/.test(decoded)) return fallback;
  const base = "http://x.invalid";
  let url: URL;
  try {
    url = new URL(to, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base || !url.pathname.startsWith("/") || url.pathname.startsWith("//")) return fallback;
  return url.pathname + url.search + url.hash;
}
