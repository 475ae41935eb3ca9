import { pageOwnerPairs } from './page-owner-off-vs-on';

pageOwnerPairs('v6.18', false);
