/**
 * Rows of cells as the lines of a text table: columns two spaces apart, each as wide as its widest cell, numbers
 * right-aligned and the `leftAligned` columns (names, text) left-aligned; no trailing blanks.
 */
export function formatTable(rows: readonly (readonly string[])[], leftAligned: readonly number[]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((cells) => cells[column]!.length)));
  return rows.map((cells) =>
    cells
      .map((cell, column) =>
        leftAligned.includes(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd(),
  );
}
