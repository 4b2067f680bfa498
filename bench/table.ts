/** Rows of the bench's table: a figure of ours beside its baseline's, their ratio, the goal and whether it is met. */

export type Unit = 'ms' | 'MB/s' | 'kB' | 'MB' | 'tasks';

/** A measured figure, or why there is none. */
export type Figure = { value: number; unit: Unit } | { missing: string };

export interface Goal {
  text: string;
  /** `undefined` when the figures it needs are missing. */
  met: (row: {
    ours: number | undefined;
    baseline: number | undefined;
    ratio: number | undefined;
  }) => boolean | undefined;
}

export interface Row {
  section: string;
  what: string;
  /** Who the baseline is, e.g. `curl`, `react-uploady`. */
  against: string;
  ours: Figure;
  baseline: Figure;
  /** ours / baseline, times or sizes or throughputs alike; `undefined` when either is missing. */
  ratio: number | undefined;
  goal: string;
  met: boolean | undefined;
  note?: string;
}

const valueOf = (figure: Figure) => ('value' in figure ? figure.value : undefined);

export function row(
  section: string,
  what: string,
  against: string,
  ours: Figure,
  baseline: Figure,
  goal?: Goal,
  note?: string,
): Row {
  const oursValue = valueOf(ours);
  const baselineValue = valueOf(baseline);
  const ratio = oursValue !== undefined && baselineValue ? oursValue / baselineValue : undefined;
  return {
    section,
    what,
    against,
    ours,
    baseline,
    ratio,
    goal: goal?.text ?? '—',
    met: goal?.met({ ours: oursValue, baseline: baselineValue, ratio }),
    ...(note ? { note } : {}),
  };
}

export const goals = {
  ratioAtMost: (limit: number): Goal => ({
    text: `≤ ${limit}×`,
    met: ({ ratio }) => (ratio === undefined ? undefined : ratio <= limit),
  }),
  ratioAtLeast: (limit: number): Goal => ({
    text: `≥ ${limit}×`,
    met: ({ ratio }) => (ratio === undefined ? undefined : ratio >= limit),
  }),
  oursAtMost: (limit: number, unit: Unit): Goal => ({
    text: `≤ ${limit} ${unit}`,
    met: ({ ours }) => (ours === undefined ? undefined : ours <= limit),
  }),
  both: (a: Goal, b: Goal): Goal => ({
    text: `${a.text} and ${b.text}`,
    met: (figures) => {
      const [first, second] = [a.met(figures), b.met(figures)];
      return first === undefined || second === undefined ? undefined : first && second;
    },
  }),
};

function formatFigure(figure: Figure): string {
  if (!('value' in figure)) return figure.missing;
  const { value, unit } = figure;
  const digits = unit === 'ms' ? (value < 10 ? 1 : 0) : unit === 'kB' ? 2 : unit === 'tasks' ? 0 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '—';
  return `${ratio < 0.1 ? ratio.toFixed(3) : ratio.toFixed(2)}×`;
}

function formatMet(met: boolean | undefined, row: Row): string {
  if (met === true) return 'yes';
  if (met === false) return 'NO';
  return row.goal === '—' ? '' : 'not measured';
}

export function formatTable(rows: Row[]): string {
  const header = ['what', 'ours', 'baseline', 'ratio', 'goal', 'met?'];
  const cells = rows.map((r) => [
    r.what,
    formatFigure(r.ours),
    `${formatFigure(r.baseline)}${'value' in r.baseline ? ` (${r.against})` : ''}`,
    formatRatio(r.ratio),
    r.goal,
    formatMet(r.met, r),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(header), widths.map((width) => '-'.repeat(width)).join('  ')];
  let section = '';
  rows.forEach((r, index) => {
    if (r.section !== section) {
      section = r.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells[index]!));
    if (r.note) out.push(`    ${r.note}`);
  });
  return out.join('\n');
}

export function summary(rows: Row[]): string {
  const judged = rows.filter((r) => r.goal !== '—');
  const named = (met: boolean | undefined) =>
    judged.filter((r) => r.met === met).map((r) => (r.against ? `${r.what} [${r.against}]` : r.what));
  const [met, missed, unmeasured] = [named(true), named(false), named(undefined)];
  const lines = [
    `Goals: ${met.length} met, ${missed.length} not met, ${unmeasured.length} not measured (of ${judged.length}).`,
  ];
  if (missed.length) lines.push(`Not met: ${missed.join('; ')}.`);
  if (unmeasured.length) lines.push(`Not measured: ${unmeasured.join('; ')}.`);
  return lines.join('\n');
}
