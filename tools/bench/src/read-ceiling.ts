import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { READ_APPS } from '@badam/stack/fleet';
import { manyClientsEnv } from '@badam/load/many-clients';
import { repoRoot } from '@badam/stack/paths';
import { loadStackConfig } from '@badam/stack/stack-config';

/**
 * The read-only ceiling of the latest-page read through the gateway, per app: `npm run read-ceiling` drives each app
 * in turn with wrk (Debian's; a C load generator cheap enough not to be the bottleneck it measures), random groups
 * of --groups, against a running native stack (seeded, read model filled). Prints requests/s and latency per app.
 * Each connection comes from its own loopback address (manyClientsEnv): at ~9,000 requests/s over 32 connections,
 * each stays well under the gateway's per-client limit, which one address would hit at once.
 */
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
  },
});

const SCRIPT = join(repoRoot, 'tools/bench/latest-page.lua');
const gateway = `http://127.0.0.1:${loadStackConfig().BADAM_GATEWAY_PORT}`;

interface Figures {
  rps: number;
  p50: string;
  p99: string;
  errors: string;
}

function runWrk(app: string): Promise<Figures> {
  const wrkArgs = [
    '-t',
    args.threads,
    '-c',
    args.connections,
    '-d',
    `${args.seconds}s`,
    '--latency',
    '-s',
    SCRIPT,
    gateway,
    '--',
    app,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', wrkArgs, { stdio: ['ignore', 'pipe', 'inherit'], env: manyClientsEnv() });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}:\n${out}`));
      const field = (pattern: RegExp) => out.match(pattern)?.[1] ?? '?';
      resolve({
        rps: Number(field(/Requests\/sec:\s+([\d.]+)/)),
        p50: field(/^\s+50%\s+(\S+)/m),
        p99: field(/^\s+99%\s+(\S+)/m),
        // wrk counts non-2xx answers and socket errors apart from the requests.
        errors:
          [field(/Non-2xx or 3xx responses: (\d+)/), field(/Socket errors: (.*)/)]
            .filter((v) => v !== '?')
            .join('; ') || '0',
      });
    });
  });
}

console.log(`[ceiling] ${gateway}, ${args.connections} connections, ${args.seconds} s per app`);
for (const app of READ_APPS) {
  const figures = await runWrk(app);
  console.log(
    `  ${app.padEnd(8)} ${figures.rps.toFixed(0).padStart(7)} requests/s  p50 ${figures.p50}  p99 ${figures.p99}  errors ${figures.errors}`,
  );
}
