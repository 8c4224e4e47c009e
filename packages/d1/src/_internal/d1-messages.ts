/** Why `transaction()` fails on D1, and what to do instead. */
export const TRANSACTIONS_UNSUPPORTED =
  'D1 has no interactive transactions. Use batch(): adapter.batch([...statements]) runs them as one transaction, all or nothing.';
