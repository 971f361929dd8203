import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/options';

describe('parseBenchArgs', () => {
  it('defaults to the full run of every phase with the shipped settings', () => {
    const options = parseBenchArgs([])!;
    expect(options.quick).toBe(false);
    expect([...options.phases]).toEqual(['latency', 'throughput', 'ceiling']);
    expect(options.latencyRate).toBe(50);
    expect(options.durations.sustainS).toBeGreaterThanOrEqual(60);
    expect(options.durable).toBe(true);
    expect(options.temporalDynamicConfig).toEqual([]);
    expect(options.serviceEnv).toEqual({});
  });

  it('returns undefined for --help', () => {
    expect(parseBenchArgs(['--help'])).toBeUndefined();
    expect(parseBenchArgs(['-h'])).toBeUndefined();
  });

  it('reads tuning flags, repeatable', () => {
    const options = parseBenchArgs([
      '--quick',
      '--only',
      'throughput,ceiling',
      '--temporal-dc',
      'system.enableActivityEagerExecution=true',
      '--temporal-dc',
      'history.shardIOConcurrency=4',
      '--temporal-pragma',
      'synchronous=off',
      '--temporal-env',
      'GOGC=400',
      '--env',
      'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=80',
      '--env',
      'LOG_LEVEL=warn',
      '--pg',
      'synchronous_commit=off',
      '--no-durable',
    ])!;
    expect(options.quick).toBe(true);
    expect(options.durations.sustainS).toBeLessThan(60);
    expect([...options.phases]).toEqual(['throughput', 'ceiling']);
    expect(options.temporalDynamicConfig).toEqual(['system.enableActivityEagerExecution=true', 'history.shardIOConcurrency=4']);
    expect(options.temporalPragmas).toEqual(['synchronous=off']);
    expect(options.temporalEnv).toEqual({ GOGC: '400' });
    expect(options.serviceEnv).toEqual({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '80', LOG_LEVEL: 'warn' });
    expect(options.postgresSettings).toEqual({ synchronous_commit: 'off' });
    expect(options.durable).toBe(false);
  });

  it('rejects what it cannot use, naming the flag', () => {
    expect(() => parseBenchArgs(['--only', 'memory'])).toThrow(/--only: unknown phase 'memory'/);
    expect(() => parseBenchArgs(['--latency-rate', '0'])).toThrow(/--latency-rate must be a positive number/);
    expect(() => parseBenchArgs(['--env', 'NOVALUE'])).toThrow(/--env expects KEY=VALUE/);
    expect(() => parseBenchArgs(['--temporal-dc', 'key=notjson'])).toThrow(/must be JSON/);
    expect(() => parseBenchArgs(['--multi-share', '2'])).toThrow(/--multi-share/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow();
  });
});
