// ---------------------------------------------------------------------------
// Figures: what a part measured, printed as a table per part and a summary, and written to
// bench/results.json. A figure only exists if a measurement of this run produced it; ratios are
// computed here from two figures of the same run, never typed in.
// ---------------------------------------------------------------------------
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { formatTable } from '../scripts/lib/table';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The figure this one is compared with (its name), when there is one. */
  readonly comparator?: string;
  /** value / comparator's value, measured in the same run. */
  readonly ratio?: number;
  readonly note?: string;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memory: number;
  readonly node: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return { cpus: cores.length, model: cores[0]?.model ?? 'unknown', memory: totalmem(), node: process.version, platform: `${process.platform}-${process.arch}` };
}

/** Thrown when a ratio names a comparator that was not measured (a bench bug, not a result). */
export class MissingComparatorError extends Error {
  readonly code = 'MissingComparator';
  constructor(name: string, comparator: string) {
    super(`Figure ${name} is compared with ${comparator}, which this run did not measure: record the comparator first`);
    this.name = 'MissingComparatorError';
  }
}

export class Results {
  readonly figures: Figure[] = [];
  private readonly partOf = new Map<string, string>();

  constructor(private readonly log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  /** Record a figure under a part; with `comparator`, the ratio is computed from the recorded comparator. */
  add(part: string, figure: Omit<Figure, 'ratio'>): Figure {
    let ratio: number | undefined;
    if (figure.comparator !== undefined) {
      const base = this.get(figure.comparator);
      if (!base) throw new MissingComparatorError(figure.name, figure.comparator);
      ratio = base.value === 0 ? undefined : figure.value / base.value;
    }
    const full: Figure = { ...figure, ...(ratio !== undefined ? { ratio: round(ratio, 3) } : {}), value: round(figure.value, 3) };
    const existing = this.figures.findIndex((f) => f.name === figure.name);
    if (existing >= 0) this.figures.splice(existing, 1);
    this.figures.push(full);
    this.partOf.set(full.name, part);
    this.log(`[bench]   ${full.name} = ${formatValue(full)} ${full.unit}${full.ratio !== undefined ? ` (x${full.ratio} of ${full.comparator})` : ''}`);
    return full;
  }

  get(name: string): Figure | undefined {
    return this.figures.find((f) => f.name === name);
  }

  /** The table of one part. */
  table(part: string): string {
    const rows = this.figures.filter((f) => this.partOf.get(f.name) === part).map(row);
    return formatTable(['figure', 'value', 'unit', 'vs', 'ratio', 'note'], rows);
  }

  parts(): string[] {
    return [...new Set(this.partOf.values())];
  }

  write(file: string, machine: MachineInfo, extra: Record<string, unknown> = {}): void {
    writeFileSync(file, `${JSON.stringify({ machine, ...extra, figures: this.figures }, null, 2)}\n`);
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function formatValue(f: Figure): string {
  if (Number.isInteger(f.value)) return String(f.value);
  const abs = Math.abs(f.value);
  return abs >= 100 ? f.value.toFixed(0) : abs >= 1 ? f.value.toFixed(2) : f.value.toFixed(3);
}

function row(f: Figure): string[] {
  return [f.name, formatValue(f), f.unit, f.comparator ?? '', f.ratio !== undefined ? `x${f.ratio.toFixed(2)}` : '', f.note ?? ''];
}

/** The summary: the figures the issue names, in its order, each with its ratio. */
export function summaryTable(results: Results, names: readonly string[]): string {
  const rows = names.map((n) => {
    const f = results.get(n);
    return f ? row(f) : [n, 'MISSING', '', '', '', 'not measured in this run'];
  });
  return formatTable(['figure', 'value', 'unit', 'vs', 'ratio', 'note'], rows);
}
