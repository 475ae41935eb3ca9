export type { BitmapError } from './page-idle';
export { BITMAP_CHUNK_SIZE, PageIdle } from './page-idle';
export { pageIdle } from './page-idle-feature';
export type { PositionalFile } from './working-set';
export { idlePfns, markIdle, presentPfns } from './working-set';
