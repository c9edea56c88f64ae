//! The counting allocator counts exactly, installed as this test binary's global allocator.

use sigma_metrics::alloc::{CountingAllocator, Profile, measure, reset, snapshot};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

// One test function, so no other test thread allocates while it measures.
#[test]
fn counts_allocations_bytes_and_peaks() {
    let (_, nothing) = measure(|| 1 + 1);
    assert_eq!(nothing.allocations, 0);
    assert_eq!(nothing.bytes, 0);

    let (v, one) = measure(|| Vec::<u8>::with_capacity(4096));
    assert_eq!((one.allocations, one.bytes, one.peak_above_start), (1, 4096, 4096));
    drop(v);

    let (_, temp) = measure(|| {
        let a = vec![0u8; 1000];
        let b = vec![0u8; 3000];
        drop(a);
        drop(b);
        let c = vec![0u8; 500];
        drop(c);
    });
    assert_eq!(temp.allocations, 3);
    assert_eq!(temp.bytes, 4500);
    assert_eq!(temp.peak_above_start, 4000);

    let (v, grown) = measure(|| {
        let mut v = Vec::<u8>::with_capacity(16);
        v.reserve_exact(64);
        v
    });
    assert_eq!(grown.allocations, 2, "allocation and reallocation");
    assert_eq!(grown.bytes, 16 + 64);
    drop(v);

    let mut profile = Profile::new();
    let kept = profile.measure("first", || vec![1u64; 100]);
    profile.measure("second", || drop(vec![1u8; 10]));
    assert_eq!(profile.get("first").map(|u| (u.allocations, u.bytes)), Some((1, 800)));
    assert_eq!(profile.get("second").map(|u| u.bytes), Some(10));
    assert_eq!(profile.entries().len(), 2);
    drop(kept);

    // Another thread's allocations are not the measured operation's.
    let (_, other_thread) = measure(|| {
        std::thread::scope(|scope| {
            scope.spawn(|| drop(vec![0u8; 100_000]));
        });
    });
    assert!(other_thread.bytes < 100_000, "{other_thread:?}");

    reset();
    let s = snapshot();
    assert_eq!((s.allocations, s.frees, s.bytes), (0, 0, 0));
    assert_eq!(s.peak, s.current);
}
