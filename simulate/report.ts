import type { ChartData } from './chart-data';
import type { AgentRun, HeldBack, RunSummary } from './engine';
import { formatElapsed } from './time-label';
import { renderXyCharts } from './xychart';

/** A run's chart data: backlog on the left axis, replicas and nodes on the right. */
export function chartOf(run: AgentRun, title = `${run.agent} on ${run.site}`): ChartData {
  return {
    title,
    times: Array.from(run.times),
    series: [
      { name: 'backlog', values: Array.from(run.backlog), axis: 'left' },
      { name: 'replicas', values: Array.from(run.replicas), axis: 'right' },
      { name: 'nodes', values: Array.from(run.nodes), axis: 'right' },
    ],
  };
}

/** Seconds as `1h 05m`, `4m 30s` or `45s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/** A figure for a table: whole from 100 on, else to one decimal. */
export const round = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Math.round(value * 10) / 10);
const money = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The cells of a run's figures, in the order of {@link SUMMARY_HEADER}. */
export function summaryCells(summary: RunSummary): string[] {
  return [
    round(summary.peakBacklog),
    summary.longestWaitSeconds === undefined ? '—' : formatDuration(summary.longestWaitSeconds),
    summary.drainSeconds !== undefined
      ? formatDuration(summary.drainSeconds)
      : summary.undrained
        ? 'not drained'
        : '—',
    String(summary.peakReplicas),
    round(summary.peakNodes),
    round(summary.replicaHours),
    round(summary.nodeHours),
    summary.cost === undefined ? 'no price' : money(summary.cost),
    heldBackText(summary.heldBack),
  ];
}

/** The columns of a run's figures. */
export const SUMMARY_HEADER = [
  'peak backlog',
  'longest wait',
  'drain',
  'peak replicas',
  'peak nodes',
  'replica-hours',
  'node-hours',
  'cost',
  'held back by',
];

/** Every moment a limit held the agent back, e.g. `max 00:42–01:10; pool 00:45–00:48`. */
export function heldBackText(held: readonly HeldBack[]): string {
  if (held.length === 0) return '—';
  return held
    .map(
      (h) =>
        `${h.limit === 'max' ? 'max' : 'pool'} ${formatElapsed(h.from, 'minutes')}–${formatElapsed(h.to, 'minutes')}`,
    )
    .join('; ');
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Mermaid `xychart-beta` blocks of a run, fenced. */
export function xyCharts(data: ChartData): string {
  return renderXyCharts(data)
    .map((chart) => `\`\`\`mermaid\n${chart}\n\`\`\``)
    .join('\n\n');
}
