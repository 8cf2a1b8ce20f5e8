import type { RecordStatus } from '../db/schema.ts';
import { ownString } from './own-string.ts';

const STATUSES: RecordStatus[] = ['completed', 'started', 'failed'];
const STATUS_CODE = new Map(STATUSES.map((s, i) => [s, i]));

/**
 * The records a completions file names, each once, in the order first named: typed-array columns
 * and an open-addressing index over (person, course, status, time), ~30 bytes a record. A Set of
 * "person|course|status|time" strings and an object a row took ~200 bytes a record, which for
 * the 1.2 million rows of four times the city was most of the import's memory.
 */
export class RecordSet {
  size = 0;
  row = new Int32Array(1024);
  person = new Int32Array(1024);
  course = new Int32Array(1024);
  status = new Uint8Array(1024);
  /** An id into `times`: the distinct dates and times are few beside the rows. */
  at = new Int32Array(1024);
  readonly times: string[] = [];
  private timeId = new Map<string, number>();
  /** 0: empty; else the record's index + 1. */
  private slots = new Int32Array(4096);

  /** Adds a record; false when the set holds it already. */
  add(row: number, person: number, course: number, status: RecordStatus, at: string): boolean {
    let t = this.timeId.get(at);
    if (t === undefined) {
      t = this.times.length;
      const own = ownString(at);
      this.times.push(own);
      this.timeId.set(own, t);
    }
    const s = STATUS_CODE.get(status)!;
    const slot = this.slotOf(person, course, s, t);
    if (this.slots[slot] !== 0) return false;
    const i = this.size++;
    if (i === this.row.length) this.growColumns();
    this.row[i] = row;
    this.person[i] = person;
    this.course[i] = course;
    this.status[i] = s;
    this.at[i] = t;
    this.slots[slot] = i + 1;
    if (this.size * 4 > this.slots.length * 3) this.rehash();
    return true;
  }

  /** The index of a record, or -1. */
  indexOf(person: number, course: number, status: string, at: string): number {
    const t = this.timeId.get(at);
    const s = STATUS_CODE.get(status as RecordStatus);
    if (t === undefined || s === undefined) return -1;
    return this.slots[this.slotOf(person, course, s, t)] - 1;
  }

  statusOf(i: number): RecordStatus {
    return STATUSES[this.status[i]];
  }

  timeOf(i: number): string {
    return this.times[this.at[i]];
  }

  /** The slot holding this key, or the empty slot where it would go. */
  private slotOf(person: number, course: number, s: number, t: number): number {
    const mask = this.slots.length - 1;
    let h = Math.imul(person ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(course + (s << 28), 0x85ebca77) ^ Math.imul(t + 0x27d4eb2f, 0xc2b2ae3d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot];
      if (v === 0) return slot;
      const i = v - 1;
      if (this.person[i] === person && this.course[i] === course && this.status[i] === s && this.at[i] === t) return slot;
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

  private rehash() {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let i = 0; i < this.size; i++) this.slots[this.slotOf(this.person[i], this.course[i], this.status[i], this.at[i])] = i + 1;
  }
}
