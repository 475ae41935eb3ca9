import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';
import { type Feature, resolveFeatures } from './index';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('orders features as boot() runs them', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line (its import is the package's own: './index' here):
    /** The smallest feature there is: a name, its factory, what it requires, and a boot that does nothing. */
    function feature(name: string, requires: readonly Feature[] = []): Feature<string> {
      const made: Feature<string> = { name, factory: () => made, requires, boot: () => ({ api: name }) };
      return made;
    }
    const stackDepot = feature('stackdepot');
    const pageOwner = feature('page_owner', [stackDepot]); // Kconfig: PAGE_OWNER selects STACKDEPOT
    const pageIdle = feature('page_idle');
    // boot() runs them in this order: each after what it requires, otherwise as given.
    console.log(resolveFeatures([pageIdle, pageOwner]).map((made) => made.name)); // [ 'page_idle', 'stackdepot', 'page_owner' ]

    expect(log.mock.calls).toEqual([[['page_idle', 'stackdepot', 'page_owner']]]);
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([
      "import { type Feature, resolveFeatures } from '@mm/kernel-spec';",
    ]);
  });
});
