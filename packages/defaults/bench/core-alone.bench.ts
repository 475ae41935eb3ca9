import { featuresOffPairs } from './features-off';

featuresOffPairs(false);
