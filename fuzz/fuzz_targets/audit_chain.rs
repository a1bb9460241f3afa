#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sekisho::fuzzing::audit_chain(data));
