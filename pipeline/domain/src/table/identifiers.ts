/**
 * Only names matching this are ever put into SQL text; config validation enforces the same pattern, with at most 64
 * characters. Longer here: derived names add suffixes (`<table>_keys`, and on a cluster `<table>_keys_local`).
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid ClickHouse identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/**
 * Integers reach SQL text only through here. Debian's ClickHouse 18.16 has no `{name:Type}` query parameters, so
 * values are inlined, and this check is what keeps that safe: nothing but a safe non-negative integer passes.
 */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a non-negative safe integer: ${value}`);
  return String(value);
}
