import type { DatabaseAdapter } from '@switchyard/core';

/**
 * `adapter`, running `write` (what the app writes meanwhile, on either side) around calls of
 * `method`: before the call, or once it answered; at the first call, or at every one.
 */
export function withLiveWrite(
  adapter: DatabaseAdapter,
  method: 'batch' | 'query',
  write: () => Promise<void>,
  { after = false, every = false }: { after?: boolean; every?: boolean } = {},
): DatabaseAdapter {
  let pending: (() => Promise<void>) | undefined = write;
  const take = () => {
    const run = pending;
    if (!every) pending = undefined;
    return run;
  };
  return new Proxy(adapter, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== method) return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const run = after ? undefined : take();
        if (run) await run();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const later = after ? take() : undefined;
        if (later) await later();
        return result;
      };
    },
  });
}
