import { featuresOffPairs } from './features-off';

featuresOffPairs(true);
