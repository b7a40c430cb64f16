import { describe, expect, it } from "vitest";
import { readCookie } from "~/utils/auth.server";

const req = (cookie: string) => ({ headers: new Headers({ Cookie: cookie }) });

describe("readCookie", () => {
  it("reads a cookie by name and decodes its %-escapes", () => {
    expect(readCookie(req("a=1; cyz_session=ab%2Bcd; b=2"), "cyz_session")).toBe("ab+cd");
    expect(readCookie(req("a=1"), "cyz_session")).toBeNull();
  });

  it("treats a cookie with a malformed %-escape as absent instead of failing the request, and still reads the others", () => {
    expect(readCookie(req("cyz_session=%E0%A4%A; lang=en"), "cyz_session")).toBeNull();
    expect(readCookie(req("cyz_session=%E0%A4%A; lang=en"), "lang")).toBe("en");
  });
});
