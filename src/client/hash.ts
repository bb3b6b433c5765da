/**
 * Synchronous SHA-1 and SHA-256 over UTF-8 text: URL signing must be synchronous (as the SDKs'
 * url()) and work in browsers, Node and Workers alike, where only WebCrypto's asynchronous digest
 * is common to all. The hashes are @noble/hashes' (audited, plain JavaScript).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

export type HashAlgorithm = 'sha1' | 'sha256';

export function digest(text: string, algorithm: HashAlgorithm): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return algorithm === 'sha1' ? sha1(bytes) : sha256(bytes);
}

/** Standard base64 (with + and /), as Node's `digest('base64')`. */
export function base64(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? alphabet[n & 63] : '=';
  }
  return out;
}
