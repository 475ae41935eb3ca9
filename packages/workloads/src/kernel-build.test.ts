import { describe, expect, it } from 'vitest';
import { kernelBuildUnits } from './kernel-build';

const GIB_PAGES = 2 ** 18;

describe('kernelBuildUnits', () => {
  it('is 450 units per GiB of RAM, at least 64', () => {
    expect(kernelBuildUnits('v6.18', 4 * GIB_PAGES)).toBe(1800);
    expect(kernelBuildUnits('v4.8', 16 * GIB_PAGES)).toBe(7200);
    expect(kernelBuildUnits('v6.18', GIB_PAGES / 8)).toBe(64);
  });

  it("stops at the C files of the era's tree: a larger machine builds the whole tree", () => {
    // Counted in the v4.7.4, v4.8.15 and v6.18.2 trees (see treeUnits).
    expect(kernelBuildUnits('v4.7', 2 ** 28)).toBe(17_718);
    expect(kernelBuildUnits('v4.8', 2 ** 28)).toBe(18_012);
    expect(kernelBuildUnits('v6.18', 2 ** 28)).toBe(28_704);
    // The cap is reached just below 64 GiB in v6.18 and at 40 GiB in v4.8.
    expect(kernelBuildUnits('v6.18', 63 * GIB_PAGES)).toBe(28_350);
    expect(kernelBuildUnits('v4.8', 40 * GIB_PAGES)).toBe(18_000);
    expect(kernelBuildUnits('v4.8', 41 * GIB_PAGES)).toBe(18_012);
  });
});
