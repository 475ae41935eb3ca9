import { describe, expect, it } from 'vitest';
import { kstrtobool } from './kstrtobool';

describe('kstrtobool', () => {
  it.each([
    ['y', true],
    ['Yes', true],
    ['1', true],
    ['on', true],
    ['ON', true],
    ['n', false],
    ['No', false],
    ['0', false],
    ['off', false],
    ['oFf', false],
  ])('reads %s as %s', (value, expected) => {
    expect(kstrtobool(value)).toBe(expected);
  });

  it.each([undefined, '', 'o', 'ox', 'true', 'false', '2', ' y'])(
    'rejects %j as the kernel does (-EINVAL)',
    (value) => {
      expect(kstrtobool(value)).toBeUndefined();
    },
  );
});
