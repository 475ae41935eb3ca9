import { pageOwnerPairs } from './page-owner-off-vs-on';

pageOwnerPairs('v4.8', false);
