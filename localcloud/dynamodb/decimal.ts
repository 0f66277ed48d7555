// ---------------------------------------------------------------------------
// DynamoDB numbers: decimal strings of up to 38 significant digits, magnitude 1E-130 to 9.9E+125,
// compared and added exactly (never as floats). Stored and returned normalized, as DynamoDB
// returns them ("01.50" reads back "1.5").
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
// ---------------------------------------------------------------------------

/** value = mantissa * 10^exponent, mantissa without trailing zeros (0 has exponent 0). */
export interface Decimal {
  readonly mantissa: bigint;
  readonly exponent: number;
}

const NUMBER_PATTERN = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** The decimal a DynamoDB number string holds, or undefined when it is not a number DynamoDB accepts. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = NUMBER_PATTERN.exec(text);
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', exp = '0'] = m;
  if (whole === '' && fraction === '') return undefined;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return { mantissa: 0n, exponent: 0 };
  let exponent = Number(exp) - fraction.length;
  let trimmed = digits;
  while (trimmed.endsWith('0')) {
    trimmed = trimmed.slice(0, -1);
    exponent += 1;
  }
  // 38 digits of precision, and a magnitude DynamoDB can store.
  if (trimmed.length > 38) return undefined;
  const magnitude = exponent + trimmed.length - 1;
  if (magnitude > 125 || magnitude < -130) return undefined;
  const mantissa = BigInt(trimmed);
  return { mantissa: sign === '-' ? -mantissa : mantissa, exponent };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.exponent, b.exponent);
  return [a.mantissa * 10n ** BigInt(a.exponent - e), b.mantissa * 10n ** BigInt(b.exponent - e), e];
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function normalize(mantissa: bigint, exponent: number): Decimal {
  if (mantissa === 0n) return { mantissa: 0n, exponent: 0 };
  let m = mantissa;
  let e = exponent;
  while (m % 10n === 0n) {
    m /= 10n;
    e += 1;
  }
  return { mantissa: m, exponent: e };
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const [x, y, e] = align(a, b);
  return normalize(x + y, e);
}

export function negateDecimal(a: Decimal): Decimal {
  return { mantissa: -a.mantissa, exponent: a.exponent };
}

/** Plain decimal notation, as DynamoDB returns numbers. */
export function formatDecimal(d: Decimal): string {
  if (d.mantissa === 0n) return '0';
  const negative = d.mantissa < 0n;
  const digits = (negative ? -d.mantissa : d.mantissa).toString();
  let text: string;
  if (d.exponent >= 0) text = digits + '0'.repeat(d.exponent);
  else {
    const point = digits.length + d.exponent;
    text = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** The normalized form of a valid number string, or undefined when it is not one. */
export function normalizeNumber(text: string): string | undefined {
  const d = parseDecimal(text);
  return d ? formatDecimal(d) : undefined;
}

/** Number of significant digits: DynamoDB sizes a number by them. */
export function significantDigits(d: Decimal): number {
  return d.mantissa === 0n ? 1 : (d.mantissa < 0n ? -d.mantissa : d.mantissa).toString().length;
}
