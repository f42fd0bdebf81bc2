// journeys_a11y_parties.test.mjs — the accessibility tour of
// journeys_a11y.test.mjs for the right holder, the seller and the officer.
import { a11yTour } from './journeys_lib.mjs';

a11yTour('journeys_a11y_parties.test.mjs', ['rightholder', 'seller', 'officer']);
