import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig } from '../../src/config/env.js';
import { int, list, oneOf, secret, str, url } from '../../src/config/env-vars.js';
import { describeSettings, environmentOf } from '../../src/config/setting-list.js';

const spec = {
  HOST: str('interface to listen on', { default: '127.0.0.1' }),
  PORT: int('HTTP port', { default: 3000 }),
  BROKERS: list('brokers', { default: ['a:1', 'b:2'] }),
  MODE: oneOf('mode', ['fast', 'safe'], 'safe'),
  TARGET: url('where to send'),
  PASSWORD: secret('a password', { default: '' }),
};

describe('a service’s settings as data', () => {
  it('lists each setting with its description, its default as written in the environment, and whether it is a secret', () => {
    assert.deepEqual(describeSettings(spec), [
      { name: 'HOST', describe: 'interface to listen on', default: '127.0.0.1', secret: false },
      { name: 'PORT', describe: 'HTTP port', default: '3000', secret: false },
      { name: 'BROKERS', describe: 'brokers', default: 'a:1,b:2', secret: false },
      { name: 'MODE', describe: 'mode', default: 'safe', secret: false },
      { name: 'TARGET', describe: 'where to send', default: undefined, secret: false },
      { name: 'PASSWORD', describe: 'a password', default: '', secret: true },
    ]);
  });

  it('each default, given back, parses to what the unset variable gives', () => {
    const { TARGET: _required, ...optional } = spec;
    const written = Object.fromEntries(describeSettings(optional).map(({ name, default: text }) => [name, text]));
    assert.deepEqual(readConfig(optional, written), readConfig(optional, {}));
  });

  it('writes the settings the spec reads, a secret as NAME_FILE, and the defaults only when explicit', () => {
    const values = { PORT: '4000', TARGET: 'http://x', PASSWORD: { file: '/run/secrets/p' }, UNREAD: 'x' };
    assert.deepEqual(environmentOf(spec, values), {
      PORT: '4000',
      TARGET: 'http://x',
      PASSWORD_FILE: '/run/secrets/p',
    });
    assert.deepEqual(Object.keys(environmentOf(spec, values, { explicit: true })), [
      'HOST',
      'PORT',
      'BROKERS',
      'MODE',
      'TARGET',
      'PASSWORD_FILE',
    ]);
  });

  it('refuses a secret given as text, and a file for a setting that is not a secret', () => {
    assert.throws(() => environmentOf(spec, { PASSWORD: 'hunter2' }), /PASSWORD is a secret/);
    assert.throws(() => environmentOf(spec, { HOST: { file: '/x' } }), /HOST is not a secret/);
  });
});
