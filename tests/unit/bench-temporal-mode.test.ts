import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/options';
import { TEMPORAL_POSTGRES, isTemporalPart, stackCpuPerCompletion, temporalCpuPerCompletion } from '../../bench/report';

describe('parseBenchArgs --temporal', () => {
  it('defaults to the dev server', () => {
    const options = parseBenchArgs([])!;
    expect(options.temporal).toBe('dev');
    expect(options.temporalModes).toEqual(['dev']);
  });

  it('runs the real server, or both one after the other with the dev server first', () => {
    expect(parseBenchArgs(['--temporal', 'server'])!.temporalModes).toEqual(['server']);
    const both = parseBenchArgs(['--quick', '--temporal', 'both'])!;
    expect(both.temporal).toBe('both');
    expect(both.temporalModes).toEqual(['dev', 'server']);
  });

  it('rejects an unknown mode', () => {
    expect(() => parseBenchArgs(['--temporal', 'cloud'])).toThrow(/--temporal must be dev, server or both, got 'cloud'/);
  });

  it('refuses the dev-server tuning with the real server, naming the flags', () => {
    expect(() => parseBenchArgs(['--temporal', 'server', '--temporal-dc', 'system.enableActivityEagerExecution=true'])).toThrow(
      /--temporal-dc tunes the Temporal dev server only and cannot be combined with --temporal server/,
    );
    expect(() => parseBenchArgs(['--temporal', 'both', '--temporal-pragma', 'synchronous=off', '--temporal-env', 'GOGC=400'])).toThrow(
      /--temporal-pragma, --temporal-env tune the Temporal dev server only and cannot be combined with --temporal both/,
    );
    // The services' own tuning applies to both modes.
    expect(parseBenchArgs(['--temporal', 'server', '--env', 'LOG_LEVEL=warn', '--pg', 'synchronous_commit=off'])!.serviceEnv).toEqual({
      LOG_LEVEL: 'warn',
    });
    expect(parseBenchArgs(['--temporal', 'dev', '--temporal-env', 'GOGC=400'])!.temporalEnv).toEqual({ GOGC: '400' });
  });
});

describe('Temporal CPU per completion', () => {
  const step = (parts: Record<string, number>, subParts: Record<string, number> = {}) => ({
    completedRate: 100,
    cpu: { benchCores: 1, otherCores: 0, cores: 2, parts, subParts },
  });

  it('is the one dev-server process in dev mode', () => {
    const figures = temporalCpuPerCompletion(step({ temporal: 0.3, worker: 0.2, postgres: 0.1 }))!;
    expect(figures.server).toBeCloseTo(3);
    expect(figures.withPostgres).toBeCloseTo(3);
  });

  it('sums every service of the real server, and adds its Postgres backends on request', () => {
    const figures = temporalCpuPerCompletion(
      step(
        {
          'temporal-history': 0.2,
          'temporal-matching': 0.1,
          'temporal-frontend': 0.1,
          'temporal-worker': 0.01,
          worker: 0.2,
          postgres: 0.3,
          'ceiling worker (bench only)': 0.5,
        },
        { [TEMPORAL_POSTGRES]: 0.15 },
      ),
    )!;
    expect(figures.server).toBeCloseTo(4.1);
    expect(figures.withPostgres).toBeCloseTo(5.6);
  });

  it('tells Temporal parts from the others, and leaves the ceiling worker out of the stack total', () => {
    expect(['temporal', 'temporal-history', 'temporal-worker'].every(isTemporalPart)).toBe(true);
    expect(['worker', 'postgres', 'ceiling worker (bench only)'].some(isTemporalPart)).toBe(false);
    expect(stackCpuPerCompletion(step({ temporal: 0.3, worker: 0.2, 'ceiling worker (bench only)': 0.5 }))).toBeCloseTo(5);
    expect(temporalCpuPerCompletion({ ...step({ temporal: 0.3 }), completedRate: 0 })).toBeUndefined();
  });
});
