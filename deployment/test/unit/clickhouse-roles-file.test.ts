import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CLICKHOUSE_ROLE_NAMES,
  CLICKHOUSE_ROLES,
  clickhousePasswordHashVariable,
  clickhousePasswordSecret,
  clickhouseUser,
} from '@badam/pipeline';
import { CLICKHOUSE_FILES, DEPLOYED_DATABASE, renderDeployedRoles } from '../../src/generate/clickhouse-files.js';
import { CLUSTER_FILES } from '../../src/generate/cluster-files.js';
import { CLICKHOUSE_CLUSTER } from '../../src/swarm-topology.js';

const run = promisify(execFile);

describe('deployment/clickhouse/users.d/badam-roles.xml', () => {
  const checkedIn = readFileSync(CLICKHOUSE_FILES.roles.source, 'utf8');

  it('is what pipeline/runtime/src/clickhouse/roles.ts renders (else: npm run generate)', () => {
    assert.equal(checkedIn, renderDeployedRoles());
  });

  it('says it is generated', () => {
    assert.match(checkedIn.split('\n')[1] ?? '', /GENERATED from pipeline\/runtime\/src\/clickhouse\/roles\.ts/);
  });

  it('lets the default user in from localhost only, replacing the image’s “anywhere”', () => {
    assert.match(
      checkedIn,
      /<default>\s*<networks replace="replace"><ip>::1<\/ip><ip>127\.0\.0\.1<\/ip><\/networks>\s*<\/default>/,
    );
  });

  it('defines each role: its password hash from the environment, its profile, its grants on the database', () => {
    for (const role of CLICKHOUSE_ROLE_NAMES) {
      const user =
        new RegExp(`<${clickhouseUser(role)}>([\\s\\S]*?)</${clickhouseUser(role)}>`).exec(checkedIn)?.[1] ?? '';
      assert.ok(user.includes(`<password_sha256_hex from_env="${clickhousePasswordHashVariable(role)}"/>`), role);
      assert.ok(user.includes(`<profile>badam_${role}</profile>`), role);
      assert.ok(user.includes(`GRANT ${CLICKHOUSE_ROLES[role].grants.join(', ')} ON \`${DEPLOYED_DATABASE}\`.*`), role);
    }
    assert.match(checkedIn, /<badam_reader>\s*<profile>default<\/profile>\s*<readonly>1<\/readonly>/);
    assert.match(checkedIn, /<badam_writer>\s*<profile>default<\/profile>\s*<allow_ddl>0<\/allow_ddl>/);
  });
});

describe('deployment/clickhouse/entrypoint.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'badam-secrets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, BADAM_SECRETS_DIR: dir, BADAM_NEXT_ENTRYPOINT: 'env' };

  it('exports the SHA-256 of each role’s secret, without trailing newlines, where the roles file reads it', async () => {
    const passwords = Object.fromEntries(CLICKHOUSE_ROLE_NAMES.map((role) => [role, `${role}-pass word`]));
    for (const role of CLICKHOUSE_ROLE_NAMES)
      writeFileSync(join(dir, clickhousePasswordSecret(role)), `${passwords[role]}\n`);
    const { stdout } = await run('bash', [CLICKHOUSE_FILES.entrypoint.source], { env });
    const exported = new Map(
      stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const role of CLICKHOUSE_ROLE_NAMES) {
      const expected = createHash('sha256')
        .update(passwords[role] ?? '')
        .digest('hex');
      assert.equal(exported.get(clickhousePasswordHashVariable(role)), expected, role);
    }
    assert.ok(!stdout.includes('pass word'), 'no password reaches the environment');
  });

  it('exports the swarm cluster’s inter-server secret as it is, where badam-cluster.xml reads it', async () => {
    const secret = join(dir, CLICKHOUSE_CLUSTER.interserverSecret);
    const variable = `${CLICKHOUSE_CLUSTER.interserverVariable}=`;
    const without = await run('bash', [CLICKHOUSE_FILES.entrypoint.source], { env });
    assert.ok(!without.stdout.split('\n').some((line) => line.startsWith(variable)), 'compose: no secret, no variable');
    writeFileSync(secret, 'shared secret\n');
    try {
      const { stdout } = await run('bash', [CLICKHOUSE_FILES.entrypoint.source], { env });
      assert.ok(stdout.split('\n').includes(`${variable}shared secret`));
      assert.ok(
        readFileSync(CLUSTER_FILES.clickhouse.source, 'utf8').includes(
          `from_env="${CLICKHOUSE_CLUSTER.interserverVariable}"`,
        ),
      );
      writeFileSync(secret, '\n');
      await assert.rejects(
        run('bash', [CLICKHOUSE_FILES.entrypoint.source], { env }),
        /clickhouse_interserver_secret is empty/,
      );
    } finally {
      rmSync(secret);
    }
  });

  it('refuses to start the server with an empty secret', async () => {
    writeFileSync(join(dir, clickhousePasswordSecret('reader')), '\n');
    await assert.rejects(
      run('bash', [CLICKHOUSE_FILES.entrypoint.source], { env }),
      /clickhouse_reader_password is empty/,
    );
  });
});
