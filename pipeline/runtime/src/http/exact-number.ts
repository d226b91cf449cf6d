// Whether a JSON number literal means the integer JSON.parse reads it as (see strict-json.ts): exact decimal
// arithmetic on the literal's digits, since the double JSON.parse made is what cannot be trusted.

// Every integer below 10^15 is a double exactly: the common case needs no arithmetic.
const SHORT_INTEGER = /^-?[0-9]{1,15}$/;
const NUMBER = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * False when the literal's value is not the integer JSON.parse turns it into. Literals parsed to a fraction or to
 * Infinity pass: nothing in the contract accepts them anyway, and each field's own check names the problem.
 */
export function isExactNumber(literal: string): boolean {
  if (SHORT_INTEGER.test(literal)) return true;
  const value = Number(literal);
  if (!Number.isInteger(value)) return true;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = NUMBER.exec(literal) ?? [];
  // The literal as digits × 10^scale, trailing zeros moved into the scale.
  let digits = (whole + fraction).replace(/^0+/, '');
  let scale = Number(exponent) - fraction.length;
  if (digits === '') return value === 0;
  const trailingZeros = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailingZeros);
  scale += trailingZeros;
  // A fraction, however small (1.0000000000000001, 1e-400): JSON.parse rounded it to an integer.
  if (scale < 0) return false;
  return BigInt(sign + digits) * 10n ** BigInt(scale) === BigInt(value);
}
