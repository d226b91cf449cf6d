import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLICKHOUSE_ROLE_NAMES, clickhousePasswordSecret } from '@badam/pipeline';

/** The read model store's password: a Docker secret of this name, and a file of the native stack's secrets folder. */
export const READ_MODEL_PASSWORD_SECRET = 'read_model_password';

/** Every password the native stack runs with, by the names the Docker deployments give their secrets. */
const STACK_SECRET_NAMES = [
  ...CLICKHOUSE_ROLE_NAMES.map(clickhousePasswordSecret),
  READ_MODEL_PASSWORD_SECRET,
] as const;

export interface StackSecrets {
  /** The file holding a secret: what a service's *_FILE variable names, as a Docker secret's /run/secrets/<name>. */
  path(name: string): string;
  /** The secret itself, for the servers the stack configures and its own clients (tests, tools). */
  value(name: string): string;
}

/**
 * The native stack's passwords: one file per secret under <data dir>/secrets (mode 0600), made at random on first use
 * and kept with the rest of the stack's state (scripts/stack.sh reset wipes them), so the tools run beside a stack
 * (seed, load, benchmarks) find the same ones. The services get the files, as in Docker, never the values.
 */
export function ensureStackSecrets(dataDir: string): StackSecrets {
  const dir = secretsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of STACK_SECRET_NAMES) {
    const path = join(dir, name);
    // Hex: safe in a URL, a config line and a shell word alike.
    if (!existsSync(path)) writeFileSync(path, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  }
  return stackSecrets(dataDir);
}

/** The secrets of a stack that made them (ensureStackSecrets), e.g. the test run's, from the tests' processes. */
export function stackSecrets(dataDir: string): StackSecrets {
  const dir = secretsDir(dataDir);
  const path = (name: string) => {
    if (!(STACK_SECRET_NAMES as readonly string[]).includes(name)) throw new Error(`no stack secret named ${name}`);
    return join(dir, name);
  };
  return {
    path,
    value: (name) => readFileSync(path(name), 'utf8').replace(/\n+$/, ''),
  };
}

function secretsDir(dataDir: string): string {
  return join(dataDir, 'secrets');
}
