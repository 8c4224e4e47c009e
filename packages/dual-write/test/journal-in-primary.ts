import type { DatabaseAdapter } from '@switchyard/core';
import { tableJournal, type DualWriteAdapter, type DualWriteEventOf } from '../src/index';
import { createDualWriteAdapter } from './patient-dual-write';

/**
 * A dual-write adapter whose journal is a new table in the primary (so an outage of the
 * primary can take the journal down with it), carrying on after secondary failures, with
 * the `secondary-failure` events it emits.
 */
export async function dualWithJournalInPrimary(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
): Promise<{ dual: DualWriteAdapter; failures: DualWriteEventOf<'secondary-failure'>[] }> {
  await primary.execute('DROP TABLE IF EXISTS _switchyard_journal');
  const failures: DualWriteEventOf<'secondary-failure'>[] = [];
  const dual = createDualWriteAdapter(primary, secondary, {
    journal: tableJournal(primary),
    continueOnSecondaryFailure: true,
    onEvent: (e) => e.type === 'secondary-failure' && failures.push(e),
  });
  return { dual, failures };
}
