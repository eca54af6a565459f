/**
 * Sorting numeric columns. KS, Wasserstein and the quantile edges all start from sorted
 * Float64Arrays; a least-significant-digit radix sort beats the engine's comparison sort on
 * 1M doubles and skips the passes whose digit is the same for every value (integers stored
 * as doubles leave the low word constant), see bench/drift.bench.ts `ks-1m`.
 */

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
/** Below this size the comparison sort wins: the radix passes have a fixed cost per bucket. */
const RADIX_MIN_LENGTH = 4096;

/** A sorted copy of `values` (ascending, -0 ordered before +0; NaN must have been removed). */
export function sortedCopy(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN_LENGTH) return values.slice().sort();
  return radixSorted(values);
}

/** Sorts `values` in place and returns it. */
export function sortInPlace(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN_LENGTH) return values.sort();
  values.set(radixSorted(values));
  return values;
}

/**
 * Orders IEEE-754 doubles by their bit patterns: flipping every bit of negatives and the sign
 * bit of positives makes unsigned integer order equal numeric order.
 */
function radixSorted(input: Float64Array): Float64Array {
  const n = input.length;
  const words = new Uint32Array(input.buffer, input.byteOffset, n * 2);
  let src = new Uint32Array(n * 2);
  let dst = new Uint32Array(n * 2);
  // All six digit histograms in one read of the data.
  const counts = new Uint32Array(6 * BUCKETS);
  for (let i = 0; i < n; i++) {
    let lo = words[2 * i]!;
    let hi = words[2 * i + 1]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else {
      hi = (hi | 0x80000000) >>> 0;
    }
    src[2 * i] = lo;
    src[2 * i + 1] = hi;
    counts[lo & DIGIT_MASK]!++;
    counts[BUCKETS + ((lo >>> 11) & DIGIT_MASK)]!++;
    counts[2 * BUCKETS + (lo >>> 22)]!++;
    counts[3 * BUCKETS + (hi & DIGIT_MASK)]!++;
    counts[4 * BUCKETS + ((hi >>> 11) & DIGIT_MASK)]!++;
    counts[5 * BUCKETS + (hi >>> 22)]!++;
  }
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * BUCKETS;
    const shift = (pass % 3) * 11;
    let offset = 0;
    let trivial = false;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b]!;
      if (c === n) {
        trivial = true;
        break;
      }
      counts[base + b] = offset;
      offset += c;
    }
    if (trivial) continue;
    if (pass < 3) {
      for (let i = 0; i < n; i++) {
        const lo = src[2 * i]!;
        const at = counts[base + ((lo >>> shift) & DIGIT_MASK)]!++;
        dst[2 * at] = lo;
        dst[2 * at + 1] = src[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const hi = src[2 * i + 1]!;
        const at = counts[base + ((hi >>> shift) & DIGIT_MASK)]!++;
        dst[2 * at] = src[2 * i]!;
        dst[2 * at + 1] = hi;
      }
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  const out = new Float64Array(n);
  const outWords = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    let lo = src[2 * i]!;
    let hi = src[2 * i + 1]!;
    if (hi & 0x80000000) {
      hi = (hi & 0x7fffffff) >>> 0;
    } else {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    }
    outWords[2 * i] = lo;
    outWords[2 * i + 1] = hi;
  }
  return out;
}
