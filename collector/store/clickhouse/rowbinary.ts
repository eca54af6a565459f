/**
 * A reader of ClickHouse's RowBinary output (little-endian fixed-width numbers, LEB128 lengths):
 * the lossless, compact way to bring large numeric columns into Float64Arrays.
 */

/** Reads values one after another from a RowBinary body. */
export class RowBinaryReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** True once every byte was read. */
  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A UInt32. */
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A LEB128 length (array sizes, string lengths). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      this.need(1);
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  /** A String (UTF-8). */
  string(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /**
   * An Array(Float64) as a Float64Array; -0 becomes 0 (the two tie in every comparison, and
   * one spelling keeps sorted output identical to the embedded store's).
   */
  float64Array(): Float64Array {
    const n = this.varint();
    this.need(n * 8);
    const out = new Float64Array(n);
    // readDoubleLE is endian-safe and fast enough (tens of millions a second).
    for (let i = 0, p = this.pos; i < n; i++, p += 8) {
      const v = this.buf.readDoubleLE(p);
      out[i] = v === 0 ? 0 : v;
    }
    this.pos += n * 8;
    return out;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      throw new Error(
        `RowBinary body ends early: ${bytes} bytes wanted at ${this.pos} of ${this.buf.length}`,
      );
    }
  }
}
