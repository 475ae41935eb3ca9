/**
 * `memparse()` (lib/cmdline.c): a number in C notation (decimal, `0x` hex or leading-`0` octal) followed by an
 * optional K, M, G, T, P or E suffix (either case), each a factor of 1024. Returns undefined for anything else.
 *
 * Deliberate difference: the kernel stops at the first character it cannot use and ignores the rest
 * (`mem=12Q` means 12 bytes); mmsim rejects trailing text so that a typo is an error, not a 12-byte machine.
 * Values beyond 2^53 bytes are rejected too.
 */
export function memparse(text: string): number | undefined {
  const match = /^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)([kmgtpe]?)$/i.exec(text);
  if (match === null) return undefined;
  const digits = match[1]!;
  let value: number;
  if (/^0x/i.test(digits)) value = Number.parseInt(digits.slice(2), 16);
  else if (digits.length > 1 && digits.startsWith('0')) value = Number.parseInt(digits, 8);
  else value = Number.parseInt(digits, 10);
  const shift = ' kmgtpe'.indexOf((match[2] || ' ').toLowerCase()) * 10;
  const result = value * 2 ** shift;
  return Number.isSafeInteger(result) ? result : undefined;
}

/** Formats a byte count the way users write it: `4G`, `512M`, `64K`, or bytes. */
export function formatSize(bytes: number): string {
  for (const [suffix, shift] of [
    ['T', 40],
    ['G', 30],
    ['M', 20],
    ['K', 10],
  ] as const) {
    if (bytes >= 2 ** shift && bytes % 2 ** shift === 0) return `${bytes / 2 ** shift}${suffix}`;
  }
  return `${bytes}`;
}
