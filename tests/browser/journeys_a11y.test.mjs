// journeys_a11y.test.mjs — one consistent, keyboard-usable portal: every
// role opens every section of its navigation, and on each page
//   - every visible form control has an accessible name (a <label>,
//     aria-label or aria-labelledby) and every button a text or a name;
//   - no control is taken out of the Tab order (tabindex > 0 would reorder
//     it, tabindex=-1 on a visible control would skip it);
//   - the page heading is an <h1> and takes the focus on navigation.
// A screenshot of each role's last page lands in $IPRSHIELD_SCREENSHOTS
// (a11y-<role>-last-section.png); the journeys*.test.mjs files take the rest.
// This file: the platform's roles; journeys_a11y_parties.test.mjs: the
// right holder, the seller and the officer (two files, each under a minute).
import { a11yTour } from './journeys_lib.mjs';

a11yTour('journeys_a11y.test.mjs', ['admin', 'reviewer', 'auditor']);
