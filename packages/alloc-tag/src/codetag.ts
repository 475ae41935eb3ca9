/**
 * `struct codetag` (include/linux/codetag.h:27-33 of v6.18): what the compiler records at every `alloc_hooks()`
 * call site through `CODE_TAG_INIT` (codetag.h:69-75): `__func__`, `__FILE__`, `__LINE__`, and the module's name for
 * code built as a module (`CT_MODULE_NAME`, NULL for vmlinux). `__LINE__` is the line of the allocation macro's name
 * (gcc), the first line of a call written over several lines.
 */
export interface Codetag {
  /** `flags`: {@link CODETAG_FLAG_INACCURATE} or 0. */
  readonly flags: number;
  readonly lineno: number;
  /** `KBUILD_MODNAME` of a module's tag; undefined for vmlinux (NULL). */
  readonly modname: string | undefined;
  /** `__func__`: the function the macro is written in, an inlined static function's own name. */
  readonly function: string;
  /** `__FILE__`, relative to the source tree (`mm/filemap.c`). */
  readonly filename: string;
}

/** `CODETAG_FLAG_INACCURATE` (codetag.h:20): the counters missed allocations (a failed slab obj_exts vector). */
export const CODETAG_FLAG_INACCURATE = 1 << 0;

/**
 * `codetag_to_text()` (lib/codetag.c:120-129): `file:line [module] func:name`, without the module for vmlinux.
 */
export function codetagToText(ct: Codetag): string {
  return ct.modname !== undefined
    ? `${ct.filename}:${ct.lineno} [${ct.modname}] func:${ct.function}`
    : `${ct.filename}:${ct.lineno} func:${ct.function}`;
}
