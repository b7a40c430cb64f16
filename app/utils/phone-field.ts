import { z } from "~/utils/zod.server";
import { normalisePhone } from "./phone";

/** A form's mobile-number field: required and normalised; its refusals are translation keys. */
export const phoneField = /* @__PURE__ */ z.lazy(() =>
  z
    .string({ message: "errors.phoneRequired" })
    .trim()
    .min(1, "errors.phoneRequired")
    .transform((v, ctx) => {
      const phone = normalisePhone(v);
      if (!phone) {
        ctx.addIssue({ code: "custom", message: "errors.phoneInvalid" });
        return z.NEVER;
      }
      return phone;
    }),
);
