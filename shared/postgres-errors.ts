const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Prisma's own codes (P2010: "raw query failed") have the same shape; the SQLSTATE is deeper. */
const PRISMA_CODE = /^P\d{4}$/;

/** The SQLSTATE of a Postgres error, however deep pg or Prisma's driver adapter wrapped it. */
function sqlState(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 5) return undefined;
  const candidate = err as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: unknown; driverAdapterError?: unknown };
  for (const code of [candidate.originalCode, candidate.code]) {
    if (typeof code === 'string' && SQLSTATE.test(code) && !PRISMA_CODE.test(code)) return code;
  }
  for (const inner of [candidate.cause, candidate.meta, candidate.driverAdapterError]) {
    const found = sqlState(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Postgres refused the values themselves (SQLSTATE class 22, data exception): retrying cannot help. */
export function isDataException(err: unknown): boolean {
  return sqlState(err)?.startsWith('22') ?? false;
}
