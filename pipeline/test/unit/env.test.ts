import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, int, list, readConfig, str, url } from '../../src/index.js';

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
