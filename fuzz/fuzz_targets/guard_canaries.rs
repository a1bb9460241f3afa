#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sekisho::fuzzing::guard_canaries(data));
