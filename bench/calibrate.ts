import { createHash } from 'node:crypto';

/**
 * Milliseconds one core takes for a fixed CPU-bound job (a SHA-256 chain and a JS loop): the
 * machine's speed at that moment. On a shared VM it drifts between runs by tens of percent, and
 * every CPU-per-order figure drifts with it; compare runs next to this number.
 */
export function calibrationMs(): number {
  const timings: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const began = process.hrtime.bigint();
    let digest = Buffer.alloc(32);
    for (let i = 0; i < 100_000; i += 1) digest = createHash('sha256').update(digest).digest();
    let x = digest.readUInt32LE(0) | 1;
    // xorshift32: never 0 from a non-zero seed; checking it keeps the loop from being optimised away.
    for (let i = 0; i < 20_000_000; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    if (x === 0) throw new Error('calibration: xorshift reached 0, which it cannot');
    timings.push(Number(process.hrtime.bigint() - began) / 1e6);
  }
  // The fastest of three: a moment's interruption is noise, a slower machine is not.
  return Math.min(...timings);
}
