// A small DER (ASN.1 Distinguished Encoding Rules) writer and reader.
//
// Why not node-forge's asn1: forge re-encodes names it parsed as if they were
// Latin-1, so a Chinese issuer name comes out double-encoded and validators
// report "Unknown Validation Failure" (../shared/STACK.md). Certificates, CMS
// and timestamp tokens are built here from exact bytes instead: names and
// serial numbers are copied verbatim from the certificates they come from,
// and every structure a signature covers is DER, so it hashes the same way
// in every validator. Only what X.509, CMS and RFC 3161 need is supported
// (single-byte tags, definite lengths).

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

// ---------------------------------------------------------------------------
// Writing

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value element whose content is the given parts, in order. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(content);
  return concatBytes([Uint8Array.of(tag), lengthBytes(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, ...items);

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** DER orders the elements of a SET OF by their encodings. */
export function sortedForSet(items: readonly Uint8Array[]): Uint8Array[] {
  return [...items].sort(compareBytes);
}

export const setOf = (...items: Uint8Array[]) => tlv(TAG.SET, ...sortedForSet(items));

/** `[n] EXPLICIT inner`. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** `[n] IMPLICIT`: the universal tag replaced by a context tag, content kept. */
export const implicit = (n: number, content: Uint8Array, constructed: boolean) => tlv((constructed ? 0xa0 : 0x80) | n, content);

/** Builds the SET OF (e.g. signed attributes, certificates) as `[n] IMPLICIT` with DER ordering. */
export const implicitSetOf = (n: number, items: readonly Uint8Array[]) => implicit(n, concatBytes(sortedForSet(items)), true);

export const nullValue = () => Uint8Array.of(TAG.NULL, 0);
export const boolean = (value: boolean) => Uint8Array.of(TAG.BOOLEAN, 1, value ? 0xff : 0);
export const octetString = (bytes: Uint8Array) => tlv(TAG.OCTET_STRING, bytes);
export const utf8String = (text: string) => tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));
export const printableString = (text: string) => {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new Error(`not a PrintableString: ${text}`);
  return tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(text));
};

/** INTEGER from a number/bigint, or from unsigned big-endian bytes (serial numbers). */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  if (value instanceof Uint8Array) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    const magnitude = value.subarray(start);
    return tlv(TAG.INTEGER, (magnitude[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...magnitude) : magnitude.length ? magnitude : Uint8Array.of(0));
  }
  let n = BigInt(value);
  if (n < 0n) throw new Error("negative INTEGER not supported");
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

function base128(value: bigint): number[] {
  const out = [Number(value & 0x7fn)];
  for (let n = value >> 7n; n > 0n; n >>= 7n) out.unshift(Number(n & 0x7fn) | 0x80);
  return out;
}

/** OBJECT IDENTIFIER from dotted form; arcs may exceed 2^53 (2.25.<UUID> arcs do). */
export function oid(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new Error(`bad OID: ${dotted}`);
  const arcs = dotted.split(".").map(BigInt);
  const bytes = [...base128(arcs[0]! * 40n + arcs[1]!)];
  for (const arc of arcs.slice(2)) bytes.push(...base128(arc));
  return tlv(TAG.OID, Uint8Array.from(bytes));
}

/** BIT STRING from whole bytes (keys, signatures). */
export const bitString = (bytes: Uint8Array) => tlv(TAG.BIT_STRING, Uint8Array.of(0), bytes);

/** BIT STRING of named bits (KeyUsage): bit 0 is the most significant bit of the first byte; trailing zero bits are dropped. */
export function namedBits(bits: readonly number[]): Uint8Array {
  const top = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(top / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return tlv(TAG.BIT_STRING, Uint8Array.of(7 - (top & 7)), bytes);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function timeDigits(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error("invalid date");
  return `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** GeneralizedTime in UTC; milliseconds kept when present (DER: no trailing zeros). */
export function generalizedTime(date: Date): Uint8Array {
  const ms = date.getUTCMilliseconds();
  const fraction = ms ? `.${pad(ms, 3).replace(/0+$/, "")}` : "";
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(`${pad(date.getUTCFullYear(), 4)}${timeDigits(date)}${fraction}Z`));
}

/** X.509 validity time: UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). Whole seconds. */
export function certificateTime(date: Date): Uint8Array {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = whole.getUTCFullYear();
  if (year >= 1950 && year < 2050) {
    return tlv(TAG.UTC_TIME, new TextEncoder().encode(`${pad(year % 100)}${timeDigits(whole)}Z`));
  }
  return generalizedTime(whole);
}

// ---------------------------------------------------------------------------
// Reading

/** One parsed element; `raw` is its exact encoding, useful to copy names and serials verbatim. */
export class DerNode {
  constructor(
    readonly buffer: Uint8Array,
    readonly tag: number,
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  get raw(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  get content(): Uint8Array {
    return this.buffer.subarray(this.contentStart, this.end);
  }

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }

  children(): DerNode[] {
    if (!this.constructed) throw new Error(`DER tag 0x${this.tag.toString(16)} is not constructed`);
    const out: DerNode[] = [];
    for (let offset = this.contentStart; offset < this.end;) {
      const node = readNode(this.buffer, offset, this.end);
      out.push(node);
      offset = node.end;
    }
    return out;
  }

  child(index: number, expectedTag?: number): DerNode {
    const node = this.children()[index];
    if (!node) throw new Error(`DER element has no child ${index}`);
    if (expectedTag !== undefined && node.tag !== expectedTag) {
      throw new Error(`DER child ${index}: expected tag 0x${expectedTag.toString(16)}, found 0x${node.tag.toString(16)}`);
    }
    return node;
  }

  /** The first child with this (context) tag, e.g. 0xa0 for `[0]`. */
  tagged(tag: number): DerNode | undefined {
    return this.children().find((node) => node.tag === tag);
  }
}

function readNode(buffer: Uint8Array, offset: number, limit: number): DerNode {
  if (offset + 2 > limit) throw new Error("DER: truncated element");
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: multi-byte tags are not supported");
  let length = buffer[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new Error("DER: indefinite length (BER) is not supported");
    if (count > 4) throw new Error("DER: length too large");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new Error("DER: element runs past its container");
  return new DerNode(buffer, tag, offset, contentStart, end);
}

/** Parses the element at `offset`; bytes after it (e.g. a PDF /Contents' zero padding) are ignored. */
export function parseDer(bytes: Uint8Array, offset = 0): DerNode {
  return readNode(bytes, offset, bytes.length);
}

export function readOid(node: DerNode): string {
  if (node.tag !== TAG.OID) throw new Error("DER: not an OBJECT IDENTIFIER");
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of node.content) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join(".");
}

export function readInteger(node: DerNode): bigint {
  if (node.tag !== TAG.INTEGER) throw new Error("DER: not an INTEGER");
  let value = 0n;
  for (const byte of node.content) value = (value << 8n) | BigInt(byte);
  return value;
}

export function readBoolean(node: DerNode): boolean {
  if (node.tag !== TAG.BOOLEAN) throw new Error("DER: not a BOOLEAN");
  return node.content[0] !== 0;
}

/** The bytes of a BIT STRING with no unused bits (keys, signatures). */
export function readBitStringBytes(node: DerNode): Uint8Array {
  if (node.tag !== TAG.BIT_STRING) throw new Error("DER: not a BIT STRING");
  return node.content.subarray(1);
}

export function readTime(node: DerNode): Date {
  const text = new TextDecoder().decode(node.content);
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text);
  if (!match || (node.tag !== TAG.UTC_TIME && node.tag !== TAG.GENERALIZED_TIME)) throw new Error(`DER: unsupported time ${text}`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  let year = Number(y);
  if (node.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
}

/** Text of a directory string (UTF8String, PrintableString, IA5String, BMPString). */
export function readString(node: DerNode): string {
  if (node.tag === TAG.BMP_STRING) {
    const units: number[] = [];
    for (let i = 0; i + 1 < node.content.length; i += 2) units.push((node.content[i]! << 8) | node.content[i + 1]!);
    return String.fromCharCode(...units);
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(node.content);
}
