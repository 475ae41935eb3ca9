import { KernelParamError } from '@mm/hooks';
import { describe, expect, it } from 'vitest';
import { type MemoryParamValues, memoryParams } from './memory-params';

function apply(name: string, value: string | undefined): MemoryParamValues {
  const values: MemoryParamValues = { reserve: [] };
  const log: string[] = [];
  memoryParams(values)
    .find((param) => param.name === name)!
    .setup(value, { profile: 'v6.18', log: (line) => log.push(line) });
  return values;
}

describe('memory parameters', () => {
  it('reads mem=, memmap= and movablecore=', () => {
    expect(apply('mem', '2G').limit).toBe(2 * 2 ** 30);
    expect(apply('memmap', '64M$0x40000000').reserve).toEqual([{ size: 64 * 2 ** 20, start: 0x40000000 }]);
    expect(apply('movablecore', '512M').movableBytes).toBe(512 * 2 ** 20);
    expect(apply('movablecore', '25%').movablePercent).toBe(25);
  });

  it('rejects malformed values with an error naming the parameter', () => {
    expect(() => apply('mem', '12Q')).toThrow(KernelParamError);
    expect(() => apply('mem', '12Q')).toThrow("kernel parameter 'mem=12Q' is malformed");
    expect(() => apply('mem', '0')).toThrow(/mem=0/);
    expect(() => apply('mem', undefined)).toThrow("kernel parameter 'mem' needs a value");
    expect(() => apply('memmap', '64M@0x1000')).toThrow(/only the \$ \(reserve\) form/);
    expect(() => apply('movablecore', '120%')).toThrow(/movablecore=120%/);
  });
});
