import type { Redis } from 'ioredis';
import { PROBLEM_TYPES } from '../../shared/contract/problems';
import { HttpProblem } from '../http/problem';
import { CHAOS_OFF, applyChaosUpdate, type ChaosSettings, type ChaosUpdate } from '../../shared/contract/chaos';
import type { InventoryFaults } from './faults';

/** Chaos mode is kept in Redis so every replica shares it and it changes without a restart. */
const CHAOS_KEY = 'inventory:chaos';

export interface ChaosStore {
  get(): Promise<ChaosSettings>;
  update(update: ChaosUpdate): Promise<ChaosSettings>;
  disable(): Promise<ChaosSettings>;
}

/** Reads are cached briefly: a request path must not pay a Redis round trip each time. */
export function createChaosStore(redis: Redis, cacheMs = 250): ChaosStore {
  let cached: { settings: ChaosSettings; until: number } | undefined;
  const read = async (): Promise<ChaosSettings> => {
    const raw = await redis.get(CHAOS_KEY);
    return raw ? { ...CHAOS_OFF, ...(JSON.parse(raw) as Partial<ChaosSettings>) } : CHAOS_OFF;
  };
  const write = async (settings: ChaosSettings) => {
    await redis.set(CHAOS_KEY, JSON.stringify(settings));
    cached = { settings, until: Date.now() + cacheMs };
    return settings;
  };
  return {
    async get() {
      if (cached && cached.until > Date.now()) return cached.settings;
      try {
        const settings = await read();
        cached = { settings, until: Date.now() + cacheMs };
        return settings;
      } catch {
        // Redis down: chaos is a test tool, so fail safe to "off" rather than failing orders.
        return cached?.settings ?? CHAOS_OFF;
      }
    },
    async update(update) {
      return write(applyChaosUpdate(await read(), update));
    },
    async disable() {
      return write({ ...CHAOS_OFF, updated_at: new Date().toISOString() });
    },
  };
}

export interface ChaosFaults extends InventoryFaults {
  /** Runs before an /api/inventory route: added latency, then an injected 5xx. */
  beforeRequest(): Promise<void>;
}

export function createChaosFaults(chaos: ChaosStore, options: { random?: () => number; kill?: () => void } = {}): ChaosFaults {
  const random = options.random ?? Math.random;
  const kill = options.kill ?? (() => process.kill(process.pid, 'SIGKILL'));
  const hit = (rate: number) => rate > 0 && random() < rate;
  // Checked before and after the commit, at half the rate each: kills land on both sides.
  const maybeKill = async () => {
    const settings = await chaos.get();
    if (settings.enabled && hit(settings.kill_rate / 2)) kill();
  };
  return {
    async beforeRequest() {
      const settings = await chaos.get();
      if (!settings.enabled) return;
      if (hit(settings.latency_rate)) await new Promise((resolve) => setTimeout(resolve, settings.latency_ms));
      if (hit(settings.crash_rate)) {
        throw new HttpProblem(
          503,
          PROBLEM_TYPES.dependencyUnavailable,
          'Injected failure',
          'Chaos mode failed this call before anything was committed.',
        );
      }
    },
    async beforeCommit() {
      await maybeKill();
    },
    async afterCommit() {
      await maybeKill();
      const settings = await chaos.get();
      return settings.enabled && hit(settings.lost_response_rate) ? 'drop' : 'answer';
    },
  };
}
