/**
 * `qsort()` as glibc runs it (stdlib/msort.c `msort_with_tmp`, used whenever the temporary buffer can be allocated,
 * which is every realistic case, including glibc 2.39+ where the merge sort was reinstated): a top-down merge sort
 * that splits `n` into `n / 2` and the rest and, when merging, takes the left element when `compare(left, right)
 * <= 0`. It is therefore stable for a consistent comparator, and for an inconsistent one (page_owner_sort's
 * `compare_ts` never returns 0) it gives exactly glibc's order: here, equal timestamps come out in reverse.
 * Sorts `items` in place.
 */
export function glibcQsort<T>(items: T[], compare: (left: T, right: T) => number): void {
  if (items.length <= 1) return;
  mergeSort(items, new Array<T>(items.length), 0, items.length, compare);
}

function mergeSort<T>(items: T[], scratch: T[], start: number, count: number, compare: (left: T, right: T) => number) {
  if (count <= 1) return;
  const leftCount = count >>> 1;
  const middle = start + leftCount;
  const end = start + count;
  mergeSort(items, scratch, start, leftCount, compare);
  mergeSort(items, scratch, middle, count - leftCount, compare);
  let left = start;
  let right = middle;
  let out = 0;
  while (left < middle && right < end) {
    if (compare(items[left]!, items[right]!) <= 0) scratch[out++] = items[left++]!;
    else scratch[out++] = items[right++]!;
  }
  while (left < middle) scratch[out++] = items[left++]!;
  // What is left of the right run is already in place.
  for (let index = 0; index < out; index++) items[start + index] = scratch[index]!;
}
