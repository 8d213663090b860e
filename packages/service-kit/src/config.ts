import { type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SvpnError } from '@svpn/errors';

export class ConfigError extends SvpnError<'SVPN_CONFIG_INVALID'> {
  constructor(readonly problems: string[]) {
    super('SVPN_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Reads a service's configuration from environment-style strings once at startup: each schema
 * property `fooBar` is read from `FOO_BAR` (or `prefix` + `FOO_BAR`), converted to the schema's
 * type, defaults applied, and validated. Fails fast with every problem listed.
 */
export function loadConfig<S extends TSchema>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Record<string, unknown> = {},
  prefix = 'SVPN_',
): Static<S> {
  const raw: Record<string, unknown> = {};
  const properties = (schema as unknown as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const key of Object.keys(properties)) {
    const envName = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const value = env[prefix + envName] ?? env[envName];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;
  const converted = Value.Convert(schema, Value.Default(schema, raw));
  const problems = [...Value.Errors(schema, converted)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Static<S>;
}
