import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Where the CPU goes while a load runs: `npm run cpu-split -- --seconds 30` samples every process of the native stack
 * and the load generator from /proc twice, and prints each kind's share of one core (the machine has 200 %).
 */
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });

const KINDS: [RegExp, string][] = [
  [/clickhouse-server/, 'clickhouse'],
  [/kafka\.Kafka|kafka_2\.13/, 'kafka'],
  [/QuorumPeerMain/, 'zookeeper'],
  [/services\/(\w+)\/dist/, '$1'],
  [/locust/, 'locust'],
  [/haproxy/, 'gateway'],
  [/prometheus/, 'prometheus'],
  [/redis-server/, 'read-model'],
];

const TICKS_PER_SECOND = 100;

function kindOf(cmdline: string): string | undefined {
  for (const [pattern, kind] of KINDS) {
    const match = cmdline.match(pattern);
    if (match) return kind.replace('$1', match[1] ?? '');
  }
  return undefined;
}

/** CPU ticks (user + system) per process of a known kind. */
function sample(): Map<number, { kind: string; ticks: number }> {
  const processes = new Map<number, { kind: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const kind = kindOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      if (kind === undefined) continue;
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th after it.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.set(pid, { kind, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return processes;
}

const seconds = Number(args.seconds);
const before = sample();
await sleep(seconds * 1000);
const after = sample();
const byKind = new Map<string, { percent: number; processes: number }>();
for (const [pid, { kind, ticks }] of after) {
  const used = ticks - (before.get(pid)?.ticks ?? ticks);
  const entry = byKind.get(kind) ?? { percent: 0, processes: 0 };
  entry.percent += (used / TICKS_PER_SECOND / seconds) * 100;
  entry.processes += 1;
  byKind.set(kind, entry);
}
const rows = [...byKind].sort(([, a], [, b]) => b.percent - a.percent);
console.log(
  `[cpu] share of one core over ${seconds} s, by process kind (the machine has ${readdirSync('/sys/devices/system/cpu').filter((d) => /^cpu\d+$/.test(d)).length * 100} %):`,
);
for (const [kind, { percent, processes }] of rows)
  console.log(`  ${kind.padEnd(12)} ${percent.toFixed(0).padStart(4)} %  (${processes} processes)`);
console.log(
  `  ${'total'.padEnd(12)} ${rows
    .reduce((sum, [, { percent }]) => sum + percent, 0)
    .toFixed(0)
    .padStart(4)} %`,
);
