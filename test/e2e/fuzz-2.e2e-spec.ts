import { fuzzSuite } from '../support/fuzz-suite';

// Part 2 of the property-based fuzz suite (test/support/fuzz-suite.ts); part 1 runs beside it
// in fuzz.e2e-spec.ts, on a stack of its own.
fuzzSuite(1, 2);
