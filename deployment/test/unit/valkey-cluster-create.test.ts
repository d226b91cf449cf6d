import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLUSTER_FILES } from '../../src/generate/cluster-files.js';

const run = promisify(execFile);

/**
 * deployment/valkey/cluster-create.sh against stand-ins for valkey-cli (answers from a state folder, records its calls)
 * and getent (valkey-N is at 10.0.0.N): the four ways a deploy finds the cluster.
 */
const root = mkdtempSync(join(tmpdir(), 'badam-valkey-create-'));
after(() => rmSync(root, { recursive: true, force: true }));

const bin = join(root, 'bin');
mkdirSync(bin);
writeFileSync(
  join(bin, 'valkey-cli'),
  `#!/bin/sh
echo "$*" >> "$STUB_STATE/calls"
[ "$REDISCLI_AUTH" = "the password" ] || { echo NOAUTH; exit 1; }
case "$*" in
  *" ping") echo PONG ;;
  *" cluster info") printf 'cluster_state:%s\\r\\ncluster_slots_assigned:%s\\r\\n' "$(cat "$STUB_STATE/state")" "$(cat "$STUB_STATE/slots")" ;;
  "--cluster create"*) echo ok > "$STUB_STATE/state"; echo 16384 > "$STUB_STATE/slots" ;;
  *" cluster meet "*) [ "$STUB_MEET_HEALS" = 1 ] && echo ok > "$STUB_STATE/state"; echo OK ;;
esac
`,
);
writeFileSync(join(bin, 'getent'), `#!/bin/sh\necho "10.0.0.$(echo "$2" | sed 's/.*-//') $2"\n`);
for (const tool of ['valkey-cli', 'getent']) chmodSync(join(bin, tool), 0o755);

const NODES = ['valkey-1:6379', 'valkey-2:6379', 'valkey-3:6379'];

async function createCluster(name: string, state: string, slots: number, meetHeals = true) {
  const dir = join(root, name);
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  writeFileSync(join(dir, 'secrets', 'read_model_password'), 'the password');
  writeFileSync(join(dir, 'state'), state);
  writeFileSync(join(dir, 'slots'), String(slots));
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    STUB_STATE: dir,
    STUB_MEET_HEALS: meetHeals ? '1' : '0',
    BADAM_SECRETS_DIR: join(dir, 'secrets'),
    BADAM_CLUSTER_WAIT_S: '1',
  };
  const result = await run('sh', [CLUSTER_FILES.valkeyCreator.source, '1', ...NODES], { env }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { ...result, calls: readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') };
}

describe('deployment/valkey/cluster-create.sh', () => {
  it('creates the cluster from the nodes’ addresses when no node has a slot', async () => {
    const { code, calls } = await createCluster('fresh', 'fail', 0);
    assert.equal(code, 0);
    assert.ok(
      calls.includes('--cluster create 10.0.0.1:6379 10.0.0.2:6379 10.0.0.3:6379 --cluster-replicas 1 --cluster-yes'),
    );
    assert.ok(!calls.some((call) => call.includes('the password')), 'the password never on a command line');
  });

  it('does nothing when the cluster is already ok', async () => {
    const { code, calls } = await createCluster('formed', 'ok', 16384);
    assert.equal(code, 0);
    assert.ok(!calls.some((call) => call.includes('--cluster create') || call.includes('meet')));
  });

  it('introduces the nodes again at their current addresses when they hold slots but lost each other', async () => {
    const { code, calls } = await createCluster('moved', 'fail', 16384);
    assert.equal(code, 0);
    assert.ok(!calls.some((call) => call.includes('--cluster create')), 'never re-creates a cluster holding slots');
    for (const n of [1, 2, 3])
      assert.ok(calls.includes(`-h valkey-1 -p 6379 cluster meet 10.0.0.${n} 6379`), `meets ${n}`);
  });

  it('fails, for the job to retry, when the cluster does not become ok', async () => {
    const { code } = await createCluster('stuck', 'fail', 16384, false);
    assert.equal(code, 1);
  });
});
