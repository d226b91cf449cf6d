import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadamError } from '@badam/pipeline';
import { failureKind } from '../../src/failure-kind.js';

const wrapped = (cause: unknown) =>
  new BadamError('database_unavailable', 'the message store is unavailable, retry later', { cause });
const serverError = (code: number) =>
  Object.assign(new Error(`Code: ${code}, e.displayText() = DB::Exception: something, e.what() = DB::Exception`));
const networkError = (code: string) => Object.assign(new Error('connect failed'), { code });

describe('failureKind', () => {
  it("takes an unreachable database as transient, through the repository's wrapping", () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])
      assert.equal(failureKind(wrapped(networkError(code))), 'transient', code);
  });

  it("takes overload, limits and a schema not there yet as transient (18.16 message text and the client's code field)", () => {
    for (const code of [252, 241, 202, 60, 16, 516])
      assert.equal(failureKind(wrapped(serverError(code))), 'transient', String(code));
    assert.equal(failureKind(wrapped(Object.assign(new Error('Too many parts'), { code: '252' }))), 'transient');
  });

  it('takes only errors about the data as permanent: a value the server cannot parse or fit, a statement past max_query_size', () => {
    for (const code of [6, 26, 27, 53, 72, 117, 131, 321, 349])
      assert.equal(failureKind(wrapped(serverError(code))), 'permanent', String(code));
    assert.equal(
      failureKind(wrapped(Object.assign(new Error('Cannot parse JSON string'), { code: '117' }))),
      'permanent',
    );
    const tooLarge =
      'Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 262100: 1, 2, 3. Max query size exceeded: 3, e.what() = DB::Exception';
    assert.equal(failureKind(wrapped(new Error(tooLarge))), 'permanent');
  });

  it('retries every other error, known or not: none of them is about the record, so none may set it aside', () => {
    const unknownSetting =
      'Code: 115, e.displayText() = DB::Exception: Unknown setting insert_quorum_parallel, e.what() = DB::Exception';
    const syntaxTheServerDoesNotKnow =
      "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 40 ('SETTINGS'): SETTINGS x = 1, e.what() = DB::Exception";
    for (const message of [unknownSetting, syntaxTheServerDoesNotKnow])
      assert.equal(failureKind(wrapped(new Error(message))), 'transient', message);
    for (const code of [36, 49, 1000, 33, 9999])
      assert.equal(failureKind(wrapped(serverError(code))), 'transient', String(code));
    // A response cut mid-stream, as the client and Node report it.
    assert.equal(failureKind(wrapped(new SyntaxError('Unexpected end of JSON input'))), 'transient');
    assert.equal(
      failureKind(wrapped(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))),
      'transient',
    );
    assert.equal(failureKind(wrapped(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))), 'transient');
    assert.equal(failureKind(wrapped('a thrown string')), 'transient');
  });

  it('retries a bug in our own code too: every batch would hit it, and /health says stuck', () => {
    assert.equal(
      failureKind(new Error("assignOrders takes each partition's records in increasing offset order")),
      'transient',
    );
    assert.equal(failureKind(new TypeError('x is undefined')), 'transient');
  });

  it("takes a cluster's replication trouble as transient, as 18.16 words it through a Distributed table", () => {
    const messages = [
      'Code: 319, e.displayText() = DB::Exception: Received from 127.0.0.1:32913. DB::Exception: Unknown status, client must retry. Reason: Code: 159, e.displayText() = DB::Exception: Timeout while waiting for quorum, e.what() = DB::Exception., e.what() = DB::Exception',
      'Code: 286, e.displayText() = DB::Exception: Received from 127.0.0.1:32913. DB::Exception: Quorum for previous write has not been satisfied yet. Status: version: 1',
      'Code: 285, e.displayText() = DB::Exception: Number of alive replicas (1) is less than requested quorum (2)., e.what() = DB::Exception',
      'Code: 242, e.displayText() = DB::Exception: Table is in readonly mode, e.what() = DB::Exception',
    ];
    for (const message of messages) assert.equal(failureKind(wrapped(new Error(message))), 'transient', message);
    for (const code of [225, 244, 279, 289, 999])
      assert.equal(failureKind(wrapped(serverError(code))), 'transient', String(code));
    assert.equal(failureKind(wrapped(Object.assign(new Error('Unknown status'), { code: '319' }))), 'transient');
  });

  it('tells timeouts apart', () => {
    assert.equal(failureKind(wrapped(new Error('Timeout error.'))), 'timeout');
    assert.equal(failureKind(wrapped(serverError(159))), 'timeout');
  });
});
