import { DefaultLogger, Runtime, type LogLevel, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from 'pino';

const SDK_LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/**
 * Installs the Temporal SDK runtime (once per process): its logs (worker, workflows, activities)
 * go through pino as JSON, and with `metricsPort` its worker metrics are exported in Prometheus
 * format on loopback, named the Prometheus way (seconds, `_total`). Returns the exporter's URL,
 * or undefined when metrics are off or the port was taken (the worker then runs without them).
 */
export function installSdkRuntime(log: Logger, level: string, metricsPort = 0): string | undefined {
  const sdkLog = log.child({ component: 'temporal-sdk' });
  const logger = new DefaultLogger(SDK_LEVELS[level] ?? 'INFO', ({ level: entryLevel, message, meta }) => {
    const method =
      entryLevel === 'TRACE'
        ? 'trace'
        : entryLevel === 'DEBUG'
          ? 'debug'
          : entryLevel === 'WARN'
            ? 'warn'
            : entryLevel === 'ERROR'
              ? 'error'
              : 'info';
    sdkLog[method](meta ?? {}, message);
  });
  if (metricsPort > 0) {
    const bindAddress = `127.0.0.1:${metricsPort}`;
    const telemetryOptions: RuntimeOptions['telemetryOptions'] = {
      metrics: {
        // The worker's /metrics already says which process this is; `service` matches the other series.
        attachServiceName: false,
        globalTags: { service: 'worker' },
        prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    };
    try {
      Runtime.install({ logger, telemetryOptions });
      return `http://${bindAddress}/metrics`;
    } catch (err) {
      // Orders matter more than worker metrics: keep going, and let worker_sdk_metrics_up say 0.
      log.error({ err, bindAddress }, 'Temporal SDK metrics exporter failed to start; running without SDK metrics');
    }
  }
  Runtime.install({ logger });
  return undefined;
}
