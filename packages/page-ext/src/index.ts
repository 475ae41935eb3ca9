export type { ActivePageExtClient, PageExtPlan, SectionPageExt } from './page-ext';
export { flatmemPageExtAllocations, PageExt, planPageExt } from './page-ext';
export type { PageExtClient } from './page-ext-client';
export type { PageExtLayout } from './page-ext-layout';
export { flagsBytes, pageExtLayouts } from './page-ext-layout';
