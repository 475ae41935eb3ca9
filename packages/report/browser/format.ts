// Number formats of the report: no DOM here, so that the report's tests run it in Node.

/** A count with thousands separators: `53,474`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** A count and its noun, plural unless 1: `1 page`, `53,474 records`. */
export function plural(value: number, noun: string): string {
  return `${formatCount(value)} ${noun}${value === 1 ? '' : 's'}`;
}

/**
 * A tick of a numeric axis with as many decimals as the step between ticks needs: `0`, `0.5`, `1`, or `12.25`,
 * never `0.30000000000000004` (trailing zeros dropped: `0`, `0.5`, `1`).
 */
export function formatTick(value: number, step: number, unit = ''): string {
  const decimals =
    step > 0 && Number.isFinite(step) ? Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  const text = value.toLocaleString('en', { maximumFractionDigits: decimals });
  return unit === '' ? text : `${text} ${unit}`;
}
