// Going back after sign-in, a language or a text-size switch (issue 18, finding 5): safeRedirect
// refused `//` and `/\` but let `/\t/evil.example` and `/\n/…` through — browsers drop tabs and
// newlines from a URL and go to evil.example — and the login page copied ?redirectTo= into its form.
// Every vector here must land on our own fallback, through each form that takes a redirect.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "~/demo/demo.server";
import * as passkeyLoginRoute from "~/routes/auth.passkey.login";
import * as loginRoute from "~/routes/login";
import * as setLocaleRoute from "~/routes/set-locale";
import * as setTextSizeRoute from "~/routes/set-text-size";
import { safeRedirect } from "~/utils/auth.server";
import { schema } from "~/utils/db.server";
import type { Database } from "../../db/client";
import { DEMO, get, makeContext, ORIGIN, post, run, unwrap } from "../helpers/app";
import { createTestDb } from "../helpers/db";
import { givePasskey } from "../helpers/evaluation";

/** Each of these would take a browser to another host (or to a script), or could be read differently by a proxy or a browser. */
const BAD_REDIRECTS = [
  "//evil.example",
  "//evil.example/path",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\n/evil.example",
  "/\t\t/evil.example",
  "\t//evil.example",
  "/\u000b/evil.example",
  "/\u000c/evil.example",
  "/\u0000/evil.example",
  "/\u001f/evil.example",
  "/\u007f/evil.example",
  " //evil.example",
  "/ /evil.example",
  "/\u00a0/evil.example",
  "/\u3000/evil.example",
  "/\u2028/evil.example",
  "/\ufeff/evil.example",
  "/%2F/evil.example",
  "/%2f%2fevil.example",
  "/%5C/evil.example",
  "/%5cevil.example",
  "/%09/evil.example",
  "/%0a/evil.example",
  "/%0D%0A/evil.example",
  "/%00/evil.example",
  "/%E0%A4%A",
  "/.//evil.example",
  "/..//evil.example",
  "/a/../..//evil.example",
  "https://evil.example",
  "http:evil.example",
  "http:/evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "",
  "/" + "a".repeat(3000),
];

const GOOD_REDIRECTS: [string, string][] = [
  ["/notices", "/notices"],
  ["/notices?state=open#list", "/notices?state=open#list"],
  ["/projects/00000000-0000-4000-8000-000000000000/edit", "/projects/00000000-0000-4000-8000-000000000000/edit"],
  ["/notices?q=%E9%9D%92%E5%B1%B1", "/notices?q=%E9%9D%92%E5%B1%B1"],
  ["/notices?q=青山", "/notices?q=%E9%9D%92%E5%B1%B1"],
  ["/a/./b/../c", "/a/c"],
];

describe("safeRedirect", () => {
  it("refuses every path a browser could take to another origin, or read differently from us", () => {
    for (const bad of BAD_REDIRECTS) expect(safeRedirect(bad, "/fallback"), JSON.stringify(bad)).toBe("/fallback");
    for (const bad of [null, undefined, new File(["/notices"], "x.txt")]) expect(safeRedirect(bad as never, "/fallback")).toBe("/fallback");
  });

  it("keeps a path on this site, as the browser would resolve it", () => {
    for (const [good, resolved] of GOOD_REDIRECTS) expect(safeRedirect(good, "/fallback"), good).toBe(resolved);
  });
});

let database: Database;
let ctx: ReturnType<typeof makeContext>;

beforeAll(async () => {
  database = await createTestDb();
  ctx = makeContext(database);
});
afterAll(() => database?.close());

/** Spread over addresses so the sign-in limits never get in the way of what is tested here. */
let n = 0;
const nextIp = () => `198.51.100.${(n++ % 250) + 1}`;

describe("the forms that take a redirect", () => {
  it("the login page does not echo a bad ?redirectTo into its form, and keeps a good one", async () => {
    for (const bad of BAD_REDIRECTS.filter((b) => b !== "")) {
      const page = unwrap(await run(loginRoute.loader, get(`/login?redirectTo=${encodeURIComponent(bad)}`), ctx));
      expect(page.data.redirectTo, JSON.stringify(bad)).toBe("");
    }
    expect(unwrap(await run(loginRoute.loader, get(`/login?redirectTo=${encodeURIComponent("/notices?state=open")}`), ctx)).data.redirectTo).toBe("/notices?state=open");
  });

  it("signing in with a password goes back only to a path on this site", async () => {
    for (const bad of ["/\t/evil.example", "/\n/evil.example", "/%2F/evil.example", "//evil.example", "/\\evil.example"]) {
      const res = (await run(loginRoute.action, post("/login", { phone: DEMO.contractor1, password: DEMO_PASSWORD, redirectTo: bad }), { ...ctx, ip: nextIp() })) as Response;
      expect(res.status, JSON.stringify(bad)).toBe(302);
      expect(res.headers.get("Location"), JSON.stringify(bad)).toBe("/dashboard");
    }
    const good = (await run(loginRoute.action, post("/login", { phone: DEMO.contractor1, password: DEMO_PASSWORD, redirectTo: "/notices" }), { ...ctx, ip: nextIp() })) as Response;
    expect(good.headers.get("Location")).toBe("/notices");
  });

  it("the language and text-size switches go back only to a path on this site", async () => {
    for (const route of [setLocaleRoute, setTextSizeRoute]) {
      const fields: Record<string, string> = route === setLocaleRoute ? { lng: "en" } : { size: "large" };
      for (const bad of BAD_REDIRECTS) {
        const res = (await run(route.action, post("/x", { ...fields, redirectTo: bad }), ctx)) as Response;
        expect(res.headers.get("Location"), JSON.stringify(bad)).toBe("/");
      }
      // An unknown value is refused the same way.
      const none = (await run(route.action, post("/x", { redirectTo: "/\t/evil.example" }), ctx)) as Response;
      expect(none.headers.get("Location")).toBe("/");
      const good = (await run(route.action, post("/x", { ...fields, redirectTo: "/notices?state=open" }), ctx)) as Response;
      expect(good.headers.get("Location")).toBe("/notices?state=open");
    }
  });

  it("signing in with a passkey answers only a path on this site to go to", async () => {
    const [user] = await database.db.select().from(schema.users).where(eq(schema.users.phone, DEMO.contractor2));
    const key = await givePasskey(database, ctx, user.id);
    const call = (body: unknown) =>
      run(
        passkeyLoginRoute.action,
        new Request(`${ORIGIN}/auth/passkey/login`, { method: "POST", headers: { "Content-Type": "application/json", Origin: ORIGIN }, body: JSON.stringify(body) }),
        { ...ctx, ip: nextIp() },
      ) as Promise<Response>;
    const signIn = async (redirectTo: string) => {
      const options = (await (await call({ step: "options" })).json()) as { options: { challenge: string } };
      const a = key.approve(Buffer.from(options.options.challenge, "base64url"));
      const response = {
        id: a.credentialId,
        rawId: a.credentialId,
        type: "public-key",
        clientExtensionResults: {},
        response: { clientDataJSON: a.clientDataJSON, authenticatorData: a.authenticatorData, signature: a.signature },
      };
      const res = await call({ step: "verify", response, redirectTo });
      expect(res.status).toBe(200);
      return ((await res.json()) as { redirectTo: string }).redirectTo;
    };
    for (const bad of ["/\t/evil.example", "/\n/evil.example", "/%5C/evil.example", "https://evil.example"]) expect(await signIn(bad), JSON.stringify(bad)).toBe("/dashboard");
    expect(await signIn("/notices")).toBe("/notices");
  });
});
