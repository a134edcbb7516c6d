/**
 * Hashing of passwords and API tokens with scrypt (RFC 7914, node:crypto).
 *
 * scrypt is memory-hard, so a stolen users file costs an attacker real memory
 * per guess, unlike a fast hash. The parameters travel with each hash
 * (`scrypt$N$r$p$salt$hash`) so they can be raised later without breaking
 * existing entries. N = 2^14, r = 8, p = 1 is Node's default (16 MiB, tens of
 * milliseconds) — the server caches successful checks in memory (see
 * authenticator.ts) so a pip run with `--read-auth` does not pay it per page.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
const DEFAULT = { N: 16384, r: 8, p: 1 } as const;

function scrypt(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt base64>$<key base64>`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, DEFAULT);
  return ['scrypt', DEFAULT.N, DEFAULT.r, DEFAULT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `secret` matches `stored`; false for a wrong secret or an unreadable hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const key = await scrypt(secret, salt, { N, r, p });
    // Constant time: the comparison must not reveal how many bytes matched.
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/**
 * API tokens: `pyi_<id>_<secret>`. The public id (12 hex digits) finds the
 * one stored hash to check, so a token costs one scrypt, not one per token.
 * The secret has 256 random bits.
 */
const TOKEN = /^pyi_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function newToken(): { id: string; token: string } {
  const id = randomBytes(6).toString('hex');
  return { id, token: `pyi_${id}_${randomBytes(32).toString('base64url')}` };
}

/** The id of a well-formed token, undefined otherwise. */
export function tokenId(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}
