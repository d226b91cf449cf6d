/**
 * Requests every read app refuses with a 400 naming `field`: checked by the unit contract (read-app-contract.ts) over
 * a stub reader, and by the bad-input corpus (tools/test-kit/src/bad-input-corpus.ts) against the real apps, directly
 * and through the gateway.
 */
export interface BadReadRequest {
  what: string;
  /** From /groups on; the group in it does not matter. */
  path: string;
  field: string;
}

const badGroupId = (what: string, id: string): BadReadRequest => ({
  what: `group id ${what}`,
  path: `/groups/${id}/messages`,
  field: 'group_id',
});
const badQuery = (what: string, query: string, field: string): BadReadRequest => ({
  what,
  path: `/groups/1/messages?${query}`,
  field,
});

export const BAD_READ_REQUESTS: readonly BadReadRequest[] = [
  badGroupId('zero', '0'),
  badGroupId('negative', '-1'),
  badGroupId('fractional', '1.5'),
  badGroupId('an exponent', '1e3'),
  badGroupId('hex', '0x10'),
  badGroupId('beyond 2^64', '18446744073709551617'),
  badGroupId('beyond Number.MAX_SAFE_INTEGER', '9007199254740993'),
  badGroupId('of 200 digits', '1'.repeat(200)),
  badGroupId('letters', 'abc'),
  badGroupId('SQL', '1%3B%20DROP%20TABLE%20messages'),
  badGroupId('SQL with quotes', '%27%20OR%20%271%27%3D%271'),
  badGroupId('a leading plus', '%2B5'),
  badGroupId('padded', '%205'),
  ...['0', '101', '-1', 'ten', '1.5', '', '1%3B%20DROP%20TABLE%20messages'].map((value) =>
    badQuery(`limit=${value}`, `limit=${value}`, 'limit'),
  ),
  badQuery('limit twice', 'limit=5&limit=6', 'limit'),
  badQuery('before=0', 'before=0', 'before'),
  badQuery('before=x', 'before=x', 'before'),
  badQuery('before with SQL', 'before=1%20OR%201%3D1', 'before'),
  badQuery('an unknown parameter', 'order=1', 'order'),
  // Names a framework's own query parser dropped, and parameters past the 1000th, where hapi's and restify's parsers
  // stop: every app parses the query alike (parseQueryString).
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].map((name) =>
    badQuery(`a parameter named ${name}`, `${name}=1`, name),
  ),
  badQuery('a parameter with no name', '=5', ''),
  badQuery('an unknown parameter after 1000 empty ones', `limit=5${'&'.repeat(1000)}&x=1`, 'x'),
  badQuery('an unknown parameter after 1000 repeats', `${'limit=5&'.repeat(1000)}x=1`, 'x'),
  badQuery('a bracketed parameter', 'limit[]=5', 'limit[]'),
];
