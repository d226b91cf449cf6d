import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAcceptedSends, type LoadReport } from '../../src/locust.js';
import { formatSearch, nextRate, type SearchStep } from '../../src/rate-search.js';

describe('parseAcceptedSends', () => {
  it('reads one accepted send per line and nothing else', () => {
    const log = [
      'accepted 17 3 42',
      'accepted 999999 11 0',
      'warning: accepted 1 2 3 was retried',
      'accepted 5 x 1',
      '',
    ].join('\n');
    assert.deepEqual(parseAcceptedSends(log), [
      { groupId: 17, partition: 3, offset: 42 },
      { groupId: 999999, partition: 11, offset: 0 },
    ]);
  });
});

const report = (p95: number) =>
  ({
    total_rps: 100,
    apis: Object.fromEntries(
      ['fastify', 'hapi', 'restify', 'send'].map((api) => [api, { p95_ms: p95, p99_ms: p95 * 2, errors: 0 }]),
    ),
  }) as unknown as LoadReport;
const steps = (...runs: [number, boolean][]): SearchStep[] =>
  runs.map(([rate, ok]) => ({ rate, ok, report: report(10) }));

describe('the arrival-rate search', () => {
  it('climbs by the step while rates hold, up to the maximum', () => {
    assert.equal(nextRate(steps([250, true]), 250, 20_000), 500);
    assert.equal(nextRate(steps([250, true], [500, true]), 250, 20_000), 750);
    assert.equal(nextRate(steps([19_800, true]), 250, 20_000), undefined);
  });

  it('after a miss, bisects between the best rate that held and the lowest that missed, to half a step', () => {
    assert.equal(nextRate(steps([1000, true], [1250, false]), 250, 20_000), 1125);
    assert.equal(nextRate(steps([1000, true], [1250, false], [1125, true]), 250, 20_000), undefined);
    assert.equal(nextRate(steps([1000, true], [1250, false], [1125, false]), 250, 20_000), undefined);
    assert.equal(nextRate(steps([1000, true], [2000, false]), 500, 20_000), 1500);
  });

  it('stops when not even the first rate held', () => {
    assert.equal(nextRate(steps([250, false]), 250, 20_000), undefined);
  });

  it('names the highest rate that held', () => {
    const text = formatSearch(steps([1000, true], [1250, false], [1125, true]));
    assert.match(text, /highest rate that held every threshold: 1125\/s/);
    assert.match(text, /1250\/s .*MISSED/);
    assert.equal(formatSearch(steps([250, false])).endsWith('none'), true);
  });
});
