/**
 * `kstrtobool()` (lib/kstrtox.c, the same in v4.8 and v6.18): decides from the first character (`y`, `Y`, `1`
 * true; `n`, `N`, `0` false) or from the first two (`on` true, `of` false, any case). Returns undefined where the
 * kernel returns -EINVAL, including for a missing value.
 */
export function kstrtobool(value: string | undefined): boolean | undefined {
  if (value === undefined || value.length === 0) return undefined;
  switch (value[0]) {
    case 'y':
    case 'Y':
    case '1':
      return true;
    case 'n':
    case 'N':
    case '0':
      return false;
    case 'o':
    case 'O':
      switch (value[1]) {
        case 'n':
        case 'N':
          return true;
        case 'f':
        case 'F':
          return false;
        default:
          return undefined;
      }
    default:
      return undefined;
  }
}
