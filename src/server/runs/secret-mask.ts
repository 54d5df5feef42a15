/** What a secret is replaced by in execution logs, error messages and the error stream. */
export const SECRET_MASK = '[secret]';

/**
 * Shorter values are not masked: replacing every "ab" or "1" in a log would destroy it and hide
 * nothing worth hiding (the definitions may require longer secrets with `rules.minLength`).
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * Masks secrets by value. A secret answer or a credential reaches a log in many shapes: as itself
 * (a header `Bearer {{config.apiToken}}`), inside a rendered template or URL, JSON-escaped inside a
 * body, percent-encoded in a query, or quoted in an app's error message. Every string that goes to
 * a log passes through `text`/`value`, which replace each known secret in each of those encodings.
 */
export class SecretMask {
  private readonly needles = new Set<string>();
  private sorted: string[] | undefined;

  /** Adds a secret value (strings only; others and short ones are ignored). */
  add(value: unknown): this {
    if (typeof value !== 'string' || value.length < MIN_MASKED_LENGTH) return this;
    for (const form of [
      value,
      JSON.stringify(value).slice(1, -1),
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      // As a URL parser writes it in a query or a path (fewer characters escaped than above).
      new URL(`http://h/?${value.replaceAll('#', '%23')}`).search.slice(1),
      new URL(`http://h/${value.replaceAll('#', '%23').replaceAll('?', '%3F')}`).pathname.slice(1),
    ]) {
      if (form.length >= MIN_MASKED_LENGTH && !this.needles.has(form)) {
        this.needles.add(form);
        this.sorted = undefined;
      }
    }
    return this;
  }

  get size(): number {
    return this.needles.size;
  }

  /** The text with every known secret replaced by the mask. */
  text(text: string): string {
    if (this.needles.size === 0) return text;
    // Longest first, so a secret containing another is masked whole.
    this.sorted ??= [...this.needles].sort((a, b) => b.length - a.length);
    let masked = text;
    for (const needle of this.sorted) if (masked.includes(needle)) masked = masked.split(needle).join(SECRET_MASK);
    return masked;
  }

  /** A copy of a JSON-like value with every string (keys included) masked. */
  value<T>(value: T): T {
    if (this.needles.size === 0) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.walk(item)]));
    }
    return value;
  }
}
