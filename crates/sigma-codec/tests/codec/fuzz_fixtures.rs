//! Replays every input a fuzz target once failed on (`fixtures/fuzz/TARGET/*`) through the very
//! check the target runs (`sigma_testkit::fuzz`), so a fixed bug stays fixed.

use sigma_testkit::fuzz::{TARGETS, check};
use sigma_testkit::fuzz_inputs;

#[test]
fn kept_fuzz_inputs_pass_their_targets_checks() {
    let mut replayed = 0;
    for target in TARGETS {
        for (name, data) in fuzz_inputs(target) {
            let outcome = std::panic::catch_unwind(|| check(target, &data));
            assert!(outcome.is_ok(), "fixtures/fuzz/{target}/{name} fails its target's check again");
            replayed += 1;
        }
    }
    assert!(replayed > 0, "fixtures/fuzz/ holds the inputs found so far");
}
