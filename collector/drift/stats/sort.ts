/**
 * Sorting numeric columns. KS, Wasserstein and the quantile edges all start from sorted
 * Float64Arrays; a least-significant-digit radix sort on the IEEE-754 bit patterns beats the
 * engine's comparison sort several times over on 1M doubles (bench/drift.bench.ts `ks-1m`).
 */

/** Below this size the comparison sort wins: the radix passes have a fixed cost per bucket. */
const RADIX_MIN_LENGTH = 4096;
/**
 * From this size on, 16-bit digits (4 passes, 64Ki buckets) beat 11-bit digits (6 passes,
 * 2Ki buckets): on 1M doubles two fewer passes over 8 MB outweigh the larger, cache-missing
 * histograms, while at 100k values (bench `drift-100x100k`) clearing and prefix-summing 4 × 64Ki
 * counters costs more than the two extra passes save.
 */
const WIDE_DIGITS_MIN_LENGTH = 1 << 19;

/** Where each digit of a 64-bit key lives: word (0 = low, 1 = high 32 bits), shift and mask. */
interface DigitLayout {
  bits: number;
  /** Lowest passes left to `insertionFinish` (the low 22 or 16 bits). */
  skippable: number;
  word: readonly number[];
  shift: readonly number[];
  mask: readonly number[];
}

const NARROW: DigitLayout = {
  bits: 11,
  skippable: 2,
  word: [0, 0, 0, 1, 1, 1],
  shift: [0, 11, 22, 0, 11, 22],
  mask: [0x7ff, 0x7ff, 0x3ff, 0x7ff, 0x7ff, 0x3ff],
};
const WIDE: DigitLayout = {
  bits: 16,
  skippable: 1,
  word: [0, 0, 1, 1],
  shift: [0, 16, 0, 16],
  mask: [0xffff, 0xffff, 0xffff, 0xffff],
};

/** A sorted copy of `values` (ascending, -0 ordered before +0; NaN must have been removed). */
export function sortedCopy(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN_LENGTH) return values.slice().sort();
  return radixSort(values, new Float64Array(values.length), new Float64Array(values.length), true);
}

/** Sorts `values` in place and returns it (same order rules as `sortedCopy`). */
export function sortInPlace(values: Float64Array): Float64Array {
  if (values.length < RADIX_MIN_LENGTH) return values.sort();
  return radixSort(values, values, new Float64Array(values.length), true);
}

/**
 * Sorts `input` into `out` (which may be `input` itself) using `spare` as the other buffer.
 *
 * The keys are the raw bit patterns, read through a Uint32Array view, and whole doubles are
 * moved with one 8-byte load and store: no transformed copy of the keys, no pass to undo the
 * transform (bench `ks-1m`: two fewer sweeps over 8 MB per sort). Unsigned order of raw patterns
 * is numeric order for positives and reversed order for negatives, so the last (sign-carrying)
 * pass lays the negative buckets out in descending bucket order and fills each from its end.
 * Passes whose digit is equal for every value (integers stored as doubles leave the low word
 * constant; values of one sign and binade share the top digit) are skipped.
 */
function radixSort(
  input: Float64Array,
  out: Float64Array,
  spare: Float64Array,
  skipLow: boolean,
): Float64Array {
  const n = input.length;
  const layout = n >= WIDE_DIGITS_MIN_LENGTH ? WIDE : NARROW;
  const buckets = 1 << layout.bits;
  const passes = layout.word.length;
  const counts = layout === WIDE ? wideHistograms(input) : narrowHistograms(input);

  const active: number[] = [];
  const firstPass = skipLow ? layout.skippable : 0;
  for (let pass = firstPass; pass < passes; pass++) {
    if (!isTrivialPass(counts, pass * buckets, buckets, n)) active.push(pass);
  }
  const topPass = passes - 1;
  const topActive = active[active.length - 1] === topPass;

  // Pick the first destination so that the last active pass writes into `out`.
  let src = input;
  let dst = active.length % 2 === 1 ? out : spare;
  if (dst === src) dst = spare; // in place with an odd number of passes: copy back at the end
  for (const pass of active) {
    const base = pass * buckets;
    const word = layout.word[pass]!;
    const shift = layout.shift[pass]!;
    const mask = layout.mask[pass]!;
    const keys = new Uint32Array(src.buffer, src.byteOffset, n * 2);
    if (pass === topPass) {
      scatterSigned(src, keys, dst, counts, base, (mask + 1) >>> 1, mask, word, shift);
    } else {
      prefixSums(counts, base, buckets);
      for (let i = 0; i < n; i++) {
        const digit = (keys[2 * i + word]! >>> shift) & mask;
        dst[counts[base + digit]!++] = src[i]!;
      }
    }
    src = dst;
    dst = src === spare ? out : spare;
  }
  if (src !== out) out.set(src);
  // Every value shares the top digit; if it is negative, ascending bit patterns are descending values.
  if (!topActive && n > 0 && (input[0]! < 0 || Object.is(input[0], -0))) out.reverse();
  // Only values equal in every sorted digit can still be out of order: finish by insertion,
  // or, when that turns out to be most of the column, by the skipped passes after all.
  if (firstPass > 0 && !insertionFinish(out)) return radixSort(out, out, spare, false);
  return out;
}

/**
 * Insertion sort of a column already ordered on all but its lowest bits: for continuous data
 * values that close (within 2^22 units in the last place) are rare, so this is one sequential,
 * well-predicted compare per value instead of the scatter passes over the lowest digits (bench
 * `ks-1m`: two of seven passes over 8 MB). Gives up (false) past a budget of moves, which
 * clustered data (large integers, values at ulp spacing) would exceed.
 */
function insertionFinish(values: Float64Array): boolean {
  const n = values.length;
  let budget = (n >>> 4) + 1024;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (!(v < values[i - 1]!)) continue;
    let j = i - 1;
    while (j >= 0 && v < values[j]!) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
    budget -= i - j;
    if (budget < 0) return false;
  }
  return true;
}

/** All four 16-bit digit histograms in one read of the data. */
function wideHistograms(input: Float64Array): Uint32Array {
  const n = input.length;
  const words = new Uint32Array(input.buffer, input.byteOffset, n * 2);
  const counts = new Uint32Array(4 << 16);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    counts[lo & 0xffff]!++;
    counts[0x10000 + (lo >>> 16)]!++;
    counts[0x20000 + (hi & 0xffff)]!++;
    counts[0x30000 + (hi >>> 16)]!++;
  }
  return counts;
}

/** All six 11/11/10-bit digit histograms in one read of the data. */
function narrowHistograms(input: Float64Array): Uint32Array {
  const n = input.length;
  const words = new Uint32Array(input.buffer, input.byteOffset, n * 2);
  const counts = new Uint32Array(6 << 11);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    counts[lo & 0x7ff]!++;
    counts[0x800 + ((lo >>> 11) & 0x7ff)]!++;
    counts[0x1000 + (lo >>> 22)]!++;
    counts[0x1800 + (hi & 0x7ff)]!++;
    counts[0x2000 + ((hi >>> 11) & 0x7ff)]!++;
    counts[0x2800 + (hi >>> 22)]!++;
  }
  return counts;
}

function isTrivialPass(counts: Uint32Array, base: number, buckets: number, n: number): boolean {
  for (let b = 0; b < buckets; b++) {
    const c = counts[base + b]!;
    if (c !== 0) return c === n;
  }
  return true;
}

/** Turns a digit histogram into start offsets. */
function prefixSums(counts: Uint32Array, base: number, buckets: number): void {
  let offset = 0;
  for (let b = 0; b < buckets; b++) {
    const c = counts[base + b]!;
    counts[base + b] = offset;
    offset += c;
  }
}

/**
 * The top digit's pass: negative buckets (sign bit set, digit ≥ `signBucket`) first, the most
 * negative (largest pattern) first, each filled backwards; then the positive buckets ascending.
 */
function scatterSigned(
  src: Float64Array,
  keys: Uint32Array,
  dst: Float64Array,
  counts: Uint32Array,
  base: number,
  signBucket: number,
  mask: number,
  word: number,
  shift: number,
): void {
  const n = src.length;
  let offset = 0;
  // Negative buckets hold their end offset (filled downwards), positive ones their start.
  for (let b = mask; b >= signBucket; b--) {
    offset += counts[base + b]!;
    counts[base + b] = offset;
  }
  for (let b = 0; b < signBucket; b++) {
    const c = counts[base + b]!;
    counts[base + b] = offset;
    offset += c;
  }
  for (let i = 0; i < n; i++) {
    const digit = (keys[2 * i + word]! >>> shift) & mask;
    if (digit >= signBucket) dst[--counts[base + digit]!] = src[i]!;
    else dst[counts[base + digit]!++] = src[i]!;
  }
}
