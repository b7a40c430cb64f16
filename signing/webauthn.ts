// Offline re-verification of a WebAuthn assertion (a passkey's approval of one
// signature), from what a signed PDF carries: the assertion itself (in a
// signed CMS attribute) and the passkey's COSE public key (in the signer
// certificate). The platform verifies the live ceremony with
// @simplewebauthn/server (origin, rpId, counter, user verification); this
// module lets anyone later check that the passkey approved exactly these
// document bytes, without the platform's database.
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";

// ---------------------------------------------------------------------------
// base64url

export const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  return new Uint8Array(Buffer.from(text, "base64url"));
}

// ---------------------------------------------------------------------------
// The CBOR a COSE key uses (RFC 8949: integers, byte and text strings, arrays, maps)

type Cbor = number | bigint | Uint8Array | string | boolean | null | Cbor[] | Map<Cbor, Cbor>;

function decodeCbor(bytes: Uint8Array): Cbor {
  let offset = 0;
  const byte = () => {
    if (offset >= bytes.length) throw new Error("CBOR: truncated");
    return bytes[offset++]!;
  };
  const argument = (info: number): number => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (!size) throw new Error("CBOR: indefinite lengths are not supported");
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + byte();
    if (!Number.isSafeInteger(value)) throw new Error("CBOR: integer too large");
    return value;
  };
  const take = (length: number) => {
    if (offset + length > bytes.length) throw new Error("CBOR: truncated");
    offset += length;
    return bytes.subarray(offset - length, offset);
  };
  const item = (): Cbor => {
    const initial = byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return argument(info);
      case 1:
        return -1 - argument(info);
      case 2:
        return take(argument(info));
      case 3:
        return new TextDecoder("utf-8", { fatal: true }).decode(take(argument(info)));
      case 4:
        return Array.from({ length: argument(info) }, item);
      case 5: {
        const map = new Map<Cbor, Cbor>();
        for (let n = argument(info); n > 0; n--) {
          const key = item();
          map.set(key, item());
        }
        return map;
      }
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new Error("CBOR: unsupported simple value");
      default:
        throw new Error("CBOR: tags are not supported");
    }
  };
  const value = item();
  if (offset !== bytes.length) throw new Error("CBOR: trailing bytes");
  return value;
}

// ---------------------------------------------------------------------------
// COSE keys (RFC 9053): the algorithms WebAuthn authenticators use

export const COSE_ALG = { ES256: -7, EdDSA: -8, RS256: -257 } as const;

/**
 * The algorithms a passkey may use here: those whose approvals a signed PDF
 * can carry and anyone can re-verify from it (checkApproval). Registration asks
 * for these only — authenticators now also offer e.g. ML-DSA-44 (COSE -48),
 * which the PDF's approval check could not verify.
 */
export const PASSKEY_ALGORITHMS: readonly number[] = [COSE_ALG.EdDSA, COSE_ALG.ES256, COSE_ALG.RS256];

/** Whether a passkey's COSE public key is one this module can verify approvals with. */
export function approvalKeySupported(cose: Uint8Array): boolean {
  try {
    coseToPublicKey(cose);
    return true;
  } catch {
    return false;
  }
}

export interface CoseKey {
  alg: number;
  key: KeyObject;
}

function bytesParam(map: Map<Cbor, Cbor>, label: number): Buffer {
  const value = map.get(label);
  if (!(value instanceof Uint8Array)) throw new Error(`COSE key: parameter ${label} missing`);
  return Buffer.from(value);
}

/** The public key of a COSE_Key as stored by @simplewebauthn (`credential.publicKey`). */
export function coseToPublicKey(cose: Uint8Array): CoseKey {
  const map = decodeCbor(cose);
  if (!(map instanceof Map)) throw new Error("COSE key: not a CBOR map");
  const kty = map.get(1);
  const alg = map.get(3);
  if (alg === COSE_ALG.ES256 && kty === 2) {
    if (map.get(-1) !== 1) throw new Error("COSE key: ES256 needs curve P-256");
    const jwk = { kty: "EC", crv: "P-256", x: bytesParam(map, -2).toString("base64url"), y: bytesParam(map, -3).toString("base64url") };
    return { alg, key: createPublicKey({ key: jwk, format: "jwk" }) };
  }
  if (alg === COSE_ALG.EdDSA && kty === 1) {
    if (map.get(-1) !== 6) throw new Error("COSE key: EdDSA needs curve Ed25519");
    return { alg, key: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bytesParam(map, -2).toString("base64url") }, format: "jwk" }) };
  }
  if (alg === COSE_ALG.RS256 && kty === 3) {
    const jwk = { kty: "RSA", n: bytesParam(map, -1).toString("base64url"), e: bytesParam(map, -2).toString("base64url") };
    return { alg, key: createPublicKey({ key: jwk, format: "jwk" }) };
  }
  throw new Error(`COSE key: unsupported kty ${String(kty)} / alg ${String(alg)}`);
}

// ---------------------------------------------------------------------------
// Assertions

/** An assertion as the browser returns it (`AuthenticationResponseJSON.response` plus the id). */
export interface PasskeyApproval {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
}

export interface ApprovalCheck {
  credentialId: string;
  /** clientDataJSON is a `webauthn.get` whose challenge is base64url(digest). */
  challengeMatchesDigest: boolean;
  /** The signature over authenticatorData ‖ SHA-256(clientDataJSON) verifies with the certificate's passkey key. */
  passkeySignatureOk: boolean;
  /** The assertion names the credential the certificate is bound to. */
  credentialMatchesCertificate: boolean;
  /** Flags from authenticatorData: UP (user present) and UV (user verified, e.g. PIN or biometrics). */
  userPresent: boolean;
  userVerified: boolean;
  /** null when the certificate names no relying party to compare with. */
  rpIdHashOk: boolean | null;
  origin: string | null;
}

function verifyAssertionSignature(cose: Uint8Array, signed: Uint8Array, signature: Uint8Array): boolean {
  try {
    const { alg, key } = coseToPublicKey(cose);
    if (alg === COSE_ALG.EdDSA) return verify(null, signed, key, signature);
    if (alg === COSE_ALG.ES256) return verify("sha256", signed, { key, dsaEncoding: "der" }, signature);
    return verify("sha256", signed, key, signature);
  } catch {
    return false;
  }
}

function parseClientData(bytes: Uint8Array): { type?: unknown; challenge?: unknown; origin?: unknown } {
  try {
    const value: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/**
 * Checks a passkey approval against the document digest it should approve and
 * the passkey bound to the signer's certificate. Never throws on bad input:
 * every check is reported, so a verifier can show what failed.
 */
export function checkApproval(approval: PasskeyApproval, expected: { digest: Uint8Array; credentialId: string; cosePublicKey: Uint8Array; rpId?: string | null }): ApprovalCheck {
  const decode = (text: string) => {
    try {
      return fromBase64Url(text);
    } catch {
      return new Uint8Array();
    }
  };
  const authenticatorData = decode(approval.authenticatorData);
  const clientDataJSON = decode(approval.clientDataJSON);
  const signature = decode(approval.signature);
  const clientData = parseClientData(clientDataJSON);
  const flags = authenticatorData[32] ?? 0;
  const signed = Buffer.concat([authenticatorData, createHash("sha256").update(clientDataJSON).digest()]);
  const rpIdHash = createHash("sha256")
    .update(expected.rpId ?? "")
    .digest();
  return {
    credentialId: approval.credentialId,
    challengeMatchesDigest: clientData.type === "webauthn.get" && clientData.challenge === toBase64Url(expected.digest),
    passkeySignatureOk: authenticatorData.length >= 37 && verifyAssertionSignature(expected.cosePublicKey, signed, signature),
    credentialMatchesCertificate: approval.credentialId === expected.credentialId,
    userPresent: (flags & 0x01) !== 0,
    userVerified: (flags & 0x04) !== 0,
    rpIdHashOk: expected.rpId ? authenticatorData.length >= 32 && rpIdHash.equals(authenticatorData.subarray(0, 32)) : null,
    origin: typeof clientData.origin === "string" ? clientData.origin : null,
  };
}
