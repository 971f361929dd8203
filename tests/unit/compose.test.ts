import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// docker-compose.yml checked by Docker Compose v2's own `config` and by the compose-spec JSON
// schema (both provisioned by scripts/provision/compose-tools.sh), then the project's rules on
// the model compose resolved; and the Dockerfile, .dockerignore and the image's helper scripts
// at lint level (hadolint is not used: it is not on PyPI or the Go proxy with a licence we take).
const ROOT = path.resolve(import.meta.dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKER_COMPOSE = process.env.DOCKER_COMPOSE_PATH ?? path.join(ROOT, '.tools/bin/docker-compose');
const CHECK_JSONSCHEMA = process.env.CHECK_JSONSCHEMA_PATH ?? path.join(ROOT, '.tools/compose-venv/bin/check-jsonschema');

/** Every secret the compose file requires, with test values (none of them is a real secret). */
const TEST_SECRETS: Record<string, string> = {
  POSTGRES_SUPERUSER_PASSWORD: 'test-superuser-password-1',
  POSTGRES_OWNER_PASSWORD: 'test-owner-password-1',
  POSTGRES_APP_PASSWORD: 'test-app-password-1',
  TEMPORAL_DB_PASSWORD: 'test-temporal-password-1',
  REDIS_PASSWORD: 'test-redis-password-1',
  ADMIN_TOKEN: 'test-admin-token-000001',
  INVENTORY_SERVICE_TOKEN: 'test-service-token-00001',
  DASHBOARD_PASSWORD: 'test-dashboard-password-1',
  SESSION_SECRET: 'test-session-secret-00001',
  GRAFANA_ADMIN_PASSWORD: 'test-grafana-password-1',
};
/** The Valerix processes built from the Dockerfile; `migrate` is the one-shot among them. */
const VALERIX_SERVICES = ['migrate', 'inventory', 'worker', 'gateway', 'web'];
const SECRET_NAME = /PASSWORD|TOKEN|SECRET|_PWD$|AUTH/;

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  ports?: { host_ip?: string; target: number; published?: string }[];
}
interface ComposeModel {
  name: string;
  services: Record<string, ComposeService>;
}

let tmp: string;
let envFile: string;

function tool(binary: string, what: string) {
  if (!fs.existsSync(binary)) {
    throw new Error(`${what} not found at ${binary}: run scripts/provision.sh --for-tests (or scripts/provision/compose-tools.sh)`);
  }
  return binary;
}

/** docker-compose with only the given env file: the developer's .env and shell stay out of it. */
function compose(args: string[], options: { file?: string; env?: string } = {}) {
  const result = spawnSync(
    tool(DOCKER_COMPOSE, 'docker-compose'),
    ['--project-directory', ROOT, '--env-file', options.env ?? envFile, '-f', options.file ?? COMPOSE_FILE, ...args],
    { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, NODE_ENV: 'test' } },
  );
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

function checkJsonschema(file: string) {
  const result = spawnSync(tool(CHECK_JSONSCHEMA, 'check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', file], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function model(args: string[] = []): ComposeModel {
  const result = compose(['config', '--format', 'json', ...args]);
  expect(result.code, result.output).toBe(0);
  return JSON.parse(result.stdout) as ComposeModel;
}

/** A copy of docker-compose.yml with one edit, next to the original's paths. */
function variant(edit: (text: string) => string): string {
  const original = fs.readFileSync(COMPOSE_FILE, 'utf8');
  const edited = edit(original);
  expect(edited, 'the edit did not change the file').not.toBe(original);
  const file = path.join(tmp, `variant-${Math.random().toString(36).slice(2)}.yml`);
  fs.writeFileSync(file, edited);
  return file;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-compose-'));
  envFile = path.join(tmp, 'test.env');
  fs.writeFileSync(
    envFile,
    Object.entries(TEST_SECRETS)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('docker-compose.yml', () => {
  it('is accepted by Docker Compose v2 (config -q) with the required variables set', () => {
    const result = compose(['config', '-q']);
    expect(result.code, result.output).toBe(0);
  });

  it('validates against the compose-spec schema (check-jsonschema vendor.compose-spec)', () => {
    const result = checkJsonschema(COMPOSE_FILE);
    expect(result.code, result.output).toBe(0);
  });

  it('refuses to start without a required secret, and names it', () => {
    const partial = path.join(tmp, 'partial.env');
    fs.writeFileSync(
      partial,
      Object.entries(TEST_SECRETS)
        .filter(([name]) => name !== 'SESSION_SECRET')
        .map(([n, v]) => `${n}=${v}\n`)
        .join(''),
    );
    const result = compose(['config', '-q'], { env: partial });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('SESSION_SECRET');
  });

  it('a broken variant is refused by both checks (the checks can fail)', () => {
    // A condition compose does not know: Compose rejects it, and so does the schema.
    const badCondition = variant((text) => text.replace('condition: service_completed_successfully', 'condition: service_done'));
    expect(compose(['config', '-q'], { file: badCondition }).code).not.toBe(0);
    expect(checkJsonschema(badCondition).code).not.toBe(0);
    // A misspelt key: the schema refuses what compose might carry along silently.
    const badKey = variant((text) => text.replace('\n  read_only: true\n', '\n  readonly: true\n'));
    expect(checkJsonschema(badKey).code).not.toBe(0);
    // A dependency on a service that does not exist.
    const badDependency = variant((text) =>
      text.replace('      prometheus:\n        condition: service_healthy', '      prometheus-x:\n        condition: service_healthy'),
    );
    const result = compose(['config', '-q'], { file: badDependency });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('prometheus-x');
  });

  it('runs the real topology: Postgres, Redis, Temporal (schema, server, namespace, UI), Prometheus, Grafana and every Valerix service', () => {
    const { name, services } = model();
    expect(name).toBe('valerix');
    expect(Object.keys(services).sort()).toEqual(
      [
        'postgres',
        'redis',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'prometheus',
        'grafana',
        ...VALERIX_SERVICES,
      ].sort(),
    );
    expect(services.temporal!.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgres',
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    expect(services['temporal-schema']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui']!.ports?.[0]).toMatchObject({ target: 8080, published: '8233' });
  });

  it('gives every long-running service a healthcheck, and every one-shot restart "no"', () => {
    const { services } = model();
    const oneShots = Object.entries(services)
      .filter(([, service]) => service.restart === 'no')
      .map(([name]) => name);
    expect(oneShots.sort()).toEqual(['migrate', 'temporal-namespace', 'temporal-schema']);
    for (const [name, service] of Object.entries(services)) {
      if (oneShots.includes(name)) continue;
      expect(service.healthcheck?.test?.length, `${name} has no healthcheck`).toBeGreaterThan(0);
      expect(service.healthcheck?.disable, name).toBeFalsy();
    }
  });

  it('makes every depends_on wait on a condition: healthy for services, completed successfully for one-shots', () => {
    const { services } = model();
    let edges = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        edges += 1;
        const expected = services[dependency]!.restart === 'no' ? 'service_completed_successfully' : 'service_healthy';
        expect(condition, `${name} -> ${dependency}`).toBe(expected);
      }
    }
    expect(edges).toBeGreaterThanOrEqual(15);
    // Every one-shot is waited for by someone, so its failure stops the stack.
    for (const oneShot of ['migrate', 'temporal-schema', 'temporal-namespace']) {
      expect(
        Object.values(services).some((service) => service.depends_on?.[oneShot]),
        oneShot,
      ).toBe(true);
    }
  });

  it('commits no secret: every secret-looking value and URL password comes from the environment', () => {
    const { services } = model(['--no-interpolate']);
    const literals: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (value === null) continue;
        if (SECRET_NAME.test(key) && !/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/.test(value)) literals.push(`${name}.${key}`);
        const password = /:\/\/[^:/@]*:([^@]*)@/.exec(value)?.[1];
        if (password !== undefined && !/^\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/.test(password)) literals.push(`${name}.${key} (URL password)`);
      }
    }
    expect(literals).toEqual([]);
    const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
    for (const value of Object.values(TEST_SECRETS)) expect(text).not.toContain(value);
    // Required, not defaulted: `${SECRET:-something}` would be a committed secret.
    for (const name of Object.keys(TEST_SECRETS)) expect(text, name).toContain(`\${${name}:?`);
  });

  it('runs the Valerix services from the one image, hardened: non-root, read-only root, /tmp tmpfs, no capabilities', () => {
    const { services } = model();
    const commands: string[] = [];
    for (const name of VALERIX_SERVICES) {
      const service = services[name]!;
      expect(service.build?.context, name).toBe(ROOT);
      expect(service.build?.args?.BASE_IMAGE, name).toBe('node:20-bookworm-slim');
      expect(service.image, name).toBe('valerix:local');
      expect(service.user, name).toBe('10001:10001');
      expect(service.read_only, name).toBe(true);
      expect(service.tmpfs, name).toEqual(['/tmp']);
      expect(service.cap_drop, name).toEqual(['ALL']);
      commands.push(service.command![0]!);
    }
    // Each command is one the image's entrypoint knows.
    const entrypoint = fs.readFileSync(path.join(ROOT, 'deploy/image/entrypoint.sh'), 'utf8');
    for (const command of commands) expect(entrypoint, command).toMatch(new RegExp(`(^|[ |])${command}( |\\))`, 'm'));
    // The services get the app role; only migrate gets the owner.
    expect(services.gateway!.environment!.ORDERS_DATABASE_URL).toMatch(/^postgresql:\/\/valerix_app:/);
    expect(services.migrate!.environment!.ORDERS_MIGRATION_DATABASE_URL).toMatch(/^postgresql:\/\/valerix_owner:/);
    expect(JSON.stringify(services.gateway!.environment)).not.toContain('valerix_owner');
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const { services } = model();
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port.host_ip, `${name}:${port.target}`).toBe('127.0.0.1');
    }
  });

  it('mounts files that exist: the Postgres init script, Temporal setup, Prometheus config and rules, Grafana provisioning', () => {
    const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
    const sources = [...text.matchAll(/^\s+- (\.\/[^:]+):/gm)].map((match) => match[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(8);
    for (const source of sources) expect(fs.existsSync(path.join(ROOT, source)), source).toBe(true);
    const init = fs.readFileSync(path.join(ROOT, 'deploy/compose/postgres-init/10-valerix-roles.sh'), 'utf8');
    for (const database of ['orders', 'inventory', 'temporal', 'temporal_visibility'])
      expect(init).toContain(`CREATE DATABASE ${database} OWNER`);
    expect(init).toContain('NOSUPERUSER');
  });
});

describe('Dockerfile (lint level)', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n(\s*#.*\n)*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions.reduce<string[][]>((list, line) => {
    if (/^FROM /i.test(line)) list.push([line]);
    else list.at(-1)?.push(line);
    return list;
  }, []);
  const final = stages.at(-1)!;

  it('takes the base image as a build argument, the official Node 20 image by default', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE=node:20-bookworm-slim');
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM \$\{BASE_IMAGE\} AS [a-z-]+$/);
    expect(stages.length).toBeGreaterThanOrEqual(3);
  });

  it('runs as a non-root numeric user under tini, with a HEALTHCHECK', () => {
    const user = final.filter((line) => line.startsWith('USER '));
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^USER [1-9][0-9]{3,}(:[1-9][0-9]{3,})?$/);
    expect(final.some((line) => line.startsWith('HEALTHCHECK ') && line.includes('healthcheck.mjs'))).toBe(true);
    expect(final.find((line) => line.startsWith('ENTRYPOINT '))).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"/);
    expect(final.join('\n')).toMatch(/apt-get install .*\btini\b/);
  });

  it('ships production dependencies only, the bundles and the prebuilt workflow bundle', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    // node_modules reaches the final stage only from the production-dependency stage.
    const copies = final.filter((line) => line.startsWith('COPY ') && line.includes('node_modules'));
    expect(copies).toEqual(['COPY --from=prod-deps /app/node_modules ./node_modules']);
    expect(final.join('\n')).toContain('WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js');
    expect(dockerfile).toContain('node --import tsx deploy/image/build.mjs dist');
    // Every bundle the entrypoint runs is one the build makes.
    const build = fs.readFileSync(path.join(ROOT, 'deploy/image/build.mjs'), 'utf8');
    for (const service of ['gateway', 'inventory', 'worker', 'migrate', 'clients']) {
      const entry = new RegExp(`${service}: '([^']+)'`).exec(build)?.[1];
      expect(entry && fs.existsSync(path.join(ROOT, entry)), service).toBe(true);
    }
  });

  it('listens on 0.0.0.0 in the container', () => {
    for (const variable of ['GATEWAY_HOST', 'INVENTORY_HOST', 'WORKER_HTTP_HOST', 'HOST']) {
      expect(final.join('\n'), variable).toMatch(new RegExp(`\\b${variable}=0\\.0\\.0\\.0\\b`));
    }
  });

  it('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['node_modules', '.env', '.data', '.git', '.tools', 'generated', 'web/build'])
      expect(ignored, entry).toContain(entry);
  });
});

describe('the image healthcheck script', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.statusCode = req.url === '/health' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // Asynchronous: the server answering is in this process.
  const probe = (url: string) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'deploy/image/healthcheck.mjs'), url], { stdio: 'ignore' });
      child.on('exit', resolve);
    });

  it('passes on 2xx and fails on an error status or no answer', async () => {
    expect(await probe(`${base}/health`)).toBe(0);
    expect(await probe(`${base}/health/deep`)).toBe(1);
    expect(await probe('http://127.0.0.1:9/health')).toBe(1);
  });
});
