import { describe, expect, it } from 'vitest';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import { mirrorToPrometheus, toPrometheus } from './index';
import { drainOutbox, outboxMirror } from './mirror/index';
import { createDualWriteAdapter } from '../test/patient-dual-write';

describe('toPrometheus', () => {
  it('renders every metric with HELP and TYPE lines and switchyard_ names', async () => {
    const adapter = createDualWriteAdapter(
      createSQLiteAdapter(':memory:', { name: 'old' }),
      createSQLiteAdapter(':memory:', { name: 'new' }),
    );
    await adapter.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await adapter.execute('INSERT INTO t (id) VALUES (1)');
    await adapter.query('SELECT * FROM t');
    const text = toPrometheus(adapter.getMetrics(), { labels: { app: 'shop "eu"\\1' } });
    expect(text.endsWith('\n')).toBe(true);

    const lines = text.trimEnd().split('\n');
    const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
    for (const line of lines) {
      const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
      if (meta) {
        const family = families.get(meta[2]!) ?? { samples: [] };
        family[meta[1] === 'HELP' ? 'help' : 'type'] = meta[3];
        families.set(meta[2]!, family);
        continue;
      }
      // name{labels} value — every sample belongs to a family declared above it.
      const sample = /^([a-z_]+)(\{[^}]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
      expect(sample, line).not.toBeNull();
      families.get(sample![1]!)!.samples.push(line);
    }
    for (const [name, family] of families) {
      expect(name).toMatch(/^switchyard_[a-z_]+$/);
      expect(family.help).toBeTruthy();
      expect(['counter', 'gauge']).toContain(family.type);
      if (family.type === 'counter') expect(name).toMatch(/_total$/);
      expect(family.samples.length).toBeGreaterThan(0);
    }
    expect(text).toContain('switchyard_writes_total{app="shop \\"eu\\"\\\\1"} 2\n');
    expect(text).toContain('switchyard_reads_total{app="shop \\"eu\\"\\\\1",side="primary"} 1\n');
    expect(text).toContain('switchyard_mode{app="shop \\"eu\\"\\\\1",mode="primary-old"} 1\n');
    expect(text).toMatch(/switchyard_write_latency_seconds\{app="[^\n]*",side="secondary",quantile="0.99"\} \d/);
    expect([...families.keys()]).toEqual([
      'switchyard_writes_total',
      'switchyard_dual_writes_total',
      'switchyard_secondary_failures_total',
      'switchyard_secondary_conflicts_resolved_total',
      'switchyard_verification_failures_total',
      'switchyard_primary_outcomes_unknown_total',
      'switchyard_write_latency_average_seconds',
      'switchyard_write_latency_seconds',
      'switchyard_reads_total',
      'switchyard_read_fallbacks_total',
      'switchyard_shadow_reads_total',
      'switchyard_shadow_read_mismatches_total',
      'switchyard_journal_depth',
      'switchyard_mode',
      'switchyard_metrics_since_timestamp_seconds',
    ]);
  });

  it("adds the mirror's backlog and outcome counters in async mode, and renders a mirror alone", async () => {
    const primary = createSQLiteAdapter(':memory:', { name: 'old' });
    const secondary = createSQLiteAdapter(':memory:', { name: 'new' });
    await primary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await secondary.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const mirror = outboxMirror(primary);
    const adapter = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror });
    for (const id of [1, 2, 3]) await adapter.execute('INSERT INTO t (id) VALUES (?)', [id]);
    await mirror.sampleMetrics();

    const waiting = toPrometheus(adapter.getMetrics());
    expect(waiting).toContain('# TYPE switchyard_mirror_depth gauge\nswitchyard_mirror_depth{mirror="outbox"} 3\n');
    expect(waiting).toContain('switchyard_mirror_enqueued_total{mirror="outbox"} 3\n');
    expect(waiting).toMatch(/switchyard_mirror_lag_seconds\{mirror="outbox"\} \d/);

    expect(await drainOutbox(secondary, { mirror })).toMatchObject({ applied: 3, stale: 0, repaired: 0 });
    await mirror.sampleMetrics();
    const drained = mirrorToPrometheus(mirror.getMetrics(), { labels: { app: 'shop' } });
    expect(drained).toContain('switchyard_mirror_depth{app="shop",mirror="outbox"} 0\n');
    expect(drained).toContain('switchyard_mirror_lag_seconds{app="shop",mirror="outbox"} 0\n');
    expect(drained).toContain('switchyard_mirror_applied_total{app="shop",mirror="outbox"} 3\n');
    expect(drained).not.toContain('switchyard_writes_total');
    const names = [...drained.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(names).toEqual([
      ['switchyard_mirror_depth', 'gauge'],
      ['switchyard_mirror_lag_seconds', 'gauge'],
      ['switchyard_mirror_sampled_timestamp_seconds', 'gauge'],
      ['switchyard_mirror_enqueued_total', 'counter'],
      ['switchyard_mirror_applied_total', 'counter'],
      ['switchyard_mirror_duplicates_total', 'counter'],
      ['switchyard_mirror_retried_total', 'counter'],
      ['switchyard_mirror_dead_lettered_total', 'counter'],
      ['switchyard_mirror_stale_total', 'counter'],
      ['switchyard_mirror_repaired_total', 'counter'],
      ['switchyard_mirror_settled_total', 'counter'],
      ['switchyard_mirror_send_failures_total', 'counter'],
    ]);
    await adapter.close();
  });
});
