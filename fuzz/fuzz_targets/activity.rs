//! Inbox bodies: activities, objects and actors, as JSON (see `cohort::fuzzing::activity`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cohort::fuzzing::activity(data));
