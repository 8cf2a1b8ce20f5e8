import type { RecordStatus } from '../db/schema.ts';
import { ownString } from './own-string.ts';

const STATUSES: RecordStatus[] = ['completed', 'started', 'failed'];
const STATUS_CODE = new Map(STATUSES.map((s, i) => [s, i]));

/** A person's records up to this many are put in order by insertion; more, by the engine's sort. */
const SMALL_GROUP = 16;

/**
 * The records a completions file names, in typed-array columns (~22 bytes a record), taken as the
 * rows stream in and `seal`ed once after the last: grouped by person (a counting sort, stable), a
 * person's records put in order of course, status and time, and every record named again after its
 * first naming marked as a repeat. A hash set of the records, probed as each row came (an
 * open-addressing table of 8 MB for the 1.2 million rows of four times the city), read a random
 * place of it and of the columns for every row; those misses also evicted the rows being parsed
 * (the plan timed inside the server with temporary timers, the import phase run alone: 4.8 µs a row
 * at four times the city, 4.35 at the city). The bench's figure is the completions' rate at
 * `--scale 4` against the city's: −0.4 % and −3.5 % before, +2.7 % to +12 % since
 * (docs/performance.md). Sealing holds the server in one stretch: ~20 ms at the city, ~60 ms for
 * 1.2 million records.
 */
export class RecordSet {
  /** Records added, repeats among them. */
  size = 0;
  row = new Int32Array(1024);
  person = new Int32Array(1024);
  course = new Int32Array(1024);
  status = new Uint8Array(1024);
  /** An id into `times`: the distinct dates and times are few beside the rows. */
  at = new Int32Array(1024);
  readonly times: string[] = [];
  private timeId = new Map<string, number>();
  /** After `seal`: the records' indexes by person; a person's by course, status, time and row. */
  private order: Int32Array | null = null;
  /** After `seal`: where person p's records begin in `order` (p + 1: where they end). */
  private start: Int32Array | null = null;

  add(row: number, person: number, course: number, status: RecordStatus, at: string): void {
    let t = this.timeId.get(at);
    if (t === undefined) {
      t = this.times.length;
      const own = ownString(at);
      this.times.push(own);
      this.timeId.set(own, t);
    }
    const i = this.size++;
    if (i === this.row.length) this.growColumns();
    this.row[i] = row;
    this.person[i] = person;
    this.course[i] = course;
    this.status[i] = STATUS_CODE.get(status)!;
    this.at[i] = t;
  }

  /**
   * After the last `add`: the records grouped by person. Returns a mark for each record, 1 where it
   * repeats one named earlier in the file (the first naming is the one kept).
   */
  seal(): Uint8Array {
    const n = this.size;
    const { person } = this;
    let top = 0;
    for (let i = 0; i < n; i++) if (person[i] > top) top = person[i];
    const start = new Int32Array(top + 2);
    for (let i = 0; i < n; i++) start[person[i] + 1]++;
    for (let p = 1; p < start.length; p++) start[p] += start[p - 1];
    const order = this.countingSort(start);
    for (let p = 0; p <= top; p++) if (start[p + 1] - start[p] > 1) this.sortGroup(order, start[p], start[p + 1]);
    const repeat = new Uint8Array(n);
    for (let j = 1; j < n; j++) {
      const a = order[j - 1];
      const b = order[j];
      if (person[a] === person[b] && this.compareKeys(a, b) === 0) repeat[b] = 1;
    }
    this.order = order;
    this.start = start;
    return repeat;
  }

  /** After `seal`: the records' indexes in order of person id, a person's in the file's order. */
  byPerson(): Int32Array {
    return this.countingSort(this.sealed().start);
  }

  /** After `seal`: the index of the record's first naming, or -1. */
  indexOf(person: number, course: number, status: string, at: string): number {
    const { order, start } = this.sealed();
    const t = this.timeId.get(at);
    const s = STATUS_CODE.get(status as RecordStatus);
    if (t === undefined || s === undefined || person < 0 || person + 1 >= start.length) return -1;
    // The first of the person's records not before the key: ties are in row order (the first naming).
    let lo = start[person];
    let hi = start[person + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const i = order[mid];
      const c = this.course[i] - course || this.status[i] - s || this.at[i] - t;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === start[person + 1]) return -1;
    const i = order[lo];
    return this.course[i] === course && this.status[i] === s && this.at[i] === t ? i : -1;
  }

  statusOf(i: number): RecordStatus {
    return STATUSES[this.status[i]];
  }

  timeOf(i: number): string {
    return this.times[this.at[i]];
  }

  private sealed(): { order: Int32Array; start: Int32Array } {
    if (!this.order || !this.start) throw new Error('RecordSet: seal() first');
    return { order: this.order, start: this.start };
  }

  /** The records' indexes by person, stable: `start[p]` is where person p's begin. */
  private countingSort(start: Int32Array): Int32Array {
    const next = start.slice(0, start.length - 1);
    const order = new Int32Array(this.size);
    for (let i = 0; i < this.size; i++) order[next[this.person[i]]++] = i;
    return order;
  }

  /** Course, status and time; 0 for the same record. */
  private compareKeys(a: number, b: number): number {
    return this.course[a] - this.course[b] || this.status[a] - this.status[b] || this.at[a] - this.at[b];
  }

  /** order[from, to) in order of course, status, time, then index (the row order). */
  private sortGroup(order: Int32Array, from: number, to: number) {
    if (to - from > SMALL_GROUP) {
      order.subarray(from, to).sort((a, b) => this.compareKeys(a, b) || a - b);
      return;
    }
    for (let j = from + 1; j < to; j++) {
      const x = order[j];
      let k = j - 1;
      while (k >= from && (this.compareKeys(order[k], x) || order[k] - x) > 0) {
        order[k + 1] = order[k];
        k--;
      }
      order[k + 1] = x;
    }
  }

  private growColumns() {
    const n = this.row.length * 2;
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.row = grow(this.row, (k) => new Int32Array(k));
    this.person = grow(this.person, (k) => new Int32Array(k));
    this.course = grow(this.course, (k) => new Int32Array(k));
    this.status = grow(this.status, (k) => new Uint8Array(k));
    this.at = grow(this.at, (k) => new Int32Array(k));
  }
}
