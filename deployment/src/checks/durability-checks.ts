import type { DeploymentFile } from '../deployment-file.js';
import { DURABLE_INSERT_SETTINGS, type ClusterFiles } from '../generate/cluster-files.js';
import { servicesRunning } from './image-names.js';
import { commandArgs } from './service-checks.js';

export const REDPANDA_IMAGE = 'docker.redpanda.com/redpandadata/redpanda';

/** A flag's values in a command: `--name=value`, `--name value`, or '' for a bare `--name`. */
function flagValues(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, i) => {
    if (arg.startsWith(`${name}=`)) return [arg.slice(name.length + 1)];
    if (arg !== name) return [];
    const next = args[i + 1];
    return [next === undefined || next.startsWith('--') ? '' : next];
  });
}

/** The `--set key=value` pairs of an `rpk redpanda start` command, the last one of a key winning. */
function rpkSettings(args: readonly string[]): Map<string, string> {
  return new Map(
    flagValues(args, '--set').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/**
 * The swarm's brokers acknowledge a write only once it is on disk (fsynced on a majority of brokers, Redpanda's
 * acks=all without write caching), so an acknowledged send survives a power loss of every machine at once
 * (docs/RELIABILITY.md). So none runs in dev-container mode (it bypasses fsync and turns write caching on), none
 * bypasses fsync, each turns developer_mode off (the image's default config has it on), and write caching is not
 * turned on. The compose file's single broker is a one-machine trial's and may (its header says so).
 */
export function brokerDurabilityProblems(file: DeploymentFile): string[] {
  if (file.kind !== 'swarm') return [];
  const brokers = servicesRunning(file, REDPANDA_IMAGE);
  if (brokers.length === 0) return [`no service runs ${REDPANDA_IMAGE}`];
  return brokers.flatMap((name) => {
    const args = commandArgs(file.services[name]?.command);
    const problems: string[] = [];
    for (const mode of flagValues(args, '--mode'))
      problems.push(`${name}: --mode ${mode} (dev-container bypasses fsync and acknowledges from memory)`);
    for (const bypass of flagValues(args, '--unsafe-bypass-fsync'))
      if (bypass !== 'false') problems.push(`${name}: --unsafe-bypass-fsync ${bypass || 'given'} (fsync bypassed)`);
    const settings = rpkSettings(args);
    if (settings.get('redpanda.developer_mode') !== 'false')
      problems.push(`${name}: redpanda.developer_mode is not set to false (the image's default config turns it on)`);
    if (settings.get('redpanda.write_caching_default') === 'true')
      problems.push(`${name}: redpanda.write_caching_default=true (writes acknowledged before they are on disk)`);
    return problems;
  });
}

/**
 * The swarm's ClickHouse servers fsync an inserted part and its directory before the insert returns (both off by
 * default): a consumer commits a record's offset after its insert, so its rows must be on disk by then.
 */
export function clickhouseDurabilityProblems(file: DeploymentFile, files: Pick<ClusterFiles, 'clickhouse'>): string[] {
  if (file.kind !== 'swarm') return [];
  const mergeTree = /<merge_tree>([\s\S]*?)<\/merge_tree>/.exec(files.clickhouse.text)?.[1] ?? '';
  return DURABLE_INSERT_SETTINGS.filter(
    ([name, value]) => !new RegExp(`<${name}>${value}</${name}>`).test(mergeTree),
  ).map(([name, value]) => `ClickHouse config: <merge_tree> does not set ${name} to ${value}`);
}
