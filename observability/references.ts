/**
 * Which metric names the alert rules and the Grafana dashboard use, read from the files
 * themselves, so a test can check each one against what the services really export.
 */
import fs from 'node:fs';
import path from 'node:path';

export const OBSERVABILITY_DIR = import.meta.dirname;
export const RULES_DIR = path.join(OBSERVABILITY_DIR, 'prometheus', 'rules');
export const DASHBOARD_FILE = path.join(OBSERVABILITY_DIR, 'grafana', 'dashboards', 'valerix.json');

/** Series Prometheus makes itself for every target: no service exports them. */
export const PROMETHEUS_SERIES = new Set(['up']);

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Metric names in a PromQL expression (Grafana variables such as $__rate_interval allowed). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?\w+\}?/g, ' '); // Grafana variables
  const names = new Set<string>();
  for (const match of bare.matchAll(/[\w:.]+(?=\s*(\()?)/g)) {
    const token = match[0];
    const isCall = match[1] !== undefined;
    if (isCall || PROMQL_KEYWORDS.has(token.toLowerCase()) || !/^[a-zA-Z_:][\w:]*$/.test(token)) continue;
    names.add(token);
  }
  return [...names];
}

/** The `expr:` values of a Prometheus rule file (plain, quoted, or `|` / `>` blocks). */
export function ruleExpressions(yaml: string): string[] {
  const lines = yaml.split('\n');
  const expressions: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(\s*)(?:- )?expr:\s*(.*?)\s*$/.exec(line);
    if (!match) return;
    const indent = match[1]!.length;
    const value = match[2]!;
    if (!/^[|>][-+]?$/.test(value)) {
      expressions.push(
        value.startsWith("'") ? value.slice(1, -1).replaceAll("''", "'") : value.startsWith('"') ? (JSON.parse(value) as string) : value,
      );
      return;
    }
    const block: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent) break;
      block.push(next.trim());
    }
    expressions.push(block.join('\n').trim());
  });
  return expressions;
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every target expression of a Grafana dashboard, with its panel's title (rows included). */
export function dashboardExpressions(dashboard: { panels?: Panel[] }): { panel: string; expr: string }[] {
  const walk = (panels: Panel[]): { panel: string; expr: string }[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? [])
        .filter((target) => target.expr)
        .map((target) => ({ panel: panel.title ?? '(untitled)', expr: target.expr! })),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels ?? []);
}

/** Metric name -> where it is used ("rules: <file>" or "dashboard: <panel>"). */
export function referencedMetrics(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const add = (expr: string, where: string) => {
    for (const name of metricNamesIn(expr)) uses.set(name, [...(uses.get(name) ?? []), where]);
  };
  for (const file of fs.readdirSync(RULES_DIR).filter((name) => name.endsWith('.yml'))) {
    for (const expr of ruleExpressions(fs.readFileSync(path.join(RULES_DIR, file), 'utf8'))) add(expr, `rules: ${file}`);
  }
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8')) as { panels?: Panel[] };
  for (const { panel, expr } of dashboardExpressions(dashboard)) add(expr, `dashboard: ${panel}`);
  return uses;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of the samples of `name` whose labels include `labels`. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}
