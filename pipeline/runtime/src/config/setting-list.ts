import { secretFileVariable, type EnvSpec } from './env.js';

/**
 * A service's settings as data, read from the same spec its config module passes to readConfig, without starting it:
 * what .env.example, the Docker files' environment blocks and the native fleet are written from.
 */
export interface SettingDescription {
  name: string;
  describe: string;
  /** As it would be written in the environment; undefined when the setting is required. */
  default: string | undefined;
  /** Given as NAME or, in deployments, as NAME_FILE: the path of a file holding it. */
  secret: boolean;
}

export function describeSettings(spec: EnvSpec): SettingDescription[] {
  return Object.entries(spec).map(([name, variable]) => ({
    name,
    describe: variable.describe,
    default: variable.default,
    secret: variable.secret === true,
  }));
}

/** A setting's value for a service: text, or for a secret the file holding it (a Docker secret, a stack file). */
export type SettingValue = string | { file: string };

/**
 * The environment a service is started with: of `values` (which may hold more than the service reads, e.g. one table
 * for every service), the settings its spec reads; a secret as NAME_FILE, never as its text. With `explicit`, every
 * other setting is written with its default too, so a deployment file says everything the service uses.
 */
export function environmentOf(
  spec: EnvSpec,
  values: Readonly<Record<string, SettingValue | undefined>>,
  { explicit = false }: { explicit?: boolean } = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const setting of describeSettings(spec)) {
    const value = values[setting.name];
    if (typeof value === 'object') {
      if (!setting.secret) throw new Error(`${setting.name} is not a secret: give its value, not a file`);
      env[secretFileVariable(setting.name)] = value.file;
    } else if (setting.secret) {
      // Unset, a secret falls back to its default (no password), which is written nowhere.
      if (value !== undefined) throw new Error(`${setting.name} is a secret: give the file holding it, not its text`);
    } else {
      const text = value ?? (explicit ? setting.default : undefined);
      if (text !== undefined) env[setting.name] = text;
    }
  }
  return env;
}
