import { fuzzSuite } from '../support/fuzz-suite';

// Part 1 of the property-based fuzz suite (test/support/fuzz-suite.ts); part 2 runs beside it
// in fuzz-2.e2e-spec.ts, on a stack of its own.
fuzzSuite(0, 2);
