import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { isFatalKafkaError, watchFatalErrors } from '../../src/kafka/fatal-errors.js';

describe("a Kafka client's fatal errors", () => {
  it('tells fatal client errors from those a reconnect heals', () => {
    // A send's KafkaJSError (fatal flag, ErrorCodes.ERR__FATAL) and librdkafka's error event as the binding builds it.
    assert.equal(isFatalKafkaError({ code: -150, message: 'x' }), true);
    assert.equal(
      isFatalKafkaError(Object.assign(new Error('Broker: Out of order sequence number'), { fatal: true })),
      true,
    );
    assert.equal(isFatalKafkaError(Object.assign(new Error('fatal error'), { code: -1, origin: 'local' })), true);
    assert.equal(isFatalKafkaError(new Error('Local: Fatal error')), true);
    for (const healing of [
      new Error('Local: All broker connections are down'),
      { code: -195, fatal: false },
      new Error('Local: Message timed out'),
      'fatal',
      undefined,
    ]) {
      assert.equal(isFatalKafkaError(healing), false, String(healing));
    }
  });

  it("calls onFatal once, at the client's first fatal error event", () => {
    const client = new EventEmitter();
    const seen: unknown[] = [];
    watchFatalErrors(client, (error) => seen.push(error));
    client.emit('event.error', new Error('Local: All broker connections are down'));
    assert.equal(seen.length, 0);
    const fatal = new Error('Local: Fatal error');
    client.emit('event.error', fatal);
    client.emit('event.error', new Error('Local: Fatal error'));
    assert.deepEqual(seen, [fatal]);
  });

  it("counts a fenced static consumer's error, as librdkafka reports it, as fatal", () => {
    // rd_kafka_set_fatal_error(FENCED_INSTANCE_ID) reaches the error event as ERR__FATAL (LibrdKafkaError.create).
    const fenced = Object.assign(new Error('Local: Fatal error'), { code: -150, origin: 'local', isFatal: true });
    assert.equal(isFatalKafkaError(fenced), true);
    // The same fencing answered to a commit of a client not yet failed is an ordinary error, not a fatal one.
    assert.equal(isFatalKafkaError(Object.assign(new Error('Broker: Static consumer fenced'), { code: 82 })), false);
  });
});
