/**
 * A frame, or alternative runs of frames (callers come through any of them; a workload picks one per call).
 * An empty run means the frames are absent in that variant.
 */
export type PathPart = string | readonly (readonly string[])[];

/** A call path: frames outermost first, some with alternatives. */
export type KernelPath = readonly PathPart[];

/**
 * Kernel call paths into the page allocator, outermost frame first, as `%pS` prints them
 * (`name+0xoffset/0xsize`). v6.18 paths are real call chains of `samples/perf-script-page-alloc-stacks-6.18.txt`
 * and of the perf recording in `__fixtures__/perf-kmem/`; where a chain is in neither, it is built from real 6.18
 * call relations, with the function sizes of a 6.18 x86_64 kallsyms. v4 paths are real 4.x chains (the page cache
 * and shmem ones from the v4.6 page_owner commit messages) or built from 4.8 call relations. Static functions with
 * one caller are taken as inlined (no frame), and the frames of a fault taken inside a kernel copy start at the
 * faulting instruction (`rep_movs_alternative+0x11`, `filldir64+0x9e`, ...) above the exception's.
 *
 * A path has the variety a real machine shows: the syscalls and filesystems (ext4, xfs) that reach the same code,
 * the faults of a kernel build (user mode, and inside read(), getdents64(), stat(), signal delivery, execve()...),
 * the readahead variants, the slab allocator's callers. page_owner keeps 16 entries (about 13 frames of a v6.18
 * path, 11 of a v4.8 one, counted from the innermost), so the variety is in the inner frames.
 * Each path ends at the allocation API the caller used (or, for frees, at the freeing function); page_owner adds
 * the allocator's own frames.
 */
export interface KernelPaths {
  [kind: string]: KernelPath;
  /** Anonymous page fault (`do_anonymous_page`): in user mode, or in a kernel store to user memory. */
  readonly anonFault: KernelPath;
  /** Copy-on-write fault: after fork (`do_wp_page`), or a write to a private file page (`do_cow_fault`). */
  readonly cowFault: KernelPath;
  /**
   * A fault on a file mapping reading its page into the page cache (`filemap_fault`): the text of a binary, a
   * kernel load from a mapped file, exec zeroing the end of a segment.
   */
  readonly execFault: KernelPath;
  /** Page cache readahead on read() and friends (pread64, readv, sendfile, splice, fadvise, execve's reads). */
  readonly fileRead: KernelPath;
  /** Page cache page for write() and friends (pwrite64, writev, sendfile, splice): ext4 and xfs. */
  readonly fileWrite: KernelPath;
  /** tmpfs write. */
  readonly shmemWrite: KernelPath;
  /** A page table page for exec: the stack's move, the new mm's pgd, the argument pages. */
  readonly execPageTable: KernelPath;
  /**
   * A page table page (PTE, PMD or PUD) allocated by a page fault (`__handle_mm_fault()` → `__pte_alloc()` →
   * `pte_alloc_one()`, ...), from the same fault contexts as {@link anonFault} and {@link execFault}.
   */
  readonly faultPageTable: KernelPath;
  /** A page table page copied at fork. */
  readonly forkPageTable: KernelPath;
  /** A new slab page for the dentry cache: path walks that miss the dcache, pipes. */
  readonly slabDentry: KernelPath;
  /** A new slab page for kmalloc and the other caches (files, inodes, VMAs, tasks, creds, buffer heads, ...). */
  readonly slabKmalloc: KernelPath;
  /** A kernel stack page for a new task. */
  readonly kernelStack: KernelPath;
  /** Freeing a process's pages at exit (the free function is the last frame). */
  readonly exitFree: KernelPath;
  /** kswapd freeing page cache pages (reclaim). */
  readonly reclaimFree: KernelPath;
  /** Freeing a page table page. */
  readonly pageTableFree: KernelPath;
  /**
   * Direct reclaim freeing page cache pages, above the allocation that ran it (the allocator's slow path down to the
   * free function): the frames go on top of the allocating caller's.
   */
  readonly directReclaimFree: KernelPath;
  /** The OOM reaper freeing a killed process's anonymous pages. */
  readonly oomReapFree: KernelPath;
}

/** Alternatives of one frame each (`''`: the frame is absent). */
const oneOf = (...frames: string[]): PathPart => frames.map((frame) => (frame === '' ? [] : [frame]));

/** Every run of frames a sub-path gives: the product of its parts' alternatives, earlier parts varying slowest. */
export function expandPath(parts: readonly PathPart[]): string[][] {
  let all: string[][] = [[]];
  for (const part of parts) {
    const runs = typeof part === 'string' ? [[part]] : part;
    all = all.flatMap((prefix) => runs.map((run) => [...prefix, ...run]));
  }
  return all;
}

/** Alternatives of whole sub-paths (each expanded to its runs): callers that reach the same code different ways. */
const anyOf = (...subpaths: readonly (readonly PathPart[])[]): string[][] =>
  subpaths.flatMap((subpath) => expandPath(subpath));

const v6Entry = 'entry_SYSCALL_64_after_hwframe+0x76';
/** A system call: `do_syscall_64()` calls it through `x64_sys_call()`, which jumps to the syscall (no frame). */
const v6Sys = [v6Entry, 'do_syscall_64+0x71'];
/**
 * The way back to user mode, as far as `exit_to_user_mode_loop()` (signals, rseq, task work): after a system call,
 * a timer interrupt or a page fault taken in user mode.
 */
const v6ReturnsToUser: PathPart[][] = [
  [v6Entry, 'do_syscall_64+0x250'],
  [
    'asm_sysvec_apic_timer_interrupt+0x1a/0x20',
    'sysvec_apic_timer_interrupt+0x5f/0x80',
    'irqentry_exit+0x3f/0x50',
    'irqentry_exit_to_user_mode+0x12c/0x1b0',
  ],
  [
    'asm_exc_page_fault+0x22',
    'exc_page_fault+0x28e',
    'irqentry_exit+0x3f/0x50',
    'irqentry_exit_to_user_mode+0x12c/0x1b0',
  ],
];
/** Signal delivery on the way back to user mode: `arch_do_signal_or_restart()`. */
const v6Signal = (...frames: PathPart[]): PathPart[][] =>
  v6ReturnsToUser.map((entry) => [
    ...entry,
    'exit_to_user_mode_loop+0x8e',
    'arch_do_signal_or_restart+0x1f2/0x2a0',
    ...frames,
  ]);
/** A kernel thread: `ret_from_fork()` calls its function. */
const v6Kthread = ['ret_from_fork_asm+0x1a/0x30', 'ret_from_fork+0x2d3/0x320'];
/** A `kthread()`-started kernel thread (kswapd, ksoftirqd, workers, the OOM reaper). */
const v6Kthreadd = [...v6Kthread, 'kthread+0x10f/0x240'];

/** `copy_user_generic()` calling `rep_movs_alternative` (no FSRM): its byte-loop or word-loop store faults. */
const v6StoreIp = oneOf('rep_movs_alternative+0x11', 'rep_movs_alternative+0x33');
/** The same copy's loads, faulting on the user memory a copy from user space reads. */
const v6LoadIp = oneOf('rep_movs_alternative+0xf', 'rep_movs_alternative+0x30');
/** `clear_user()`: `rep_stos_alternative`'s unrolled-loop or word-loop store. */
const v6ClearIp = oneOf('rep_stos_alternative+0x40', 'rep_stos_alternative+0x1e');
const v6CopyToUser = ['_copy_to_user+0x2d', v6StoreIp];
const v6CopyFromUser = ['_copy_from_user+0x2f/0x70', v6LoadIp];
/** `_copy_to_iter()`: its user-buffer (read, pread64) and iovec (readv, preadv) loops. */
const v6CopyToUbuf = ['_copy_to_iter+0x9e/0x6c0', v6StoreIp];
const v6CopyToIovec = ['_copy_to_iter+0x1d4/0x6c0', v6StoreIp];

/** read(), pread64(), readv(), preadv(): the syscall down to the filesystem's `->read_iter` (copy: the iter's loop). */
const v6ReadCalls: readonly { head: PathPart[]; copy: PathPart[] }[] = [
  { head: [...v6Sys, 'ksys_read+0x6f', 'vfs_read+0xe4'], copy: v6CopyToUbuf },
  { head: [...v6Sys, '__x64_sys_pread64+0x8e/0xc0', 'vfs_read+0xe4'], copy: v6CopyToUbuf },
  {
    head: [...v6Sys, 'do_readv+0x8a/0x120', 'vfs_readv+0x1a3/0x320', 'do_iter_readv_writev+0x13f/0x2a0'],
    copy: v6CopyToIovec,
  },
  {
    head: [...v6Sys, 'do_preadv+0x9d/0xf0', 'vfs_readv+0x1a3/0x320', 'do_iter_readv_writev+0x13f/0x2a0'],
    copy: v6CopyToIovec,
  },
];
/** ext4's and xfs's `->read_iter` for a buffered read, down to `filemap_read()`. */
const v6ReadIters: PathPart[][] = [
  ['ext4_file_read_iter+0x5a/0x1e0'],
  ['xfs_file_read_iter+0x76/0x100 [xfs]', 'xfs_file_buffered_read+0xe6/0x1d0 [xfs]'],
];
const v6Execve = [...v6Sys, '__x64_sys_execve+0x34', 'do_execveat_common.isra.0+0x1a6', 'bprm_execve+0x2ad'];
/**
 * `kernel_read()`: execve() reading the binary's first page, its program headers and the interpreter's; udev's
 * finit_module() reading a module.
 */
const v6KernelReads: PathPart[][] = [
  [
    ...v6Sys,
    '__do_sys_finit_module+0x1e1/0x2f0',
    'init_module_from_file+0x4e/0xd0',
    'kernel_read_file+0x1a5/0x2d0',
    'kernel_read+0x52/0x60',
    '__kernel_read+0x1bb/0x340',
  ],
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0x1a6',
    'bprm_execve+0x245',
    '__kernel_read+0x1bb/0x340',
  ],
  ...['load_elf_binary+0x10a', 'load_elf_binary+0x1c4', 'load_elf_binary+0x23e'].map((site) => [
    ...v6Execve,
    site,
    ...(site === 'load_elf_binary+0x1c4' ? [] : ['load_elf_phdrs+0x8e/0xc0']),
    'kernel_read+0x52/0x60',
    '__kernel_read+0x1bb/0x340',
  ]),
];
/** sendfile(), copy_file_range() (ext4: no ->copy_file_range, the splice fallback) and splice() from a file. */
const v6SpliceReads: PathPart[][] = [
  [
    ...v6Sys,
    '__x64_sys_sendfile64+0x9c/0xd0',
    'do_sendfile+0x1d6/0x430',
    'do_splice_direct+0x7d/0xc0',
    'splice_direct_to_actor+0xe4/0x260',
  ],
  [
    ...v6Sys,
    '__do_sys_copy_file_range+0x1a5/0x240',
    'vfs_copy_file_range+0x41e/0x640',
    'do_splice_direct+0x7d/0xc0',
    'splice_direct_to_actor+0xe4/0x260',
  ],
  [
    ...v6Sys,
    '__x64_sys_splice+0xd8/0x120',
    '__do_splice+0x18e/0x230',
    'do_splice+0x5e8/0x890',
    'splice_file_to_pipe+0x8e/0xe0',
  ],
];
/** A filesystem's `->splice_read` down to `filemap_splice_read()`. */
const v6SpliceReadIters: PathPart[][] = [
  ['do_splice_read+0x9f/0xc0', 'ext4_file_splice_read+0x2e/0x40', 'filemap_splice_read+0x16f/0x350'],
  ['do_splice_read+0x9f/0xc0', 'xfs_file_splice_read+0xb0/0x190 [xfs]', 'filemap_splice_read+0x16f/0x350'],
];

/** Kernel stores to user memory that fault, outermost first, ending at the faulting instruction. */
const v6CopyOuts: PathPart[][] = [
  // read() and friends copying page cache into the user's buffer.
  ...v6ReadCalls.flatMap(({ head, copy }) =>
    v6ReadIters.map((iter) => [...head, ...iter, 'filemap_read+0x27a/0x3b0', 'copy_page_to_iter+0x8f/0x160', ...copy]),
  ),
  // Pipes (make's jobserver, gcc -pipe): a pipe buffer's page into the user's buffer.
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'anon_pipe_read+0x21b/0x5f0',
    'copy_page_to_iter+0x8f/0x160',
    ...v6CopyToUbuf,
  ],
  [...v6ReadCalls[2]!.head, 'anon_pipe_read+0x21b/0x5f0', 'copy_page_to_iter+0x8f/0x160', ...v6CopyToIovec],
  // seq_file reads: /proc/meminfo, /proc/self/maps; sysfs (/sys/devices/system/cpu/online for nproc).
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'proc_reg_read_iter+0x5b/0xa0',
    'seq_read_iter+0x147/0x490',
    ...v6CopyToUbuf,
  ],
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'kernfs_fop_read_iter+0x3c/0x1d0',
    'seq_read_iter+0x147/0x490',
    ...v6CopyToUbuf,
  ],
  // /dev/zero: clear_user().
  [...v6Sys, 'ksys_read+0x6f', 'vfs_read+0xbb', 'read_zero+0x7c', v6ClearIp],
  // getdents64(): filldir64() stores each dirent with unsafe_put_user() (it faults itself).
  ...[
    ['ext4_readdir+0x6c1/0xb10', 'call_filldir+0xb7/0x120'],
    ['ext4_readdir+0x3be/0xb10'],
    ['xfs_file_readdir+0x2a/0x30 [xfs]', 'xfs_readdir+0x1a3/0x230 [xfs]'],
    ['xfs_file_readdir+0x2a/0x30 [xfs]', 'xfs_readdir+0x1ce/0x230 [xfs]', 'xfs_dir2_block_getdents+0x1c5/0x290 [xfs]'],
    ['xfs_file_readdir+0x2a/0x30 [xfs]', 'xfs_readdir+0x1f8/0x230 [xfs]', 'xfs_dir2_leaf_getdents+0x3a1/0x480 [xfs]'],
    ['dcache_readdir+0x14e/0x250'],
  ].map((reader) => [
    ...v6Sys,
    '__x64_sys_getdents64+0x9a/0x110',
    'iterate_dir+0x11b/0x2a0',
    ...reader,
    oneOf('filldir64+0x9e/0x190', 'filldir64+0xb3/0x190', 'filldir64+0xc8/0x190', 'filldir64+0x10d/0x190'),
  ]),
  // stat family: cp_new_stat(), cp_statx().
  ...[
    '__x64_sys_newfstatat+0x5e/0x80',
    '__do_sys_newfstat+0x81/0xa0',
    '__do_sys_newstat+0xaf/0xd0',
    '__do_sys_newlstat+0xaf/0xd0',
  ].map((call) => [...v6Sys, call, 'cp_new_stat+0x16a/0x1f0', ...v6CopyToUser]),
  [...v6Sys, '__x64_sys_statx+0xc6/0xf0', 'do_statx+0x8f/0xd0', 'cp_statx+0x1f4/0x250', ...v6CopyToUser],
  // readlink(), readlinkat() (realpath()).
  [
    ...v6Sys,
    oneOf('__x64_sys_readlink+0x1e/0x30', '__x64_sys_readlinkat+0x1e/0x30'),
    'do_readlinkat+0x13c/0x190',
    'vfs_readlink+0xb1/0x170',
    'readlink_copy+0x5b/0x90',
    ...v6CopyToUser,
  ],
  // readlink("/proc/self/exe") (the gcc driver finding its installation).
  [
    ...v6Sys,
    '__x64_sys_readlink+0x1e/0x30',
    'do_readlinkat+0x13c/0x190',
    'vfs_readlink+0x5b/0x170',
    'proc_pid_readlink+0xd7/0x140',
    ...v6CopyToUser,
  ],
  // Syscalls that copy a structure out.
  ...[
    '__do_sys_getcwd+0x17e/0x1e0',
    '__do_sys_newuname+0xa9/0x140',
    '__do_sys_sysinfo+0x8b/0xb0',
    '__x64_sys_times+0x86/0xb0',
    '__do_sys_getrusage+0xb5/0xe0',
    '__do_sys_prlimit64+0x2c9/0x370',
    'do_pipe2+0xa2/0x110',
    '__x64_sys_sched_getaffinity+0xb5/0xe0',
    '__x64_sys_rt_sigaction+0xf8/0x150',
    '__x64_sys_rt_sigprocmask+0x105/0x160',
    '__do_sys_wait4+0xba/0xf0',
    '__do_sys_fstatfs+0x84/0xc0',
  ].map((call) => [...v6Sys, call, ...v6CopyToUser]),
  [...v6Sys, '__x64_sys_getrandom+0xb1/0xf0', 'get_random_bytes_user+0x11e/0x1e0', ...v6CopyToUbuf],
  // wait4(): the child's status, put_user().
  [...v6Sys, '__do_sys_wait4+0x4f/0xf0', 'kernel_wait4+0x10f/0x190', '__put_user_4+0xd/0x20'],
  // poll(), ppoll(): revents with unsafe_put_user(); pselect6(), select(): the fd sets.
  [...v6Sys, oneOf('__x64_sys_poll+0x4e/0x190', '__x64_sys_ppoll+0xe9/0x190'), 'do_sys_poll+0x4c2/0x5c0'],
  [
    ...v6Sys,
    '__x64_sys_pselect6+0x76/0xa0',
    'do_pselect.constprop.0+0xd7/0x1a0',
    'core_sys_select+0x3b1/0x4d0',
    v6StoreIp,
  ],
  [...v6Sys, '__x64_sys_select+0x22/0x30', 'kern_select+0xd8/0x180', 'core_sys_select+0x3b1/0x4d0', v6StoreIp],
  // A signal frame on the user stack (SIGCHLD to make): the frame's fields, the siginfo, the FPU state.
  ...[
    ['x64_setup_rt_frame+0xc1/0x310'],
    ['x64_setup_rt_frame+0x12a/0x310'],
    ['x64_setup_rt_frame+0x27e/0x310', 'copy_siginfo_to_user+0x26/0x70', ...v6CopyToUser],
    ['x64_setup_rt_frame+0x4f/0x310', 'get_sigframe+0x1e8/0x280', 'copy_fpstate_to_sigframe+0x151/0x3c0'],
  ].flatMap((frame) => v6Signal(...frame)),
  // rseq: the CPU id into the thread's rseq area, after a preemption or migration.
  ...v6ReturnsToUser.map((entry) => [
    ...entry,
    'exit_to_user_mode_loop+0xa4',
    '__rseq_handle_notify_resume+0xa2',
    '__put_user_8+0xd',
  ]),
  // isatty() and the terminal size: TCGETS, TIOCGWINSZ on make's and gcc's terminal.
  [
    ...v6Sys,
    '__x64_sys_ioctl+0x94/0xd0',
    'tty_ioctl+0x2f4/0xa40',
    'n_tty_ioctl+0x2a/0x110',
    'n_tty_ioctl_helper+0x11b/0x140',
    'tty_mode_ioctl+0x1a3/0x740',
    'kernel_termios_to_user_termios+0x16/0x20',
    ...v6CopyToUser,
  ],
  [...v6Sys, '__x64_sys_ioctl+0x94/0xd0', 'tty_ioctl+0x6a5/0xa40', ...v6CopyToUser],
  // A FIFO (make's jobserver, --jobserver-style=fifo), /dev/urandom.
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'fifo_pipe_read+0x22/0x50',
    'anon_pipe_read+0x21b/0x5f0',
    'copy_page_to_iter+0x8f/0x160',
    ...v6CopyToUbuf,
  ],
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'urandom_read_iter+0x6a/0x90',
    'get_random_bytes_user+0x11e/0x1e0',
    ...v6CopyToUbuf,
  ],
  // statfs(), fcntl(F_GETLK), sigaltstack() (cc1 sets up an alternate stack for its stack-overflow handler).
  ...['__do_sys_statfs+0x8e/0xc0', '__x64_sys_sigaltstack+0xd5/0x110'].map((call) => [...v6Sys, call, ...v6CopyToUser]),
  [...v6Sys, '__x64_sys_fcntl+0xc6/0x120', 'do_fcntl+0x51c/0x7c0', ...v6CopyToUser],
  // execve(): create_elf_tables() (inlined) copying the platform string, the random bytes, auxv; argc.
  [...v6Execve, oneOf('load_elf_binary+0xd4c', 'load_elf_binary+0xdb3', 'load_elf_binary+0xe1a'), ...v6CopyToUser],
  [...v6Execve, 'load_elf_binary+0xe7f', '__put_user_8+0xd'],
  // A thread exiting clears its clear_child_tid for pthread_join().
  [
    ...v6Sys,
    '__x64_sys_exit+0x18/0x20',
    'do_exit+0x1b4/0xb80',
    'exit_mm_release+0x19/0x30',
    'mm_release+0x8c/0xd0',
    '__put_user_4+0xd/0x20',
  ],
];

/** Kernel loads from user memory that fault (a path name, a write's source, a syscall's argument). */
const v6CopyIns: PathPart[][] = [
  [
    ...v6Sys,
    '__x64_sys_openat+0x55/0xa0',
    'do_sys_openat2+0x4d/0xd0',
    'getname_flags.part.0+0x6e/0x1f0',
    'strncpy_from_user+0x5c/0x140',
  ],
  [...v6Sys, '__x64_sys_execve+0x1f', 'getname_flags.part.0+0x6e/0x1f0', 'strncpy_from_user+0x5c/0x140'],
  [...v6Sys, '__x64_sys_execve+0x34', 'do_execveat_common.isra.0+0x14a', 'strnlen_user+0x5d/0xe0'],
  [...v6Sys, '__x64_sys_execve+0x34', 'do_execveat_common.isra.0+0x170', ...v6CopyFromUser],
  [
    ...v6Sys,
    '__x64_sys_newfstatat+0x2e/0x80',
    'vfs_fstatat+0x3a/0xb0',
    '__getname_maybe_null+0x5f/0xa0',
    'getname_flags.part.0+0x6e/0x1f0',
    'strncpy_from_user+0x5c/0x140',
  ],
  [
    ...v6Sys,
    '__x64_sys_access+0x1d/0x30',
    'do_faccessat+0x9e/0x2f0',
    'user_path_at+0x3c/0xa0',
    'getname_flags.part.0+0x6e/0x1f0',
    'strncpy_from_user+0x5c/0x140',
  ],
  [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'xfs_file_buffered_write+0x5e/0x2a0 [xfs]',
    'iomap_file_buffered_write+0x98/0xf0',
    'iomap_write_iter+0x2e1/0x380',
    'fault_in_iov_iter_readable+0x51/0xc0',
    'fault_in_readable+0x5e/0xb0',
  ],
  [...v6Sys, '__x64_sys_rt_sigprocmask+0x6b/0x160', ...v6CopyFromUser],
  [
    ...v6Sys,
    oneOf('ksys_write+0x6f', '__x64_sys_pwrite64+0x9e/0xd0'),
    'vfs_write+0x29c',
    'ext4_buffered_write_iter+0x6c/0x140',
    'generic_perform_write+0xd4',
    'fault_in_iov_iter_readable+0x51/0xc0',
    'fault_in_readable+0x5e/0xb0',
  ],
  [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'anon_pipe_write+0x2e9/0x750',
    'copy_page_from_iter+0x8f/0x150',
    '_copy_from_iter+0x9e/0x6c0',
    v6LoadIp,
  ],
  [...v6Sys, '__x64_sys_rt_sigaction+0x6c/0x150', ...v6CopyFromUser],
  [...v6Sys, '__x64_sys_poll+0x4e/0x190', 'do_sys_poll+0x14c/0x5c0', ...v6CopyFromUser],
  [
    ...v6Sys,
    '__x64_sys_pselect6+0x76/0xa0',
    'do_pselect.constprop.0+0xd7/0x1a0',
    'core_sys_select+0xe6/0x4d0',
    ...v6CopyFromUser,
  ],
];

/** execve() copying the arguments onto the new stack: get_user_pages_remote() faults the pages in. */
const v6ArgPages: PathPart[][] = [
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0x11c',
    'copy_string_kernel+0xa3',
    'get_arg_page+0x65',
  ],
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    oneOf('do_execveat_common.isra.0+0x15e', 'do_execveat_common.isra.0+0x18b'),
    'get_arg_page+0x65',
  ],
].map((head) => [...head, 'get_user_pages_remote+0xee', '__get_user_pages+0x1a3']);

/** exec's elf_load() zeroing the end of the last file-backed page of a segment (padzero()). */
const v6Padzero: PathPart[] = [
  ...v6Execve,
  oneOf('load_elf_binary+0x65a', 'load_elf_binary+0xb55'),
  'elf_load+0x28f',
  v6ClearIp,
];

/** The page fault exception, for a fault in kernel mode (always under the mmap lock). */
const v6Trap = ['asm_exc_page_fault+0x22', 'exc_page_fault+0x20d'];
/** A fault in user mode: under the VMA lock, or retried under the mmap lock. */
const v6UserFaults: PathPart[][] = [['asm_exc_page_fault+0x22', 'exc_page_fault+0x176'], v6Trap];
const trapped = (sites: readonly PathPart[][]): PathPart[][] => sites.map((site) => [...site, ...v6Trap]);

/** Everything above `handle_mm_fault()` for a write fault: user mode, kernel stores, get_user_pages. */
const v6WriteFaults: PathPart = anyOf(...v6UserFaults, ...trapped(v6CopyOuts), ...v6ArgPages);
/** ... for a read fault. */
const v6ReadFaults: PathPart[][] = [...v6UserFaults, ...trapped(v6CopyIns)];

/** Readahead below `filemap_get_pages()`: down to the call of `filemap_alloc_folio()`. */
const v6Readahead: PathPart = anyOf(
  ['filemap_get_pages+0x2d6/0x8a0', 'page_cache_sync_ra+0x1f2/0x300', 'page_cache_ra_unbounded+0x11d/0x240'],
  ['filemap_get_pages+0x2d6/0x8a0', 'page_cache_sync_ra+0x2a5/0x300', 'page_cache_ra_order+0x1fb/0x3d0'],
  [
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x8b/0x300',
    'force_page_cache_ra+0x8d/0xb0',
    'page_cache_ra_unbounded+0x11d/0x240',
  ],
  ['filemap_get_pages+0x4b9/0x8a0', 'page_cache_async_ra+0x187/0x210', 'page_cache_ra_order+0x1fb/0x3d0'],
  [
    'filemap_get_pages+0x4b9/0x8a0',
    'page_cache_async_ra+0x187/0x210',
    'page_cache_ra_order+0x36e/0x3d0',
    'page_cache_ra_unbounded+0x11d/0x240',
  ],
  // filemap_create_folio() (inlined): readahead made nothing (IOCB_NOWAIT, a racing truncate).
  ['filemap_get_pages+0x3a4/0x8a0'],
);
/** `filemap_alloc_folio()`: the plain allocation, or a cpuset's spread node. */
const v6FolioAlloc = oneOf('filemap_alloc_folio_noprof+0x34/0x100', 'filemap_alloc_folio_noprof+0xdf/0x100');

/** write(), pwrite64(), writev(), pwritev(), and splices into a file, down to the filesystem's `->write_iter`. */
const v6WriteCalls: PathPart[][] = [
  [...v6Sys, 'ksys_write+0x6f', 'vfs_write+0x29c'],
  [...v6Sys, '__x64_sys_pwrite64+0x9e/0xd0', 'vfs_write+0x29c'],
  [...v6Sys, 'do_writev+0x8a/0x120', 'vfs_writev+0x1d9/0x410', 'do_iter_readv_writev+0x1ad/0x2a0'],
  [...v6Sys, 'do_pwritev+0x9d/0xf0', 'vfs_writev+0x1d9/0x410', 'do_iter_readv_writev+0x1ad/0x2a0'],
  [
    ...v6SpliceReads[0]!.slice(0, -1),
    'splice_direct_to_actor+0x14a/0x260',
    'direct_splice_actor+0x52/0x190',
    'iter_file_splice_write+0x2f3/0x5d0',
  ],
  [
    ...v6Sys,
    '__x64_sys_splice+0xd8/0x120',
    '__do_splice+0x18e/0x230',
    'do_splice+0x2ac/0x890',
    'iter_file_splice_write+0x2f3/0x5d0',
  ],
];
const v6CopyRangeWrite: PathPart[] = [
  ...v6SpliceReads[1]!.slice(0, -1),
  'splice_direct_to_actor+0x14a/0x260',
  'direct_splice_actor+0x52/0x190',
  'iter_file_splice_write+0x2f3/0x5d0',
];
const v6Ext4Write: PathPart[] = [
  'ext4_buffered_write_iter+0x6c/0x140',
  'generic_perform_write+0x9e',
  oneOf('ext4_da_write_begin+0xf5/0x360', 'ext4_write_begin+0x1f8/0x590'),
];
const v6XfsWrite: PathPart[] = [
  'xfs_file_buffered_write+0x5e/0x2a0 [xfs]',
  'iomap_file_buffered_write+0x98/0xf0',
  'iomap_write_iter+0x1a4/0x380',
  'iomap_write_begin+0x1b5/0x6d0',
];

/** fork(): clone(), clone3(), fork(), vfork(), and kthreadd creating a kernel thread, down to `copy_process()`. */
const v6Forks: PathPart[][] = [
  [
    ...v6Sys,
    oneOf('__do_sys_clone+0x8d', '__do_sys_clone3+0x10f/0x180', '__do_sys_fork+0x5d/0x90'),
    'kernel_clone+0xb8',
  ],
];
const v6VforkLike: PathPart[][] = [
  [...v6Sys, '__do_sys_vfork+0x5d/0x90', 'kernel_clone+0xb8'],
  [...v6Kthread, 'kthreadd+0x27c/0x310', 'kernel_thread+0x7f/0xc0', 'kernel_clone+0xb8'],
];

/** A new slab: the slab allocator's slow path, then `allocate_slab()`'s first (oo) or fallback (min) order. */
const v6NewSlab: PathPart[] = [
  '___slab_alloc+0x5f3/0xa90',
  oneOf('allocate_slab+0x2c5/0x400', 'allocate_slab+0x31e/0x400'),
  'alloc_pages_mpol+0x86',
];
const v6CacheAlloc = 'kmem_cache_alloc_noprof+0x1b6/0x3a0';
const v6CacheAllocLru = 'kmem_cache_alloc_lru_noprof+0x1b1/0x3a0';
const v6CacheAllocNode = 'kmem_cache_alloc_node_noprof+0x2b5/0x600';
const v6Kmalloc = '__kmalloc_noprof+0x2f1/0x6b0';
const v6KmallocNode = '__kmalloc_node_noprof+0x30a/0x6e0';
const v6KmallocCache = '__kmalloc_cache_noprof+0x1b9/0x380';

/** Path walks that miss the dcache, down to `d_alloc()` (or `__d_alloc()`). */
const v6OpenAt = [
  ...v6Sys,
  oneOf('__x64_sys_openat+0x55/0xa0', '__x64_sys_open+0x55/0xa0', '__x64_sys_creat+0x4b/0x70'),
];
const v6OpenHeads: PathPart[][] = [
  [...v6OpenAt, 'do_sys_openat2+0x81/0xd0', 'do_filp_open+0xc4/0x170'],
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0x8d',
    'alloc_bprm+0x20',
    'do_open_execat+0x5d/0x120',
    'do_filp_open+0xc4/0x170',
  ],
];
const v6LookupHeads: PathPart[][] = [
  [...v6Sys, '__x64_sys_newfstatat+0x3f/0x80', 'vfs_fstatat+0x75/0xb0', 'filename_lookup+0xdb/0x1d0'],
  [
    ...v6Sys,
    oneOf('__do_sys_newstat+0x4b/0xd0', '__do_sys_newlstat+0x4b/0xd0'),
    'vfs_fstatat+0x75/0xb0',
    'filename_lookup+0xdb/0x1d0',
  ],
  [...v6Sys, '__x64_sys_statx+0x9e/0xf0', 'do_statx+0x62/0xd0', 'vfs_statx+0x8a/0x170', 'filename_lookup+0xdb/0x1d0'],
  [
    ...v6Sys,
    oneOf('__x64_sys_access+0x1d/0x30', '__x64_sys_faccessat2+0x1e/0x30'),
    'do_faccessat+0x1b8/0x2f0',
    'user_path_at+0x5b/0xa0',
    'filename_lookup+0xdb/0x1d0',
  ],
  [
    ...v6Sys,
    oneOf('__x64_sys_readlink+0x1e/0x30', '__x64_sys_readlinkat+0x1e/0x30'),
    'do_readlinkat+0x6c/0x190',
    'filename_lookup+0xdb/0x1d0',
  ],
  // chdir() (make -C), utimensat() (touch), statfs().
  [
    ...v6Sys,
    anyOf(
      ['__x64_sys_chdir+0x3e/0x100'],
      ['__x64_sys_utimensat+0x95/0xf0', 'do_utimes+0x9a/0x150'],
      ['__do_sys_statfs+0x2b/0xc0', 'user_statfs+0x4e/0xd0'],
    ),
    'user_path_at+0x5b/0xa0',
    'filename_lookup+0xdb/0x1d0',
  ],
];
const v6SlowLookup = [
  'walk_component+0x15b/0x1c0',
  '__lookup_slow+0x86/0x150',
  'd_alloc_parallel+0x53/0x3f0',
  'd_alloc+0x1a/0x90',
];
const v6DentryMisses: PathPart[][] = [
  ...v6OpenHeads.flatMap((head) => [
    [
      ...head,
      'path_openat+0x6a5/0x1270',
      'open_last_lookups+0x2a5/0x560',
      'lookup_open.isra.0+0x1b3/0x600',
      'd_alloc_parallel+0x53/0x3f0',
      'd_alloc+0x1a/0x90',
    ],
    [...head, 'path_openat+0x2c1/0x1270', 'link_path_walk+0x2a1/0x3c0', ...v6SlowLookup],
  ]),
  ...v6LookupHeads.flatMap((head) => [
    [...head, 'path_lookupat+0x96/0x1a0', ...v6SlowLookup],
    [...head, 'path_lookupat+0x6e/0x1a0', 'link_path_walk+0x2a1/0x3c0', ...v6SlowLookup],
  ]),
  [
    ...v6Sys,
    '__x64_sys_mkdir+0x5e/0x80',
    'do_mkdirat+0x8c/0x190',
    'filename_create+0xd1/0x190',
    'lookup_one_qstr_excl+0x6f/0x100',
    'd_alloc+0x1a/0x90',
  ],
  [
    ...v6Sys,
    '__x64_sys_unlink+0x3e/0x70',
    'do_unlinkat+0xe6/0x2f0',
    'lookup_one_qstr_excl+0x6f/0x100',
    'd_alloc+0x1a/0x90',
  ],
  // ln -s (kbuild's source and include links).
  [
    ...v6Sys,
    '__x64_sys_symlink+0x8b/0xc0',
    'do_symlinkat+0x6e/0x140',
    'filename_create+0xd1/0x190',
    'lookup_one_qstr_excl+0x6f/0x100',
    'd_alloc+0x1a/0x90',
  ],
  [
    ...v6Sys,
    '__x64_sys_rename+0x8a/0xc0',
    oneOf('do_renameat2+0x25e/0x5b0', 'do_renameat2+0x2a4/0x5b0'),
    'lookup_one_qstr_excl+0x6f/0x100',
    'd_alloc+0x1a/0x90',
  ],
];
/** A pipe's pseudo-file dentry (pipe2()). */
const v6PipeFiles = [
  ...v6Sys,
  'do_pipe2+0x41/0x110',
  '__do_pipe_flags.part.0+0x2a/0xb0',
  'create_pipe_files+0x6d/0x250',
];

/** Faults that set up a mapping's anon_vma, down to `__anon_vma_prepare()`. */
const v6AnonVmaPrepare: PathPart[] = [
  anyOf(...v6UserFaults, ...trapped(v6CopyOuts.slice(0, 4)), ...v6ArgPages),
  'handle_mm_fault+0xd0',
  '__handle_mm_fault+0xa64',
  'do_anonymous_page+0x5c',
];
const v6Fork = (...frames: PathPart[]): PathPart[] => [anyOf(...v6Forks), ...frames];

/** Callers of the slab allocator that need a new slab, down to the slab API they call. */
const v6SlabCallers: PathPart[][] = [
  // execve(): the bprm, its mm and first VMA, the executable's struct file, the creds, program headers.
  [...v6Sys, '__x64_sys_execve+0x34', 'do_execveat_common.isra.0+0x8d', 'alloc_bprm+0x2e', v6KmallocCache],
  [...v6Sys, '__x64_sys_execve+0x34', 'do_execveat_common.isra.0+0x8d', 'alloc_bprm+0xa1', v6CacheAlloc],
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0x8d',
    'alloc_bprm+0xb4',
    'vm_area_alloc+0x1e/0xb0',
    v6CacheAlloc,
  ],
  [...v6OpenHeads[1]!, 'path_openat+0x4b/0x1270', 'alloc_empty_file+0x5b/0x110', v6CacheAlloc],
  [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    'do_execveat_common.isra.0+0xe9',
    'prepare_exec_creds+0x16/0x60',
    'prepare_creds+0x22/0x2e0',
    v6CacheAlloc,
  ],
  [...v6Execve, 'load_elf_binary+0x10a', 'load_elf_phdrs+0x5d/0xc0', v6Kmalloc],
  [...v6Execve, 'load_elf_binary+0x16e', v6Kmalloc],
  [...v6Execve, 'load_elf_binary+0x1a8', v6KmallocCache],
  [
    ...v6Execve,
    oneOf('load_elf_binary+0x65a', 'load_elf_binary+0xb55'),
    'elf_load+0x5b',
    'vm_mmap+0x3a/0x50',
    'vm_mmap_pgoff+0xf1/0x230',
    'do_mmap+0x49a/0x670',
    'mmap_region+0xa4/0xf0',
    '__mmap_region+0x6ff/0xfd0',
    'vm_area_alloc+0x1e/0xb0',
    v6CacheAlloc,
  ],
  // open(): the path name, the struct file, the inode (ext4, xfs) and a dentry's long name.
  [...v6OpenAt, 'do_sys_openat2+0x4d/0xd0', 'getname_flags.part.0+0x2c/0x1f0', v6CacheAlloc],
  [...v6Sys, '__x64_sys_execve+0x1f', 'getname_flags.part.0+0x2c/0x1f0', v6CacheAlloc],
  [
    ...v6Sys,
    '__x64_sys_newfstatat+0x2e/0x80',
    'vfs_fstatat+0x3a/0xb0',
    '__getname_maybe_null+0x5f/0xa0',
    'getname_flags.part.0+0x2c/0x1f0',
    v6CacheAlloc,
  ],
  [...v6OpenHeads[0]!, 'path_openat+0x4b/0x1270', 'alloc_empty_file+0x5b/0x110', v6CacheAlloc],
  ...[
    [
      'ext4_lookup+0x132/0x290',
      '__ext4_iget+0xf5/0x1310',
      'iget_locked+0x76/0x330',
      'alloc_inode+0x24/0xd0',
      'ext4_alloc_inode+0x1f/0x190',
      v6CacheAllocLru,
    ],
    [
      'xfs_vn_lookup+0x6c/0xe0 [xfs]',
      'xfs_lookup+0xd5/0x1d0 [xfs]',
      'xfs_iget+0x3c6/0xbd0 [xfs]',
      'xfs_inode_alloc+0x2c/0x240 [xfs]',
      v6CacheAllocLru,
    ],
  ].flatMap((lookup) => [
    [
      ...v6OpenHeads[0]!,
      'path_openat+0x6a5/0x1270',
      'open_last_lookups+0x2a5/0x560',
      'lookup_open.isra.0+0x253/0x600',
      ...lookup,
    ],
    [
      ...v6LookupHeads[0]!,
      'path_lookupat+0x96/0x1a0',
      'walk_component+0x15b/0x1c0',
      '__lookup_slow+0xb5/0x150',
      ...lookup,
    ],
  ]),
  [
    ...v6OpenHeads[0]!,
    'path_openat+0x6a5/0x1270',
    'open_last_lookups+0x2a5/0x560',
    'lookup_open.isra.0+0x1b3/0x600',
    'd_alloc_parallel+0x53/0x3f0',
    'd_alloc+0x1a/0x90',
    '__d_alloc+0x1b5/0x210',
    v6Kmalloc,
  ],
  // mmap(), brk(), mprotect() (ld.so's RELRO) splitting a VMA.
  [
    ...v6Sys,
    '__x64_sys_mmap+0x33/0x50',
    'ksys_mmap_pgoff+0x16a/0x240',
    'vm_mmap_pgoff+0xf1/0x230',
    'do_mmap+0x49a/0x670',
    'mmap_region+0xa4/0xf0',
    '__mmap_region+0x6ff/0xfd0',
    'vm_area_alloc+0x1e/0xb0',
    v6CacheAlloc,
  ],
  [...v6Sys, '__x64_sys_brk+0x12d/0x3d0', 'do_brk_flags+0x1a7/0x430', 'vm_area_alloc+0x1e/0xb0', v6CacheAlloc],
  [
    ...v6Sys,
    '__x64_sys_mprotect+0x1e/0x30',
    'do_mprotect_pkey+0x2d6/0x5f0',
    'mprotect_fixup+0xa5/0x370',
    'vma_modify_flags+0xa2/0x130',
    'vma_modify+0x1c3/0x6d0',
    '__split_vma+0x6a/0x320',
    'vm_area_dup+0x22/0x190',
    v6CacheAlloc,
  ],
  // The first anonymous fault in a mapping: its anon_vma and the chain entry.
  [...v6AnonVmaPrepare, oneOf('__anon_vma_prepare+0x3c/0x1e0', '__anon_vma_prepare+0x16b/0x1e0'), v6CacheAlloc],
  // fork(): task_struct, files, fs, sighand, signal, mm, VMAs, anon_vmas, creds, pid.
  v6Fork('copy_process+0x1b4', 'dup_task_struct+0x2c/0x200', v6CacheAllocNode),
  v6Fork('copy_process+0x8f3', 'dup_fd+0x3b/0x3b0', v6CacheAlloc),
  v6Fork('copy_process+0x926', 'copy_fs_struct+0x2a/0xb0', v6CacheAlloc),
  v6Fork(oneOf('copy_process+0x95f', 'copy_process+0x9c4', 'copy_process+0x1212'), v6CacheAlloc),
  v6Fork('copy_process+0x1258', 'dup_mmap+0x1e9', 'vm_area_dup+0x22/0x190', v6CacheAlloc),
  v6Fork(
    'copy_process+0x1258',
    'dup_mmap+0x2a3',
    oneOf('anon_vma_fork+0x6e/0x180', 'anon_vma_fork+0xd5/0x180'),
    v6CacheAlloc,
  ),
  v6Fork(
    'copy_process+0x1258',
    'dup_mmap+0x2a3',
    'anon_vma_fork+0x3d/0x180',
    'anon_vma_clone+0x5f/0x1e0',
    v6CacheAlloc,
  ),
  v6Fork('copy_process+0x4d1', 'copy_creds+0x3a/0x1a0', 'prepare_creds+0x22/0x2e0', v6CacheAlloc),
  v6Fork('copy_process+0xd2e', 'alloc_pid+0x5e/0x400', v6CacheAlloc),
  // Reads: a seq_file's buffer; the page cache's xarray nodes; ext4's extent path on readahead.
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'proc_reg_read_iter+0x5b/0xa0',
    'seq_read_iter+0x2fb/0x490',
    '__kvmalloc_node_noprof+0x7e/0x820',
    v6KmallocNode,
  ],
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'ext4_file_read_iter+0x5a/0x1e0',
    'filemap_read+0x13c/0x3b0',
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x2a5/0x300',
    'page_cache_ra_order+0x230/0x3d0',
    'filemap_add_folio+0x5d/0x220',
    '__filemap_add_folio+0x229/0x520',
    'xas_nomem+0x2f/0x90',
    v6CacheAllocLru,
  ],
  [
    ...v6Sys,
    'ksys_read+0x6f',
    'vfs_read+0xe4',
    'ext4_file_read_iter+0x5a/0x1e0',
    'filemap_read+0x13c/0x3b0',
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x2a5/0x300',
    'page_cache_ra_order+0x2a1/0x3d0',
    'read_pages+0x6b/0x240',
    'ext4_readahead+0x36/0x40',
    'ext4_mpage_readpages+0x1c3/0x690',
    'ext4_map_blocks+0x1a4/0x580',
    'ext4_ext_map_blocks+0xa8/0x1b50',
    'ext4_find_extent+0x8e/0x350',
    v6Kmalloc,
  ],
  // Writes: xarray nodes for the new folio, buffer heads, delayed-allocation extents.
  [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    ...v6Ext4Write,
    '__filemap_get_folio+0x1b0/0x350',
    'filemap_add_folio+0x5d/0x220',
    '__filemap_add_folio+0x229/0x520',
    'xas_nomem+0x2f/0x90',
    v6CacheAllocLru,
  ],
  [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'ext4_buffered_write_iter+0x6c/0x140',
    'generic_perform_write+0x9e',
    'ext4_da_write_begin+0x15c/0x360',
    'ext4_block_write_begin+0x2f4/0x4a0',
    'create_empty_buffers+0x24/0xb0',
    'folio_alloc_buffers+0x6b/0x1d0',
    'alloc_buffer_head+0x21/0x90',
    v6CacheAlloc,
  ],
  [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'ext4_buffered_write_iter+0x6c/0x140',
    'generic_perform_write+0x9e',
    'ext4_da_write_begin+0x15c/0x360',
    'ext4_block_write_begin+0x1c7/0x4a0',
    'ext4_da_get_block_prep+0x1d1/0x5a0',
    'ext4_es_insert_delayed_extent+0xd8/0x3b0',
    v6CacheAlloc,
  ],
  // pipe2(): the pipe's inode info and its buffers.
  [...v6PipeFiles, oneOf('alloc_pipe_info+0x5e/0x230', 'alloc_pipe_info+0xa9/0x230'), v6KmallocCache],
  // poll() with many fds: the next poll_list.
  [...v6Sys, '__x64_sys_poll+0x4e/0x190', 'do_sys_poll+0x1b3/0x5c0', v6Kmalloc],
  // A new ext4 inode for an object file (O_CREAT), and the journal handle of a write's mtime update.
  [
    ...v6OpenHeads[0]!,
    'path_openat+0x6a5/0x1270',
    'open_last_lookups+0x2a5/0x560',
    'lookup_open.isra.0+0x3bd/0x600',
    'ext4_create+0x9b/0x200',
    '__ext4_new_inode+0xa6/0x17e0',
    'new_inode+0x16/0xb0',
    'alloc_inode+0x24/0xd0',
    'ext4_alloc_inode+0x1f/0x190',
    v6CacheAllocLru,
  ],
  [
    ...v6WriteCalls[0]!,
    'ext4_buffered_write_iter+0x3b/0x140',
    'file_modified+0x21/0x30',
    'file_update_time_flags+0xd9/0x160',
    'inode_update_time+0x1d/0x30',
    'generic_update_time+0x47/0x70',
    '__mark_inode_dirty+0x62/0x360',
    'ext4_dirty_inode+0x3d/0x90',
    '__ext4_journal_start_sb+0x11e/0x1a0',
    'jbd2__journal_start+0x7b/0x240',
    v6CacheAlloc,
  ],
  // Readahead on ext4: the extent status cache, the bio.
  [
    ...v6ReadCalls[0]!.head,
    'ext4_file_read_iter+0x5a/0x1e0',
    'filemap_read+0x13c/0x3b0',
    'filemap_get_pages+0x2d6/0x8a0',
    'page_cache_sync_ra+0x2a5/0x300',
    'page_cache_ra_order+0x2a1/0x3d0',
    'read_pages+0x6b/0x240',
    'ext4_readahead+0x36/0x40',
    anyOf(
      [
        'ext4_mpage_readpages+0x1c3/0x690',
        'ext4_map_blocks+0x2b4/0x580',
        'ext4_es_insert_extent+0x1c9/0x670',
        '__es_insert_extent+0x27d/0x390',
      ],
      [
        'ext4_mpage_readpages+0x35e/0x690',
        'bio_alloc_bioset+0x1d2/0x550',
        'mempool_alloc_noprof+0x71/0x1f0',
        'mempool_alloc_slab+0x15/0x20',
      ],
    ),
    v6CacheAlloc,
  ],
  // getdents64() on an htree directory: the readdir state and the sorted entries.
  [
    ...v6Sys,
    '__x64_sys_getdents64+0x9a/0x110',
    'iterate_dir+0x11b/0x2a0',
    anyOf(
      ['ext4_readdir+0x58a/0xb10', v6KmallocCache],
      [
        'ext4_readdir+0x5d4/0xb10',
        'ext4_htree_fill_tree+0x1a9/0x410',
        'htree_dirblock_to_tree+0x1f5/0x390',
        'ext4_htree_store_dirent+0x3a/0x120',
        v6Kmalloc,
      ],
    ),
  ],
  // munmap() splitting a VMA; exit queueing SIGCHLD for the parent.
  [
    ...v6Sys,
    '__x64_sys_munmap+0x17',
    '__vm_munmap+0xd9',
    'do_vmi_munmap+0xcc',
    'do_vmi_align_munmap+0xf8',
    'vms_gather_munmap_vmas+0x8e/0x2d0',
    '__split_vma+0x6a/0x320',
    'vm_area_dup+0x22/0x190',
    v6CacheAlloc,
  ],
  [
    ...v6Sys,
    'x64_sys_call+0x14f6/0x1500',
    '__x64_sys_exit_group+0x18/0x20',
    'do_group_exit+0x31/0x80',
    'do_exit+0x5b3/0xb80',
    'do_notify_parent+0x1a4/0x340',
    '__send_signal_locked+0x10c/0x460',
    v6CacheAlloc,
  ],
];

/** exit_group(), exit(), a fatal signal and execve() dropping the last reference to an mm, as far as `__mmput()`. */
const v6MmputCallers: PathPart[][] = [
  [
    ...v6Sys,
    'x64_sys_call+0x14f6/0x1500',
    '__x64_sys_exit_group+0x18/0x20',
    'do_group_exit+0x31/0x80',
    'do_exit+0x2a0/0xb80',
  ],
  [...v6Sys, 'x64_sys_call+0x14e2/0x1500', '__x64_sys_exit+0x18/0x20', 'do_exit+0x2a0/0xb80'],
  // A fatal signal (the OOM killer's SIGKILL, SIGINT to make).
  ...v6ReturnsToUser.map((entry) => [
    ...entry,
    'exit_to_user_mode_loop+0x8e',
    'arch_do_signal_or_restart+0x4e/0x2a0',
    'get_signal+0x7e9/0x8a0',
    'do_group_exit+0x31/0x80',
    'do_exit+0x2a0/0xb80',
  ]),
  [...v6Execve, 'load_elf_binary+0x30c', 'begin_new_exec+0x519'],
].map((head) => [...head, '__mmput+0x41']);
/** munmap(), mremap() and brk() shrinking, mmap() over an old mapping: down to `vms_complete_munmap_vmas()`. */
const v6Munmaps: PathPart[][] = [
  [...v6Sys, '__x64_sys_munmap+0x17', '__vm_munmap+0xd9', 'do_vmi_munmap+0xcc', 'do_vmi_align_munmap+0x246'],
  [
    ...v6Sys,
    '__x64_sys_mremap+0x1e/0x30',
    'do_mremap+0x4a8/0x820',
    'shrink_vma+0xa5/0x120',
    'do_vmi_munmap+0xcc',
    'do_vmi_align_munmap+0x246',
  ],
  [...v6Sys, '__x64_sys_brk+0x1d4/0x3d0', 'do_vmi_align_munmap+0x246'],
  [
    ...v6Sys,
    '__x64_sys_mmap+0x33/0x50',
    'ksys_mmap_pgoff+0x16a/0x240',
    'vm_mmap_pgoff+0xf1/0x230',
    'do_mmap+0x49a/0x670',
    'mmap_region+0xa4/0xf0',
    '__mmap_region+0x2c8/0xfd0',
  ],
].map((head) => [...head, 'vms_complete_munmap_vmas+0x69']);
/** madvise(MADV_DONTNEED) (malloc trimming a heap): down to `do_madvise()`. */
const v6Madvise = [...v6Sys, '__x64_sys_madvise+0x2b/0x40', 'do_madvise+0xe6/0x190'];
/** Freeing a batch of unmapped pages: `free_pages_and_swap_cache()` down to the free function. */
const v6BatchFree: PathPart[] = [
  '__tlb_batch_free_encoded_pages+0x43',
  oneOf('free_pages_and_swap_cache+0x154', 'free_pages_and_swap_cache+0x175'),
  'folios_put_refs+0x11c',
  'free_unref_folios+0x454',
];
/** The zap loop flushing a full batch (zap_pte_range() inlined in `unmap_page_range()`). */
const v6ZapFlush = ['unmap_page_range+0x5d2', 'tlb_flush_mmu+0x3a/0x70'];
/**
 * `free_pgd_range()` freeing a PTE, PMD or PUD page (`free_p*_range()` inlined, `___p*_free_tlb()` jumping to
 * `tlb_remove_table()`), at once when there is no batch page for RCU freeing (`tlb_remove_table_one()` inlined).
 */
const v6TableFreeNow: PathPart[] = [
  oneOf('free_pgd_range+0x57f', 'free_pgd_range+0x5e3', 'free_pgd_range+0x64a'),
  'tlb_remove_table+0xc5',
  'pagetable_free+0x1c/0x30',
  '___free_pages+0x7e/0xc0',
  '__free_frozen_pages+0x2b8',
];

/** v6.18 paths. */
export const pathsV6: KernelPaths = {
  anonFault: [
    v6WriteFaults,
    'handle_mm_fault+0xd0',
    '__handle_mm_fault+0xa64',
    'do_anonymous_page+0x1ff',
    'vma_alloc_folio_noprof+0x6a',
    'alloc_pages_mpol+0x86',
  ],
  cowFault: [
    anyOf(
      ...v6UserFaults,
      ...trapped(v6CopyOuts),
      [
        ...v6Kthread.slice(0, 1),
        'ret_from_fork+0x2b/0x320',
        'schedule_tail+0x5a/0x90',
        '__put_user_4+0xd/0x20',
        ...v6Trap,
      ],
      [...v6Padzero, ...v6Trap],
    ),
    'handle_mm_fault+0xd0',
    anyOf(
      ['__handle_mm_fault+0xa40', oneOf('do_wp_page+0x2c0', 'do_wp_page+0x442')],
      ['__handle_mm_fault+0x842', 'do_fault+0x7e'],
    ),
    'vma_alloc_folio_noprof+0x6a',
    'alloc_pages_mpol+0x86',
  ],
  execFault: [
    anyOf(
      [anyOf(...v6ReadFaults), 'handle_mm_fault+0xd0', '__handle_mm_fault+0x842', 'do_fault+0x4aa'],
      [...v6Padzero, ...v6Trap, 'handle_mm_fault+0xd0', '__handle_mm_fault+0x842', 'do_fault+0x1c1'],
    ),
    '__do_fault+0x34',
    anyOf(
      ['filemap_fault+0x691/0x1700', 'page_cache_ra_order+0x1fb/0x3d0'],
      ['filemap_fault+0x691/0x1700', 'page_cache_ra_order+0x36e/0x3d0', 'page_cache_ra_unbounded+0x11d/0x240'],
      ['filemap_fault+0x5c8/0x1700', 'page_cache_sync_ra+0x1f2/0x300', 'page_cache_ra_unbounded+0x11d/0x240'],
      ['filemap_fault+0x7d5/0x1700', 'page_cache_async_ra+0x187/0x210', 'page_cache_ra_order+0x1fb/0x3d0'],
      ['filemap_fault+0x9e3/0x1700', '__filemap_get_folio+0x12c/0x350'],
    ),
    v6FolioAlloc,
    'alloc_pages_mpol+0x86',
  ],
  fileRead: [
    anyOf(
      ...[...v6ReadCalls.map(({ head }) => head), ...v6KernelReads].flatMap((head) =>
        v6ReadIters.map((iter) => [...head, ...iter, 'filemap_read+0x13c/0x3b0', v6Readahead]),
      ),
      ...v6SpliceReads.flatMap((head, index) =>
        (index === 1 ? v6SpliceReadIters.slice(0, 1) : v6SpliceReadIters).map((iter) => [
          ...head,
          ...iter,
          v6Readahead,
        ]),
      ),
      // posix_fadvise(POSIX_FADV_WILLNEED), readahead(), madvise(MADV_WILLNEED) on a file mapping.
      [
        ...v6Sys,
        anyOf(
          ['__x64_sys_fadvise64+0x1e/0x30', 'ksys_fadvise64_64+0x7c/0xb0'],
          ['ksys_readahead+0xb2/0xf0'],
          [
            '__x64_sys_madvise+0x2b/0x40',
            'do_madvise+0xe6/0x190',
            'madvise_do_behavior+0x1c6/0x4b0',
            'madvise_vma_behavior+0x8b3/0xc00',
          ],
        ),
        'vfs_fadvise+0x16/0x20',
        oneOf('', 'xfs_file_fadvise+0x5b/0x80 [xfs]'),
        'generic_fadvise+0x21a/0x2c0',
        'force_page_cache_ra+0x8d/0xb0',
        'page_cache_ra_unbounded+0x11d/0x240',
      ],
    ),
    v6FolioAlloc,
    'alloc_pages_mpol+0x86',
  ],
  fileWrite: [
    anyOf(
      ...[...v6WriteCalls, v6CopyRangeWrite].map((head) => [...head, ...v6Ext4Write]),
      ...v6WriteCalls.map((head) => [...head, ...v6XfsWrite]),
    ),
    oneOf('__filemap_get_folio+0x12c/0x350', '__filemap_get_folio+0x1e4/0x350'),
    v6FolioAlloc,
    'alloc_pages_mpol+0x86',
  ],
  shmemWrite: [
    ...v6Sys,
    'ksys_write+0x6f',
    'vfs_write+0x29c',
    'shmem_file_write_iter+0x86',
    'generic_perform_write+0x9e',
    'shmem_write_begin+0x55',
    'shmem_get_folio_gfp+0x25e',
    'shmem_alloc_and_add_folio+0x1a9',
    'shmem_alloc_folio+0xab',
    'folio_alloc_mpol_noprof+0x10',
    'alloc_pages_mpol+0x86',
  ],
  execPageTable: [
    ...v6Sys,
    '__x64_sys_execve+0x34',
    anyOf(
      // setup_arg_pages() moving the stack down to its final place.
      [
        'do_execveat_common.isra.0+0x1a6',
        'bprm_execve+0x2ad',
        'load_elf_binary+0x3d2',
        'setup_arg_pages+0x271',
        'relocate_vma_down+0x1dd',
        anyOf(
          ['move_page_tables+0xa4f', '__pte_alloc+0x26', 'pte_alloc_one+0x19'],
          ['move_page_tables+0xc1c', '__pmd_alloc+0x2e'],
        ),
      ],
      // The new mm's pgd.
      ['do_execveat_common.isra.0+0x8d', 'alloc_bprm+0xc8', 'mm_init+0x200', 'pgd_alloc+0x35'],
      // The page tables of the new stack, as the arguments are copied onto it.
      [
        anyOf(
          ['do_execveat_common.isra.0+0x11c', 'copy_string_kernel+0xa3'],
          [oneOf('do_execveat_common.isra.0+0x15e', 'do_execveat_common.isra.0+0x18b')],
        ),
        'get_arg_page+0x65',
        'get_user_pages_remote+0xee',
        '__get_user_pages+0x1a3',
        'handle_mm_fault+0xd0',
        anyOf(
          ['__handle_mm_fault+0x77a', '__pud_alloc+0x30'],
          ['__handle_mm_fault+0x65b', '__pmd_alloc+0x2e'],
          ['__handle_mm_fault+0xa64', 'do_anonymous_page+0x80f', '__pte_alloc+0x26', 'pte_alloc_one+0x19'],
        ),
      ],
    ),
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  faultPageTable: [
    anyOf(...v6ReadFaults, ...trapped(v6CopyOuts), ...v6ArgPages, [...v6Padzero, ...v6Trap]),
    'handle_mm_fault+0xd0',
    anyOf(
      ['__handle_mm_fault+0xa64', 'do_anonymous_page+0x80f', '__pte_alloc+0x26', 'pte_alloc_one+0x19'],
      ['__handle_mm_fault+0x842', 'do_fault+0x234', 'pte_alloc_one+0x19'],
      ['__handle_mm_fault+0x842', 'do_fault+0x4aa', '__do_fault+0x8e', 'pte_alloc_one+0x19'],
      ['__handle_mm_fault+0x65b', '__pmd_alloc+0x2e'],
      ['__handle_mm_fault+0x77a', '__pud_alloc+0x30'],
    ),
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  forkPageTable: [
    anyOf(...v6Forks),
    anyOf(
      [
        'copy_process+0x1258',
        'dup_mmap+0x416',
        anyOf(
          ['copy_page_range+0xde5', '__pte_alloc+0x26', 'pte_alloc_one+0x19'],
          ['copy_page_range+0x1861', '__pmd_alloc+0x2e'],
          ['copy_page_range+0x1c15', '__pud_alloc+0x30'],
        ),
      ],
      ['copy_process+0x123d', 'mm_init+0x200', 'pgd_alloc+0x35'],
    ),
    'alloc_pages_noprof+0x4c',
    'alloc_pages_mpol+0x86',
  ],
  slabDentry: [
    anyOf(...v6DentryMisses.map((miss) => [...miss, '__d_alloc+0x2b/0x210']), [
      ...v6PipeFiles,
      'alloc_file_pseudo+0x5e/0x120',
      'd_alloc_pseudo+0x1d/0x40',
      '__d_alloc+0x2b/0x210',
    ]),
    v6CacheAllocLru,
    ...v6NewSlab,
  ],
  slabKmalloc: [anyOf(...v6SlabCallers), ...v6NewSlab],
  kernelStack: [
    anyOf(...v6Forks, ...v6VforkLike),
    'copy_process+0x1b4',
    'dup_task_struct+0x5d/0x200',
    'alloc_thread_stack_node+0xc4/0x200',
    '__vmalloc_node_range_noprof+0x4bd/0x880',
    anyOf(
      ['vm_area_alloc_pages+0x99/0x1c0', 'alloc_pages_bulk_noprof+0x3f3/0x660'],
      [
        'vm_area_alloc_pages+0x99/0x1c0',
        'alloc_pages_bulk_mempolicy_noprof+0x1d5/0x290',
        'alloc_pages_bulk_noprof+0x3f3/0x660',
      ],
      ['vm_area_alloc_pages+0x14e/0x1c0', 'alloc_pages_noprof+0x4c'],
    ),
    'alloc_pages_mpol+0x86',
  ],
  exitFree: [
    anyOf(
      ...v6MmputCallers.flatMap((head) => [
        [...head, 'exit_mmap+0x1d9', 'tlb_finish_mmu+0x7e', ...v6BatchFree],
        [...head, 'exit_mmap+0x13e', 'unmap_vmas+0x9d', ...v6ZapFlush, ...v6BatchFree],
      ]),
      ...v6Munmaps.flatMap((head) => [
        [...head, 'vms_clear_ptes+0x186', 'tlb_finish_mmu+0x7e', ...v6BatchFree],
        [...head, 'vms_clear_ptes+0x13f', 'unmap_vmas+0x9d', ...v6ZapFlush, ...v6BatchFree],
      ]),
      [...v6Sys, '__x64_sys_madvise+0x2b/0x40', 'do_madvise+0x10f/0x190', 'tlb_finish_mmu+0x7e', ...v6BatchFree],
      [
        ...v6Madvise,
        'madvise_do_behavior+0x1c6/0x4b0',
        'madvise_vma_behavior+0x2fb/0xc00',
        'zap_page_range_single_batched+0xe2/0x1b0',
        ...v6ZapFlush,
        ...v6BatchFree,
      ],
    ),
  ],
  reclaimFree: [
    ...v6Kthreadd,
    'kswapd+0x339/0x660',
    'balance_pgdat+0x4fc/0x8f0',
    'shrink_node+0x30d/0x8b0',
    'shrink_lruvec+0x5b0/0xba0',
    'shrink_inactive_list+0x1c0/0x480',
    oneOf('shrink_folio_list+0x833/0x1090', 'shrink_folio_list+0xb6e/0x1090'),
    'free_unref_folios+0x454',
  ],
  pageTableFree: [
    anyOf(
      ...v6MmputCallers.map((head) => [...head, 'exit_mmap+0x1cf', 'free_pgtables+0x1fa', ...v6TableFreeNow]),
      ...v6Munmaps.map((head) => [...head, 'vms_clear_ptes+0xe5', 'free_pgtables+0x1fa', ...v6TableFreeNow]),
      [...v6Execve, 'load_elf_binary+0x3d2', 'setup_arg_pages+0x271', 'relocate_vma_down+0x2ab', ...v6TableFreeNow],
      // Freed after an RCU grace period: by ksoftirqd, or on the exit of an interrupt (of user mode, of the idle loop).
      [
        anyOf(
          [...v6Kthreadd, 'smpboot_thread_fn+0x183/0x220', 'run_ksoftirqd+0x2f/0x40'],
          [
            anyOf(
              [],
              [
                'common_startup_64+0x13e/0x141',
                'start_secondary+0xf5/0x110',
                'cpu_startup_entry+0x29/0x30',
                'do_idle+0x1bf/0x240',
                'default_idle_call+0x34/0x100',
                'default_idle+0x9/0x30',
                'pv_native_safe_halt+0xa/0x10',
              ],
            ),
            'asm_sysvec_apic_timer_interrupt+0x1a/0x20',
            'sysvec_apic_timer_interrupt+0x6d/0x80',
            '__irq_exit_rcu+0x9b/0xb0',
          ],
        ),
        'handle_softirqs+0xe3/0x290',
        'rcu_core+0x1bd/0x370',
        'rcu_do_batch+0x1a8/0x530',
        'tlb_remove_table_rcu+0x4e/0x90',
        ...v6TableFreeNow.slice(2),
      ],
    ),
  ],
  directReclaimFree: [
    '__alloc_frozen_pages_noprof+0x2fd/0x330',
    '__alloc_pages_slowpath.constprop.0+0x2df/0xd80',
    '__alloc_pages_direct_reclaim+0x8d/0x1c0',
    'try_to_free_pages+0x105/0x260',
    'do_try_to_free_pages+0xe5/0x510',
    'shrink_node+0x30d/0x8b0',
    'shrink_lruvec+0x5b0/0xba0',
    'shrink_inactive_list+0x1c0/0x480',
    oneOf('shrink_folio_list+0x833/0x1090', 'shrink_folio_list+0xb6e/0x1090'),
    'free_unref_folios+0x454',
  ],
  oomReapFree: [
    ...v6Kthreadd,
    'oom_reaper+0x1a1/0x3f0',
    'oom_reap_task_mm+0xbe/0x130',
    '__oom_reap_task_mm+0xc5/0x170',
    'tlb_finish_mmu+0x7e',
    ...v6BatchFree,
  ],
};

/** The syscall entry: the fast path calls the syscall, the slow path `do_syscall_64()`. */
const v4Syscall: PathPart[] = [
  [['entry_SYSCALL_64_fastpath+0x12/0x71'], ['return_from_SYSCALL_64+0x0/0x7a', 'do_syscall_64+0x5c/0x170']],
];
/** The fast path alone, where the entry is beyond the frames page_owner keeps (faults deep in a syscall). */
const v4Fast = ['entry_SYSCALL_64_fastpath+0x12/0x71'];
/** The page fault exception down to `handle_mm_fault()`'s caller. */
const v4Trap: PathPart[] = ['page_fault+0x28/0x30', 'do_page_fault+0x22/0x30', '__do_page_fault+0x1ee/0x4c0'];
/**
 * `_copy_to_user`/`_copy_from_user` check the range and jump (no frame) to `copy_user_generic_string` (REP_GOOD, no
 * ERMS): its `rep movsq` or `rep movsb` faults; a copy to user memory may also fault aligning the destination.
 */
const v4CopyOutIp = oneOf(
  'copy_user_generic_string+0x2c/0x40',
  'copy_user_generic_string+0x31/0x40',
  'copy_user_generic_string+0x18/0x40',
);
const v4CopyInIp = oneOf('copy_user_generic_string+0x2c/0x40', 'copy_user_generic_string+0x31/0x40');
/** `clear_user()`: `__clear_user`'s quadword or byte loop. */
const v4ClearIp = oneOf('__clear_user+0x25/0x50', '__clear_user+0x3a/0x50');

/** read(), pread64(), readv(), preadv(): down to the filesystem's `->read_iter`. */
const v4ReadCalls: PathPart[][] = [
  [...v4Syscall, 'SyS_read+0x55/0xc0', 'vfs_read+0x93/0x130', '__vfs_read+0xa7/0xd0'],
  [...v4Syscall, 'SyS_pread64+0x95/0xb0', 'vfs_read+0x93/0x130', '__vfs_read+0xa7/0xd0'],
  [...v4Syscall, 'SyS_readv+0x5a/0xd0', 'vfs_readv+0x35/0x50', 'do_readv_writev+0x1a7/0x240'],
  [...v4Syscall, 'SyS_preadv+0x11/0x20', 'do_preadv+0xa6/0xc0', 'vfs_readv+0x35/0x50', 'do_readv_writev+0x1a7/0x240'],
];
/** ext4 (`generic_file_read_iter` is its ->read_iter) and xfs, down to `generic_file_read_iter()`. */
const v4ReadIters: PathPart[][] = [
  [],
  ['xfs_file_read_iter+0x9a/0xd0 [xfs]', 'xfs_file_buffered_aio_read+0x53/0xc0 [xfs]'],
];
const v4Execve = [...v4Syscall, 'SyS_execve+0x3a/0x50', 'do_execveat_common.isra.36+0x5a4/0x760'];
const v4FastExecve = [...v4Fast, ...v4Execve.slice(1)];
const v4FastReadCalls = v4ReadCalls.map((call) => [...v4Fast, ...call.slice(1)]);
/** `kernel_read()`: execve() reading the binary's first page and program headers; finit_module() a module. */
const v4KernelReads: PathPart[][] = [
  [...v4Execve.slice(0, -1), 'do_execveat_common.isra.36+0x526/0x760', 'prepare_binprm+0x117/0x130'],
  [...v4Execve, 'search_binary_handler+0x8e/0x1e0', 'load_elf_binary+0x227/0x1580', 'load_elf_phdrs+0x86/0xa0'],
  [
    ...v4Execve,
    'search_binary_handler+0x8e/0x1e0',
    oneOf('load_elf_binary+0x2b6/0x1580', 'load_elf_binary+0x31e/0x1580'),
  ],
  [...v4Syscall, 'SyS_finit_module+0x7a/0xe0', 'kernel_read_file_from_fd+0x44/0x70', 'kernel_read_file+0x100/0x190'],
].map((head) => [...head, 'kernel_read+0x4e/0x60', 'vfs_read+0x93/0x130', '__vfs_read+0xa7/0xd0']);

/** Kernel stores to user memory that fault, outermost first, ending at the faulting instruction. */
const v4CopyOuts: PathPart[][] = [
  // read() copying page cache out (do_generic_file_read() is inlined in generic_file_read_iter()).
  ...v4FastReadCalls.flatMap((head) =>
    v4ReadIters.map((iter) => [
      ...head,
      ...iter,
      'generic_file_read_iter+0x3cd/0x760',
      'copy_page_to_iter+0x16b/0x2d0',
      v4CopyOutIp,
    ]),
  ),
  // Pipes; seq_file reads (/proc, sysfs); /dev/zero.
  ...[v4FastReadCalls[0]!, v4FastReadCalls[2]!].map((head) => [
    ...head,
    'pipe_read+0x1b2/0x2a0',
    'copy_page_to_iter+0x16b/0x2d0',
    v4CopyOutIp,
  ]),
  [
    ...v4Fast,
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0x28/0xd0',
    oneOf('proc_reg_read+0x3d/0x70', 'kernfs_fop_read+0x4d/0x180'),
    'seq_read+0x2a5/0x3e0',
    v4CopyOutIp,
  ],
  [
    ...v4Fast,
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0x28/0xd0',
    'read_zero+0x56/0xa0',
    'clear_user+0x2b/0x40',
    v4ClearIp,
  ],
  // getdents64(): filldir64() stores each dirent with __put_user() (it faults itself).
  ...[
    ['ext4_readdir+0x5f1/0x8a0', 'call_filldir+0x9a/0xd0'],
    ['ext4_readdir+0x28c/0x8a0'],
    ['xfs_file_readdir+0x2d/0x40 [xfs]', 'xfs_readdir+0x153/0x1c0 [xfs]'],
    ['xfs_file_readdir+0x2d/0x40 [xfs]', 'xfs_readdir+0x17e/0x1c0 [xfs]', 'xfs_dir2_block_getdents+0x1a1/0x200 [xfs]'],
    ['xfs_file_readdir+0x2d/0x40 [xfs]', 'xfs_readdir+0x1a4/0x1c0 [xfs]', 'xfs_dir2_leaf_getdents+0x33e/0x3c0 [xfs]'],
    ['dcache_readdir+0x126/0x1a0'],
  ].map((reader) => [
    ...v4Fast,
    'SyS_getdents64+0x9c/0x120',
    'iterate_dir+0x16e/0x190',
    ...reader,
    oneOf('filldir64+0x8e/0x120', 'filldir64+0xa4/0x120', 'filldir64+0xb5/0x120', 'filldir64+0xd7/0x120'),
  ]),
  // stat family: cp_new_stat().
  ...['SyS_newstat+0x33/0x40', 'SyS_newlstat+0x33/0x40', 'SyS_newfstat+0x2f/0x40', 'SyS_newfstatat+0x3b/0x50'].map(
    (call) => [...v4Fast, call, 'cp_new_stat+0x12c/0x150', v4CopyOutIp],
  ),
  // readlink(), readlinkat().
  [
    ...v4Fast,
    oneOf('SyS_readlink+0x1d/0x20', ''),
    'SyS_readlinkat+0xb4/0x130',
    'generic_readlink+0x6c/0xa0',
    'readlink_copy+0x4f/0x80',
    v4CopyOutIp,
  ],
  // /dev/urandom and getrandom() (the crng, new in 4.8); readlink("/proc/self/exe").
  [
    ...v4Fast,
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0x28/0xd0',
    'urandom_read+0x4e/0x110',
    'extract_crng_user+0x95/0xe0',
    v4CopyOutIp,
  ],
  [...v4Syscall, 'SyS_getrandom+0x8b/0xd0', 'urandom_read+0x4e/0x110', 'extract_crng_user+0x95/0xe0', v4CopyOutIp],
  [...v4Syscall, 'SyS_readlink+0x1d/0x20', 'SyS_readlinkat+0xb4/0x130', 'proc_pid_readlink+0x9d/0xf0', v4CopyOutIp],
  // statfs(), fstatfs(), fcntl(F_GETLK), sigaltstack() (cc1's stack-overflow handler), TIOCGWINSZ.
  ...['SyS_statfs+0x42/0x60', 'SyS_fstatfs+0x3b/0x60'].map((call) => [
    ...v4Syscall,
    call,
    'do_statfs_native+0x93/0xb0',
    v4CopyOutIp,
  ]),
  [...v4Syscall, 'SyS_fcntl+0xf1/0x5b0', 'fcntl_getlk+0xd4/0x150', v4CopyOutIp],
  [...v4Syscall, 'SyS_sigaltstack+0x14/0x20', 'do_sigaltstack+0x19e/0x1f0'],
  [...v4Syscall, 'SyS_ioctl+0x79/0x90', 'do_vfs_ioctl+0x8e/0x6b0', 'tty_ioctl+0x37b/0xb80', v4CopyOutIp],
  // Syscalls that copy a structure out.
  ...[
    'SyS_getcwd+0x140/0x190',
    'SyS_newuname+0x6b/0x80',
    'SyS_sysinfo+0x3f/0x60',
    'SyS_times+0x52/0x80',
    'SyS_prlimit64+0x1fb/0x2a0',
    'SyS_pipe2+0x55/0x90',
    'SyS_sched_getaffinity+0x88/0xb0',
    'SyS_rt_sigaction+0x95/0xd0',
    'SyS_rt_sigprocmask+0x9e/0xd0',
  ].map((call) => [...v4Syscall, call, v4CopyOutIp]),
  [...v4Syscall, 'SyS_getrusage+0x3d/0x50', 'getrusage+0x36/0x50', v4CopyOutIp],
  // wait4(): the child's status (put_user) and rusage.
  [
    ...v4Fast,
    'SyS_wait4+0x80/0x100',
    'do_wait+0x12c/0x250',
    'wait_consider_task+0x7b1/0xb70',
    '__put_user_4+0x1c/0x30',
  ],
  [
    ...v4Fast,
    'SyS_wait4+0x80/0x100',
    'do_wait+0x12c/0x250',
    'wait_consider_task+0x6e4/0xb70',
    'getrusage+0x36/0x50',
    v4CopyOutIp,
  ],
  // poll(): revents with __put_user(); select(): the fd sets.
  [...v4Syscall, oneOf('SyS_poll+0x74/0x110', 'SyS_ppoll+0xe6/0x190'), 'do_sys_poll+0x37e/0x4d0'],
  [...v4Syscall, 'SyS_pselect6+0x170/0x1f0', 'core_sys_select+0x265/0x2f0', v4CopyOutIp],
  [...v4Syscall, 'SyS_select+0xba/0x110', 'core_sys_select+0x265/0x2f0', v4CopyOutIp],
  // A signal frame (handle_signal(), setup_rt_frame() inlined in do_signal()), after a syscall or an interrupt.
  ...[
    ['return_from_SYSCALL_64+0x0/0x7a', 'do_syscall_64+0x13b/0x170'],
    ['retint_user+0x8/0x10', 'prepare_exit_to_usermode+0x85/0xc0'],
  ].flatMap((entry) =>
    [
      ['do_signal+0x2a3/0x5f0'],
      ['do_signal+0x311/0x5f0'],
      ['do_signal+0x3e5/0x5f0', 'copy_siginfo_to_user+0x9c/0x180'],
      ['do_signal+0x1c8/0x5f0', 'get_sigframe+0x12e/0x190', 'copy_fpstate_to_sigframe+0x105/0x1d0'],
    ].map((frame) => [...entry, ...frame]),
  ),
  // execve(): create_elf_tables() (inlined): the platform string, the random bytes, auxv; argc with __put_user().
  [
    ...v4FastExecve,
    'search_binary_handler+0x8e/0x1e0',
    oneOf('load_elf_binary+0xd2a/0x1580', 'load_elf_binary+0xd80/0x1580', 'load_elf_binary+0xe15/0x1580'),
    v4CopyOutIp,
  ],
  [...v4FastExecve, 'search_binary_handler+0x8e/0x1e0', 'load_elf_binary+0xe6a/0x1580'],
  // A thread exiting clears its clear_child_tid; a new child stores its tid (CLONE_CHILD_SETTID).
  [...v4Fast, 'SyS_exit+0x13/0x20', 'do_exit+0x1ab/0xb90', 'mm_release+0xc2/0xf0', '__put_user_4+0x1c/0x30'],
];

/** Kernel loads from user memory that fault. */
const v4CopyIns: PathPart[][] = [
  ...[
    ['SyS_open+0x1e/0x20', 'do_sys_open+0x8a/0x1f0'],
    ['SyS_openat+0x14/0x20', 'do_sys_open+0x8a/0x1f0'],
    ['SyS_execve+0x26/0x50'],
  ].map((call) => [
    ...v4Fast,
    ...call,
    'getname+0x12/0x20',
    'getname_flags+0x69/0x1c0',
    'strncpy_from_user+0x48/0x170',
  ]),
  [
    ...v4Fast,
    'SyS_newstat+0x20/0x40',
    'vfs_fstatat+0x51/0xa0',
    'user_path_at_empty+0x2a/0x40',
    'getname_flags+0x69/0x1c0',
    'strncpy_from_user+0x48/0x170',
  ],
  [
    ...v4FastExecve.slice(0, -1),
    'do_execveat_common.isra.36+0x3b8/0x760',
    'copy_strings+0xc6/0x2d0',
    oneOf('strnlen_user+0x4a/0x80', 'copy_user_generic_string+0x2c/0x40'),
  ],
  [
    ...v4Fast,
    oneOf('SyS_write+0x55/0xc0', 'SyS_pwrite64+0x95/0xb0'),
    'vfs_write+0xb5/0x1a0',
    '__vfs_write+0xc8/0x110',
    anyOf(
      ['ext4_file_write_iter+0x1e0/0x3c0', '__generic_file_write_iter+0x190/0x1e0', 'generic_perform_write+0x6a/0x1d0'],
      [
        'xfs_file_write_iter+0x9e/0x140 [xfs]',
        'xfs_file_buffered_aio_write+0xe4/0x2e0 [xfs]',
        'iomap_file_buffered_write+0x6e/0xa0',
        'iomap_apply+0xd7/0x140',
        'iomap_write_actor+0x6c/0x180',
      ],
    ),
    'iov_iter_fault_in_readable+0x4c/0x90',
  ],
  [
    ...v4Fast,
    'SyS_write+0x55/0xc0',
    'vfs_write+0xb5/0x1a0',
    '__vfs_write+0xc8/0x110',
    'pipe_write+0x1c6/0x3e0',
    'copy_page_from_iter+0x158/0x290',
    v4CopyInIp,
  ],
  [...v4Fast, 'SyS_rt_sigaction+0x5e/0xd0', v4CopyInIp],
  [...v4Fast, 'SyS_poll+0x74/0x110', 'do_sys_poll+0xc9/0x4d0', v4CopyInIp],
  [...v4Fast, 'SyS_select+0xba/0x110', 'core_sys_select+0xd1/0x2f0', v4CopyInIp],
];

/** execve() copying the arguments onto the new stack: get_user_pages_remote() faults the pages in. */
const v4ArgPages: PathPart[][] = [
  [
    ...v4FastExecve.slice(0, -1),
    oneOf('do_execveat_common.isra.36+0x3b8/0x760', 'do_execveat_common.isra.36+0x3e1/0x760'),
    'copy_strings+0x15a/0x2d0',
  ],
  [
    ...v4FastExecve.slice(0, -1),
    'do_execveat_common.isra.36+0x39c/0x760',
    'copy_strings_kernel+0x3e/0x60',
    'copy_strings+0x15a/0x2d0',
  ],
].map((head) => [...head, 'get_arg_page+0x53/0xc0', 'get_user_pages_remote+0x4a/0x60', '__get_user_pages+0x13a/0x4b0']);

/** Everything above `handle_mm_fault()` for a write fault: user mode, kernel stores, get_user_pages. */
const v4WriteFaults: PathPart = anyOf(v4Trap, ...v4CopyOuts.map((site) => [...site, ...v4Trap]), ...v4ArgPages);
/** ... for a read fault. */
const v4ReadFaults: PathPart[][] = [v4Trap, ...v4CopyIns.map((site) => [...site, ...v4Trap])];

/** Readahead below `generic_file_read_iter()` (do_generic_file_read() inlined), down to `__page_cache_alloc()`. */
const v4Readahead: PathPart = anyOf(
  [
    'generic_file_read_iter+0x453/0x760',
    'page_cache_sync_readahead+0x31/0x50',
    'ondemand_readahead+0x135/0x260',
    '__do_page_cache_readahead+0xdc/0x240',
  ],
  [
    'generic_file_read_iter+0x453/0x760',
    'page_cache_sync_readahead+0x45/0x50',
    'force_page_cache_readahead+0x9b/0x100',
    '__do_page_cache_readahead+0xdc/0x240',
  ],
  [
    'generic_file_read_iter+0x5a7/0x760',
    'page_cache_async_readahead+0xaf/0xc0',
    'ondemand_readahead+0x1d2/0x260',
    '__do_page_cache_readahead+0xdc/0x240',
  ],
  // no_cached_page: page_cache_alloc_cold().
  ['generic_file_read_iter+0x6a1/0x760'],
);
/** write(), pwrite64(), writev(), pwritev(), sendfile() into a file, down to `->write_iter`. */
const v4WriteCalls: PathPart[][] = [
  [...v4Syscall, 'SyS_write+0x55/0xc0', 'vfs_write+0xb5/0x1a0', '__vfs_write+0xc8/0x110'],
  [...v4Syscall, 'SyS_pwrite64+0x95/0xb0', 'vfs_write+0xb5/0x1a0', '__vfs_write+0xc8/0x110'],
  [...v4Syscall, 'SyS_writev+0x5a/0xd0', 'vfs_writev+0x35/0x50', 'do_readv_writev+0x1d9/0x240'],
  [
    ...v4Syscall,
    'SyS_pwritev+0x11/0x20',
    'do_pwritev+0xa6/0xc0',
    'vfs_writev+0x35/0x50',
    'do_readv_writev+0x1d9/0x240',
  ],
  [
    ...v4Syscall,
    'SyS_sendfile64+0x65/0xb0',
    'do_sendfile+0x1a1/0x3d0',
    'do_splice_direct+0x9a/0xd0',
    'splice_direct_to_actor+0x111/0x220',
    'direct_splice_actor+0x38/0x40',
    'iter_file_splice_write+0x2a4/0x3e0',
    'vfs_iter_write+0x79/0xb0',
  ],
];
const v4Ext4Write: PathPart[] = [
  'ext4_file_write_iter+0x1e0/0x3c0',
  '__generic_file_write_iter+0x190/0x1e0',
  'generic_perform_write+0xce/0x1d0',
  oneOf('ext4_da_write_begin+0x108/0x2f0', 'ext4_write_begin+0x143/0x4b0'),
];
const v4XfsWrite: PathPart[] = [
  'xfs_file_write_iter+0x9e/0x140 [xfs]',
  'xfs_file_buffered_aio_write+0xe4/0x2e0 [xfs]',
  'iomap_file_buffered_write+0x6e/0xa0',
  'iomap_apply+0xd7/0x140',
  'iomap_write_actor+0xa8/0x180',
  'iomap_write_begin.constprop.20+0x69/0x320',
];

/** fork(), vfork(), clone() and kthreadd, down to `_do_fork()`. */
const v4Forks: PathPart[][] = [
  [...v4Syscall, oneOf('SyS_clone+0x16/0x20', 'SyS_fork+0x11/0x20'), '_do_fork+0xd4/0x3b0'],
];
const v4VforkLike: PathPart[][] = [
  [...v4Syscall, 'SyS_vfork+0x11/0x20', '_do_fork+0xd4/0x3b0'],
  ['ret_from_fork+0x1f/0x40', 'kthreadd+0x1a9/0x1f0', 'kernel_thread+0x29/0x30', '_do_fork+0xd4/0x3b0'],
];
const v4Fork = (...frames: PathPart[]): PathPart[] => [anyOf(...v4Forks), ...frames];

/** A new slab: `___slab_alloc()`, then `new_slab()` (allocate_slab() inlined): the oo order, or the fallback. */
const v4NewSlab: PathPart[] = [
  '___slab_alloc+0x3f8/0x520',
  oneOf('new_slab+0x2a3/0x470', 'new_slab+0x31e/0x470'),
  'alloc_pages_current+0x88/0x120',
];
const v4CacheAlloc = 'kmem_cache_alloc+0x1b4/0x2b0';
const v4CacheAllocTrace = 'kmem_cache_alloc_trace+0x1c4/0x2b0';
const v4CacheAllocNode = 'kmem_cache_alloc_node+0x1c8/0x2c0';
const v4Kmalloc = '__kmalloc+0x1d3/0x2d0';

const v4OpenHeads: PathPart[][] = [
  [
    ...v4Syscall,
    oneOf('SyS_open+0x1e/0x20', 'SyS_openat+0x14/0x20'),
    'do_sys_open+0x116/0x1f0',
    'do_filp_open+0x91/0x100',
  ],
  [
    ...v4Execve.slice(0, -1),
    'do_execveat_common.isra.36+0x1f8/0x760',
    'do_open_execat+0x6e/0x1a0',
    'do_filp_open+0x91/0x100',
  ],
];
const v4LookupHeads: PathPart[][] = [
  [
    ...v4Syscall,
    oneOf('SyS_newstat+0x20/0x40', 'SyS_newlstat+0x20/0x40', 'SyS_newfstatat+0x28/0x50'),
    'vfs_fstatat+0x51/0xa0',
    'user_path_at_empty+0x36/0x40',
    'filename_lookup+0xb1/0x180',
  ],
  [
    ...v4Syscall,
    'SyS_access+0x13/0x20',
    'SyS_faccessat+0xe8/0x230',
    'user_path_at_empty+0x36/0x40',
    'filename_lookup+0xb1/0x180',
  ],
  [
    ...v4Syscall,
    oneOf('SyS_readlink+0x1d/0x20', ''),
    'SyS_readlinkat+0x5d/0x130',
    'user_path_at_empty+0x36/0x40',
    'filename_lookup+0xb1/0x180',
  ],
  [
    ...v4Syscall,
    anyOf(
      ['SyS_chdir+0x3c/0xc0'],
      ['SyS_utimensat+0x67/0xa0', 'do_utimes+0xa4/0x110'],
      ['SyS_statfs+0x27/0x60', 'user_statfs+0x3e/0x90'],
    ),
    'user_path_at_empty+0x36/0x40',
    'filename_lookup+0xb1/0x180',
  ],
];
const v4SlowLookup = [
  'walk_component+0x1ad/0x4b0',
  'lookup_slow+0xa9/0x160',
  'd_alloc_parallel+0x57/0x4a0',
  'd_alloc+0x1d/0x90',
];
const v4DentryMisses: PathPart[][] = [
  ...v4OpenHeads.flatMap((head) => [
    [...head, 'path_openat+0x5b0/0x1290', 'd_alloc_parallel+0x57/0x4a0', 'd_alloc+0x1d/0x90'],
    [...head, 'path_openat+0x1c1/0x1290', 'link_path_walk+0x1e7/0x570', ...v4SlowLookup],
  ]),
  ...v4LookupHeads.flatMap((head) => [
    [...head, 'path_lookupat+0x6e/0x110', ...v4SlowLookup],
    [...head, 'path_lookupat+0x4f/0x110', 'link_path_walk+0x1e7/0x570', ...v4SlowLookup],
  ]),
  ...[
    ['SyS_mkdir+0x19/0x20', 'SyS_mkdirat+0x5e/0xe0', 'user_path_create+0x3d/0x50', 'filename_create+0x91/0x160'],
    ['SyS_symlink+0x16/0x20', 'SyS_symlinkat+0x63/0xe0', 'user_path_create+0x3d/0x50', 'filename_create+0x91/0x160'],
    ['SyS_unlink+0x16/0x20', 'do_unlinkat+0x13a/0x2f0'],
    ['SyS_rename+0x1e/0x20', oneOf('SyS_renameat2+0x2ce/0x560', 'SyS_renameat2+0x31f/0x560')],
  ].map((head) => [...v4Syscall, ...head, '__lookup_hash+0x5a/0xa0', 'd_alloc+0x1d/0x90']),
];
const v4PipeFiles = [...v4Syscall, 'SyS_pipe2+0x2a/0x90', '__do_pipe_flags+0x28/0xb0', 'create_pipe_files+0x52/0x210'];

/** Faults that set up a mapping's anon_vma (do_anonymous_page() inlined), down to `anon_vma_prepare()`. */
const v4AnonVmaPrepare: PathPart[] = [
  anyOf(v4Trap, ...v4CopyOuts.slice(0, 4).map((site) => [...site, ...v4Trap]), ...v4ArgPages),
  'handle_mm_fault+0xb79/0x13b0',
  oneOf('anon_vma_prepare+0x3f/0x1a0', 'anon_vma_prepare+0x14a/0x1a0'),
];

/** Callers of the slab allocator that need a new slab, down to the slab API they call. */
const v4SlabCallers: PathPart[][] = [
  // execve(): the bprm, its mm and first VMA, the executable's struct file, the creds, program headers.
  [...v4Syscall, 'SyS_execve+0x3a/0x50', 'do_execveat_common.isra.36+0x8f/0x760', v4CacheAllocTrace],
  [...v4Execve.slice(0, -1), 'do_execveat_common.isra.36+0x265/0x760', 'mm_alloc+0x1a/0x60', v4CacheAlloc],
  [...v4Execve.slice(0, -1), 'do_execveat_common.isra.36+0x29a/0x760', v4CacheAlloc],
  [
    ...v4Execve.slice(0, -1),
    'do_execveat_common.isra.36+0x14d/0x760',
    'prepare_exec_creds+0x12/0x60',
    'prepare_creds+0x25/0x150',
    v4CacheAlloc,
  ],
  [...v4OpenHeads[1]!, 'path_openat+0x3d/0x1290', 'get_empty_filp+0x5c/0x1c0', v4CacheAlloc],
  [
    ...v4Execve,
    'search_binary_handler+0x8e/0x1e0',
    'load_elf_binary+0x227/0x1580',
    'load_elf_phdrs+0x65/0xa0',
    v4Kmalloc,
  ],
  [...v4Execve, 'search_binary_handler+0x8e/0x1e0', 'load_elf_binary+0x2a0/0x1580', v4Kmalloc],
  // open(): the name, the struct file, the inode, a long dentry name.
  ...[['SyS_open+0x1e/0x20', 'do_sys_open+0x8a/0x1f0'], ['SyS_execve+0x26/0x50']].map((call) => [
    ...v4Syscall,
    ...call,
    'getname+0x12/0x20',
    'getname_flags+0x3a/0x1c0',
    v4CacheAlloc,
  ]),
  [...v4OpenHeads[0]!, 'path_openat+0x3d/0x1290', 'get_empty_filp+0x5c/0x1c0', v4CacheAlloc],
  ...[
    [...v4OpenHeads[0]!, 'path_openat+0x6d7/0x1290'],
    [...v4LookupHeads[0]!, 'path_lookupat+0x6e/0x110', 'walk_component+0x1ad/0x4b0', 'lookup_slow+0xd9/0x160'],
  ].map((head) => [
    ...head,
    'ext4_lookup+0x10c/0x1c0',
    'ext4_iget+0x59/0xb60',
    'iget_locked+0x11c/0x210',
    'alloc_inode+0x1b/0x90',
    'ext4_alloc_inode+0x1f/0x180',
    v4CacheAlloc,
  ]),
  [
    ...v4OpenHeads[0]!,
    'path_openat+0x5b0/0x1290',
    'd_alloc_parallel+0x57/0x4a0',
    'd_alloc+0x1d/0x90',
    '__d_alloc+0x169/0x1d0',
    v4Kmalloc,
  ],
  // mmap(), brk(), mprotect() splitting a VMA.
  [
    ...v4Syscall,
    'SyS_mmap+0x22/0x30',
    'SyS_mmap_pgoff+0x1bd/0x250',
    'vm_mmap_pgoff+0xb1/0xf0',
    'do_mmap+0x2f5/0x4a0',
    'mmap_region+0x1d6/0x5a0',
    v4CacheAlloc,
  ],
  [...v4Syscall, 'SyS_brk+0x14d/0x1a0', 'do_brk+0x151/0x2d0', v4CacheAlloc],
  [
    ...v4Syscall,
    'SyS_mprotect+0x1a3/0x240',
    'mprotect_fixup+0x14e/0x250',
    'split_vma+0x1e/0x30',
    '__split_vma+0x4e/0x1d0',
    v4CacheAlloc,
  ],
  // The first anonymous fault in a mapping.
  [...v4AnonVmaPrepare, v4CacheAlloc],
  // fork(): task_struct, files, fs, sighand, signal, mm, VMAs, anon_vmas, creds, pid.
  v4Fork('copy_process.part.30+0x13e/0x1a50', 'dup_task_struct+0x27/0x270', v4CacheAllocNode),
  v4Fork('copy_process.part.30+0x6c4/0x1a50', 'dup_fd+0x38/0x2c0', v4CacheAlloc),
  v4Fork('copy_process.part.30+0x6f1/0x1a50', 'copy_fs_struct+0x22/0xb0', v4CacheAlloc),
  v4Fork(
    oneOf(
      'copy_process.part.30+0x727/0x1a50',
      'copy_process.part.30+0x78b/0x1a50',
      'copy_process.part.30+0x7c0/0x1a50',
    ),
    v4CacheAlloc,
  ),
  v4Fork(oneOf('copy_process.part.30+0x9a4/0x1a50', 'copy_process.part.30+0xa12/0x1a50'), v4CacheAlloc),
  v4Fork(
    'copy_process.part.30+0xa3e/0x1a50',
    oneOf('anon_vma_fork+0x5f/0x130', 'anon_vma_fork+0xb9/0x130'),
    v4CacheAlloc,
  ),
  v4Fork('copy_process.part.30+0x3cd/0x1a50', 'copy_creds+0x31/0x120', 'prepare_creds+0x25/0x150', v4CacheAlloc),
  v4Fork('copy_process.part.30+0xc42/0x1a50', 'alloc_pid+0x55/0x3c0', v4CacheAlloc),
  // Reads: a seq_file's buffer; the page cache's radix tree nodes.
  [
    ...v4Syscall,
    'SyS_read+0x55/0xc0',
    'vfs_read+0x93/0x130',
    '__vfs_read+0x28/0xd0',
    'proc_reg_read+0x3d/0x70',
    'seq_read+0x31c/0x3e0',
    v4Kmalloc,
  ],
  [
    ...v4ReadCalls[0]!,
    'generic_file_read_iter+0x453/0x760',
    'page_cache_sync_readahead+0x31/0x50',
    'ondemand_readahead+0x135/0x260',
    '__do_page_cache_readahead+0x1a5/0x240',
    'ext4_readpages+0x35/0x40',
    'ext4_mpage_readpages+0x2c4/0x6a0',
    'add_to_page_cache_lru+0x4f/0xd0',
    '__add_to_page_cache_locked+0x4a/0x220',
    'radix_tree_maybe_preload+0x2d/0x40',
    '__radix_tree_preload+0x4e/0xb0',
    v4CacheAlloc,
  ],
  // Writes: radix tree nodes, buffer heads, delayed-allocation extents, the journal handle of the mtime update.
  [
    ...v4WriteCalls[0]!,
    ...v4Ext4Write.slice(0, 3),
    'ext4_da_write_begin+0x108/0x2f0',
    'grab_cache_page_write_begin+0x23/0x40',
    'pagecache_get_page+0x10e/0x280',
    'add_to_page_cache_lru+0x4f/0xd0',
    '__add_to_page_cache_locked+0x4a/0x220',
    'radix_tree_maybe_preload+0x2d/0x40',
    '__radix_tree_preload+0x4e/0xb0',
    v4CacheAlloc,
  ],
  [
    ...v4WriteCalls[0]!,
    ...v4Ext4Write.slice(0, 3),
    'ext4_da_write_begin+0x1a3/0x2f0',
    '__block_write_begin+0x11/0x20',
    '__block_write_begin_int+0x3a7/0x580',
    anyOf(
      ['create_empty_buffers+0x2a/0x140', 'alloc_page_buffers+0x4c/0xb0', 'alloc_buffer_head+0x1e/0x60'],
      ['ext4_da_get_block_prep+0x1ba/0x470', 'ext4_es_insert_extent+0xc9/0x2e0', '__es_insert_extent+0x1c3/0x3d0'],
    ),
    v4CacheAlloc,
  ],
  [
    ...v4WriteCalls[0]!,
    'ext4_file_write_iter+0x147/0x3c0',
    '__generic_file_write_iter+0xb2/0x1e0',
    'file_update_time+0xdd/0x120',
    'generic_update_time+0x84/0xd0',
    '__mark_inode_dirty+0x5d/0x3a0',
    'ext4_dirty_inode+0x30/0x60',
    '__ext4_journal_start_sb+0x6d/0x120',
    'jbd2__journal_start+0xee/0x1f0',
    v4CacheAlloc,
  ],
  // pipe2(): the pipe's inode info and its buffers; poll() with many fds.
  [
    ...v4PipeFiles,
    oneOf('alloc_pipe_info+0x43/0x1a0', 'alloc_pipe_info+0x8f/0x1a0'),
    oneOf(v4CacheAllocTrace, v4Kmalloc),
  ],
  [...v4Syscall, 'SyS_poll+0x74/0x110', 'do_sys_poll+0x128/0x4d0', v4Kmalloc],
];

/** exit_group() tearing down the address space, as far as `mmput`. */
const v4Exit: PathPart[] = [
  ...v4Syscall,
  'SyS_exit_group+0x14/0x20',
  'do_group_exit+0x3d/0xc0',
  'do_exit+0x2c1/0xb90',
  'mmput+0x51/0x110',
];
/** `handle_mm_fault()` (the fault handlers inlined) down to the page table allocation of each level. */
const v4FaultTables: PathPart = anyOf(
  ['handle_mm_fault+0x9e1/0x13b0', '__pte_alloc+0x2d/0x160', 'pte_alloc_one+0x1a/0x50'],
  ['handle_mm_fault+0xc57/0x13b0', 'pte_alloc_one+0x1a/0x50'],
  ['handle_mm_fault+0xd3c/0x13b0', 'alloc_set_pte+0x3b1/0x4b0', '__pte_alloc+0x2d/0x160', 'pte_alloc_one+0x1a/0x50'],
  ['handle_mm_fault+0x3b2/0x13b0', '__pmd_alloc+0x4c/0x100'],
  ['handle_mm_fault+0x2f1/0x13b0', '__pud_alloc+0x29/0xa0', 'get_zeroed_page+0x13/0x40', '__get_free_pages+0xe/0x50'],
);
/** exec's elf_load zeroing the end of the last file-backed page (padzero()). */
const v4Padzero: PathPart[] = [
  ...v4FastExecve,
  'search_binary_handler+0x8e/0x1e0',
  oneOf('load_elf_binary+0x3c4/0x1580', 'load_elf_binary+0xa1f/0x1580'),
  'clear_user+0x2b/0x40',
  v4ClearIp,
];

/** v4.x (v4.7, v4.8) paths. */
export const pathsV4: KernelPaths = {
  anonFault: [
    v4WriteFaults,
    // do_anonymous_page(); wp_page_copy() replacing the zero page a read mapped (both inlined).
    oneOf('handle_mm_fault+0x9a3/0x13b0', 'handle_mm_fault+0xb2c/0x13b0'),
    'alloc_pages_vma+0xb5/0x250',
  ],
  cowFault: [
    anyOf(
      v4Trap,
      ...v4CopyOuts.map((site) => [...site, ...v4Trap]),
      ['ret_from_fork+0xb/0x40', 'schedule_tail+0x5e/0x90', '__put_user_4+0x1c/0x30', ...v4Trap],
      [...v4Padzero, ...v4Trap],
    ),
    // wp_page_copy() copying a shared page; do_cow_fault() copying a file page.
    oneOf('handle_mm_fault+0x7d9/0x13b0', 'handle_mm_fault+0x83c/0x13b0'),
    'alloc_pages_vma+0xb5/0x250',
  ],
  execFault: [
    anyOf(
      // do_read_fault() (inlined), for a fault in user mode or a kernel load from a file mapping.
      [anyOf(...v4ReadFaults), 'handle_mm_fault+0xe3a/0x13b0'],
      // do_cow_fault() reading the file page padzero() writes.
      [...v4Padzero, ...v4Trap, 'handle_mm_fault+0x6c1/0x13b0'],
    ),
    '__do_fault+0x5c/0xe0',
    oneOf('ext4_filemap_fault+0x2e/0x50', 'xfs_filemap_fault+0x72/0x120 [xfs]'),
    anyOf(
      // do_sync_mmap_readahead() (inlined): read-around, or sequential; do_async_mmap_readahead(); page_cache_read().
      ['filemap_fault+0x2a7/0x540', '__do_page_cache_readahead+0xdc/0x240'],
      [
        'filemap_fault+0x2f0/0x540',
        'page_cache_sync_readahead+0x31/0x50',
        'ondemand_readahead+0x135/0x260',
        '__do_page_cache_readahead+0xdc/0x240',
      ],
      [
        'filemap_fault+0x1c6/0x540',
        'page_cache_async_readahead+0xaf/0xc0',
        'ondemand_readahead+0x1d2/0x260',
        '__do_page_cache_readahead+0xdc/0x240',
      ],
      ['filemap_fault+0x37d/0x540'],
    ),
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  fileRead: [
    anyOf(
      ...[...v4ReadCalls, ...v4KernelReads].flatMap((head) =>
        v4ReadIters.map((iter) => [...head, ...iter, v4Readahead]),
      ),
      // sendfile() and splice() from a file: generic_file_splice_read() (xfs's ->splice_read calls it).
      [
        ...v4Syscall,
        anyOf(
          [
            'SyS_sendfile64+0x65/0xb0',
            'do_sendfile+0x1a1/0x3d0',
            'do_splice_direct+0x9a/0xd0',
            'splice_direct_to_actor+0xb9/0x220',
          ],
          ['SyS_splice+0x5c3/0x780'],
        ),
        'do_splice_to+0x77/0x90',
        oneOf('', 'xfs_file_splice_read+0x96/0xd0 [xfs]'),
        'generic_file_splice_read+0x3c/0x90',
        anyOf(
          [
            '__generic_file_splice_read+0x1b9/0x5c0',
            'page_cache_sync_readahead+0x31/0x50',
            'ondemand_readahead+0x135/0x260',
            '__do_page_cache_readahead+0xdc/0x240',
          ],
          [
            '__generic_file_splice_read+0x4a3/0x5c0',
            'page_cache_async_readahead+0xaf/0xc0',
            'ondemand_readahead+0x1d2/0x260',
            '__do_page_cache_readahead+0xdc/0x240',
          ],
          ['__generic_file_splice_read+0x2ce/0x5c0'],
        ),
      ],
      // posix_fadvise(POSIX_FADV_WILLNEED), readahead(), madvise(MADV_WILLNEED) on a file mapping.
      [
        ...v4Syscall,
        anyOf(
          ['SyS_fadvise64+0x1b/0x20', 'SyS_fadvise64_64+0x1d1/0x2a0'],
          ['SyS_readahead+0x9e/0xd0'],
          ['SyS_madvise+0x39c/0x8a0'],
        ),
        'force_page_cache_readahead+0x9b/0x100',
        '__do_page_cache_readahead+0xdc/0x240',
      ],
    ),
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  fileWrite: [
    anyOf(
      ...v4WriteCalls.map((head) => [...head, ...v4Ext4Write]),
      ...v4WriteCalls.map((head) => [...head, ...v4XfsWrite]),
    ),
    'grab_cache_page_write_begin+0x23/0x40',
    'pagecache_get_page+0xc0/0x280',
    '__page_cache_alloc+0xe6/0x120',
    'alloc_pages_current+0x88/0x120',
  ],
  shmemWrite: [
    ...v4Syscall,
    'SyS_write+0x55/0xc0',
    'vfs_write+0xb5/0x1a0',
    '__vfs_write+0xc8/0x110',
    'generic_file_write_iter+0xad/0x1e0',
    'generic_perform_write+0xce/0x1d0',
    'shmem_write_begin+0x3b/0x60',
    'shmem_getpage_gfp+0x678/0x960',
    'shmem_alloc_page+0x61/0x90',
    'alloc_pages_vma+0xb5/0x250',
  ],
  execPageTable: [
    anyOf(
      [
        ...v4Execve,
        'search_binary_handler+0x8e/0x1e0',
        oneOf('load_elf_binary+0x2c4/0x1580', 'load_elf_binary+0x5e9/0x1580'),
        'setup_arg_pages+0x1d5/0x250',
        'shift_arg_pages+0xe7/0x170',
        anyOf(
          ['move_page_tables+0x2a0/0x5a0', '__pte_alloc+0x2d/0x160', 'pte_alloc_one+0x1a/0x50'],
          ['move_page_tables+0x1d7/0x5a0', '__pmd_alloc+0x4c/0x100'],
        ),
      ],
      // The new mm's pgd (bprm_mm_init() inlined).
      [
        ...v4Execve.slice(0, -1),
        'do_execveat_common.isra.36+0x265/0x760',
        'mm_alloc+0x49/0x60',
        'mm_init+0x17e/0x1e0',
        'pgd_alloc+0x31/0x1c0',
        '__get_free_pages+0xe/0x50',
      ],
      // The page tables of the new stack, as the arguments are copied onto it.
      [...v4ArgPages[0]!, v4FaultTables],
    ),
    'alloc_pages_current+0x88/0x120',
  ],
  faultPageTable: [
    anyOf(...v4ReadFaults, ...v4CopyOuts.map((site) => [...site, ...v4Trap]), ...v4ArgPages, [
      ...v4Padzero,
      ...v4Trap,
    ]).filter((run) => run[0] !== 'return_from_SYSCALL_64+0x0/0x7a'),
    v4FaultTables,
    'alloc_pages_current+0x88/0x120',
  ],
  forkPageTable: [
    anyOf(...v4Forks),
    anyOf(
      [
        'copy_process.part.30+0x7e1/0x1a50',
        anyOf(
          ['copy_page_range+0x4d1/0x950', '__pte_alloc+0x2d/0x160', 'pte_alloc_one+0x1a/0x50'],
          ['copy_page_range+0x5c6/0x950', '__pmd_alloc+0x4c/0x100'],
          [
            'copy_page_range+0x6b2/0x950',
            '__pud_alloc+0x29/0xa0',
            'get_zeroed_page+0x13/0x40',
            '__get_free_pages+0xe/0x50',
          ],
        ),
      ],
      ['copy_process.part.30+0x76a/0x1a50', 'mm_init+0x17e/0x1e0', 'pgd_alloc+0x31/0x1c0', '__get_free_pages+0xe/0x50'],
    ),
    'alloc_pages_current+0x88/0x120',
  ],
  slabDentry: [
    anyOf(...v4DentryMisses.map((miss) => [...miss, '__d_alloc+0x25/0x1d0']), [
      ...v4PipeFiles,
      'd_alloc_pseudo+0x12/0x20',
      '__d_alloc+0x25/0x1d0',
    ]),
    v4CacheAlloc,
    ...v4NewSlab,
  ],
  slabKmalloc: [anyOf(...v4SlabCallers), ...v4NewSlab],
  kernelStack: [
    anyOf(...v4Forks, ...v4VforkLike),
    'copy_process.part.30+0x13e/0x1a50',
    'dup_task_struct+0x4f/0x270',
    'alloc_pages_current+0x88/0x120',
  ],
  exitFree: [
    ...v4Exit,
    'exit_mmap+0xaf/0x160',
    'tlb_finish_mmu+0x14/0x40',
    'tlb_flush_mmu_free+0x36/0x60',
    'free_pages_and_swap_cache+0x80/0xa0',
    'release_pages+0x1f3/0x320',
  ],
  reclaimFree: [
    'ret_from_fork+0x1f/0x40',
    'kthread+0xd8/0xf0',
    'kswapd+0x31f/0x730',
    'shrink_node+0xe3/0x310',
    'shrink_inactive_list+0x1c0/0x560',
    'shrink_page_list+0x6c4/0xb40',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
  pageTableFree: [
    ...v4Exit,
    'exit_mmap+0x60/0x160',
    'free_pgtables+0xa6/0x110',
    'free_pgd_range+0x2f3/0x530',
    '__free_pages+0x25/0x30',
  ],
  directReclaimFree: [
    '__alloc_pages_nodemask+0x1f6/0x230',
    '__alloc_pages_slowpath+0x4b9/0xb80',
    'try_to_free_pages+0xf0/0x1d0',
    'do_try_to_free_pages+0xc1/0x350',
    'shrink_zones+0x1a6/0x280',
    'shrink_node+0xe3/0x310',
    'shrink_inactive_list+0x1c0/0x560',
    'shrink_page_list+0x6c4/0xb40',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
  oomReapFree: [
    'ret_from_fork+0x1f/0x40',
    'kthread+0xd8/0xf0',
    'oom_reaper+0x16f/0x2b0',
    '__oom_reap_task+0x116/0x1c0',
    'tlb_finish_mmu+0x23/0x40',
    'tlb_flush_mmu_free+0x36/0x60',
    'free_pages_and_swap_cache+0x8e/0xa0',
    'release_pages+0x25e/0x320',
    'free_hot_cold_page_list+0x3d/0x60',
  ],
};
