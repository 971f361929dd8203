interface Window {
  failures: number;
  endsAt: number;
}

export interface ThrottleLimits {
  /** Failed logins one address may make per window. */
  perAddress: number;
  /** Failed logins all addresses together may make per window. */
  overall: number;
  windowMs: number;
}

const LOGIN_LIMITS: ThrottleLimits = { perAddress: 5, overall: 50, windowMs: 15 * 60_000 };

/**
 * Failed logins counted in this process's memory, per client address and overall, in fixed
 * windows: enough for the one dashboard process (a restart forgets them, replicas count apart).
 * The overall ceiling bounds guessing even when addresses are forged or many; its price is that a
 * flood of wrong passwords also keeps the operator out until its window ends.
 */
export function createLoginThrottle(limits: ThrottleLimits = LOGIN_LIMITS, now = Date.now) {
  const byAddress = new Map<string, Window>();
  let overall: Window = { failures: 0, endsAt: 0 };

  const live = (window: Window | undefined, at: number) => (window && window.endsAt > at ? window : undefined);
  const wait = (window: Window | undefined, limit: number, at: number) => {
    const current = live(window, at);
    return current && current.failures >= limit ? current.endsAt - at : 0;
  };

  return {
    /** Milliseconds until `address` may try a password again; 0 when it may now. */
    retryAfterMs(address: string): number {
      const at = now();
      return Math.max(wait(byAddress.get(address), limits.perAddress, at), wait(overall, limits.overall, at));
    },

    failed(address: string): void {
      const at = now();
      overall = live(overall, at) ?? { failures: 0, endsAt: at + limits.windowMs };
      overall.failures += 1;
      const mine = live(byAddress.get(address), at) ?? { failures: 0, endsAt: at + limits.windowMs };
      mine.failures += 1;
      byAddress.set(address, mine);
      // Every failure also counts overall, so few windows are live at once; the expired ones go.
      if (byAddress.size > limits.overall) for (const [key, window] of byAddress) if (!live(window, at)) byAddress.delete(key);
    },

    succeeded(address: string): void {
      byAddress.delete(address);
    },

    /** How many addresses are remembered (for the tests: memory stays bounded). */
    get size() {
      return byAddress.size;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
