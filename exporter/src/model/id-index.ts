/**
 * IDs (of tenants, of servers) numbered in order of appearance, each ID string kept once, so that
 * the hot loops add to arrays instead of maps keyed by ID.
 */
export class IdIndex {
  readonly ids: string[] = [];
  private readonly numbers = new Map<string, number>();
  /** small decimal IDs (the usual auto-increment keys): number + 1 by ID, 0 for none */
  private small = new Int32Array(1024);

  /** An index that numbers the IDs of this one alike and goes on from there (this one is left as it is). */
  copy(): IdIndex {
    const copy = new IdIndex();
    for (const id of this.ids) copy.ids.push(id);
    for (const [id, n] of this.numbers) copy.numbers.set(id, n);
    copy.small = this.small.slice();
    return copy;
  }

  /** The ID's number, or −1 when it has none (nothing is added). */
  find(id: string): number {
    const small = smallId(id);
    if (small >= 0) return small < this.small.length ? (this.small[small] as number) - 1 : -1;
    return this.numbers.get(id) ?? -1;
  }

  /** The ID's number, given now if it has none. */
  of(id: string): number {
    const small = smallId(id);
    if (small >= 0) {
      if (small >= this.small.length) this.grow(small);
      const n = (this.small[small] as number) - 1;
      if (n >= 0) return n;
      this.small[small] = this.ids.length + 1;
      this.ids.push(id);
      return this.ids.length - 1;
    }
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(id);
      this.numbers.set(id, n);
    }
    return n;
  }

  private grow(id: number): void {
    let size = this.small.length;
    while (size <= id) size *= 2;
    const larger = new Int32Array(size);
    larger.set(this.small);
    this.small = larger;
  }
}

/** Below this, a decimal ID is looked up in an array (at most 16 MB), above it in a map. */
const SMALL_ID_LIMIT = 1 << 22;

/** The ID as a number when it is a canonical decimal below SMALL_ID_LIMIT (digits only), else −1. */
function smallId(id: string): number {
  const length = id.length;
  if (length === 0 || length > 7 || (length > 1 && id.charCodeAt(0) === 48)) return -1;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n < SMALL_ID_LIMIT ? n : -1;
}
