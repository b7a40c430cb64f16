import { customType, timestamp } from "drizzle-orm/pg-core";

/** Binary column. postgres.js hands back a Buffer, PGlite a Uint8Array: normalise to Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
  fromDriver(value) {
    return Buffer.from(value);
  },
  toDriver(value) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  },
});

/** Every instant is a timestamptz; values come from the application clock, never from now(). */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
