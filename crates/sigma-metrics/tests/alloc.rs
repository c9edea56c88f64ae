//! The counting allocator counts exactly, installed as this test binary's global allocator.

use sigma_metrics::alloc::{CountingAllocator, measure};

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

    // Another thread's allocations are not the measured operation's.
    let (_, other_thread) = measure(|| {
        std::thread::scope(|scope| {
            scope.spawn(|| drop(vec![0u8; 100_000]));
        });
    });
    assert!(other_thread.bytes < 100_000, "{other_thread:?}");

    // The peak counts what was live at once, above where the operation started.
    let (_, peaked) = measure(|| {
        let a = vec![0u8; 4000];
        drop(a);
        drop(vec![0u8; 1000]);
    });
    assert_eq!(peaked.bytes, 5000);
    assert!(peaked.peak_above_start >= 4000 && peaked.peak_above_start < 5000, "{peaked:?}");
}
