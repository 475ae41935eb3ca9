import { KernelText } from './kernel-text';
import { symbolsV4 } from './symbols-v4';
import { symbolsV6 } from './symbols-v6';

/**
 * The kernel text of an era: v4.x (v4.7, v4.8) with its modules at 0xffffffffa0000000, v6.x with its modules at
 * 0xffffffffc0000000; core text from 0xffffffff81000000.
 */
export function createKernelText(era: 'v4' | 'v6'): KernelText {
  return era === 'v4'
    ? new KernelText({ coreStart: 0x81000000, moduleStart: 0xa0000000 }, symbolsV4)
    : new KernelText({ coreStart: 0x81000000, moduleStart: 0xc0000000 }, symbolsV6);
}
