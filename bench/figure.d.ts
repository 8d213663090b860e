/** One measured figure, printed as one JSON line (DESIGN.md §7). */
export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
}
export type Emit = (metric: string, value: number, unit: string) => void;
/** A benchmark: runs within its own time budget and emits its figures. */
export interface Benchmark {
  name: string;
  description: string;
  run(emit: Emit, args: string[]): Promise<void>;
}
export declare function printer(bench: string): Emit;
