import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { RefusedError } from '../refusal.js';

/**
 * Desk passwords: scrypt from node:crypto with a 16-byte salt per user. The stored string carries its parameters,
 * `scrypt$N$r$p$salt$hash` (base64), so stronger parameters later still verify old hashes. N = 2^15, r = 8: about
 * 100 ms and 32 MB per check on one core, which makes a stolen hash expensive to guess and login floods cheap to
 * limit (see the sign-in limits in src/desk/server.ts).
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function checkPasswordRules(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH)
    throw new RefusedError({ kind: 'password-short', min: PASSWORD_MIN_LENGTH });
  if (password.length > PASSWORD_MAX_LENGTH)
    throw new RefusedError({ kind: 'password-long', max: PASSWORD_MAX_LENGTH });
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordRules(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** A hash of nothing in particular: verifying against it costs the same as a real check, so a wrong username is not faster. */
let decoy: Promise<string> | undefined;

/** True when `password` matches `stored`; with no stored hash, spends the same time and returns false. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  if (stored === undefined) decoy ??= hashPassword(randomBytes(18).toString('base64'));
  const target = stored ?? (await decoy!);
  const parts = target.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  const key = await derive(password, salt, { N, r, p });
  return stored !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A username as accounts are stored and looked up: NFC (an «أ» typed as «ا» + U+0654 is the same name) and trimmed.
 * The sign-in lookup and the per-username sign-in limit both take it, so no other spelling of a name gets its own tries.
 */
export function normalUsername(raw: unknown): string {
  return typeof raw === 'string' ? raw.normalize('NFC').trim() : '';
}

/** Usernames: letters (any script), digits, dot, dash, underscore; 2 to 40 characters. */
export function checkUsername(username: string): string {
  const name = normalUsername(username);
  if (!/^[\p{L}\p{N}._-]{2,40}$/u.test(name)) {
    throw new RefusedError({ kind: 'username', name: username.slice(0, 60) });
  }
  return name;
}

/**
 * Latin, Cyrillic and Greek share look-alike letters («а» U+0430 is drawn as «a»): a name mixing them («аdmin»)
 * would read as another editor's on the desk and in the audit log, so a new account keeps to one of them. Mixing
 * other scripts («ali_علي») confuses nobody and stays allowed.
 */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];

/** A new account's username: checkUsername, and not a look-alike mix of scripts. */
export function checkNewUsername(username: string): string {
  const name = checkUsername(username);
  if (LOOKALIKE_SCRIPTS.filter((script) => script.test(name)).length > 1) {
    throw new RefusedError({ kind: 'username-mixed', name });
  }
  return name;
}
