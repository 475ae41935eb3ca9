/**
 * `kstrtoull()` (lib/kstrtox.c): an unsigned integer in `base` (0: `0x` hex, `0` octal, else decimal; 16 also
 * takes a `0x` prefix), after an optional `+`, with at most one trailing newline and nothing else. Returns undefined
 * where the kernel returns -EINVAL or -ERANGE (above `max`, 2^64 - 1 by default; values above 2^53 lose precision as numbers).
 */
export function kstrtoull(
  value: string | undefined,
  base: 0 | 8 | 10 | 16,
  max = 0xffff_ffff_ffff_ffffn,
): number | undefined {
  if (value === undefined) return undefined;
  let text = value.startsWith('+') ? value.slice(1) : value;
  if (text.endsWith('\n')) text = text.slice(0, -1);
  let radix: number = base;
  if (base === 0 || base === 16) {
    const hex = /^0[xX][0-9a-fA-F]/.test(text);
    if (base === 0) radix = hex ? 16 : text.startsWith('0') ? 8 : 10;
    if (hex && radix === 16) text = text.slice(2);
  }
  const digits = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(text)) return undefined;
  const parsed = BigInt(radix === 16 ? `0x${text}` : radix === 8 ? `0o${text}` : text);
  return parsed > max ? undefined : Number(parsed);
}

/** `kstrtouint()`: {@link kstrtoull} limited to 32 bits. */
export function kstrtouint(value: string | undefined, base: 0 | 8 | 10 | 16): number | undefined {
  return kstrtoull(value, base, 0xffff_ffffn);
}
