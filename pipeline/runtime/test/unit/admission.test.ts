import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBadamError } from '@badam/domain/contract/errors';
import { createAdmission } from '../../src/service/admission.js';

describe('admission', () => {
  it('runs up to its limit at once, refuses the next with overloaded, and frees a slot when work ends', async () => {
    const admission = createAdmission(2);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = [admission.run(() => held), admission.run(() => held)];
    assert.equal(admission.inFlight(), 2);
    await assert.rejects(
      admission.run(async () => 'third'),
      (error) => isBadamError(error) && error.code === 'overloaded',
    );
    release();
    await Promise.all(running);
    assert.equal(admission.inFlight(), 0);
    assert.equal(await admission.run(async () => 'again'), 'again');
  });

  it('frees the slot of work that fails', async () => {
    const admission = createAdmission(1);
    await assert.rejects(
      admission.run(async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await admission.run(async () => 1), 1);
  });
});
