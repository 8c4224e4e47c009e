import { describe, expect, it } from 'vitest';
import { counterpartFunctions } from './function-counterparts';
import { portableSql } from './portable-sql';

describe('counterpartFunctions', () => {
  it('rewrites nested calls, leaves strings, quoted names and longer words alone', () => {
    expect(counterpartFunctions("ifnull(instr(a, 'x'), 0) + myifnull(b)", 'sqlite')).toBe("coalesce(strpos(a, 'x'), 0) + myifnull(b)");
    expect(counterpartFunctions(`group_concat("ifnull(", ', (x)')`, 'sqlite')).toBe(`string_agg(CAST("ifnull(" AS text), ', (x)')`);
    expect(counterpartFunctions("'ifnull(a, b)' || ifnull(a, b)", 'sqlite')).toBe("'ifnull(a, b)' || coalesce(a, b)");
    expect(counterpartFunctions('group_concat(DISTINCT (a + b))', 'sqlite')).toBe("string_agg(DISTINCT CAST((a + b) AS text), ',')");
    expect(counterpartFunctions("string_agg(x, '-') || strpos(y, 'z')", 'postgres')).toBe("group_concat(x, '-') || instr(y, 'z')");
  });

  it('refuses what the other engine does not take: an ORDER BY inside, DISTINCT with a separator to SQLite, a wrong count', () => {
    expect(counterpartFunctions('group_concat(a ORDER BY a)', 'sqlite')).toBeUndefined();
    expect(counterpartFunctions("string_agg(DISTINCT a, '-')", 'postgres')).toBeUndefined();
    expect(counterpartFunctions('ifnull(a)', 'sqlite')).toBeUndefined();
    expect(counterpartFunctions('instr(a, b, c)', 'sqlite')).toBeUndefined();
    expect(counterpartFunctions('ifnull(a, b', 'sqlite')).toBeUndefined();
  });

  it('portableSql takes each engine its own names only', () => {
    expect(portableSql('ifnull(a, 0) > 1', 'sqlite')).toBe('coalesce(a, 0) > 1');
    expect(portableSql('ifnull(a, 0) > 1', 'postgres')).toBeUndefined();
    expect(portableSql("(strpos(name, 'a'::text) > 0)", 'postgres')).toBe("(instr(name, 'a') > 0)");
    expect(portableSql("strpos(name, 'a') > 0", 'sqlite')).toBeUndefined();
  });
});
