/**
 * Targets are decimal text ("0.7") and the arithmetic on them is done in integers, so 0.7 × 10
 * is exactly 7 (binary floating point would make it 7.000000000000001 and ceil it to 8).
 */

const DECIMAL_RE = /^(0|[1-9]\d*)(?:\.(\d{1,6}))?$/;

export interface Decimal {
  num: bigint;
  den: bigint;
}

export function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  return { num: BigInt(m[1] + frac), den: 10n ** BigInt(frac.length) };
}

/** A rate from 0 to 1 as canonical decimal text, from a JSON number or string; null when not one. */
export function normaliseRate(value: number | string): string | null {
  const text = typeof value === 'number' ? numberToDecimalText(value) : value;
  const d = text === null ? null : parseDecimal(text);
  if (!d || d.num > d.den) return null;
  return decimalToText(d);
}

function numberToDecimalText(n: number): string | null {
  if (!Number.isFinite(n) || n < 0) return null;
  // The shortest text that round-trips, as JSON wrote it: 0.7 stays "0.7".
  const s = String(n);
  return /e/i.test(s) ? null : s;
}

export function decimalToText({ num, den }: Decimal): string {
  const digits = den.toString().length - 1;
  if (digits === 0) return num.toString();
  const s = num.toString().padStart(digits + 1, '0');
  const text = `${s.slice(0, -digits)}.${s.slice(-digits)}`.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/** ceil(rate × n) in exact arithmetic. */
export function ceilTimes(rate: Decimal, n: number): number {
  const p = rate.num * BigInt(n);
  return Number((p + rate.den - 1n) / rate.den);
}
