import type { ControlMetrics, DualWriteMetrics } from './dual-write-metrics';
import type { MirrorMetrics } from './mirror/mirror-metrics';

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
 * counters ending in `_total`, latencies in seconds. In async mode the mirror's figures
 * follow (see {@link mirrorToPrometheus}).
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
      name: 'secondary_conflicts_resolved_total',
      type: 'counter',
      help: 'Writes the secondary refused with a constraint violation whose rows were copied from the primary instead.',
      samples: [[{}, metrics.secondaryConflictsResolved]],
    },
    {
      name: 'verification_failures_total',
      type: 'counter',
      help: 'Writes whose results differed between primary and secondary.',
      samples: [[{}, metrics.verificationFailures]],
    },
    {
      name: 'primary_outcomes_unknown_total',
      type: 'counter',
      help: 'Writes the primary failed by losing its connection or timing out, which may have committed all the same.',
      samples: [[{}, metrics.primaryOutcomesUnknown]],
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
    {
      name: 'shadow_reads_total',
      type: 'counter',
      help: 'Reads also run on the secondary for comparison.',
      samples: [[{}, metrics.shadowReads]],
    },
    {
      name: 'shadow_read_mismatches_total',
      type: 'counter',
      help: 'Shadow reads whose rows differed from the primary.',
      samples: [[{}, metrics.shadowReadMismatches]],
    },
    {
      name: 'journal_depth',
      type: 'gauge',
      help: 'Failed secondary writes waiting in the journal.',
      samples: [[{}, metrics.journalDepth]],
    },
    { name: 'mode', type: 'gauge', help: 'The current primary: 1 for the active mode.', samples: [[{ mode: metrics.mode }, 1]] },
    {
      name: 'metrics_since_timestamp_seconds',
      type: 'gauge',
      help: 'When counting started (Unix time).',
      samples: [[{}, Date.parse(metrics.since) / 1000]],
    },
  ];
  if (metrics.mirror) families.push(...mirrorFamilies(metrics.mirror));
  if (metrics.control) families.push(...controlFamilies(metrics.control));
  return render(families, base);
}

/**
 * Renders a mirror's metrics in the Prometheus text format, for the process that drains
 * the outbox or consumes the queue (the app's adapter includes them in
 * {@link toPrometheus}): backlog depth and lag, and a counter per outcome. Every sample
 * carries `mirror="outbox"` or `mirror="queue"`.
 *
 * @example
 * ```ts
 * const consumer = createMirrorConsumer(secondary);
 * // in the Worker's fetch handler:
 * return new Response(mirrorToPrometheus(consumer.getMetrics(), { labels: { app: 'billing' } }));
 * ```
 */
export function mirrorToPrometheus(metrics: MirrorMetrics, options: PrometheusOptions = {}): string {
  return render(mirrorFamilies(metrics), options.labels ?? {});
}

function mirrorFamilies(m: MirrorMetrics): Family[] {
  const one = (value: number): Sample[] => [[{ mirror: m.kind }, value]];
  const counter = (name: string, help: string, value: number): Family => ({
    name: `mirror_${name}_total`,
    type: 'counter',
    help,
    samples: one(value),
  });
  return [
    {
      name: 'mirror_depth',
      type: 'gauge',
      help: 'Mirrored writes not yet applied to the secondary, as last sampled.',
      samples: one(m.depth),
    },
    {
      name: 'mirror_lag_seconds',
      type: 'gauge',
      help: 'Age of the oldest mirrored write not yet applied, as last sampled; 0 when none waits.',
      samples: one(m.lagMs / 1000),
    },
    {
      name: 'mirror_sampled_timestamp_seconds',
      type: 'gauge',
      help: 'When depth and lag were sampled (Unix time); 0 before the first sample.',
      samples: one(m.sampledAt / 1000),
    },
    counter('enqueued', 'Writes handed to the mirror by this process.', m.enqueued),
    counter('applied', 'Mirrored writes applied to the secondary.', m.applied),
    counter('duplicates', 'Redelivered writes recognised by their operation id and skipped.', m.duplicates),
    counter('retried', 'Deliveries that failed and were handed back for another attempt.', m.retried),
    counter('dead_lettered', 'Writes that failed their last attempt and went to the dead-letter queue.', m.deadLettered),
    counter('stale', 'Writes older than one already applied to the same row, skipped and recorded.', m.stale),
    counter('repaired', 'Stale writes whose rows were re-read from the primary instead.', m.repaired),
    counter('settled', 'Outbox entries the secondary refused whose rows were re-read from the primary instead.', m.settled),
    counter('send_failures', 'Queue sends that failed after the primary write.', m.sendFailures),
  ];
}

function controlFamilies(c: ControlMetrics): Family[] {
  const gauge = (name: string, help: string, value: number): Family => ({ name, type: 'gauge', help, samples: [[{}, value]] });
  return [
    gauge('control_epoch', 'The control record epoch this instance writes under.', c.epoch),
    gauge('control_refresh_age_seconds', 'Seconds since this instance last read the control record.', c.refreshAgeMs / 1000),
    gauge('control_reachable', '1 while the control store answers; 0 while the instance keeps its last mode.', c.reachable ? 1 : 0),
    {
      name: 'control_unreachable_total',
      type: 'counter',
      help: 'Reads of the control record that failed.',
      samples: [[{}, c.unreachableRefreshes]],
    },
    {
      name: 'control_pauses_total',
      type: 'counter',
      help: 'Times this instance held its writes for a fleet switch.',
      samples: [[{}, c.pauses]],
    },
    gauge('control_pause_longest_seconds', 'Longest time this instance held its writes for a fleet switch.', c.longestPauseMs / 1000),
    {
      name: 'control_pause_timeouts_total',
      type: 'counter',
      help: 'Holds that ended because a switch never finished.',
      samples: [[{}, c.pauseTimeouts]],
    },
  ];
}

function render(families: Family[], base: Record<string, string>): string {
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
