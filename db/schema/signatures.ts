import { jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { users } from "./users";

/**
 * The platform's own keys: its CA (issues each signer's certificate) and its
 * time-stamping authority. Created on first use. In production these belong
 * in an HSM; here they are rows readable only by the server.
 */
export const platformKeys = pgTable("platform_keys", {
  name: text("name").primaryKey(), // "ca" | "tsa"
  certPem: text("cert_pem").notNull(),
  keyPem: text("key_pem").notNull(),
  createdAt: instant("created_at").notNull(),
});

/**
 * A signer's certificate for one passkey (cloud e-signature, 云签章): the key
 * is held by the platform and used only when that passkey approves the exact
 * document digest; the certificate carries the passkey's public key so anyone
 * can re-check the approval from the PDF alone.
 */
export const signerCertificates = pgTable("signer_certificates", {
  credentialId: text("credential_id").primaryKey(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id),
  certPem: text("cert_pem").notNull(),
  keyPem: text("key_pem").notNull(),
  createdAt: instant("created_at").notNull(),
});

/** A document prepared for one person's signature, waiting for their passkey over its digest. */
export const signatureRequests = pgTable("signature_requests", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id),
  purpose: text("purpose").notNull(), // "opening_record"
  objectId: text("object_id").notNull(),
  preparedSha256: text("prepared_sha256").notNull(),
  byteRange: jsonb("byte_range").notNull(),
  /** base64url SHA-256 over the byte range: the WebAuthn challenge. */
  digest: text("digest").notNull(),
  createdAt: instant("created_at").notNull(),
  expiresAt: instant("expires_at").notNull(),
  usedAt: instant("used_at"),
});
