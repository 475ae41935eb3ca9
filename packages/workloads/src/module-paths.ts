import type { KernelPath } from './kernel-paths';

/**
 * Modules a typical x86_64 desktop or build server loads at boot (`lsmod`), each with the size of its init
 * and probe functions' region. Their allocations give the page_owner dump its ` [module]` frames and a realistic
 * spread of distinct stacks.
 */
export const bootModules: readonly string[] = [
  'e1000e',
  'igb',
  'ixgbe',
  'r8169',
  'iwlwifi',
  'iwlmvm',
  'mac80211',
  'cfg80211',
  'bluetooth',
  'btusb',
  'nvme',
  'nvme_core',
  'ahci',
  'libahci',
  'xhci_pci',
  'xhci_hcd',
  'usbhid',
  'hid_generic',
  'i915',
  'drm_kms_helper',
  'snd_hda_intel',
  'snd_hda_codec',
  'snd_hda_core',
  'snd_pcm',
  'snd_timer',
  'snd',
  'soundcore',
  'xfs',
  'ext4',
  'jbd2',
  'mbcache',
  'crc32c_intel',
  'aesni_intel',
  'crypto_simd',
  'cryptd',
  'ghash_clmulni_intel',
  'kvm_intel',
  'kvm',
  'irqbypass',
  'intel_rapl_msr',
  'intel_rapl_common',
  'x86_pkg_temp_thermal',
  'intel_powerclamp',
  'coretemp',
  'iTCO_wdt',
  'mei_me',
  'mei',
  'lpc_ich',
  'i2c_i801',
  'i2c_smbus',
  'joydev',
  'input_leds',
  'serio_raw',
  'dm_mod',
  'dm_crypt',
  'raid1',
  'md_mod',
  'loop',
  'overlay',
  'nf_tables',
  'nf_conntrack',
  'nf_defrag_ipv4',
  'nf_defrag_ipv6',
  'nfnetlink',
  'bridge',
  'stp',
  'llc',
  'tun',
  'veth',
  'vxlan',
  'ip6_udp_tunnel',
  'udp_tunnel',
  'wireguard',
  'libchacha20poly1305',
  'fuse',
  'autofs4',
  'efivarfs',
  'sunrpc',
  'nfsd',
  'lockd',
  'grace',
  'nfs',
  'video',
  'wmi',
  'backlight',
  'thermal',
  'fan',
  'battery',
  'ac',
  'button',
  'acpi_pad',
  'pinctrl_alderlake',
  'uvcvideo',
  'videobuf2_vmalloc',
  'videodev',
  'mc',
  'cdc_ether',
  'usbnet',
  'mii',
  'sd_mod',
  'sr_mod',
  'cdrom',
];

/** A deterministic size and offsets for a module's functions (mmsim has no real module to measure). */
function moduleHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

const hex = (value: number) => `0x${value.toString(16)}`;

/**
 * The two page allocations of loading module `name`: its init function's buffer (kmalloc_large) and its probe's
 * DMA ring (dma_alloc_coherent), through the v6.18 or v4.x module loader and driver core.
 */
export function modulePaths(name: string, era: 'v4' | 'v6'): { init: KernelPath; probe: KernelPath } {
  const hash = moduleHash(name);
  const initSize = 0x100 + (hash & 0x3f0);
  const probeSize = 0x400 + ((hash >>> 10) & 0xff0);
  const init = `${name}_init+${hex(0x20 + ((hash >>> 4) % (initSize - 0x40)))}/${hex(initSize)} [${name}]`;
  const probe = `${name}_probe+${hex(0x40 + ((hash >>> 14) % (probeSize - 0x80)))}/${hex(probeSize)} [${name}]`;
  if (era === 'v6') {
    const loader = [
      'entry_SYSCALL_64_after_hwframe+0x76',
      'do_syscall_64+0x71',
      '__do_sys_finit_module+0x1e1/0x2f0',
      'init_module_from_file+0x8b/0xd0',
      'load_module+0x1f5c/0x2190',
      'do_init_module+0x5e/0x230',
      'do_one_initcall+0x5b/0x310',
      init,
    ];
    return {
      init: [...loader, '__kmalloc_large_noprof+0x1d/0xb0', '___kmalloc_large_node+0x36/0xb0', 'alloc_pages_mpol+0x86'],
      probe: [
        ...loader,
        '__pci_register_driver+0x5e/0x70',
        'driver_register+0x5c/0x130',
        'bus_add_driver+0x11b/0x220',
        'driver_attach+0x1e/0x30',
        'bus_for_each_dev+0x83/0xd0',
        '__driver_attach+0xf3/0x1e0',
        'driver_probe_device+0x23/0xa0',
        'really_probe+0xdb/0x340',
        'pci_device_probe+0xbc/0x1b0',
        'local_pci_probe+0x45/0xa0',
        probe,
        'dma_alloc_attrs+0x8f/0xe0',
        'dma_direct_alloc+0x8e/0x2c0',
        '__dma_direct_alloc_pages.isra.0+0xa0/0x260',
        'alloc_pages_mpol+0x86',
      ],
    };
  }
  const loader = [
    'entry_SYSCALL_64_fastpath+0x12/0x71',
    'SyS_finit_module+0xb9/0xe0',
    'load_module+0x2215/0x27e0',
    'do_init_module+0x5f/0x1ee',
    'do_one_initcall+0x50/0x180',
    init,
  ];
  return {
    init: [...loader, 'kmalloc_order_trace+0x1e/0xa0', 'kmalloc_order+0x1b/0x40', 'alloc_pages_current+0x88/0x120'],
    probe: [
      ...loader,
      '__pci_register_driver+0x4c/0x50',
      'driver_register+0x60/0xe0',
      'bus_add_driver+0x1c8/0x280',
      'driver_attach+0x1e/0x20',
      'bus_for_each_dev+0x64/0xa0',
      '__driver_attach+0xd0/0xe0',
      'driver_probe_device+0x21f/0x430',
      'pci_device_probe+0xd1/0x140',
      'local_pci_probe+0x45/0xa0',
      probe,
      'x86_swiotlb_alloc_coherent+0x43/0x70',
      'dma_generic_alloc_coherent+0x8f/0x140',
      'alloc_pages_current+0x88/0x120',
    ],
  };
}
