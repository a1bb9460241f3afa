//! The units of one large message worked on by several threads: contiguous chunks, one scoped
//! thread each, results in the chunks' order.
//!
//! Bounded: at most [`MAX_THREADS`] threads however many cores, and only for messages with at
//! least [`MIN_UNITS_PER_CHUNK`] units per chunk (below that, starting a thread costs more than
//! it saves). The daemon already runs one worker per core and leaves this at one thread per
//! message ([`crate::policy::Policy::parallel`] is one thread unless a one-shot command raises
//! it).
//!
//! Fail closed: a panic in any chunk is resumed on the calling thread once every chunk has ended,
//! as if the work had been done there; nothing is released from a message one of whose chunks
//! did not finish.

/// Threads one message may use, however many cores the machine has.
pub const MAX_THREADS: usize = 8;

/// Units (STIX objects) a chunk must have for a message to be split at all: measured on generated
/// bundles (README, issue 17), a thread pays for itself from a few hundred objects; below this a
/// message is worked on by the calling thread alone.
pub const MIN_UNITS_PER_CHUNK: usize = 256;

/// The stack of each thread: the main thread's usual 8 MiB, not a spawned thread's 2 MiB, so
/// that what the checks recurse into (nesting up to the limits) fits as it does on the calling
/// thread. Address space only: pages are used as the recursion reaches them.
const STACK_BYTES: usize = 8 << 20;

/// How many threads one message may be worked on by, and from how many units per chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    /// At most this many threads (and at most [`MAX_THREADS`]); 1 works on the calling thread.
    pub threads: usize,
    /// Units a chunk must have ([`MIN_UNITS_PER_CHUNK`]; tests lower it to cut small messages).
    pub min_units: usize,
}

impl Default for Parallel {
    /// One thread: the daemon's setting, a worker per core already.
    fn default() -> Self {
        Parallel {
            threads: 1,
            min_units: MIN_UNITS_PER_CHUNK,
        }
    }
}

impl Parallel {
    /// For a one-shot command (`filter`, `check`, `policy explain`): the cores this process may
    /// use, at most [`MAX_THREADS`].
    pub fn available() -> Self {
        Parallel {
            threads: std::thread::available_parallelism()
                .map_or(1, usize::from)
                .clamp(1, MAX_THREADS),
            ..Parallel::default()
        }
    }

    /// How many chunks `units` units are cut into: each of at least `min_units` units, at most
    /// `threads` (and [`MAX_THREADS`]), at least one.
    pub fn chunks_for(&self, units: usize) -> usize {
        (units / self.min_units.max(1)).clamp(1, self.threads.clamp(1, MAX_THREADS))
    }
}

/// The length of each of `chunks` contiguous chunks of `len` units (the last may be shorter).
pub fn chunk_len(len: usize, chunks: usize) -> usize {
    len.div_ceil(chunks.max(1)).max(1)
}

/// `items` cut into contiguous owned chunks of `len` (the last may be shorter), in order.
pub fn split<T>(items: Vec<T>, len: usize) -> Vec<Vec<T>> {
    let len = len.max(1);
    let mut out = Vec::with_capacity(items.len().div_ceil(len));
    let mut it = items.into_iter().peekable();
    while it.peek().is_some() {
        out.push(it.by_ref().take(len).collect());
    }
    out
}

/// `f` on every job, the first on this thread and each other on a scoped thread of its own; the
/// results in the jobs' order. A job whose thread cannot be started runs on this thread. A panic
/// in any job is resumed here after every job has ended (fail closed: no partial result).
pub fn run<J: Send, R: Send>(jobs: Vec<J>, f: impl Fn(J) -> R + Sync) -> Vec<R> {
    let f = &f;
    let mut jobs = jobs.into_iter();
    let Some(first) = jobs.next() else {
        return Vec::new();
    };
    std::thread::scope(|s| {
        let mut spawned = Vec::new();
        let mut here = Vec::new();
        for (n, job) in jobs.enumerate() {
            // The job travels to its thread in a slot it is taken back from if the thread
            // cannot be started.
            let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(job)));
            let theirs = std::sync::Arc::clone(&slot);
            let started = std::thread::Builder::new()
                .name(format!("sekisho-chunk-{}", n.saturating_add(1)))
                .stack_size(STACK_BYTES)
                .spawn_scoped(s, move || {
                    let job = theirs.lock().ok().and_then(|mut j| j.take());
                    job.map(f)
                });
            match started {
                Ok(h) => spawned.push((n, h)),
                Err(_) => here.push((n, slot)),
            }
        }
        let mut results: Vec<Option<R>> = Vec::new();
        results.resize_with(spawned.len().saturating_add(here.len()).saturating_add(1), || None);
        if let Some(r) = results.first_mut() {
            *r = Some(f(first));
        }
        for (n, slot) in here {
            let job = slot.lock().ok().and_then(|mut j| j.take());
            if let (Some(job), Some(r)) = (job, results.get_mut(n.saturating_add(1))) {
                *r = Some(f(job));
            }
        }
        let mut panicked = None;
        for (n, h) in spawned {
            match h.join() {
                Ok(r) => {
                    if let Some(slot) = results.get_mut(n.saturating_add(1)) {
                        *slot = r;
                    }
                }
                Err(p) => {
                    panicked.get_or_insert(p);
                }
            }
        }
        if let Some(p) = panicked {
            std::panic::resume_unwind(p);
        }
        let all = results.len();
        let out: Vec<R> = results.into_iter().flatten().collect();
        // Every job ran (on its thread or here), so each slot is filled; were one not, the
        // message must not go without its chunk.
        assert_eq!(out.len(), all, "a chunk of the message produced no result");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_order_of_the_jobs() {
        let items: Vec<usize> = (0..1000).collect();
        for chunks in 1..=MAX_THREADS {
            let len = chunk_len(items.len(), chunks);
            let runs = split(items.clone(), len);
            assert!(runs.len() <= chunks);
            let out: Vec<usize> = run(runs, |r: Vec<usize>| r.iter().map(|n| n * 2).collect::<Vec<_>>())
                .into_iter()
                .flatten()
                .collect();
            assert_eq!(out, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(run(Vec::<usize>::new(), |n| n).is_empty());
    }

    #[test]
    fn chunks_are_bounded_and_only_for_large_messages() {
        let p = Parallel {
            threads: 64,
            min_units: MIN_UNITS_PER_CHUNK,
        };
        assert_eq!(p.chunks_for(0), 1);
        assert_eq!(p.chunks_for(MIN_UNITS_PER_CHUNK * 2 - 1), 1);
        assert_eq!(p.chunks_for(MIN_UNITS_PER_CHUNK * 2), 2);
        assert_eq!(p.chunks_for(usize::MAX), MAX_THREADS);
        assert_eq!(
            Parallel::default().chunks_for(usize::MAX),
            1,
            "the daemon's: one thread"
        );
        assert!(Parallel::available().threads <= MAX_THREADS);
    }

    #[test]
    fn a_panic_in_any_chunk_reaches_the_caller() {
        for bad in 0..4usize {
            let r = std::panic::catch_unwind(|| {
                run((0..4usize).collect(), |n| {
                    if n == bad {
                        panic!("chunk {n} fails");
                    }
                    n
                })
            });
            let payload = r.expect_err("a chunk panicked: no result");
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()));
            assert_eq!(text.as_deref(), Some(format!("chunk {bad} fails").as_str()));
        }
    }
}
