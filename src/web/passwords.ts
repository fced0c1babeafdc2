// Staff passwords: argon2id with the library's defaults (64 MiB, 3 passes), which track current guidance.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    // A malformed stored hash signs no one in.
    return false;
  }
}

/** A one-time password for a new account: 16 characters from an alphabet without look-alikes. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  // 256 is not a multiple of 56, so a byte maps with a slight bias; at 16 characters the strength is still ~92 bits.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

let dummyHash: Promise<string> | null = null;

/** Verifying against a throwaway hash when the account does not exist keeps the timing from telling which emails exist. */
export async function burnVerifyTime(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}
