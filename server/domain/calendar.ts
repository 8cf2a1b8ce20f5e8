/**
 * Calendar dates as 'YYYY-MM-DD' strings, computed in UTC arithmetic so that no local time zone
 * or daylight-saving shift can move a date. "Today" is today in Europe/Stockholm.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function parts(date: string): [number, number, number] {
  return [+date.slice(0, 4), +date.slice(5, 7), +date.slice(8, 10)];
}

function fromUtc(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return fromUtc(new Date(Date.UTC(y, m - 1, d + days)));
}

export function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function endOfMonth(date: string): string {
  const [y, m] = parts(date);
  return `${date.slice(0, 7)}-${String(lastDayOfMonth(y, m)).padStart(2, '0')}`;
}

/** date + n months, the day clamped to the month's end: 2022-01-31 + 1 month = 2022-02-28. */
export function addMonthsClamped(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const nd = Math.min(d, lastDayOfMonth(ny, nm));
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`;
}

/** Today's date in Europe/Stockholm. */
let today: { second: number; date: string } | undefined;
export function todayInStockholm(now = new Date()): string {
  // Every request asks (sign-in, default dates); formatting a date in a time zone was ~3 % of the
  // CPU of a my-training request, and the answer is the same all through a second.
  const second = Math.floor(now.getTime() / 1000);
  if (today?.second !== second) today = { second, date: stockholmDateTime(now).slice(0, 10) };
  return today.date;
}

/** An instant as Stockholm local time 'YYYY-MM-DDTHH:MM:SS' (the form completions are stored in). */
let stockholm: Intl.DateTimeFormat | undefined;
export function stockholmDateTime(instant: Date): string {
  // Made once: building a DateTimeFormat costs more than the rest of a my-training request.
  const f = (stockholm ??= new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }));
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

export type Interval = 'tertial' | 'month';

/**
 * The reporting dates from `from` to `to` inclusive: tertials end 30 April, 31 August and
 * 31 December; months on their last day. A period that ends after `to` is left out.
 */
export function periodEnds(from: string, to: string, interval: Interval): string[] {
  const out: string[] = [];
  let y = +from.slice(0, 4);
  let m = +from.slice(5, 7);
  const step = interval === 'month' ? 1 : 4;
  if (interval === 'tertial') m = Math.ceil(m / 4) * 4;
  for (;;) {
    const end = `${y}-${String(m).padStart(2, '0')}-${String(lastDayOfMonth(y, m)).padStart(2, '0')}`;
    if (end > to) break;
    if (end >= from) out.push(end);
    m += step;
    if (m > 12) {
      m -= 12;
      y += 1;
    }
  }
  return out;
}

/** 'T1 2024' for a date in the first tertial of 2024. */
export function tertialLabel(date: string): string {
  const m = +date.slice(5, 7);
  return `T${Math.ceil(m / 4)} ${date.slice(0, 4)}`;
}
