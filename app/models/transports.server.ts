/**
 * The ways a message leaves the platform (issue 9), one interface, one transport per channel:
 * - e-mail through SMTP (nodemailer), SMTP_URL;
 * - SMS through the county's provider's HTTP interface, SMS_URL (+ SMS_TOKEN, SMS_SIGN): a JSON
 *   POST {phone, sign, text}; any 2xx is accepted, `{ id }` in the answer is kept as the reference;
 * - WeChat template messages through the official account's API (WECHAT_APP_ID, WECHAT_APP_SECRET,
 *   WECHAT_TEMPLATE_ID; WECHAT_API_BASE only to point it elsewhere, e.g. a test double);
 * - the development mailbox (DEV_MAILBOX, a local origin without any real transport): the message is
 *   only kept, and shown to its own recipient (/dev-mailbox, and the page that sent a code).
 * A transport throws when the message did not leave; the outbox retries it later.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { isLocalOrigin, type Env } from "~/utils/env.server";
import { formatBeijing } from "~/utils/time";

export const CHANNELS = ["sms", "email", "wechat"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface OutgoingMessage {
  channel: Channel;
  /** Phone number, e-mail address or WeChat OpenID. */
  address: string;
  subject: string;
  body: string;
  /** Absolute address of the page the message is about, or null. */
  url: string | null;
  at: Date;
}

export interface Transport {
  /** Recorded with each attempt: smtp, sms-http, wechat, dev. */
  readonly name: string;
  /** Resolves with the provider's reference (or null); throws when the message did not leave. */
  send(message: OutgoingMessage): Promise<string | null>;
}

export type Transports = Partial<Record<Channel, Transport>>;

const TIMEOUT_MS = 10_000;

export class SmtpTransport implements Transport {
  readonly name = "smtp";
  private readonly mailer: Transporter;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    const u = new URL(url);
    this.mailer = nodemailer.createTransport({
      host: u.hostname,
      port: Number(u.port) || (u.protocol === "smtps:" ? 465 : 587),
      secure: u.protocol === "smtps:",
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
  }
  async send(m: OutgoingMessage) {
    const text = m.url ? `${m.body}\n\n${m.url}` : m.body;
    const info = await this.mailer.sendMail({ from: this.from, to: m.address, subject: m.subject, text });
    if (info.rejected?.length) throw new Error(`rejected: ${info.rejected.join(", ")}`);
    return info.messageId ?? null;
  }
}

/** The SMS text: the body and the link; the provider puts the signature (【村易招】) in front. */
export function smsText(m: Pick<OutgoingMessage, "body" | "url">): string {
  return m.url ? `${m.body} ${m.url}` : m.body;
}

export class HttpSmsTransport implements Transport {
  readonly name = "sms-http";
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly sign: string,
  ) {}
  async send(m: OutgoingMessage) {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ phone: m.address, sign: this.sign, text: smsText(m) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await res.json().catch(() => null)) as { id?: unknown; error?: unknown } | null;
    if (!res.ok) throw new Error(`SMS provider answered ${res.status}${answer?.error ? `: ${String(answer.error)}` : ""}`);
    return answer?.id != null ? String(answer.id) : null;
  }
}

/**
 * WeChat official-account template messages. The access token is fetched with the app id and
 * secret and kept until shortly before it expires; an answer saying it is no longer valid drops it.
 * The template has the fields first, keyword1 (what happened), keyword2 (when) and remark.
 */
export class WechatTemplateTransport implements Transport {
  readonly name = "wechat";
  private token: { value: string; until: number } | null = null;
  constructor(
    private readonly base: string,
    private readonly appId: string,
    private readonly secret: string,
    private readonly templateId: string,
  ) {}
  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const url = new URL("/cgi-bin/token", this.base);
    url.search = new URLSearchParams({ grant_type: "client_credential", appid: this.appId, secret: this.secret }).toString();
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const answer = (await res.json().catch(() => null)) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string } | null;
    if (!res.ok || !answer?.access_token) throw new Error(`WeChat token: ${answer?.errcode ?? res.status} ${answer?.errmsg ?? ""}`.trim());
    this.token = { value: answer.access_token, until: Date.now() + Math.max(60, (answer.expires_in ?? 7200) - 300) * 1000 };
    return this.token.value;
  }
  async send(m: OutgoingMessage) {
    const token = await this.accessToken();
    const url = new URL("/cgi-bin/message/template/send", this.base);
    url.search = new URLSearchParams({ access_token: token }).toString();
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        touser: m.address,
        template_id: this.templateId,
        ...(m.url ? { url: m.url } : {}),
        data: {
          first: { value: m.subject },
          keyword1: { value: m.body },
          keyword2: { value: formatBeijing(m.at) },
          remark: { value: "村易招" },
        },
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await res.json().catch(() => null)) as { errcode?: number; errmsg?: string; msgid?: number | string } | null;
    if (answer?.errcode === 40001 || answer?.errcode === 42001) this.token = null;
    if (!res.ok || !answer || answer.errcode !== 0) throw new Error(`WeChat: ${answer?.errcode ?? res.status} ${answer?.errmsg ?? ""}`.trim());
    return answer.msgid != null ? String(answer.msgid) : null;
  }
}

/** Keeps the message (the outbox row is the mailbox); for development and the demo, never production. */
export class DevMailboxTransport implements Transport {
  readonly name = "dev";
  async send() {
    return null;
  }
}

/**
 * One transport per channel from the environment. The development mailbox is for a developer's own
 * machine with no provider at all: only on a local origin (env.server.ts refuses DEV_MAILBOX
 * elsewhere), and never once any real transport is configured — with SMS set up, the e-mail and
 * WeChat copies of a code must not land where the development pages show them.
 */
export function transportsFromEnv(env: Env): Transports {
  const t: Transports = {};
  if (env.SMS_URL) t.sms = new HttpSmsTransport(env.SMS_URL, env.SMS_TOKEN, env.SMS_SIGN);
  if (env.SMTP_URL) t.email = new SmtpTransport(env.SMTP_URL, env.MAIL_FROM);
  if (env.WECHAT_APP_ID && env.WECHAT_APP_SECRET && env.WECHAT_TEMPLATE_ID)
    t.wechat = new WechatTemplateTransport(env.WECHAT_API_BASE, env.WECHAT_APP_ID, env.WECHAT_APP_SECRET, env.WECHAT_TEMPLATE_ID);
  if (Object.keys(t).length > 0 || !devMailboxOn(env)) return t;
  const dev = new DevMailboxTransport();
  return { sms: dev, email: dev, wechat: dev };
}

/** Whether this installation keeps messages in the development mailbox (and its pages may show a person what was sent to them). */
export function devMailboxOn(env: Pick<Env, "DEV_MAILBOX" | "PUBLIC_ORIGIN">): boolean {
  return env.DEV_MAILBOX && isLocalOrigin(env.PUBLIC_ORIGIN);
}
