import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, readConfig, secretFileVariable } from '../../src/config/env.js';
import { int, list, secret, str, url } from '../../src/config/env-vars.js';

const spec = {
  PORT: int('HTTP port', { default: 3000, min: 0, max: 65535 }),
  BROKERS: list('brokers'),
  NAME: str('name', { default: 'x', pattern: /^[a-z]+$/ }),
  DB: url('database url', { default: 'http://localhost:8123' }),
};

describe('readConfig', () => {
  it('applies defaults and parses values', () => {
    const config = readConfig(spec, { BROKERS: 'a:1, b:2', PORT: '8080' });
    assert.deepEqual(config, { PORT: 8080, BROKERS: ['a:1', 'b:2'], NAME: 'x', DB: 'http://localhost:8123' });
  });

  it('reports every problem at once, naming each variable', () => {
    assert.throws(
      () => readConfig(spec, { PORT: '80x', NAME: 'UPPER', DB: 'not a url' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 4);
        assert.match(error.message, /PORT: must be an integer/);
        assert.match(error.message, /BROKERS: is required/);
        assert.match(error.message, /NAME: must match/);
        assert.match(error.message, /DB: must be a URL/);
        return true;
      },
    );
  });

  it('refuses out-of-range integers', () => {
    assert.throws(() => readConfig(spec, { BROKERS: 'a', PORT: '70000' }), /PORT: must be between 0 and 65535/);
  });
});

describe('secret variables', () => {
  const secrets = { PASSWORD: secret('a password', { default: '' }), TOKEN: secret('a token') };
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'badam-env-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('come from the variable itself, or its default', () => {
    assert.deepEqual(readConfig(secrets, { TOKEN: 't0ken' }), { PASSWORD: '', TOKEN: 't0ken' });
  });

  it('come from the file KEY_FILE names, without its trailing newlines', () => {
    const config = readConfig(secrets, {
      PASSWORD_FILE: file('password', 'pa ss\n\n'),
      TOKEN_FILE: file('token', 'line\nnext'),
    });
    assert.deepEqual(config, { PASSWORD: 'pa ss', TOKEN: 'line\nnext' });
  });

  it('refuse both ways at once, naming both variables and never the value', () => {
    assert.throws(
      () => readConfig(secrets, { TOKEN: 'v4lue-direct', TOKEN_FILE: file('both', 'v4lue-file') }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, ['TOKEN: is set twice, by TOKEN and by TOKEN_FILE: keep one (a token)']);
        assert.doesNotMatch(error.message, /v4lue/);
        return true;
      },
    );
  });

  it('refuse a file that cannot be read or is empty, naming the path', () => {
    const missing = join(dir, 'missing');
    const empty = file('empty', '\n');
    assert.throws(
      () => readConfig(secrets, { PASSWORD_FILE: missing, TOKEN_FILE: empty }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          `PASSWORD: cannot read the file PASSWORD_FILE names, ${missing} (ENOENT) (a password)`,
          `TOKEN: the file TOKEN_FILE names, ${empty}, is empty (a token)`,
        ]);
        return true;
      },
    );
  });

  it('are required unless they have a default', () => {
    assert.throws(() => readConfig(secrets, {}), /TOKEN: is required/);
  });

  it('read their file through the reader given (the deployment checks have no /run/secrets)', () => {
    const read: string[] = [];
    const readFile = (path: string) => {
      read.push(path);
      return 'from-reader\n';
    };
    const config = readConfig(secrets, { TOKEN_FILE: '/run/secrets/token' }, { readFile });
    assert.equal(config.TOKEN, 'from-reader');
    assert.deepEqual(read, ['/run/secrets/token']);
  });

  it('name their file variable KEY_FILE', () => {
    assert.equal(secretFileVariable('CLICKHOUSE_PASSWORD'), 'CLICKHOUSE_PASSWORD_FILE');
  });
});
