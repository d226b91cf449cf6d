import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupHead } from '../../src/table/repository.js';
import { createStoredFloor, StaleHeadsError } from '../../src/ordering/stored-floor.js';

function heads(entries: [number, number][]): Map<number, GroupHead> {
  return new Map(
    entries.map(([groupId, maxOrder]) => [
      groupId,
      { maxOrder, nextOffsets: new Map(), storedIdempotencyHashes: new Set() },
    ]),
  );
}

describe('heads never below what this consumer stored (stored-floor.ts)', () => {
  it('refuses a replica behind: a group read below its stored order, with ClickHouse’s code for it (289)', () => {
    const floor = createStoredFloor();
    floor.raise(new Map([[28, 48]]));
    assert.throws(
      () => floor.check(heads([[28, 45]])),
      (error: unknown) => error instanceof StaleHeadsError && error.code === '289' && /^Code: 289,/.test(error.message),
    );
    floor.check(heads([[28, 48]]));
    floor.check(heads([[28, 60]]));
    floor.check(heads([[29, 0]])); // a group it never stored
  });

  it('only rises, and forgets the least recently stored groups past its capacity', () => {
    const floor = createStoredFloor(2);
    floor.raise(new Map([[1, 5]]));
    floor.raise(new Map([[1, 3]]));
    assert.throws(() => floor.check(heads([[1, 4]])), StaleHeadsError);
    floor.raise(
      new Map([
        [2, 1],
        [3, 1],
      ]),
    );
    floor.check(heads([[1, 0]])); // forgotten: unchecked
    assert.throws(() => floor.check(heads([[3, 0]])), StaleHeadsError);
  });
});
