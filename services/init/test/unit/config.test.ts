import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDeadLettersConfig, loadInitConfig, loadRebuildReadModelConfig } from '../../src/config.js';

const base = { KAFKA_BROKERS: 'localhost:9092', CLICKHOUSE_URL: 'http://localhost:8123' };

describe("init's settings", () => {
  it('take defaults for what a deployment may leave out', () => {
    const config = loadInitConfig(base);
    assert.equal(config.INIT_TIMEOUT_MS, 180_000);
    assert.equal(config.LOG_LEVEL, 'info');
  });

  it('refuse a timeout out of range, naming the variable', () => {
    assert.throws(() => loadInitConfig({ ...base, INIT_TIMEOUT_MS: '10' }), /INIT_TIMEOUT_MS/);
    assert.throws(() => loadInitConfig({ ...base, INIT_TIMEOUT_MS: 'soon' }), /INIT_TIMEOUT_MS/);
  });

  it('refuse a malformed database address, naming the variable', () => {
    assert.throws(() => loadInitConfig({ ...base, CLICKHOUSE_URL: 'not a url' }), /CLICKHOUSE_URL/);
  });

  it('give each command only what it reads: no broker for rebuild-read-model, no read model for dead-letters', () => {
    assert.ok(!('KAFKA_BROKERS' in loadRebuildReadModelConfig(base)));
    assert.ok('READ_MODEL_URL' in loadRebuildReadModelConfig(base));
    assert.ok(!('READ_MODEL_URL' in loadDeadLettersConfig(base)));
    assert.ok('KAFKA_BROKERS' in loadDeadLettersConfig(base));
    assert.ok('CLICKHOUSE_URL' in loadDeadLettersConfig(base));
  });
});
