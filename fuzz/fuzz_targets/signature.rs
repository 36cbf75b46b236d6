//! HTTP signature headers, draft-cavage and RFC 9421 (see `cohort::fuzzing::signature` for the
//! request format).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cohort::fuzzing::signature(data));
