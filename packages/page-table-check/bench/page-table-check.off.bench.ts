import { pageTableCheckBenches } from './page-table-check-off-vs-on';

pageTableCheckBenches(false);
