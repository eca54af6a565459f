/**
 * A fixed-capacity FIFO ring buffer that drops its oldest entries when full. It is the only place
 * records wait, so the SDK's memory is bounded by its capacity whatever the collector does.
 * A ring (not Array#shift) keeps push and take O(1) without reallocating.
 */
export class BoundedQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Entries waiting. */
  get length(): number {
    return this.size;
  }

  /** Appends `item`; when full, the oldest entry makes room. Returns how many entries were dropped (0 or 1). */
  push(item: T): number {
    const capacity = this.capacity;
    if (this.size === capacity) {
      this.slots[this.head] = item;
      this.head = this.head + 1 === capacity ? 0 : this.head + 1;
      return 1;
    }
    let tail = this.head + this.size;
    if (tail >= capacity) tail -= capacity;
    this.slots[tail] = item;
    this.size++;
    return 0;
  }

  /** Removes and returns up to `max` of the oldest entries, oldest first. */
  take(max: number): T[] {
    const count = Math.min(max, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.slots[this.head] as T;
      this.slots[this.head] = undefined;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.size -= count;
    return out;
  }

  /**
   * Puts `items` (oldest first) back in front of the queue, as if never taken: used when a send
   * fails. If they do not all fit, the oldest of them are the ones dropped, which keeps the
   * drop-oldest rule. Returns how many were dropped.
   */
  unshift(items: readonly T[]): number {
    const room = this.capacity - this.size;
    const kept = Math.min(room, items.length);
    // Walk from the newest item backwards so the oldest kept item ends at the head.
    for (let i = items.length - 1; i >= items.length - kept; i--) {
      this.head = this.head === 0 ? this.capacity - 1 : this.head - 1;
      this.slots[this.head] = items[i];
    }
    this.size += kept;
    return items.length - kept;
  }

  /** Empties the queue and returns how many entries it held. */
  clear(): number {
    const count = this.size;
    this.slots.fill(undefined);
    this.head = 0;
    this.size = 0;
    return count;
  }
}
