/**
 * A Bloom filter over the (date, campaign ID) keys of the valid rows of one file, of fixed size
 * whatever the file's length (memory stays flat): 16 MiB, blocked (all bits of a key in one cache
 * line).
 *
 * `add` answers whether the key may have been added before: never a false "no", rarely a false
 * "yes" (a file of 1M distinct keys gets one with a probability well under 1 %; it grows with the
 * number of rows). A file with
 * no "yes" has no duplicate keys for certain, so the worker can skip the SQL duplicate search; any
 * "yes" makes it run that search, which decides.
 */
// A split-block Bloom filter (as in Apache Parquet): a key sets one bit in each of the 8 words of
// one 256-bit block, so a key costs one cache-line access.
const WORDS_PER_BLOCK = 8;
const BLOCKS = 1 << 19; // 2^19 blocks x 32 bytes = 16 MiB
const SALT = [0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31];

export class KeyFilter {
  private readonly words = new Uint32Array(BLOCKS * WORDS_PER_BLOCK);
  /** Keys for which `add` answered true. */
  repeats = 0;

  /** Adds the key `date` + b[s, e); true when it may have been added before. */
  add(date: string, b: Uint8Array, s: number, e: number): boolean {
    // two independent 32-bit hashes (FNV-1a, and a rotate-add-multiply): one picks the block, all
    // 32 bits of the other pick the bits inside it
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < date.length; i++) {
      const c = date.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) + c, 0x9e3779b1);
    }
    for (let k = s; k < e; k++) {
      h1 = Math.imul(h1 ^ b[k], 0x01000193);
      h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) + b[k], 0x9e3779b1);
    }
    const base = (fmix(h1) & (BLOCKS - 1)) * WORDS_PER_BLOCK;
    h2 = fmix(h2);
    let seen = true;
    for (let i = 0; i < WORDS_PER_BLOCK; i++) {
      const m = 1 << (Math.imul(h2, SALT[i]) >>> 27);
      if ((this.words[base + i] & m) === 0) {
        seen = false;
        this.words[base + i] |= m;
      }
    }
    if (seen) this.repeats++;
    return seen;
  }
}

/** MurmurHash3's finalizer: every input bit affects every output bit. */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
