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

#[test]
fn the_vector_and_analogy_checks_pass_on_ordinary_inputs() {
    check("vectors", b"king 1 1 0\nqueen 1 -1 0\nman 0 1 1\nwoman 0 -1 1\n");
    check("vectors", b"2 2\na 1 0\nb 0 1\n");
    check("tree_analogy", b"{\"user_name\":\"ada\",\"n\":\"1\"}\n{\"username\":\"ada\",\"n\":1}\n{\"user_name\":\"bo\",\"n\":\"2\"}\n");
    check("tree_analogy", b"[1,2,3]\n[1,2]\n{\"x\":1}\n");
}
