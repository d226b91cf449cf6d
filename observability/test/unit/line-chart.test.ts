import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderLineChart } from '../../src/charts/line-chart.js';

describe('line chart', () => {
  it('draws one line and one legend entry per series, scaled to a round maximum, labels escaped', () => {
    const svg = renderLineChart({
      title: 'RPS <by API>',
      unit: 'req/s',
      series: [
        {
          label: 'fastify',
          points: [
            [0, 10],
            [60, 180],
          ],
        },
        {
          label: 'send & co',
          points: [
            [0, 5],
            [60, 40],
          ],
        },
      ],
    });
    assert.equal(svg.match(/<path /g)?.length, 2);
    assert.match(svg, /RPS &lt;by API&gt;/);
    assert.match(svg, />send &amp; co</);
    assert.match(svg, />200 req\/s</); // 180 rounds up to 200
    assert.doesNotMatch(svg, /NaN/);
  });
});
