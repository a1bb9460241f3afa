//! A global allocator that forwards to the system one and counts, for the tests that measure
//! work rather than time (`tests/scaling*.rs`, `tests/embedded_scaling.rs`): allocations, bytes
//! allocated, and the peak of bytes live. A test binary includes it with
//! `#[path = "common/counting.rs"] mod counting;`, which installs it for that binary.
//!
//! The library forbids `unsafe`; these test binaries need it for the one thing Rust only offers
//! that way, a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed).saturating_add(size);
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        grew(layout.size());
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        grew(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What one run allocated. The counters are global to the test binary: a test that compares
/// runs holds a lock or runs alone, as other threads' allocations are counted too.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // not every binary reads every count
pub struct Work {
    pub allocations: usize,
    pub bytes: usize,
    /// The peak of bytes live during the run, above what was live before it.
    pub peak: usize,
}

/// Runs `f` and counts what it allocated.
pub fn counted<T>(f: impl FnOnce() -> T) -> (T, Work) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (a0, b0) = (ALLOCATIONS.load(Ordering::Relaxed), ALLOCATED.load(Ordering::Relaxed));
    let out = f();
    let (a1, b1) = (ALLOCATIONS.load(Ordering::Relaxed), ALLOCATED.load(Ordering::Relaxed));
    let work = Work {
        allocations: a1.saturating_sub(a0),
        bytes: b1.saturating_sub(b0),
        peak: PEAK.load(Ordering::Relaxed).saturating_sub(before),
    };
    (out, work)
}
