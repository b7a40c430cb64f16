import { describe, expect, it } from "vitest";
import { maskPhone, normalisePhone } from "~/utils/phone";

describe("China mobile numbers", () => {
  it("accepts the usual ways of writing one", () => {
    expect(normalisePhone("13800138000")).toBe("13800138000");
    expect(normalisePhone(" 138-0013-8000 ")).toBe("13800138000");
    expect(normalisePhone("+86 138 0013 8000")).toBe("13800138000");
    expect(normalisePhone("008613800138000")).toBe("13800138000");
    expect(normalisePhone("１３８００１３８０００")).toBe("13800138000");
  });

  it("refuses numbers that are not mainland mobiles", () => {
    for (const bad of ["", "1380013800", "138001380001", "12800138000", "23800138000", "0571-88888888", "1380013800a", "+1 4155550100"])
      expect(normalisePhone(bad), bad).toBeNull();
  });

  it("masks the middle four digits", () => {
    expect(maskPhone("13800138000")).toBe("138****8000");
  });
});
