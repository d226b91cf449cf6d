import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { BadamError, createLogger, createServiceMetrics, idempotencyHash, type SendMessage } from '@badam/pipeline';
import { buildProducerApp } from '../../src/app.js';
import type { MessageSender } from '../../src/message-sender.js';

/** A sender that records what it was asked to send; no Kafka involved (the integration tests use the real one). */
function recordingSender(
  fail?: BadamError,
): MessageSender & { sent: SendMessage[]; hashes: (number | undefined)[]; reachable: boolean; fatal: boolean } {
  const sent: SendMessage[] = [];
  const hashes: (number | undefined)[] = [];
  return {
    sent,
    hashes,
    reachable: true,
    fatal: false,
    async isReachable() {
      return this.reachable;
    },
    failed() {
      return this.fatal;
    },
    async send(message, idempotencyHash) {
      if (fail) throw fail;
      sent.push(message);
      hashes.push(idempotencyHash);
      return { partition: 4, offset: sent.length - 1 };
    },
    async close() {},
  };
}

function build(t: TestContext, sender: MessageSender, maxInFlight?: number) {
  const app = buildProducerApp({
    sender,
    logger: createLogger('test', 'silent'),
    metrics: createServiceMetrics('producer'),
    ...(maxInFlight === undefined ? {} : { maxInFlight }),
  });
  t.after(() => app.close());
  return app;
}

const post = (payload: string | Buffer, contentType = 'application/json', headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/messages',
  headers: { 'content-type': contentType, ...headers },
  payload,
});

describe('producer HTTP API', () => {
  it('refuses sends beyond its in-flight bound with a quick 503 and Retry-After, then serves again', async (t) => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = recordingSender();
    const sender: MessageSender = {
      ...slow,
      send: async (message) => {
        await held;
        return slow.send(message);
      },
    };
    const app = build(t, sender, 2);
    const body = '{"group_id":3,"sender_id":9,"text":"hi"}';
    const first = [app.inject(post(body)), app.inject(post(body))];
    await new Promise((resolve) => setImmediate(resolve));
    const refused = await app.inject(post(body));
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.json().error, 'overloaded');
    release();
    assert.deepEqual(
      (await Promise.all(first)).map((r) => r.statusCode),
      [202, 202],
    );
    assert.equal((await app.inject(post(body))).statusCode, 202);
    assert.equal(slow.sent.length, 3);
  });

  it('answers 202 with the partition and offset once the sender confirms', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject(post('{"group_id":3,"sender_id":9,"text":"hi"}'));
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), { status: 'accepted', id: '4-0', partition: 4, offset: 0 });
    assert.deepEqual(sender.sent, [{ group_id: 3, sender_id: 9, text: 'hi' }]);
  });

  it('sends the hash of the Idempotency-Key with the message, and none without a key', async (t) => {
    const sender = recordingSender();
    const app = build(t, sender);
    const body = '{"group_id":3,"sender_id":9,"text":"hi"}';
    for (const key of ['k-1', 'k-1', undefined]) {
      const response = await app.inject(
        post(body, 'application/json', key === undefined ? {} : { 'idempotency-key': key }),
      );
      assert.equal(response.statusCode, 202);
    }
    assert.deepEqual(sender.hashes, [idempotencyHash(9, 'k-1'), idempotencyHash(9, 'k-1'), undefined]);
  });

  it('refuses a malformed Idempotency-Key with a 400 naming it, sending nothing', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject(
      post('{"group_id":3,"sender_id":9,"text":"hi"}', 'application/json', { 'idempotency-key': 'no spaces' }),
    );
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().field, 'idempotency-key');
    assert.equal(sender.sent.length, 0);
  });

  for (const [what, payload, field] of [
    ['malformed JSON', '{"group_id":', 'body'],
    ['a missing field', '{"group_id":3,"sender_id":9}', 'text'],
    ['an extra field', '{"group_id":3,"sender_id":9,"text":"x","order":1}', 'order'],
    ['a fractional id', '{"group_id":3.5,"sender_id":9,"text":"x"}', 'group_id'],
    ['an id beyond 2^53', '{"group_id":9007199254740993,"sender_id":9,"text":"x"}', 'group_id'],
    ['3001 characters', JSON.stringify({ group_id: 1, sender_id: 1, text: 'x'.repeat(3001) }), 'text'],
  ] as const) {
    it(`refuses ${what} with a 400 naming ${field}, sending nothing`, async (t) => {
      const sender = recordingSender();
      const response = await build(t, sender).inject(post(payload));
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().field, field);
      assert.equal(response.json().error, 'invalid_request');
      assert.equal(sender.sent.length, 0);
    });
  }

  it('refuses invalid UTF-8 rather than replacing it', async (t) => {
    const sender = recordingSender();
    const payload = Buffer.concat([
      Buffer.from('{"group_id":1,"sender_id":1,"text":"'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    const response = await build(t, sender).inject(post(payload));
    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /UTF-8/);
    assert.equal(sender.sent.length, 0);
  });

  it('refuses a body over the size limit with 413', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject(
      post(JSON.stringify({ group_id: 1, sender_id: 1, text: 'x'.repeat(70_000) })),
    );
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().error, 'payload_too_large');
    assert.equal(sender.sent.length, 0);
  });

  it('refuses another content type with 415', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject(post('group_id=1', 'application/x-www-form-urlencoded'));
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().field, 'content-type');
    assert.equal(sender.sent.length, 0);
  });

  it('answers 503 with Retry-After when the broker is unavailable, never 2xx', async (t) => {
    const sender = recordingSender(
      new BadamError('broker_unavailable', 'the message broker is unavailable, retry later'),
    );
    const response = await build(t, sender).inject(post('{"group_id":3,"sender_id":9,"text":"hi"}'));
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '1');
    assert.equal(response.json().error, 'broker_unavailable');
  });

  it('exposes request metrics by route template, never by raw URL', async (t) => {
    const app = build(t, recordingSender());
    await app.inject(post('{"group_id":3,"sender_id":9,"text":"hi"}'));
    await app.inject({ method: 'GET', url: '/no/such/7' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(
      metrics,
      /http_request_duration_seconds_count\{[^}]*route="\/messages"[^}]*status_code="202"[^}]*\} 1/,
    );
    assert.match(metrics, /route="unmatched"/);
    assert.doesNotMatch(metrics, /no\/such/);
  });

  it("answers /health 200 while the broker answers, 503 in the read apps' shape while it does not", async (t) => {
    const sender = recordingSender();
    const app = build(t, sender);
    const up = await app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual([up.statusCode, up.json()], [200, { status: 'ok' }]);
    sender.reachable = false;
    const down = await app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual([down.statusCode, down.json()], [503, { status: 'unavailable' }]);
    assert.match(String(down.headers['content-type']), /application\/json/);
  });

  it('answers /live 200 while the broker is down (a restart would not help), 503 once its Kafka client failed for good', async (t) => {
    const sender = recordingSender();
    const app = build(t, sender);
    sender.reachable = false;
    const outage = await app.inject({ method: 'GET', url: '/live' });
    assert.deepEqual([outage.statusCode, outage.json()], [200, { status: 'live' }]);
    sender.fatal = true;
    const failed = await app.inject({ method: 'GET', url: '/live' });
    assert.deepEqual([failed.statusCode, failed.json()], [503, { status: 'failed' }]);
  });

  it('answers /health 503 draining once it leaves the rotation, and still takes the sends that arrive', async (t) => {
    const drain = { draining: false };
    const app = buildProducerApp({
      sender: recordingSender(),
      logger: createLogger('test', 'silent'),
      metrics: createServiceMetrics('producer'),
      drain,
    });
    t.after(() => app.close());
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    drain.draining = true;
    const draining = await app.inject({ method: 'GET', url: '/health' });
    assert.deepEqual([draining.statusCode, draining.json()], [503, { status: 'draining' }]);
    const sent = await app.inject(post('{"group_id":3,"sender_id":9,"text":"hi"}'));
    assert.equal(sent.statusCode, 202);
  });

  it('answers an unexpected sender failure with a 500 that hides its details', async (t) => {
    const sender: MessageSender = {
      ...recordingSender(),
      send: async () => Promise.reject(new Error('connect ECONNREFUSED secret-host:9092')),
    };
    const response = await build(t, sender).inject(post('{"group_id":3,"sender_id":9,"text":"hi"}'));
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: 'internal', message: 'internal error' });
    assert.equal(response.headers['retry-after'], undefined);
  });

  it('refuses an empty JSON body with a 400, sending nothing', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject(post(''));
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
    assert.equal(sender.sent.length, 0);
  });

  it('refuses an over-long URL with a 414 naming the url, sending nothing', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject({
      ...post('{"group_id":3,"sender_id":9,"text":"hi"}'),
      url: `/messages?x=${'a'.repeat(9000)}`,
    });
    assert.equal(response.statusCode, 414);
    assert.deepEqual([response.json().error, response.json().field], ['uri_too_long', 'url']);
    assert.equal(sender.sent.length, 0);
  });

  it('answers GET on the send route with a JSON 404', async (t) => {
    const sender = recordingSender();
    const response = await build(t, sender).inject({ method: 'GET', url: '/messages' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error, 'not_found');
    assert.equal(sender.sent.length, 0);
  });

  it('answers unknown routes with a JSON 404', async (t) => {
    const response = await build(t, recordingSender()).inject({ method: 'GET', url: '/nope' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error, 'not_found');
  });
});
