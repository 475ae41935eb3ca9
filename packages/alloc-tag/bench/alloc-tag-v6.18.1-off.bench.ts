import { allocTagPairs } from './alloc-tag-pairs';

allocTagPairs('profiling off');
