import { z } from "zod";

const boolish = z.enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" }).transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
    PORT: z.coerce.number({ message: "must be a number" }).int().min(1).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
    DATA_DIR: z.string().min(1).default("./data/pglite"),
    FILES_DIR: z.string().min(1).default("./data/files"),
    /** Where uploaded files live: a local folder (FILES_DIR) or S3-compatible object storage. */
    FILES_BACKEND: z.enum(["local", "s3"], { message: "must be local or s3" }).default("local"),
    S3_ENDPOINT: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "must be a URL such as https://oss-cn-hangzhou.aliyuncs.com or http://127.0.0.1:9000")
      .optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a bucket name: 3 to 63 lower-case letters, digits, dots or hyphens")
      .optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: boolish.default(true),
    PUBLIC_ORIGIN: z.string().url("must be a URL such as https://cyz.example.gov.cn").optional(),
    /** The county's OCDS ocid prefix, registered with the OCDS Data Support Team; the default is a test prefix (app/models/ocds.server.ts). */
    OCDS_PREFIX: z
      .string()
      .regex(/^ocds-[a-z0-9]{6}$/, "must be an OCDS prefix such as ocds-a1b2c3")
      .default("ocds-cyz000"),
    SEED_DEMO: boolish.optional(),
    /** With the demo county, its projects in every stage (a fresh database only; about 20 s on first start). */
    DEMO_PROJECTS: boolish.optional(),
    SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    /** Encrypts the platform CA, TSA and signer keys in the database. Without it a random one is kept in KEYS_DIR. */
    PLATFORM_KEY_PASSPHRASE: z.string().min(16, "must be at least 16 characters").optional(),
    KEYS_DIR: z.string().min(1).default("./data/keys"),
    TRUST_PROXY: z.string().default("loopback"),
    /** Messages out of the app (app/models/transports.server.ts). E-mail: smtp://user:password@host:587 or smtps://…:465. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/\S+$/, "must be a URL such as smtps://user:password@smtp.example.gov.cn:465")
      .optional(),
    MAIL_FROM: z.string().min(3).default("村易招 <noreply@localhost>"),
    /** SMS: the provider's HTTP interface (JSON POST {phone, sign, text}). */
    SMS_URL: z.string().url("must be a URL such as https://sms.example.com/send").optional(),
    SMS_TOKEN: z.string().optional(),
    SMS_SIGN: z.string().min(2).max(12).default("村易招"),
    /** WeChat template messages through the county's official account. */
    WECHAT_API_BASE: z.string().url("must be a URL").default("https://api.weixin.qq.com"),
    WECHAT_APP_ID: z.string().optional(),
    WECHAT_APP_SECRET: z.string().optional(),
    WECHAT_TEMPLATE_ID: z.string().optional(),
    /**
     * Keep messages instead of sending them, each shown only to its own recipient (development and
     * the demo only; a local origin only, and only while no real transport is configured).
     */
    DEV_MAILBOX: boolish.optional(),
    /** End-to-end tests only: a clock the tests can move forward (POST /test-clock). A local origin only. */
    TEST_CLOCK: boolish.optional(),
  })
  .superRefine((e, ctx) => {
    // Switches that hand out codes or move the clock exist for a developer's own machine: never on an address others reach.
    const origin = e.PUBLIC_ORIGIN ?? `http://localhost:${e.PORT}`;
    for (const key of ["DEV_MAILBOX", "TEST_CLOCK"] as const) {
      if (e[key] && !isLocalOrigin(origin)) ctx.addIssue({ code: "custom", path: [key], message: `only on a local origin (localhost, 127.0.0.1 or ::1), not ${origin}` });
    }
    if (e.FILES_BACKEND !== "s3") return;
    for (const key of ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
      if (!e[key]) ctx.addIssue({ code: "custom", path: [key], message: "required when FILES_BACKEND=s3" });
    }
  })
  .transform((e) => {
    const publicOrigin = new URL(e.PUBLIC_ORIGIN ?? `http://localhost:${e.PORT}`).origin;
    const local = isLocalOrigin(publicOrigin);
    return {
      ...e,
      PUBLIC_ORIGIN: publicOrigin,
      /** Passkeys are bound to this host name. */
      RP_ID: new URL(publicOrigin).hostname,
      /** The embedded database is seeded with the demo county unless told otherwise; a real server is not. */
      SEED_DEMO: e.SEED_DEMO ?? !e.DATABASE_URL,
      DEMO_PROJECTS: e.DEMO_PROJECTS ?? e.SEED_DEMO ?? !e.DATABASE_URL,
      /** The demo county on a developer's machine has its development mailbox, so "forgot password" and reminders can be tried. */
      DEV_MAILBOX: e.DEV_MAILBOX ?? (local && (e.SEED_DEMO ?? !e.DATABASE_URL)),
      TEST_CLOCK: e.TEST_CLOCK ?? false,
    };
  });

export type Env = z.output<typeof envSchema>;

export class EnvError extends Error {}

/** Parse and validate the environment once at start-up; a wrong value stops the server with a clear message. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`环境变量配置错误 / Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** A developer's own machine: the origin's host is localhost, 127.0.0.1 or ::1 (an unparsable origin is not local). */
export function isLocalOrigin(origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}
