/**
 * What the control record did, as one instance saw it: reported as a `control` event.
 * `'unreachable'` and `'reachable'` when the store stops or starts answering (the
 * instance keeps its last mode meanwhile); `'switching'` and `'active'` as a switch
 * holds and releases this instance's writes; `'pause-timeout'` when a switch never
 * finished and the instance went on under its old mode; `'switch-aborted'` when
 * `switchPrimary()` called a switch off.
 *
 * @example
 * ```ts
 * adapter.on('control', (e) => e.change === 'unreachable' && log.warn(e.error?.message));
 * ```
 */
export interface ControlEvent {
  type: 'control';
  at: Date;
  change: 'unreachable' | 'reachable' | 'switching' | 'active' | 'pause-timeout' | 'switch-aborted';
  epoch: number;
  mode: string;
  /** For `'active'`: how long this instance held its writes, in milliseconds. */
  pauseMs?: number;
  error?: Error;
}
