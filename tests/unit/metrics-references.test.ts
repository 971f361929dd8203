import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_FILE,
  OBSERVABILITY_DIR,
  dashboardExpressions,
  metricNamesIn,
  referencedMetrics,
  ruleExpressions,
} from '../../observability/references';

describe('metric names in PromQL', () => {
  it('finds metrics, not functions, keywords, labels, strings or Grafana variables', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{route!="/x"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        'sum(rate(a_total{status_class="5xx"}[5m])) by (service) / ignoring(code) group_left sum(rate(b_total[5m] offset 1h)) > bool 0.05 unless on(job) up == 0',
      ).sort(),
    ).toEqual(['a_total', 'b_total', 'up']);
    expect(metricNamesIn('max by (item_id) (inventory_stock_level)')).toEqual(['inventory_stock_level']);
    expect(metricNamesIn('label_replace(x, "dst", "$1", "src", "(.*)")')).toEqual(['x']);
  });

  it('reads plain, quoted and block expr values from rule files', () => {
    const yaml = [
      'groups:',
      '  - name: g',
      '    rules:',
      '      - alert: A',
      '        expr: up == 0',
      '      - alert: B',
      "        expr: 'x{a=''b''} > 1'",
      '      - alert: C',
      '        expr: |',
      '          sum(rate(y[5m]))',
      '            > 2',
      '        for: 5m',
    ].join('\n');
    expect(ruleExpressions(yaml)).toEqual(['up == 0', "x{a='b'} > 1", 'sum(rate(y[5m]))\n> 2']);
  });
});

describe('alert rules and dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8')) as {
    uid: string;
    panels: {
      id: number;
      type: string;
      title: string;
      gridPos: { x: number; y: number; w: number; h: number };
      datasource?: { uid: string };
      targets?: { expr: string }[];
      fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: { color: string; value: number | null }[] } } };
    }[];
  };
  const panels = dashboard.panels.filter((panel) => panel.type !== 'row');

  it("reference the seed's metrics, so the services' /metrics test has something to check", () => {
    const names = [...referencedMetrics().keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'order_processing_duration_seconds_bucket',
        'http_request_duration_seconds_bucket',
        'http_requests_total',
        'inventory_chaos_enabled',
        'inventory_stock_level',
        'orders_completed_total',
        'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
      ]),
    );
    // Every rule and every panel contributed at least one metric.
    const rules = fs.readFileSync(path.join(OBSERVABILITY_DIR, 'prometheus/rules/valerix.rules.yml'), 'utf8');
    const expressions = ruleExpressions(rules);
    expect(expressions).toHaveLength([...rules.matchAll(/- alert: /g)].length);
    for (const expr of [...expressions, ...dashboardExpressions(dashboard).map((e) => e.expr)])
      expect(metricNamesIn(expr), expr).not.toHaveLength(0);
  });

  it('uses the provisioned datasource on every panel', () => {
    const provisioning = fs.readFileSync(path.join(OBSERVABILITY_DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    const uid = /uid: (\S+)/.exec(provisioning)![1];
    for (const panel of panels) expect(panel.datasource?.uid, panel.title).toBe(uid);
    expect(fs.readFileSync(path.join(OBSERVABILITY_DIR, 'grafana/provisioning/dashboards/valerix.yml'), 'utf8')).toMatch(/type: file/);
  });

  it('turns every latency panel from green to red at 1 s', () => {
    const latency = panels.filter(
      (panel) => panel.fieldConfig?.defaults.unit === 's' && panel.targets?.some((t) => t.expr.includes('histogram_quantile')),
    );
    expect(latency.map((panel) => panel.title)).toEqual(
      expect.arrayContaining(['Order latency p95', 'Order latency p50 / p95 / p99', 'HTTP latency p95 by service']),
    );
    for (const panel of latency) {
      expect(panel.fieldConfig!.defaults.thresholds?.steps, panel.title).toEqual([
        { color: 'green', value: null },
        { color: 'red', value: 1 },
      ]);
    }
  });

  it('has unique panel ids and no overlapping panels', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const boxes = dashboard.panels.map((panel) => ({ title: panel.title, ...panel.gridPos }));
    for (const [i, a] of boxes.entries()) {
      expect(a.x + a.w, a.title).toBeLessThanOrEqual(24);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });
});
