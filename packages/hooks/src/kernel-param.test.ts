import { describe, expect, it } from 'vitest';
import { KernelParamError } from './kernel-param';

describe('KernelParamError', () => {
  it('names the parameter, the value and what was expected', () => {
    const error = new KernelParamError('mem', '12Q', 'a size such as 512M or 4G');
    expect(error.message).toBe("kernel parameter 'mem=12Q' is malformed: expected a size such as 512M or 4G");
    expect(error.param).toBe('mem');
    expect(error.value).toBe('12Q');
  });

  it('says when the value is missing', () => {
    expect(new KernelParamError('mem', undefined, 'a size').message).toBe(
      "kernel parameter 'mem' needs a value: expected a size",
    );
  });
});
