/*
 * 村易招 sealing script, version 1 — everything that touches a bid's secrets.
 *
 * This one file seals a bid in the bidder's browser and opens it again at the
 * opening. It is served as it is written (no build step, no dependencies) so
 * anyone can read it; its SHA-256 is published on /sealing and printed on every
 * receipt. Only the WebCrypto API and, for passkeys, WebAuthn are used.
 *
 * Sealing (see docs/security.md):
 *  1. The bid (manifest + PDF files) is packed and encrypted with AES-256-GCM
 *     under a fresh random data key; the additional data binds it to the
 *     tender and to this submission.
 *  2. The data key is wrapped for every chosen company member's passkey:
 *     X25519 with that passkey's opening public key (derived from the
 *     passkey's WebAuthn PRF secret when it was prepared), then HKDF with a
 *     salt specific to the tender and the submission. Only the holder of the
 *     passkey can re-derive the private key, inside its own browser.
 *  3. The data key is also wrapped under a random backup key, shown once as
 *     a printable code and downloaded as a file.
 *  4. commitment = SHA-256("cyz-commit-v1" || SHA-256(ciphertext) ||
 *     SHA-256(manifest)). The manifest holds the price, every file's SHA-256
 *     and a random nonce chosen here, so after opening anyone can check the
 *     opened bid is exactly the one receipted.
 *
 * Nothing secret (data key, backup key, PRF output, private keys, manifest)
 * is ever sent anywhere by this script: it returns ciphertext, wrapped keys
 * and hashes to the page, which uploads them.
 */
(function (root) {
  "use strict";

  var VERSION = "v1";
  var MAGIC = "CYZBID01";
  var subtle = root.crypto.subtle;
  var enc = new TextEncoder();
  var dec = new TextDecoder("utf-8", { fatal: true });
  /** Crockford base32: no I, L, O, U — a code read aloud or retyped survives. */
  var B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  /** PKCS#8 header of an X25519 private key; the 32-byte seed follows. */
  var X25519_PKCS8 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];

  function bytes(x) {
    return x instanceof Uint8Array ? x : new Uint8Array(x);
  }
  function concat(parts) {
    var n = 0, i, out, at = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function hex(b) {
    var s = "", i;
    for (i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }
  function fromHex(s) {
    if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error("seal.badHex");
    var out = new Uint8Array(s.length / 2), i;
    for (i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  function b64u(b) {
    var s = "", i;
    for (i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function fromB64u(s) {
    if (typeof s !== "string" || !/^[A-Za-z0-9_-]*$/.test(s)) throw new Error("seal.badEncoding");
    var bin = atob(s.replace(/-/g, "+").replace(/_/g, "/")), out = new Uint8Array(bin.length), i;
    for (i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function random(n) {
    return root.crypto.getRandomValues(new Uint8Array(n));
  }
  async function sha256(b) {
    return bytes(await subtle.digest("SHA-256", b));
  }

  /** The HKDF salt every key wrap of one submission shares: tender + submission. */
  function bidSalt(tenderId, submissionId) {
    return sha256(enc.encode("cyz-bid-v1|" + tenderId + "|" + submissionId));
  }
  function bidAad(tenderId, submissionId) {
    return enc.encode("cyz-bid-v1|" + tenderId + "|" + submissionId);
  }
  function wrapAad(tenderId, submissionId, holder) {
    return enc.encode("cyz-wrap-v1|" + tenderId + "|" + submissionId + "|" + holder);
  }
  async function hkdfAesKey(ikm, salt, info, usage) {
    var base = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
    return subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: salt, info: enc.encode(info) }, base, { name: "AES-GCM", length: 256 }, false, usage);
  }

  /** commitment = SHA-256("cyz-commit-v1" || ciphertext hash || manifest hash), all hex. */
  async function commitment(ciphertextHashHex, plaintextHashHex) {
    return hex(await sha256(concat([enc.encode("cyz-commit-v1"), fromHex(ciphertextHashHex), fromHex(plaintextHashHex)])));
  }

  /**
   * What the browser must refuse before sealing, since the server cannot see
   * these values until the opening. Returns [{ field, key }] (translation keys).
   * rules: { ceilingFen, bidSecurityFen, deadline (ISO), maxDurationDays,
   *          projectManagerIds, maxFiles, maxFileBytes }
   */
  function check(bid, files, rules) {
    var problems = [];
    function no(field, key) { problems.push({ field: field, key: key }); }
    if (!Number.isSafeInteger(bid.priceFen) || bid.priceFen <= 0) no("price", "bid.errors.price");
    else if (bid.priceFen > rules.ceilingFen) no("price", "bid.errors.aboveCeiling");
    if (!Number.isSafeInteger(bid.durationDays) || bid.durationDays <= 0) no("durationDays", "bid.errors.duration");
    else if (bid.durationDays > rules.maxDurationDays) no("durationDays", "bid.errors.durationTooLong");
    if (rules.projectManagerIds.indexOf(bid.projectManagerId) < 0) no("projectManagerId", "bid.errors.projectManager");
    if (typeof bid.quality !== "string" || !bid.quality.trim() || bid.quality.length > 2000) no("quality", "bid.errors.quality");
    var s = bid.security || {};
    if (!Number.isSafeInteger(s.amountFen) || s.amountFen < rules.bidSecurityFen) no("securityAmount", "bid.errors.securityAmount");
    if (s.method === "transfer") {
      if (!s.reference || !String(s.reference).trim()) no("securityReference", "bid.errors.securityReference");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s.date || "")) no("securityDate", "bid.errors.securityDate");
    } else if (s.method === "guarantee") {
      if (!s.issuer || !String(s.issuer).trim()) no("securityIssuer", "bid.errors.securityIssuer");
      if (!s.number || !String(s.number).trim()) no("securityNumber", "bid.errors.securityNumber");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s.validUntil || "") || s.validUntil < rules.deadline.slice(0, 10)) no("securityValidUntil", "bid.errors.securityValidity");
    } else no("securityMethod", "bid.errors.securityMethod");
    if (files.length === 0) no("files", "bid.errors.noFiles");
    if (files.length > rules.maxFiles) no("files", "bid.errors.tooManyFiles");
    files.forEach(function (f) {
      var head = String.fromCharCode.apply(null, Array.prototype.slice.call(bytes(f.bytes).subarray(0, 5)));
      if (head !== "%PDF-") no("files", "bid.errors.notPdf");
      else if (f.bytes.byteLength > rules.maxFileBytes) no("files", "bid.errors.fileTooLarge");
    });
    return problems;
  }

  /** 32 random bytes ↔ a 52-character code in groups of four. */
  function backupCode(key) {
    var bits = 0, value = 0, out = "", i;
    for (i = 0; i < key.length; i++) {
      value = (value << 8) | key[i];
      bits += 8;
      while (bits >= 5) { out += B32[(value >>> (bits - 5)) & 31]; bits -= 5; }
    }
    if (bits > 0) out += B32[(value << (5 - bits)) & 31];
    return out.match(/.{1,4}/g).join("-");
  }
  function parseBackupCode(text) {
    var s = String(text).toUpperCase().replace(/[^0-9A-Z]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
    if (s.length !== 52) throw new Error("seal.badBackupCode");
    var bits = 0, value = 0, out = [], i, v;
    for (i = 0; i < s.length; i++) {
      v = B32.indexOf(s[i]);
      if (v < 0) throw new Error("seal.badBackupCode");
      value = ((value << 5) | v) & 0xffff;
      bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out.slice(0, 32));
  }

  /** The X25519 key pair a passkey's PRF secret stands for (same secret, same keys). */
  async function openingKeyFromPrf(prfSecret) {
    var ikm = await subtle.importKey("raw", bytes(prfSecret), "HKDF", false, ["deriveBits"]);
    var seed = bytes(await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: enc.encode("cyz-opening-key-v1 X25519") }, ikm, 256));
    var privateKey = await subtle.importKey("pkcs8", concat([new Uint8Array(X25519_PKCS8), seed]), { name: "X25519" }, true, ["deriveBits"]);
    var jwk = await subtle.exportKey("jwk", privateKey);
    return { publicKey: jwk.x, privateKey: privateKey };
  }

  async function wrapForPasskey(dataKey, holder, ctx, salt) {
    var eph = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
    var peer = await subtle.importKey("raw", fromB64u(holder.publicKey), { name: "X25519" }, false, []);
    var shared = bytes(await subtle.deriveBits({ name: "X25519", public: peer }, eph.privateKey, 256));
    var kek = await hkdfAesKey(shared, salt, "cyz-wrap-v1|" + holder.credentialId, ["encrypt"]);
    var iv = random(12);
    var wrapped = bytes(await subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: wrapAad(ctx.tenderId, ctx.submissionId, holder.credentialId) }, kek, dataKey));
    return { kind: "passkey", credentialId: holder.credentialId, epk: b64u(bytes(await subtle.exportKey("raw", eph.publicKey))), iv: b64u(iv), wrapped: b64u(wrapped) };
  }

  async function wrapForBackup(dataKey, backupKey, ctx, salt) {
    var kek = await hkdfAesKey(backupKey, salt, "cyz-wrap-v1|backup", ["encrypt"]);
    var iv = random(12);
    var wrapped = bytes(await subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: wrapAad(ctx.tenderId, ctx.submissionId, "backup") }, kek, dataKey));
    return { kind: "backup", iv: b64u(iv), wrapped: b64u(wrapped) };
  }

  /**
   * Seal a bid. bid: { priceFen, durationDays, projectManagerId, projectManager,
   * quality, security }; files: [{ name, bytes }]; ctx: { tenderId,
   * submissionId, holders: [{ credentialId, publicKey }] }.
   * Returns what the page uploads, plus the backup code to hand to the bidder.
   */
  async function seal(bid, files, ctx) {
    var nonce = random(32);
    var fileEntries = [];
    for (var i = 0; i < files.length; i++) {
      fileEntries.push({ name: files[i].name, size: files[i].bytes.byteLength, sha256: hex(await sha256(files[i].bytes)) });
    }
    var manifest = enc.encode(JSON.stringify({
      v: 1, tenderId: ctx.tenderId, submissionId: ctx.submissionId,
      priceFen: bid.priceFen, durationDays: bid.durationDays,
      projectManagerId: bid.projectManagerId, projectManager: bid.projectManager || null,
      quality: bid.quality, security: bid.security, files: fileEntries, nonce: hex(nonce),
    }));
    var length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, manifest.length);
    var plain = concat([length, manifest].concat(files.map(function (f) { return bytes(f.bytes); })));
    var dataKey = random(32);
    var aes = await subtle.importKey("raw", dataKey, "AES-GCM", false, ["encrypt"]);
    var iv = random(12);
    var body = bytes(await subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: bidAad(ctx.tenderId, ctx.submissionId) }, aes, plain));
    var ciphertext = concat([enc.encode(MAGIC), iv, body]);
    var salt = await bidSalt(ctx.tenderId, ctx.submissionId);
    var wraps = [];
    for (var j = 0; j < ctx.holders.length; j++) wraps.push(await wrapForPasskey(dataKey, ctx.holders[j], ctx, salt));
    var backupKey = random(32);
    wraps.push(await wrapForBackup(dataKey, backupKey, ctx, salt));
    var ciphertextHash = hex(await sha256(ciphertext));
    var plaintextHash = hex(await sha256(manifest));
    dataKey.fill(0);
    return {
      version: VERSION, ciphertext: ciphertext, ciphertextHash: ciphertextHash, plaintextHash: plaintextHash,
      commitment: await commitment(ciphertextHash, plaintextHash), wraps: wraps, backupCode: backupCode(backupKey), nonce: hex(nonce),
    };
  }

  /** Wrap an existing data key (opened with a passkey or the backup code) for other passkeys: re-sealing. */
  async function rewrap(dataKey, holders, ctx) {
    var salt = await bidSalt(ctx.tenderId, ctx.submissionId), out = [];
    for (var i = 0; i < holders.length; i++) out.push(await wrapForPasskey(bytes(dataKey), holders[i], ctx, salt));
    return out;
  }

  /** The data key, from the backup code. Throws seal.wrongKey when the code or the wrap is not this bid's. */
  async function unwrapWithBackup(wrap, code, ctx) {
    var kek = await hkdfAesKey(parseBackupCode(code), await bidSalt(ctx.tenderId, ctx.submissionId), "cyz-wrap-v1|backup", ["decrypt"]);
    try {
      return bytes(await subtle.decrypt({ name: "AES-GCM", iv: fromB64u(wrap.iv), additionalData: wrapAad(ctx.tenderId, ctx.submissionId, "backup") }, kek, fromB64u(wrap.wrapped)));
    } catch (e) {
      throw new Error("seal.wrongKey");
    }
  }

  /** The data key, from the passkey's PRF secret (evaluated in this browser by passkeyPrf). */
  async function unwrapWithPrf(wrap, prfSecret, ctx) {
    var own = await openingKeyFromPrf(prfSecret);
    var peer = await subtle.importKey("raw", fromB64u(wrap.epk), { name: "X25519" }, false, []);
    var shared = bytes(await subtle.deriveBits({ name: "X25519", public: peer }, own.privateKey, 256));
    var kek = await hkdfAesKey(shared, await bidSalt(ctx.tenderId, ctx.submissionId), "cyz-wrap-v1|" + wrap.credentialId, ["decrypt"]);
    try {
      return bytes(await subtle.decrypt({ name: "AES-GCM", iv: fromB64u(wrap.iv), additionalData: wrapAad(ctx.tenderId, ctx.submissionId, wrap.credentialId) }, kek, fromB64u(wrap.wrapped)));
    } catch (e) {
      throw new Error("seal.wrongKey");
    }
  }

  /**
   * Decrypt a sealed bid and check it against its receipt. Returns the
   * manifest, the files and the recomputed hashes; throws seal.tampered when
   * anything differs from what was committed.
   */
  async function open(ciphertext, dataKey, ctx, receipt) {
    ciphertext = bytes(ciphertext);
    var ciphertextHash = hex(await sha256(ciphertext));
    if (receipt && ciphertextHash !== receipt.ciphertextHash) throw new Error("seal.tampered");
    if (String.fromCharCode.apply(null, Array.prototype.slice.call(ciphertext.subarray(0, 8))) !== MAGIC) throw new Error("seal.tampered");
    var aes = await subtle.importKey("raw", dataKey, "AES-GCM", false, ["decrypt"]);
    var plain;
    try {
      plain = bytes(await subtle.decrypt({ name: "AES-GCM", iv: ciphertext.subarray(8, 20), additionalData: bidAad(ctx.tenderId, ctx.submissionId) }, aes, ciphertext.subarray(20)));
    } catch (e) {
      throw new Error("seal.tampered");
    }
    var n = new DataView(plain.buffer, plain.byteOffset, 4).getUint32(0);
    var manifestBytes = plain.subarray(4, 4 + n);
    var manifest = JSON.parse(dec.decode(manifestBytes));
    var plaintextHash = hex(await sha256(manifestBytes));
    if (receipt && (plaintextHash !== receipt.plaintextHash || (await commitment(ciphertextHash, plaintextHash)) !== receipt.commitment)) throw new Error("seal.tampered");
    if (manifest.tenderId !== ctx.tenderId || manifest.submissionId !== ctx.submissionId) throw new Error("seal.tampered");
    var at = 4 + n, out = [];
    for (var i = 0; i < manifest.files.length; i++) {
      var f = manifest.files[i], data = plain.subarray(at, at + f.size);
      at += f.size;
      if (data.length !== f.size || hex(await sha256(data)) !== f.sha256) throw new Error("seal.tampered");
      out.push({ name: f.name, bytes: data });
    }
    if (at !== plain.length) throw new Error("seal.tampered");
    return { manifest: manifest, files: out, ciphertextHash: ciphertextHash, plaintextHash: plaintextHash };
  }

  /** The PRF input every opening key is derived with. */
  function prfSalt() {
    return sha256(enc.encode("cyz-opening-key-v1"));
  }

  /**
   * A WebAuthn assertion with the PRF extension, in the browser. Returns the
   * assertion for the server (without any extension output) and, separately,
   * the PRF secret, which stays in this page.
   */
  async function passkeyPrf(options) {
    var salt = await prfSalt();
    var cred = await navigator.credentials.get({
      publicKey: {
        challenge: fromB64u(options.challenge),
        rpId: options.rpId,
        timeout: 120000,
        userVerification: "required",
        allowCredentials: options.credentialIds.map(function (id) { return { type: "public-key", id: fromB64u(id) }; }),
        extensions: { prf: { eval: { first: salt } } },
      },
    });
    var results = cred.getClientExtensionResults().prf;
    if (!results || !results.results || !results.results.first) throw new Error("seal.noPrf");
    var r = cred.response;
    return {
      prf: bytes(results.results.first),
      assertion: {
        id: cred.id, rawId: b64u(bytes(cred.rawId)), type: cred.type, clientExtensionResults: {},
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        response: {
          clientDataJSON: b64u(bytes(r.clientDataJSON)), authenticatorData: b64u(bytes(r.authenticatorData)),
          signature: b64u(bytes(r.signature)), userHandle: r.userHandle ? b64u(bytes(r.userHandle)) : undefined,
        },
      },
    };
  }

  /** Can this browser seal with passkeys (X25519 in WebCrypto)? The backup key works everywhere. */
  async function supportsPasskeySealing() {
    try {
      await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
      return typeof navigator !== "undefined" && !!navigator.credentials;
    } catch (e) {
      return false;
    }
  }

  root.CyzSeal = {
    version: VERSION, check: check, seal: seal, open: open, commitment: commitment,
    rewrap: rewrap, unwrapWithBackup: unwrapWithBackup, unwrapWithPrf: unwrapWithPrf, openingKeyFromPrf: openingKeyFromPrf,
    passkeyPrf: passkeyPrf, supportsPasskeySealing: supportsPasskeySealing,
    backupCode: backupCode, parseBackupCode: parseBackupCode, hex: hex, b64u: b64u,
  };
})(globalThis);
