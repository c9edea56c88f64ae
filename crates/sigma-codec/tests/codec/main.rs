//! sigma-codec's integration tests, one binary: formats v1 and v2 byte for byte, every fault of
//! the reference refused, session streams, codebooks, batches, and the replay of kept fuzz
//! inputs. (The counting-allocator tests are a binary of their own: `tests/allocations.rs`.)

mod batch;
mod codebook;
mod compact;
mod fuzz_fixtures;
mod session;
mod v1_examples;
mod v1_faults;
mod v1_props;
mod v2;
mod view;
