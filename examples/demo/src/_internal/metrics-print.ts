import type { Story } from './story-print';

/** Prints the dual-write metrics worth reading at a glance, one per line. */
export function printMetrics(story: Story, metrics: object): void {
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number') story.line(`${key.padEnd(28)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
    else if (typeof value === 'string') story.line(`${key.padEnd(28)} ${value}`);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const parts = Object.entries(value)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : (v as number).toFixed(2)}`);
      if (parts.length) story.line(`${key.padEnd(28)} ${parts.join(', ')}`);
    }
  }
}
