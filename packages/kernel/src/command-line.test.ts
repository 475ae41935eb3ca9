import { describe, expect, it } from 'vitest';
import { parameterNamesMatch, splitCommandLine } from './command-line';
import { parseKernelParams, unknownParamsLine } from './kernel-params';

describe('splitCommandLine', () => {
  it('splits words, values and quotes like next_arg()', () => {
    expect(
      splitCommandLine('  page_owner=on  acpi_osi="Windows 2009" "dyndbg=+p foo" quiet -- init-arg').arguments,
    ).toEqual([
      { name: 'page_owner', value: 'on' },
      { name: 'acpi_osi', value: 'Windows 2009' },
      { name: 'dyndbg', value: '+p foo' },
      { name: 'quiet', value: undefined },
    ]);
    expect(splitCommandLine('a -- b c').initArguments).toEqual(['b', 'c']);
    expect(() => splitCommandLine('a="b')).toThrow(/unbalanced/);
  });

  it('treats - and _ alike in names', () => {
    expect(parameterNamesMatch('page-owner', 'page_owner')).toBe(true);
    expect(parameterNamesMatch('page_owner', 'page_owners')).toBe(false);
  });
});

describe('parseKernelParams', () => {
  it('runs early parameters first, then the others, and collects unknown ones', () => {
    const order: string[] = [];
    const params = [
      { name: 'late', early: false, description: '', setup: (value?: string) => order.push(`late=${value}`) },
      { name: 'early', early: true, description: '', setup: (value?: string) => order.push(`early=${value}`) },
    ];
    const result = parseKernelParams('late=1 other early=2', params, 'v6.18', () => {});
    expect(order).toEqual(['early=2', 'late=1']);
    expect(result.unknown).toEqual([{ name: 'other', value: undefined }]);
    expect(unknownParamsLine(result.unknown)).toBe(
      'Unknown kernel command line parameters "other", will be passed to user space.',
    );
    expect(unknownParamsLine([])).toBeUndefined();
  });
});
