import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Postgres' own client tools (pg_dump, pg_dumpall, pg_restore): PG_BIN_DIR, else the newest
 * Debian install (a dump tool must be as new as the server), else PATH.
 */
export function pgToolPath(tool: 'pg_dump' | 'pg_dumpall' | 'pg_restore', binDir?: string): string {
  if (binDir) return path.join(binDir, tool);
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((version) => fs.existsSync(path.join(base, version, 'bin', tool)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? path.join(base, versions[0], 'bin', tool) : tool;
}

/** The URL without its password, and the password for PGPASSWORD: never on a command line, where `ps` shows it. */
function connection(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(tool, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stderr, code } = err as { stderr?: string; code?: number | string };
    throw new Error(`${path.basename(tool)} failed (${code}): ${(stderr ?? String(err)).trim().slice(0, 2000)}`, { cause: err });
  }
}

export interface PgTools {
  version(): Promise<string>;
  /** Custom format, uncompressed: the archive around it is compressed once. `snapshot` pins an exported snapshot. */
  dump(databaseUrl: string, file: string, snapshot?: string): Promise<void>;
  /** Roles and tablespaces, without password hashes (so any role able to connect can take them). */
  dumpGlobals(databaseUrl: string, file: string): Promise<void>;
  /** Into an existing empty database, in one transaction: it restores whole or not at all. */
  restore(databaseUrl: string, file: string): Promise<void>;
}

export function createPgTools(binDir?: string): PgTools {
  return {
    async version() {
      return (await runTool(pgToolPath('pg_dump', binDir), ['--version'], process.env)).trim();
    },
    async dump(databaseUrl, file, snapshot) {
      const { dbname, env } = connection(databaseUrl);
      const args = ['--format=custom', '--compress=0', `--file=${file}`, `--dbname=${dbname}`];
      if (snapshot) args.push(`--snapshot=${snapshot}`);
      await runTool(pgToolPath('pg_dump', binDir), args, env);
    },
    async dumpGlobals(databaseUrl, file) {
      const { dbname, env } = connection(databaseUrl);
      await runTool(
        pgToolPath('pg_dumpall', binDir),
        ['--globals-only', '--no-role-passwords', `--file=${file}`, `--dbname=${dbname}`],
        env,
      );
    },
    async restore(databaseUrl, file) {
      const { dbname, env } = connection(databaseUrl);
      await runTool(
        pgToolPath('pg_restore', binDir),
        ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, file],
        env,
      );
    },
  };
}
