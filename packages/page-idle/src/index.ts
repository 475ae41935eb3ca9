export { IdleBits } from './idle-bits';
export type { BitmapError } from './page-idle';
export { BITMAP_CHUNK_SIZE, PageIdle } from './page-idle';
