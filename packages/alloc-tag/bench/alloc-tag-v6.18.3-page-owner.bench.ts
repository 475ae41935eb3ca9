import { allocTagPairs } from './alloc-tag-pairs';

allocTagPairs('page_owner on');
