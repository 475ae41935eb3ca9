export { IdleBits } from './idle-bits';
export type { BitmapError } from './page-idle';
export { BITMAP_CHUNK_SIZE, PageIdle } from './page-idle';
export type { PositionalFile } from './working-set';
export { idlePfns, markIdle, presentPfns } from './working-set';
