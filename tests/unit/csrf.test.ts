import { describe, expect, it } from "vitest";
import { checkSameOrigin } from "~/utils/csrf.server";

const allowed = ["https://cyz.example.gov.cn"];
const headers = (h: Record<string, string>) => (name: string) => h[name.toLowerCase()] ?? null;

describe("cross-site form posts", () => {
  it("lets safe methods through", () => {
    expect(checkSameOrigin("GET", headers({ origin: "https://evil.example" }), allowed).ok).toBe(true);
  });
  it("accepts a post from our own origin", () => {
    expect(checkSameOrigin("POST", headers({ origin: "https://cyz.example.gov.cn" }), allowed).ok).toBe(true);
  });
  it("refuses a post from another origin", () => {
    expect(checkSameOrigin("POST", headers({ origin: "https://evil.example" }), allowed).ok).toBe(false);
    expect(checkSameOrigin("DELETE", headers({ origin: "null" }), allowed).ok).toBe(false);
  });
  it("falls back to Sec-Fetch-Site and Referer when Origin is missing", () => {
    expect(checkSameOrigin("POST", headers({ "sec-fetch-site": "cross-site" }), allowed).ok).toBe(false);
    expect(checkSameOrigin("POST", headers({ referer: "https://evil.example/form" }), allowed).ok).toBe(false);
    expect(checkSameOrigin("POST", headers({ referer: "https://cyz.example.gov.cn/login" }), allowed).ok).toBe(true);
  });
});
