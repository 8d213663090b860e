import { hash32 } from '../util/prng.js';

/** What the index needs of an item: a unique id and a half-open interval [start, end). */
export interface Interval {
  /** Inclusive start. */
  readonly start: number;
  /** Exclusive end; may be +Infinity. */
  readonly end: number;
}

interface IndexNode<T> {
  item: T;
  /** Heap priority: hash of the id, so the tree shape depends only on the set of items. */
  heap: number;
  left: IndexNode<T> | null;
  right: IndexNode<T> | null;
  /** Largest `end` in this subtree, to skip subtrees that end before a query starts. */
  maxEnd: number;
  /** Smallest `end` in this subtree. */
  minEnd: number;
  /** Largest `start` in this subtree (its rightmost item's). */
  maxStart: number;
}

/**
 * An augmented interval tree over half-open intervals: a treap ordered by (start, id) whose nodes
 * carry the largest end in their subtree. `overlapping(s, e)` visits only subtrees that can hold an
 * item with start < e and end > s, so a query costs O(log n + k) for k hits however many unrelated
 * intervals the tree holds. Deterministic: tree priorities are a hash of the id, not random.
 * @internal used by the reservation ledger, one tree per directional link.
 */
export class IntervalIndex<T extends Interval & { readonly id: string }> {
  #root: IndexNode<T> | null = null;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  insert(item: T): void {
    const node: IndexNode<T> = {
      item,
      heap: hash32(item.id),
      left: null,
      right: null,
      maxEnd: item.end,
      minEnd: item.end,
      maxStart: item.start,
    };
    this.#root = insertNode(this.#root, node);
    this.#size++;
  }

  /** Removes the item with this id and start; returns whether it was there. */
  remove(item: T): boolean {
    const before = this.#size;
    this.#root = removeNode(this.#root, item, () => this.#size--);
    return this.#size < before;
  }

  /** Items with start < end_ and end > start_ (half-open overlap), in (start, id) order. */
  overlapping(start: number, end: number, out: T[] = []): T[] {
    collect(this.#root, start, end, out);
    return out;
  }

  /** Every item, in (start, id) order. */
  items(): T[] {
    const out: T[] = [];
    const walk = (n: IndexNode<T> | null): void => {
      if (!n) return;
      walk(n.left);
      out.push(n.item);
      walk(n.right);
    };
    walk(this.#root);
    return out;
  }

  /** Smallest end of any item (Infinity when empty). */
  minEnd(): number {
    return this.#root ? this.#root.minEnd : Infinity;
  }

  /** Largest start of any item (-Infinity when empty). */
  maxStart(): number {
    return this.#root ? this.#root.maxStart : -Infinity;
  }

  /** Depth of the tree (diagnostics and balance tests). */
  depth(): number {
    const d = (n: IndexNode<T> | null): number => (n ? 1 + Math.max(d(n.left), d(n.right)) : 0);
    return d(this.#root);
  }
}

function cmp(a: Interval & { id: string }, b: Interval & { id: string }): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function update<T extends Interval>(n: IndexNode<T>): void {
  let hi = n.item.end;
  let lo = n.item.end;
  const l = n.left;
  const r = n.right;
  if (l) {
    if (l.maxEnd > hi) hi = l.maxEnd;
    if (l.minEnd < lo) lo = l.minEnd;
  }
  if (r) {
    if (r.maxEnd > hi) hi = r.maxEnd;
    if (r.minEnd < lo) lo = r.minEnd;
  }
  n.maxEnd = hi;
  n.minEnd = lo;
  n.maxStart = r ? r.maxStart : n.item.start;
}

function rotateRight<T extends Interval>(n: IndexNode<T>): IndexNode<T> {
  const l = n.left as IndexNode<T>;
  n.left = l.right;
  update(n);
  l.right = n;
  update(l);
  return l;
}

function rotateLeft<T extends Interval>(n: IndexNode<T>): IndexNode<T> {
  const r = n.right as IndexNode<T>;
  n.right = r.left;
  update(n);
  r.left = n;
  update(r);
  return r;
}

function merge<T extends Interval>(a: IndexNode<T> | null, b: IndexNode<T> | null): IndexNode<T> | null {
  if (!a) return b;
  if (!b) return a;
  if (a.heap >= b.heap) {
    a.right = merge(a.right, b);
    update(a);
    return a;
  }
  b.left = merge(a, b.left);
  update(b);
  return b;
}

/** Inserts at a leaf by key, then rotates it up while its heap priority is larger (no allocation). */
function insertNode<T extends Interval & { id: string }>(
  n: IndexNode<T> | null,
  node: IndexNode<T>,
): IndexNode<T> {
  if (!n) return node;
  if (cmp(node.item, n.item) < 0) {
    const l = insertNode(n.left, node);
    n.left = l;
    if (l.heap > n.heap) return rotateRight(n);
  } else {
    const r = insertNode(n.right, node);
    n.right = r;
    if (r.heap > n.heap) return rotateLeft(n);
  }
  update(n);
  return n;
}

function removeNode<T extends Interval & { id: string }>(
  n: IndexNode<T> | null,
  item: T,
  removed: () => void,
): IndexNode<T> | null {
  if (!n) return null;
  const c = cmp(item, n.item);
  if (c === 0) {
    removed();
    return merge(n.left, n.right);
  }
  if (c < 0) n.left = removeNode(n.left, item, removed);
  else n.right = removeNode(n.right, item, removed);
  update(n);
  return n;
}

function collect<T extends Interval>(n: IndexNode<T> | null, start: number, end: number, out: T[]): void {
  if (!n || n.maxEnd <= start) return;
  collect(n.left, start, end, out);
  if (n.item.start < end) {
    if (n.item.end > start) out.push(n.item);
    collect(n.right, start, end, out);
  }
}
