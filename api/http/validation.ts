import { Ajv, type Options } from 'ajv';
import type { AnyFastify } from './types';

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };
// Bodies are JSON: a quantity sent as "2" is a client bug, not something to guess at.
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
// Query strings and path params only carry text, so numbers there are coerced.
const textAjv = new Ajv({ ...common, coerceTypes: 'array' });

/** Strict JSON bodies (no coercion, unknown fields rejected where the schema says so). */
export function registerStrictValidation(app: AnyFastify): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));
}
