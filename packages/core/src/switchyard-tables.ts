/**
 * Prefix of the tables Switchyard keeps for itself: copy checkpoints, the durable
 * journal, the outbox, applied operation ids.
 */
export const SWITCHYARD_TABLE_PREFIX = '_switchyard_';

/**
 * True for Switchyard's own bookkeeping tables. They exist on one side by design, so
 * validation and copies leave them out unless named explicitly.
 *
 * @example
 * ```ts
 * isSwitchyardTable('_switchyard_checkpoints') // true
 * ```
 */
export function isSwitchyardTable(name: string): boolean {
  return name.startsWith(SWITCHYARD_TABLE_PREFIX);
}
