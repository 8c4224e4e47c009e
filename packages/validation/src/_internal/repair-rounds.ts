import type { DatabaseAdapter, Statement } from '@switchyard/core';
import type { RepairMismatch, RowKey } from '../validation-types';
import type { RepairCheck } from './repair-verify';
import { writeRepairUnits, type RepairUnit } from './repair-write';

/** One table's repair as planned: its statements by the rows they write, and the check to run once they are written. */
export interface RepairPlan {
  upserted: number;
  deleted: number;
  statements: Statement[];
  units: RepairUnit[];
  heldBack: Map<string, string[]>;
  verify: () => Promise<RepairCheck>;
}

/** Plans the repair of `changed` keys from the source as it is now, and the delete of `gone` ones. */
export type Replan = (changed: RowKey[], gone: RowKey[]) => Promise<RepairPlan>;

/** Write-and-check passes a repair makes over rows live writes keep moving, before it reports them. */
const ROUNDS = 3;

/**
 * Writes a plan and checks it; rows a live write changed or deleted on the source between
 * the read and the write (dual write runs while a repair does, and its write to the target
 * may land before the repair's older one) are read and written again, or deleted from the
 * target, up to three passes. Without that, a row the app updated meanwhile was left in the
 * target as it was before (reported as a type the target cannot hold), and a row the app
 * deleted was written back into the target, unreported: a switch would have revived it.
 * Returns the rows still different, with what is left moving reported as such.
 */
export async function repairRounds(
  target: DatabaseAdapter,
  first: RepairPlan,
  perBatch: number,
  replan: Replan,
): Promise<{ stillDifferent: RepairMismatch[]; statements: Statement[] }> {
  const stillDifferent: RepairMismatch[] = [];
  const statements: Statement[] = [];
  let plan = first;
  for (let round = 1; ; round++) {
    await writeRepairUnits(target, plan.units, perBatch, (row, reason) => {
      if (row.deletes) {
        stillDifferent.push({ key: row.key, reasons: [`not deleted: ${reason}`] });
        plan.deleted--;
      } else {
        plan.heldBack.set(row.id, [`not written: ${reason}`]);
        plan.upserted--;
      }
    });
    const check = await plan.verify();
    stillDifferent.push(...check.stillDifferent);
    if (check.changed.length + check.gone.length === 0) return { stillDifferent, statements };
    if (round === ROUNDS) {
      const moving = (what: string) => (key: RowKey) => ({
        key,
        reasons: [`the source row ${what} while it was repaired, ${ROUNDS} times: validate and repair again once writes to it pause`],
      });
      stillDifferent.push(...check.changed.map(moving('changed')), ...check.gone.map(moving('was deleted')));
      return { stillDifferent, statements };
    }
    plan = await replan(check.changed, check.gone);
    statements.push(...plan.statements);
  }
}
