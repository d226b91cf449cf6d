import { readFileSync } from 'node:fs';

/**
 * Config is read once at startup from a spec (key, type, default, bounds: the kinds of variable are env-vars.ts's);
 * every problem is collected and reported together, naming the variable, so a misconfigured service fails at boot
 * with one readable message. Nothing else reads process.env.
 */
export type EnvSpec = Record<string, EnvVar<unknown>>;

export interface EnvVar<T> {
  readonly describe: string;
  /** A secret (see secret()): read from KEY or from the file KEY_FILE names, and never shown in a message. */
  readonly secret?: true;
  /** The value used when the variable is unset, as it would be written in the environment; undefined: required. */
  readonly default?: string;
  parse(raw: string | undefined, key: string): T;
}

export interface ReadConfigOptions {
  /** Reads the file a KEY_FILE variable names; the deployment checks, which have no /run/secrets, pass their own. */
  readFile?: (path: string) => string;
}

export type ConfigOf<S extends EnvSpec> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function readConfig<S extends EnvSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
  { readFile = (path) => readFileSync(path, 'utf8') }: ReadConfigOptions = {},
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(spec)) {
    try {
      const raw = variable.secret === true ? secretValue(key, env, readFile) : emptyToUndefined(env[key]);
      config[key] = variable.parse(raw, key);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message} (${variable.describe})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}

function emptyToUndefined(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** The variable naming the file that holds a secret KEY: KEY_FILE, the convention of Docker secrets (/run/secrets). */
export function secretFileVariable(key: string): string {
  return `${key}_FILE`;
}

/**
 * A secret given as KEY or, for Docker secrets, as the content of the file KEY_FILE names, trailing newlines dropped
 * as the shell's $(cat file) drops them (so `echo secret > file` works, and a hash made by a script matches).
 */
function secretValue(key: string, env: NodeJS.ProcessEnv, readFile: (path: string) => string): string | undefined {
  const fileKey = secretFileVariable(key);
  const direct = emptyToUndefined(env[key]);
  const path = emptyToUndefined(env[fileKey]);
  if (path === undefined) return direct;
  if (direct !== undefined) throw new Error(`is set twice, by ${key} and by ${fileKey}: keep one`);
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    throw new Error(
      `cannot read the file ${fileKey} names, ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  const value = content.replace(/\n+$/, '');
  if (value === '') throw new Error(`the file ${fileKey} names, ${path}, is empty`);
  return value;
}
