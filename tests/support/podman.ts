import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/**
 * podman and buildah for the `containers` deployment tests, with the configuration that
 * scripts/provision/container-tools.sh wrote under .tools/containers (storage, runtime, ulimits:
 * nothing global), the local base images it made (no registry is reachable), and podman's
 * Docker-compatible API on a socket of the test's own for docker-compose.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CONTAINERS_DIR = path.join(ROOT, '.tools/containers');
const PROVISION_COMMAND = 'bash scripts/provision/container-tools.sh';
/** The tag both container test files use: the image test builds it, the compose test runs it. */
export const TEST_IMAGE = 'localhost/valerix:test';
/** Every container the tests start carries this label (compose's through deploy/compose/test-override.yml). */
export const TEST_LABEL = 'io.valerix.test=containers';

export interface ContainerTools {
  /** The process env plus CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and CONTAINERS_REGISTRIES_CONF. */
  env: NodeJS.ProcessEnv;
  /** The Dockerfile's BASE_IMAGE here: Debian minbase + the official Node.js binary + npm. */
  nodeBaseImage: string;
  storageDriver: string;
}

interface ToolsFile {
  containersConf: string;
  storageConf: string;
  registriesConf: string;
  storageDriver: string;
  nodeBaseImage: string;
}

class ContainerToolsMissing extends Error {}

/** The provisioned tools, or an error that names the provisioning command. */
export function containerTools(): ContainerTools {
  const missing = (what: string) =>
    new ContainerToolsMissing(
      `${what}: run ${PROVISION_COMMAND} (installs podman, buildah, runc and debootstrap, writes .tools/containers/, makes the local base images)`,
    );
  for (const binary of ['podman', 'buildah', 'runc']) {
    if (spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0) throw missing(`${binary} is not installed`);
  }
  const toolsFile = path.join(CONTAINERS_DIR, 'tools.json');
  if (!fs.existsSync(toolsFile)) throw missing(`${path.relative(ROOT, toolsFile)} not found`);
  const tools = JSON.parse(fs.readFileSync(toolsFile, 'utf8')) as ToolsFile;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTAINERS_CONF: tools.containersConf,
    CONTAINERS_STORAGE_CONF: tools.storageConf,
    CONTAINERS_REGISTRIES_CONF: tools.registriesConf,
  };
  if (spawnSync('podman', ['image', 'exists', tools.nodeBaseImage], { env }).status !== 0) {
    throw missing(`the base image ${tools.nodeBaseImage} is not in .tools/containers`);
  }
  return { env, nodeBaseImage: tools.nodeBaseImage, storageDriver: tools.storageDriver };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (async: the test's timers keep running); throws with its output's tail unless `allowFailure`. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; allowFailure?: boolean; logFile?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      log?.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      log?.write(chunk);
    });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        }, options.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log?.end();
      const result = { code, stdout, stderr };
      if (code === 0 || options.allowFailure) return resolve(result);
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
      reject(
        new Error(
          `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${options.logFile ? `, log ${options.logFile}` : ''}:\n${tail}`,
        ),
      );
    });
  });
}

export const podman = (tools: ContainerTools, args: string[], options: Parameters<typeof run>[2] = {}) =>
  run('podman', args, { ...options, env: { ...tools.env, ...options.env } });

/** The image's size as podman reports it (its layers, uncompressed). */
async function imageSize(tools: ContainerTools, image: string): Promise<number> {
  return Number((await podman(tools, ['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim());
}

export interface BuiltImage {
  image: string;
  seconds: number;
  sizeBytes: number;
}

/**
 * The Dockerfile built with buildah FROM the local node base (`--build-arg BASE_IMAGE`), with its
 * layers kept: an unchanged tree builds again from cache in seconds. Each container test file
 * calls it (vitest runs them in either order); the second of a run finds every layer cached.
 * buildah's log is kept only when the build fails (its path is in the error).
 */
export async function buildValerixImage(tools: ContainerTools, image = TEST_IMAGE): Promise<BuiltImage> {
  const logFile = path.join(os.tmpdir(), `valerix-image-build-${process.pid}-${Date.now()}.log`);
  const started = Date.now();
  await run(
    'buildah',
    [
      'bud',
      '--layers',
      // HEALTHCHECK exists only in the Docker image format (buildah's default, OCI, drops it).
      '--format',
      'docker',
      '--network',
      'host',
      // RUN steps get these limits (the machine refuses higher ones).
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=4096:4096',
      '--build-arg',
      `BASE_IMAGE=${tools.nodeBaseImage}`,
      '-f',
      path.join(ROOT, 'Dockerfile'),
      '-t',
      image,
      ROOT,
    ],
    { env: tools.env, logFile, timeoutMs: 850_000 },
  );
  const seconds = (Date.now() - started) / 1000;
  await removeStaleImages(tools, fs.readFileSync(logFile, 'utf8'));
  fs.rmSync(logFile, { force: true });
  return { image, seconds, sizeBytes: await imageSize(tools, image) };
}

/**
 * Untagged images that this build did not use: earlier builds' stages and layers (after a change
 * to package.json a cold build leaves ~1.5 GB behind). The layers this build made or took from
 * its cache stay, so the next unchanged build is still a cache hit.
 */
async function removeStaleImages(tools: ContainerTools, buildLog: string): Promise<void> {
  const used = new Set([...buildLog.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map((match) => match[1]!.slice(0, 11)));
  const dangling = await podman(tools, ['images', '--quiet', '--no-trunc', '--filter', 'dangling=true'], { allowFailure: true });
  const stale = dangling.stdout
    .split('\n')
    .map((id) => id.trim().replace(/^sha256:/, ''))
    .filter((id) => id && !used.has(id.slice(0, 11)));
  if (used.size > 0 && stale.length > 0) await podman(tools, ['rmi', ...stale], { allowFailure: true });
}

/**
 * Containers of earlier runs that did not clean up (a run killed half-way), started more than
 * `olderThanMs` ago: a run going on at the same time in this checkout keeps its own.
 */
export async function removeLeftoverContainers(tools: ContainerTools, olderThanMs = 30 * 60_000): Promise<void> {
  const listed = await podman(tools, ['ps', '--all', '--filter', `label=${TEST_LABEL}`, '--format', 'json'], { allowFailure: true });
  if (listed.code !== 0 || !listed.stdout.trim()) return;
  const containers = JSON.parse(listed.stdout) as { Id: string; Created: number }[];
  const stale = containers.filter((container) => Date.now() - container.Created * 1000 > olderThanMs).map((container) => container.Id);
  if (stale.length > 0) await podman(tools, ['rm', '--force', '--time', '5', ...stale], { allowFailure: true });
}

/** GET over a unix socket (podman's API). */
function socketGet(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: urlPath, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

export interface PodmanService {
  socketPath: string;
  /** For docker-compose: DOCKER_HOST=unix://... */
  dockerHost: string;
  output(): string;
  stop(): Promise<void>;
}

/** `podman system service` on a socket in a temporary folder; resolves once its Docker API answers /_ping. */
export async function startPodmanService(tools: ContainerTools): Promise<PodmanService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valerix-podman-'));
  const socketPath = path.join(dir, 'podman.sock');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], {
    env: tools.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`podman system service exited (${child.exitCode}):\n${output}`);
    }
    const ping = fs.existsSync(socketPath) ? await socketGet(socketPath, '/_ping').catch(() => undefined) : undefined;
    if (ping?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not answer on ${socketPath} within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { socketPath, dockerHost: `unix://${socketPath}`, output: () => output, stop };
}

/**
 * Runs the HEALTHCHECK of each running container matching `filter` (podman ps --filter) every
 * `intervalMs`. podman schedules health checks with systemd timers, and these machines run no
 * systemd: without this, a container's health stays "starting" forever. podman itself runs the
 * image's (or compose's) check command in the container and records the result, exactly as a
 * timer would; only the trigger is ours.
 */
export function driveHealthchecks(tools: ContainerTools, filter: string, intervalMs = 2_000): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const listed = await podman(tools, ['ps', '--filter', filter, '--filter', 'status=running', '--format', '{{.Names}}'], {
        allowFailure: true,
      });
      const names = listed.stdout.split('\n').filter(Boolean);
      await Promise.all(names.map((name) => podman(tools, ['healthcheck', 'run', name], { allowFailure: true, timeoutMs: 30_000 })));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
