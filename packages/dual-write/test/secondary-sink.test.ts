import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseAdapter } from '@switchyard/core';
import { createSQLiteAdapter } from '@switchyard/sqlite';
import * as mirrorEntry from '@switchyard/dual-write/mirror';
import * as root from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

const DDL = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)';

// A Cloudflare Queue producer keeps what it is sent; the databases are real.
function collectingQueue(): mirrorEntry.QueueProducerLike & { sent: unknown[] } {
  const sent: unknown[] = [];
  return { sent, send: async (body: unknown) => void sent.push(body) };
}

describe('the secondary sink chosen by secondaryWrites', () => {
  let primary: DatabaseAdapter;
  let secondary: DatabaseAdapter;

  beforeEach(async () => {
    primary = createSQLiteAdapter(':memory:');
    secondary = createSQLiteAdapter(':memory:');
    for (const side of [primary, secondary]) await side.execute(DDL);
  });
  afterEach(async () => {
    await primary.close();
    await secondary.close();
  });

  it('sync: writes reach the secondary before the call returns, and switchPrimary() runs', async () => {
    const adapter = createDualWriteAdapter(primary, secondary);
    await adapter.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'a']);
    await adapter.transaction(async (tx) => void (await tx.execute('UPDATE notes SET body = ? WHERE id = ?', ['b', 1])));
    expect(await secondary.query('SELECT id, body FROM notes')).toEqual([{ id: 1, body: 'b' }]);
    expect(adapter.getMetrics().mirror).toBeUndefined();
    expect((await adapter.switchPrimary()).primary).toBe(secondary.name);
  });

  it('async with a queue: a transaction that changed no row sends nothing; one that did sends one message', async () => {
    const queue = collectingQueue();
    const adapter = createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: mirrorEntry.queueMirror(queue) });
    await adapter.transaction(async (tx) => void (await tx.execute('UPDATE notes SET body = ? WHERE id = ?', ['x', 99])));
    expect(queue.sent).toHaveLength(0);
    await adapter.transaction(async (tx) => void (await tx.execute('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'a'])));
    expect(queue.sent).toHaveLength(1);
    expect(await secondary.query('SELECT * FROM notes')).toEqual([]);
    expect(adapter.getMetrics().mirror).toMatchObject({ kind: 'queue', enqueued: 1 });
    adapter.resetMetrics();
    expect(adapter.getMetrics().mirror).toMatchObject({ enqueued: 0 });
    await expect(adapter.switchPrimary()).rejects.toThrow(/drain the mirror/);
  });

  it('async: refuses an outbox made for the other side, naming both', () => {
    expect(() =>
      createDualWriteAdapter(primary, secondary, { secondaryWrites: 'async', mirror: mirrorEntry.outboxMirror(secondary) }),
    ).toThrow(/made for .* but the primary is/);
  });
});

describe('@switchyard/dual-write/mirror', () => {
  it('exports the mirror; the root keeps deprecated aliases of the same functions and classes', () => {
    expect(Object.keys(mirrorEntry).sort()).toEqual([
      'MirrorApplyError',
      'MirrorSendError',
      'MirrorStats',
      'UntranslatedEntryError',
      'createMirrorConsumer',
      'drainOutbox',
      'outboxMirror',
      'pruneAppliedOps',
      'queueMirror',
      'resolveOutboxOps',
    ]);
    expect(root.outboxMirror).toBe(mirrorEntry.outboxMirror);
    expect(root.MirrorApplyError).toBe(mirrorEntry.MirrorApplyError);
    expect(root.MirrorSendError).toBe(mirrorEntry.MirrorSendError);
    expect(Object.keys(root)).not.toContain('applyOps');
    expect(Object.keys(root)).not.toContain('writeThroughMirror');
  });
});
