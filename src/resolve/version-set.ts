/**
 * A set of versions of one package, over that package's finite list of
 * candidate versions (what the index offers for the profile). PubGrub needs
 * union, intersection and complement of version sets; over a finite, known
 * universe these are exact bit operations, which sidesteps the corner cases
 * of turning PEP 440 specifiers (`!=1.*`, local versions, `===`) into ranges.
 */
export class VersionSet {
  /** Bit i set ⇔ universe[i] is in the set. `size` bits are meaningful. */
  private constructor(
    readonly size: number,
    private readonly words: Uint32Array,
  ) {}

  static empty(size: number): VersionSet {
    return new VersionSet(size, new Uint32Array(Math.ceil(size / 32)));
  }

  static full(size: number): VersionSet {
    return VersionSet.empty(size).complement();
  }

  static of(size: number, indexes: Iterable<number>): VersionSet {
    const s = VersionSet.empty(size);
    for (const i of indexes) s.words[i >>> 5]! |= 1 << (i & 31);
    return s;
  }

  static fromPredicate(size: number, test: (i: number) => boolean): VersionSet {
    const s = VersionSet.empty(size);
    for (let i = 0; i < size; i++) if (test(i)) s.words[i >>> 5]! |= 1 << (i & 31);
    return s;
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  complement(): VersionSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = ~this.words[i]!;
    const tail = this.size & 31;
    if (tail && w.length) w[w.length - 1]! &= (1 << tail) - 1;
    return new VersionSet(this.size, w);
  }

  intersect(other: VersionSet): VersionSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = this.words[i]! & other.words[i]!;
    return new VersionSet(this.size, w);
  }

  union(other: VersionSet): VersionSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = this.words[i]! | other.words[i]!;
    return new VersionSet(this.size, w);
  }

  /** this \ other */
  minus(other: VersionSet): VersionSet {
    const w = new Uint32Array(this.words.length);
    for (let i = 0; i < w.length; i++) w[i] = this.words[i]! & ~other.words[i]!;
    return new VersionSet(this.size, w);
  }

  isEmpty(): boolean {
    for (const x of this.words) if (x !== 0) return false;
    return true;
  }

  isFull(): boolean {
    return this.complement().isEmpty();
  }

  equals(other: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== other.words[i]) return false;
    return true;
  }

  /** this ⊆ other */
  isSubsetOf(other: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if ((this.words[i]! & ~other.words[i]!) !== 0) return false;
    return true;
  }

  isDisjoint(other: VersionSet): boolean {
    for (let i = 0; i < this.words.length; i++) if ((this.words[i]! & other.words[i]!) !== 0) return false;
    return true;
  }

  count(): number {
    let n = 0;
    for (let x of this.words) {
      x = x - ((x >>> 1) & 0x55555555);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** Indexes in the set, highest first (the universe is sorted oldest → newest). */
  *descending(): Generator<number> {
    for (let i = this.size - 1; i >= 0; i--) if (this.has(i)) yield i;
  }

  *ascending(): Generator<number> {
    for (let i = 0; i < this.size; i++) if (this.has(i)) yield i;
  }

  key(): string {
    return Array.from(this.words, (x) => x.toString(36)).join('.');
  }
}
