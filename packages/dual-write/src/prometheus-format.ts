import type { DualWriteMetrics } from './dual-write-metrics';

/** Options of {@link toPrometheus}. */
export interface PrometheusOptions {
  /** Labels added to every sample, e.g. `{ app: 'billing' }` when several adapters share an endpoint. */
  labels?: Record<string, string>;
}

type Sample = [labels: Record<string, string>, value: number];
interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Sample[];
}

/**
 * Renders metrics in the Prometheus text exposition format (version 0.0.4) for a
 * `/metrics` endpoint: `switchyard_`-prefixed names, `# HELP` and `# TYPE` lines,
 * counters ending in `_total`, latencies in seconds.
 *
 * @example
 * ```ts
 * app.get('/metrics', (c) =>
 *   c.text(toPrometheus(adapter.getMetrics()), 200, { 'content-type': 'text/plain; version=0.0.4' }));
 * ```
 */
export function toPrometheus(metrics: DualWriteMetrics, options: PrometheusOptions = {}): string {
  const base = options.labels ?? {};
  const seconds = (ms: number) => ms / 1000;
  const latency = (side: 'primary' | 'secondary', p: DualWriteMetrics['primaryLatency']): Sample[] => [
    [{ side, quantile: '0.5' }, seconds(p.p50)],
    [{ side, quantile: '0.95' }, seconds(p.p95)],
    [{ side, quantile: '0.99' }, seconds(p.p99)],
  ];
  const families: Family[] = [
    { name: 'writes_total', type: 'counter', help: 'Writes accepted by the primary.', samples: [[{}, metrics.totalWrites]] },
    { name: 'dual_writes_total', type: 'counter', help: 'Writes applied on both sides.', samples: [[{}, metrics.successfulDualWrites]] },
    {
      name: 'secondary_failures_total',
      type: 'counter',
      help: 'Writes the secondary did not apply; each is kept in the journal.',
      samples: [[{}, metrics.secondaryFailures]],
    },
    {
      name: 'verification_failures_total',
      type: 'counter',
      help: 'Writes whose results differed between primary and secondary.',
      samples: [[{}, metrics.verificationFailures]],
    },
    {
      name: 'write_latency_average_seconds',
      type: 'gauge',
      help: 'Mean write latency by side.',
      samples: [
        [{ side: 'primary' }, seconds(metrics.averagePrimaryLatency)],
        [{ side: 'secondary' }, seconds(metrics.averageSecondaryLatency)],
      ],
    },
    {
      name: 'write_latency_seconds',
      type: 'gauge',
      help: 'Write latency quantiles by side, from a bounded uniform sample.',
      samples: [...latency('primary', metrics.primaryLatency), ...latency('secondary', metrics.secondaryLatency)],
    },
    {
      name: 'reads_total',
      type: 'counter',
      help: 'Reads served, by the side that answered.',
      samples: [
        [{ side: 'primary' }, metrics.reads.primary],
        [{ side: 'secondary' }, metrics.reads.secondary],
      ],
    },
    {
      name: 'read_fallbacks_total',
      type: 'counter',
      help: 'Reads routed to the secondary that failed there and were answered by the primary.',
      samples: [[{}, metrics.readFallbacks]],
    },
    { name: 'shadow_reads_total', type: 'counter', help: 'Reads also run on the secondary for comparison.', samples: [[{}, metrics.shadowReads]] },
    {
      name: 'shadow_read_mismatches_total',
      type: 'counter',
      help: 'Shadow reads whose rows differed from the primary.',
      samples: [[{}, metrics.shadowReadMismatches]],
    },
    { name: 'journal_depth', type: 'gauge', help: 'Failed secondary writes waiting in the journal.', samples: [[{}, metrics.journalDepth]] },
    { name: 'mode', type: 'gauge', help: 'The current primary: 1 for the active mode.', samples: [[{ mode: metrics.mode }, 1]] },
    {
      name: 'metrics_since_timestamp_seconds',
      type: 'gauge',
      help: 'When counting started (Unix time).',
      samples: [[{}, Date.parse(metrics.since) / 1000]],
    },
  ];
  const lines: string[] = [];
  for (const family of families) {
    const name = `switchyard_${family.name}`;
    lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
    for (const [labels, value] of family.samples) lines.push(`${name}${formatLabels({ ...base, ...labels })} ${formatValue(value)}`);
  }
  return lines.join('\n') + '\n';
}

function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return '{' + keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',') + '}';
}

// The exposition format escapes backslash, double quote and line feed in label values.
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
