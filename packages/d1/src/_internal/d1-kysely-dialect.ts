import { UnsupportedError } from '@switchyard/core';
import type { Driver } from 'kysely';
import { D1Dialect } from 'kysely-d1';

/**
 * kysely-d1's dialect, with `db.transaction()` refused by a typed error that points to
 * `batch()` instead of the driver's bare `Error`.
 */
export class SwitchyardD1Dialect extends D1Dialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async () => {
      throw new UnsupportedError(TRANSACTIONS_UNSUPPORTED, { dialect: 'd1' });
    };
    return driver;
  }
}

/** Why `transaction()` fails on D1, and what to do instead. */
export const TRANSACTIONS_UNSUPPORTED =
  'D1 has no interactive transactions. Use batch(): adapter.batch([...statements]) runs them as one transaction, all or nothing.';
