import { PAGE_SIZE } from '@mm/physmem';
import type { Vma } from './address-space';
import type { VmTask } from './vm';

/** The column where /proc/PID/maps starts a name: `seq_setwidth(m, 25 + sizeof(void *) * 6 - 1)`, then a space. */
const NAME_COLUMN = 72;

/**
 * One line of `/proc/PID/maps` (fs/proc/task_mmu.c `show_map_vma()`, the same in v4.8 and v6.18):
 * `start-end perms offset major:minor inode `, then, if the mapping has a name (its file's path, `[heap]`, ...),
 * padding to column 72, a space and the name.
 */
export function formatMapsLine(vma: Vma): string {
  const { protection, file } = vma;
  const perms = `${protection.read ? 'r' : '-'}${protection.write ? 'w' : '-'}${protection.exec ? 'x' : '-'}${
    protection.shared ? 's' : 'p'
  }`;
  const offset = file === undefined ? 0 : vma.pgoff * PAGE_SIZE;
  const device = file === undefined ? '00:00' : `${hex2(file.major)}:${hex2(file.minor)}`;
  const prefix = `${hex8(vma.start * PAGE_SIZE)}-${hex8(vma.end * PAGE_SIZE)} ${perms} ${hex8(offset)} ${device} ${
    file?.inode ?? 0
  } `;
  const name = file?.name ?? vma.name;
  return name === undefined ? prefix : `${prefix.padEnd(NAME_COLUMN)} ${name}`;
}

/** `/proc/PID/maps`: one line per mapping, in address order. */
export function formatMaps(task: VmTask): string {
  let text = '';
  for (const vma of task.mm.vmas) text += `${formatMapsLine(vma)}\n`;
  return text;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}
