import { AlloyError } from './errors.js';
import { describeNonToken, looksLikeJwt } from './token-shape.js';

/** Returns a fresh user token from the host's backend (`GET /users/:userId/token`). */
export type TokenProvider = () => Promise<string> | string;

/** Refresh this long before `exp`, so a request never leaves with a token about to die. */
export const REFRESH_BEFORE_EXPIRY_MS = 60_000;
/** A provider that has not answered by then is treated as failed (the user gets an error, not a spinner). */
export const PROVIDER_TIMEOUT_MS = 10_000;
/** A token obtained this recently is used even if the local clock says it is about to expire (clock skew). */
const MIN_TOKEN_AGE_FOR_EARLY_REFRESH_MS = 10_000;

interface HeldToken {
  value: string;
  /** `exp` in ms, when the token has one. */
  expiresAt: number | undefined;
  obtainedAt: number;
}

export interface TokenStoreOptions {
  providerTimeoutMs?: number;
  now?: () => number;
}

/**
 * Holds the user token in memory only (this closure), reads nothing but `exp` from it, and, when
 * the host gave a provider, refreshes it before expiry and after a `token_expired` answer. Every
 * caller waiting on a refresh shares the same provider call.
 */
export class TokenStore {
  private held: HeldToken | undefined;
  private provider: TokenProvider | undefined;
  private refreshing: Promise<string> | undefined;
  /** Bumped by every setToken, so a refresh that finishes after a newer setToken is discarded. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: TokenStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Throws `TOKEN_INVALID` at once for anything that is neither a JWT nor a function. */
  set(source: string | TokenProvider): void {
    this.generation += 1;
    this.refreshing = undefined;
    if (typeof source === 'function') {
      this.provider = source;
      this.held = undefined;
      return;
    }
    this.held = readToken(source, (reason) => new AlloyError('TOKEN_INVALID', `Alloy.setToken: ${reason}`));
    this.provider = undefined;
  }

  clear(): void {
    this.generation += 1;
    this.held = undefined;
    this.provider = undefined;
    this.refreshing = undefined;
  }

  /** True once setToken was called with a token or a provider. */
  get isSet(): boolean {
    return this.held !== undefined || this.provider !== undefined;
  }

  get canRefresh(): boolean {
    return this.provider !== undefined;
  }

  /** When the held token expires (ms since epoch), if it says. */
  get expiresAt(): number | undefined {
    return this.held?.expiresAt;
  }

  /** The token to send now: asks the provider first when there is none yet or it is about to expire. */
  async current(): Promise<string> {
    const held = this.held;
    if (!this.provider) {
      if (!held) throw missingToken();
      return held.value;
    }
    if (held && !this.expiresSoon(held)) return held.value;
    return this.refresh();
  }

  /**
   * The server said `token_expired` for `rejected`. If a newer token arrived meanwhile (another
   * request already refreshed), use that; otherwise join or start the one refresh.
   */
  async refreshAfterRejection(rejected: string): Promise<string> {
    if (!this.provider) throw missingToken();
    if (this.held && this.held.value !== rejected) return this.held.value;
    return this.refresh();
  }

  /** Calls the provider once for everyone who is waiting. */
  refresh(): Promise<string> {
    const provider = this.provider;
    if (!provider) return Promise.reject(missingToken());
    if (this.refreshing) return this.refreshing;
    const generation = this.generation;
    const attempt = callProvider(provider, this.options.providerTimeoutMs ?? PROVIDER_TIMEOUT_MS).then(
      (value) => {
        const held = readToken(value, (reason) => refreshFailed(`the token provider returned a bad token: ${reason}`));
        held.obtainedAt = this.now();
        if (generation === this.generation) {
          this.held = held;
          this.refreshing = undefined;
        }
        return held.value;
      },
      (error: unknown) => {
        if (generation === this.generation) this.refreshing = undefined;
        throw error;
      },
    );
    this.refreshing = attempt;
    return attempt;
  }

  /**
   * While a modal is open, refreshes ~60 s before `exp` so the user's submit does not wait on the
   * provider. Returns the function that stops it.
   */
  keepFresh(onError: (error: AlloyError) => void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const schedule = (): void => {
      if (stopped || !this.provider || this.held?.expiresAt === undefined) return;
      const delay = Math.max(this.held.expiresAt - REFRESH_BEFORE_EXPIRY_MS - this.now(), 1_000);
      timer = setTimeout(() => {
        if (stopped) return;
        // Another path (a token_expired answer) may have refreshed meanwhile: then just wait again.
        const current = this.held?.expiresAt;
        if (current !== undefined && current - this.now() > REFRESH_BEFORE_EXPIRY_MS) {
          schedule();
          return;
        }
        this.refresh().then(schedule, (error: unknown) => {
          if (!stopped && error instanceof AlloyError) onError(error);
        });
      }, delay);
    };
    schedule();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  private expiresSoon(held: HeldToken): boolean {
    if (held.expiresAt === undefined) return false;
    const now = this.now();
    return (
      held.expiresAt - now <= REFRESH_BEFORE_EXPIRY_MS && now - held.obtainedAt >= MIN_TOKEN_AGE_FOR_EARLY_REFRESH_MS
    );
  }
}

const missingToken = (): AlloyError =>
  new AlloyError(
    'TOKEN_MISSING',
    'No user token is set. Call Alloy.setToken(token) (or setToken(async () => token)) with the token your backend got from GET /users/:userId/token.',
  );

const refreshFailed = (reason: string, cause?: unknown): AlloyError =>
  new AlloyError('TOKEN_REFRESH_FAILED', `Could not get a fresh user token: ${reason}.`, { cause });

function readToken(value: unknown, fail: (reason: string) => AlloyError): HeldToken {
  if (!looksLikeJwt(value))
    throw fail(`expected the JWT string from GET /users/:userId/token, ${describeNonToken(value)}`);
  let exp: unknown;
  try {
    exp = readClaims(value).exp;
  } catch {
    throw fail('expected the JWT string from GET /users/:userId/token, got a string whose payload is not JSON');
  }
  return { value, expiresAt: typeof exp === 'number' ? exp * 1000 : undefined, obtainedAt: Date.now() };
}

/**
 * The payload of a JWT, decoded but NOT verified (the server verifies; the SDK only reads `exp` to
 * refresh in time). `looksLikeJwt` checked the shape: three base64url segments. Throws when the
 * payload is not base64url-encoded JSON naming an object, as jose's `decodeJwt` did.
 */
function readClaims(token: string): { exp?: unknown } {
  const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
  const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('not a claims set');
  return claims;
}

async function callProvider(provider: TokenProvider, timeoutMs: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(refreshFailed(`the token provider did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(provider)
        .catch((error: unknown) => {
          throw refreshFailed('the token provider threw', error);
        }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
