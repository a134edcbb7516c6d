/**
 * Throttling of wrong credentials per client address, so a password cannot
 * be guessed at HTTP speed.
 *
 * The `maxFailures`-th wrong credential from one address within `windowMs`
 * locks the address out for `lockoutMs`, doubling with every further lockout
 * (up to `maxLockoutMs`) until the address has stayed clean for `forgetMs`.
 * While locked out, every credential check from the address is answered 429
 * with Retry-After — even a correct one, otherwise guessing would continue
 * behind the lockout. Anonymous reads are not affected.
 *
 * The table is bounded (`maxAddresses`, oldest entries dropped) so a flood
 * of spoofed sources cannot exhaust memory. The clock is injectable so tests
 * need not wait.
 */
export interface RateLimitOptions {
  maxFailures?: number;
  windowMs?: number;
  lockoutMs?: number;
  maxLockoutMs?: number;
  forgetMs?: number;
  maxAddresses?: number;
  now?: () => number;
}

interface AddressState {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  lastFailure: number;
}

export class CredentialRateLimiter {
  readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  private readonly maxLockoutMs: number;
  private readonly forgetMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly byAddress = new Map<string, AddressState>();

  constructor(options: RateLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.lockoutMs = options.lockoutMs ?? 60_000;
    this.maxLockoutMs = options.maxLockoutMs ?? 60 * 60_000;
    this.forgetMs = options.forgetMs ?? 24 * 60 * 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds the address must wait before its credentials are checked again; 0 when it may try now. */
  retryAfter(address: string): number {
    const state = this.byAddress.get(address);
    if (state === undefined) return 0;
    const wait = state.lockedUntil - this.now();
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** Records a wrong credential; returns the lockout in seconds it caused (0 for none). */
  fail(address: string): number {
    const now = this.now();
    let state = this.byAddress.get(address);
    if (state !== undefined && now - state.lastFailure > this.forgetMs) state = undefined;
    state ??= { failures: [], lockedUntil: 0, lockouts: 0, lastFailure: now };
    // Re-insert so Map order is least recently failed first (eviction order).
    this.byAddress.delete(address);
    this.byAddress.set(address, state);
    state.lastFailure = now;
    state.failures = state.failures.filter((t) => now - t < this.windowMs);
    state.failures.push(now);
    if (state.failures.length >= this.maxFailures) {
      const lockout = Math.min(this.lockoutMs * 2 ** state.lockouts, this.maxLockoutMs);
      state.lockouts += 1;
      state.failures = [];
      state.lockedUntil = now + lockout;
    }
    this.evict();
    return this.retryAfter(address);
  }

  /** A correct credential clears the window (not the lockout history). */
  succeed(address: string): void {
    const state = this.byAddress.get(address);
    if (state !== undefined) state.failures = [];
  }

  private evict(): void {
    while (this.byAddress.size > this.maxAddresses) {
      const oldest = this.byAddress.keys().next();
      if (oldest.done) return;
      this.byAddress.delete(oldest.value);
    }
  }
}
