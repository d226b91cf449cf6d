import { readModelStoreOf } from '../deployment-services.js';
import type { DeploymentFile } from '../deployment-file.js';
import { type SecretExpectations, secretMounts } from './secret-checks.js';
import { commandArgs } from './service-checks.js';

/**
 * Each server of the read model's store asks for its password, read from its secret inside the container (never on
 * the command line).
 */
export function storePasswordProblems(file: DeploymentFile, expected: Pick<SecretExpectations, 'store'>): string[] {
  const { passwordSecret } = expected.store;
  return readModelStoreOf(file.kind).nodes.flatMap((name) => {
    const store = file.services[name];
    if (store === undefined) return [`${name}: no such service`];
    const problems: string[] = [];
    const mount = secretMounts(store).find(({ source }) => source === passwordSecret);
    if (mount === undefined) problems.push(`${name}: does not mount secret ${passwordSecret}`);
    const args = commandArgs(store.command);
    if (args.includes('--requirepass'))
      problems.push(`${name}: --requirepass on the command line shows the password to every process`);
    if (!setsFromSecret(args, 'requirepass', mount?.target))
      problems.push(
        `${name}: its command does not set requirepass from ${mount?.target ?? `secret ${passwordSecret}`}`,
      );
    return problems;
  });
}

/** A config line of the command sets `directive` from the secret's file (e.g. `requirepass $(cat /run/secrets/x)`). */
export function setsFromSecret(args: readonly string[], directive: string, secretPath: string | undefined): boolean {
  if (secretPath === undefined) return false;
  return args.some((arg) => arg.split('\n').some((line) => line.includes(directive) && line.includes(secretPath)));
}
