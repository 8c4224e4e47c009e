import type { DatabaseAdapter } from '@switchyard/core';
import { controlTable, type ControlState, type InstanceHeartbeat } from '@switchyard/dual-write';

/** The fleet as the control record and heartbeats show it. */
export interface FleetView {
  record: ControlState;
  instances: (InstanceHeartbeat & { live: boolean; current: boolean })[];
  allOnCurrentEpoch: boolean;
}

/** Reads `_switchyard_control` and its heartbeats, or `undefined` when the database has none. */
export async function readFleet(adapter: DatabaseAdapter, liveMs: number): Promise<FleetView | undefined> {
  const tables = await adapter.introspect();
  if (!tables.some((t) => t.name === '_switchyard_control')) return undefined;
  const store = controlTable(adapter);
  const record = await store.read();
  if (!record) return undefined;
  const now = Date.now();
  const instances = (await store.instances()).map((b) => ({
    ...b,
    live: now - b.lastSeen.getTime() <= liveMs,
    current: b.epoch === record.epoch && !b.paused,
  }));
  return { record, instances, allOnCurrentEpoch: instances.filter((i) => i.live).every((i) => i.current) };
}

/** Lines for a terminal: the record, then one line per instance, live ones first. */
export function fleetLines(fleet: FleetView): string[] {
  const { record } = fleet;
  const live = fleet.instances.filter((i) => i.live);
  const behind = live.filter((i) => !i.current);
  const lines = [
    `control: epoch ${record.epoch}, ${record.mode}, ${record.state} (since ${record.updatedAt}${record.by ? ` by ${record.by}` : ''})`,
    behind.length === 0
      ? `instances: ${live.length} live, all on epoch ${record.epoch}`
      : `instances: ${live.length} live, ${behind.length} not on epoch ${record.epoch}`,
  ];
  const sorted = [...fleet.instances].sort((a, b) => Number(b.live) - Number(a.live) || a.instanceId.localeCompare(b.instanceId));
  for (const i of sorted) {
    const state = !i.live ? 'gone' : i.paused ? 'holding writes' : i.current ? 'current' : 'BEHIND';
    lines.push(`  ${i.instanceId}  epoch ${i.epoch}  ${i.mode}  ${state}  last seen ${i.lastSeen.toISOString()}`);
  }
  return lines;
}
