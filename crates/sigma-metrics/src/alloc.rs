//! A counting global allocator.
//!
//! Install it in a binary or test crate, then measure what an operation allocates:
//!
//! ```
//! use sigma_metrics::alloc::{CountingAllocator, measure};
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAllocator = CountingAllocator::new();
//!
//! let (v, used) = measure(|| vec![0u8; 1000]);
//! assert_eq!(used.allocations, 1);
//! assert_eq!(used.bytes, 1000);
//! drop(v);
//! ```
//!
//! The counters are a count per thread, and the live and peak bytes of the process as relaxed
//! atomics, cheap enough to leave on while benchmarking: [`measure`] reports the allocations and
//! bytes of the calling thread only (so a test harness or another test allocating at the same
//! time does not show up), and the peak of the whole process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

static CURRENT: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

/// Wraps the system allocator and counts what goes through it.
#[derive(Debug, Default)]
pub struct CountingAllocator;

impl CountingAllocator {
    /// The allocator, for a `#[global_allocator]` static.
    pub const fn new() -> CountingAllocator {
        CountingAllocator
    }
}

thread_local! {
    // Const-initialised and without destructors: reading them never allocates and never fails.
    static THREAD_ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static THREAD_BYTES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Allocations and bytes allocated by the calling thread so far.
fn thread_counts() -> (u64, u64) {
    (
        THREAD_ALLOCATIONS.try_with(std::cell::Cell::get).unwrap_or(0),
        THREAD_BYTES.try_with(std::cell::Cell::get).unwrap_or(0),
    )
}

fn on_alloc(size: usize) {
    // While a thread is exiting its counts are gone: there is nothing left to count for it.
    let _exiting = THREAD_ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    let _exiting = THREAD_BYTES.try_with(|c| c.set(c.get() + size as u64));
    let current = CURRENT.fetch_add(size as u64, Ordering::Relaxed) + size as u64;
    PEAK.fetch_max(current, Ordering::Relaxed);
}

fn on_free(size: usize) {
    CURRENT.fetch_sub(size as u64, Ordering::Relaxed);
}

// The workspace's one `unsafe`: a global allocator must implement an unsafe trait.
// SAFETY: every method forwards to `System` with the same arguments and only adds counting,
// which neither allocates nor touches the memory.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            on_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            on_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator, hence from `System`.
        unsafe { System.dealloc(ptr, layout) };
        on_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::realloc`'s contract.
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            // A reallocation counts as one allocation of the new size and one free of the old.
            on_free(layout.size());
            on_alloc(new_size);
        }
        new_ptr
    }
}

/// What one operation allocated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Allocations it made.
    pub allocations: u64,
    /// Bytes it allocated.
    pub bytes: u64,
    /// The most bytes live at once during it, above what was live when it started.
    pub peak_above_start: u64,
}

/// Runs `operation` and reports what it allocated on the calling thread, and the process's peak
/// above where it started (see the module docs on threads).
pub fn measure<T>(operation: impl FnOnce() -> T) -> (T, Usage) {
    let start_current = CURRENT.load(Ordering::Relaxed);
    PEAK.store(start_current, Ordering::Relaxed);
    let (allocations, bytes) = thread_counts();
    let value = operation();
    let (allocations_after, bytes_after) = thread_counts();
    let usage = Usage {
        allocations: allocations_after.saturating_sub(allocations),
        bytes: bytes_after.saturating_sub(bytes),
        peak_above_start: PEAK.load(Ordering::Relaxed).saturating_sub(start_current),
    };
    (value, usage)
}
