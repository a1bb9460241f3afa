//! The lanes: a bounded queue where urgent messages are always taken first.

use super::*;

pub(super) struct Job {
    pub(super) lane: Lane,
    pub(super) name: OsString,
    /// Found in `.claimed/` at start: its routes may already be recorded.
    pub(super) recovered: bool,
    pub(super) claimed_at: Instant,
}

struct LaneState {
    urgent: VecDeque<Job>,
    routine: VecDeque<Job>,
    closed: bool,
}

pub(super) struct Lanes {
    state: Mutex<LaneState>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: usize,
}

impl Lanes {
    pub(super) fn new(capacity: usize) -> Lanes {
        Lanes {
            state: Mutex::new(LaneState {
                urgent: VecDeque::new(),
                routine: VecDeque::new(),
                closed: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }
    pub(super) fn room(&self) -> usize {
        let s = lock(&self.state);
        self.capacity.saturating_sub(s.urgent.len() + s.routine.len())
    }
    pub(super) fn urgent_room(&self) -> usize {
        self.capacity.saturating_sub(lock(&self.state).urgent.len())
    }
    pub(super) fn is_empty(&self) -> bool {
        let s = lock(&self.state);
        s.urgent.is_empty() && s.routine.is_empty()
    }
    /// Push without waiting (the scanner only claims what fits).
    pub(super) fn push(&self, job: Job) {
        let mut s = lock(&self.state);
        match job.lane {
            Lane::Urgent => s.urgent.push_back(job),
            Lane::Routine => s.routine.push_back(job),
        }
        self.not_empty.notify_one();
    }
    /// The next job, urgent first; `None` once closed and empty.
    pub(super) fn pop(&self) -> Option<Job> {
        let mut s = lock(&self.state);
        loop {
            if let Some(j) = s.urgent.pop_front().or_else(|| s.routine.pop_front()) {
                self.not_full.notify_one();
                return Some(j);
            }
            if s.closed {
                return None;
            }
            s = self
                .not_empty
                .wait(s)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
    pub(super) fn wait_for_room(&self, timeout: Duration) {
        let s = lock(&self.state);
        if s.urgent.len() + s.routine.len() >= self.capacity {
            let _ = self.not_full.wait_timeout(s, timeout);
        }
    }
    pub(super) fn close(&self) {
        lock(&self.state).closed = true;
        self.not_empty.notify_all();
    }
}
