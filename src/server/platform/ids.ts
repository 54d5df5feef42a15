import { randomBytes } from 'node:crypto';

/** A new 24-hex id, the shape the real API uses (ObjectId-like) so ISV code that checks ids keeps working. */
export function newId(): string {
  return randomBytes(12).toString('hex');
}
