import { describe, expect, it, vi } from 'vitest';
import { createChaosFaults, type ChaosStore } from '../../api/inventory/chaos';
import { CHAOS_OFF, applyChaosUpdate, type ChaosSettings } from '../../shared/contract/chaos';

const fixedStore = (settings: Partial<ChaosSettings>): ChaosStore => {
  const state = { ...CHAOS_OFF, ...settings };
  return { get: async () => state, update: async () => state, disable: async () => CHAOS_OFF };
};

describe('chaos settings updates', () => {
  it("reads the seed's body: latency true is 5 s on every call, and chaos switches on", () => {
    const next = applyChaosUpdate(CHAOS_OFF, { latency: true, crash_rate: 0.3 });
    expect(next).toMatchObject({ enabled: true, latency_ms: 5000, latency_rate: 1, crash_rate: 0.3, lost_response_rate: 0 });
  });

  it('keeps fields left out of a partial update', () => {
    const first = applyChaosUpdate(CHAOS_OFF, { crash_rate: 0.5, lost_response_rate: 0.2 });
    const second = applyChaosUpdate(first, { latency_ms: 100, latency_rate: 0.2 });
    expect(second).toMatchObject({ crash_rate: 0.5, lost_response_rate: 0.2, latency_ms: 100, latency_rate: 0.2, enabled: true });
  });

  it('turns off with enabled false and keeps the values for next time', () => {
    const on = applyChaosUpdate(CHAOS_OFF, { crash_rate: 0.5 });
    const off = applyChaosUpdate(on, { enabled: false });
    expect(off.enabled).toBe(false);
    expect(off.crash_rate).toBe(0.5);
  });
});

describe('chaos faults', () => {
  it('does nothing while disabled, whatever the rates', async () => {
    const kill = vi.fn();
    const faults = createChaosFaults(fixedStore({ enabled: false, crash_rate: 1, lost_response_rate: 1, kill_rate: 1 }), { kill });
    await expect(faults.beforeRequest()).resolves.toBeUndefined();
    await expect(faults.afterCommit('reserve')).resolves.toBe('answer');
    expect(kill).not.toHaveBeenCalled();
  });

  it('fails a call with a 503 problem at the crash rate', async () => {
    const faults = createChaosFaults(fixedStore({ enabled: true, crash_rate: 0.5 }), { random: () => 0.4 });
    await expect(faults.beforeRequest()).rejects.toMatchObject({ status: 503 });
    const spared = createChaosFaults(fixedStore({ enabled: true, crash_rate: 0.5 }), { random: () => 0.6 });
    await expect(spared.beforeRequest()).resolves.toBeUndefined();
  });

  it('drops the answer after the commit at the lost-response rate', async () => {
    const faults = createChaosFaults(fixedStore({ enabled: true, lost_response_rate: 0.2 }), { random: () => 0.1 });
    await expect(faults.afterCommit('reserve')).resolves.toBe('drop');
  });

  it('kills the process on either side of the commit at the kill rate', async () => {
    const kill = vi.fn();
    const faults = createChaosFaults(fixedStore({ enabled: true, kill_rate: 1 }), { kill, random: () => 0.1 });
    await faults.beforeCommit('reserve');
    await faults.afterCommit('release');
    expect(kill).toHaveBeenCalledTimes(2);
  });

  it('delays a call by latency_ms at the latency rate', async () => {
    const faults = createChaosFaults(fixedStore({ enabled: true, latency_ms: 120, latency_rate: 1 }), { random: () => 0.5 });
    const started = performance.now();
    await faults.beforeRequest();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});
