import { z } from 'zod';

/**
 * Parses process.env against a schema once, at start-up. A bad or missing variable stops the
 * process with a message that names it, instead of failing later somewhere else.
 */
export function loadConfig<Schema extends z.ZodType>(
  processName: string,
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new Error(`${processName}: invalid configuration\n${problems.join('\n')}\n(see .env.example)`);
  }
  return result.data;
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
export const databaseUrl = (fallback: string) => z.string().url().default(fallback);
