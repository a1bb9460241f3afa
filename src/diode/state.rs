//! The receiver's replay state on disk (docs/diode-protocol.md §7.1): which sessions and sequence
//! numbers are finished (delivered or given up), so that a replayed capture of them is ignored
//! after a receiver restart too, and which renames of delivered messages were promised but may
//! not have happened yet (a crash between the two).
//!
//! The file is `<spool>/.sekisho-diode-state`, JSON, written atomically (temporary file, `fsync`,
//! rename, `fsync` of the directory) before any message it covers is made visible. Its size is
//! bounded: at most `max_sessions` sessions of at most [`MAX_RANGES`] ranges each, and at most
//! `max_retired_sessions` retired ids.
//!
//! A corrupt file stops the receiver with an error naming it; removing the file resets the state
//! (the receiver then says so in its audit file).

use std::collections::{BTreeMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::DiodeError;
use super::event::Event;
use super::limits::ReassemblerConfig;

/// Name of the state file inside the spool directory (a dot name: spool readers skip it).
pub const STATE_FILE: &str = ".sekisho-diode-state";
/// Name of the temporary file the state is written to before it is renamed over [`STATE_FILE`].
pub const STATE_TMP_FILE: &str = ".sekisho-diode-state.tmp";
/// Most disjoint ranges of finished sequence numbers kept per session. Past this the gap between
/// the two lowest ranges is counted as finished: the state errs on refusing, never on accepting.
pub const MAX_RANGES: usize = 1024;
/// Largest state file read back, in bytes (comfortably above what the caps allow).
const MAX_STATE_BYTES: u64 = 16 << 20;
/// Format version of the state file.
const STATE_VERSION: u32 = 1;

/// Finished sequence numbers of one session, as disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    ranges: BTreeMap<u64, u64>,
}

impl Finished {
    /// Mark `first..=last` finished, merging with neighbours; keep at most [`MAX_RANGES`] ranges.
    pub fn insert(&mut self, first: u64, last: u64) {
        let (mut lo, mut hi) = (first.min(last), first.max(last));
        // Merge every range that overlaps or touches lo..=hi.
        let touching: Vec<(u64, u64)> = self
            .ranges
            .range(..=hi.saturating_add(1))
            .rev()
            .take_while(|(_, e)| e.saturating_add(1) >= lo)
            .map(|(s, e)| (*s, *e))
            .collect();
        for (s, e) in touching {
            self.ranges.remove(&s);
            lo = lo.min(s);
            hi = hi.max(e);
        }
        self.ranges.insert(lo, hi);
        while self.ranges.len() > MAX_RANGES {
            let Some((s0, _)) = self.ranges.pop_first() else { break };
            let Some((_, e1)) = self.ranges.pop_first() else { break };
            self.ranges.insert(s0, e1);
        }
    }

    /// Whether `seq` is finished.
    pub fn contains(&self, seq: u64) -> bool {
        self.ranges.range(..=seq).next_back().is_some_and(|(_, e)| seq <= *e)
    }

    /// The ranges, lowest first.
    pub fn ranges(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.ranges.iter().map(|(s, e)| (*s, *e))
    }
}

/// A promised rename of a delivered message: durable in the state file before the rename, so a
/// crash in between is finished at the next start rather than losing the message or writing it
/// twice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingRename {
    /// Temporary name in the spool (`.<sha256>.<pid>.<n>.tmp`).
    pub tmp: String,
    /// Final name in the spool (the SHA-256 in hex, with `.json` or `.xml` when it is one).
    pub name: String,
    pub session: String,
    pub seq: u64,
    pub bytes: u64,
}

impl PendingRename {
    fn is_valid(&self) -> bool {
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let sha = self
            .name
            .strip_suffix(".json")
            .or_else(|| self.name.strip_suffix(".xml"))
            .unwrap_or(&self.name);
        hex64(sha)
            && is_message_tmp(&self.tmp)
            && self.tmp.get(1..65) == Some(sha)
            && self.session.len() == 16
            && u64::from_str_radix(&self.session, 16).is_ok()
    }
}

/// What the receiver must remember across restarts (§7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayState {
    max_sessions: usize,
    max_retired: usize,
    sessions: BTreeMap<u64, Finished>,
    retired: VecDeque<u64>,
    pending: Vec<PendingRename>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    version: u32,
    sessions: Vec<SessionRecord>,
    retired: Vec<String>,
    pending: Vec<PendingRename>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRecord {
    id: String,
    finished: Vec<(u64, u64)>,
}

impl ReplayState {
    /// An empty state with the caps of `cfg` (`max_sessions`, `max_retired_sessions`).
    pub fn new(cfg: &ReassemblerConfig) -> ReplayState {
        ReplayState {
            max_sessions: cfg.max_sessions.max(1),
            max_retired: cfg.max_retired_sessions,
            sessions: BTreeMap::new(),
            retired: VecDeque::new(),
            pending: Vec::new(),
        }
    }

    /// Sessions with finished sequence numbers, and theirs.
    pub fn sessions(&self) -> impl Iterator<Item = (u64, &Finished)> + '_ {
        self.sessions.iter().map(|(id, f)| (*id, f))
    }

    /// Retired session ids, oldest first: every datagram of them is a replay.
    pub fn retired(&self) -> impl Iterator<Item = u64> + '_ {
        self.retired.iter().copied()
    }

    /// The newest session start time (high 32 bits of the id) the state knows of.
    pub fn newest_start(&self) -> u64 {
        self.sessions
            .keys()
            .chain(self.retired.iter())
            .map(|id| id >> 32)
            .max()
            .unwrap_or(0)
    }

    /// Renames promised by the last write and not yet known to be done.
    pub fn pending(&self) -> &[PendingRename] {
        &self.pending
    }

    pub(crate) fn set_pending(&mut self, pending: Vec<PendingRename>) {
        self.pending = pending;
    }

    /// Record what became of a message: delivered or lost, it is finished.
    pub fn record(&mut self, event: &Event) {
        match event {
            Event::Delivered(d) => self.finish(d.session, d.sequence, d.sequence),
            Event::Lost(l) => self.finish(l.session, l.first, l.last),
        }
    }

    /// Mark `first..=last` of `session` finished.
    pub fn finish(&mut self, session: u64, first: u64, last: u64) {
        if self.retired.contains(&session) {
            return;
        }
        // Sequence numbers start at 1 (a 0 is never delivered: it is below every floor).
        self.sessions
            .entry(session)
            .or_default()
            .insert(first.max(1), last.max(1));
        while self.sessions.len() > self.max_sessions {
            // Retire the session that started first (ids are time-ordered, §3.1).
            let Some((oldest, _)) = self.sessions.pop_first() else {
                break;
            };
            self.retired.push_back(oldest);
        }
        while self.retired.len() > self.max_retired {
            self.retired.pop_front();
        }
    }

    fn to_file(&self) -> StateFile {
        StateFile {
            version: STATE_VERSION,
            sessions: self
                .sessions
                .iter()
                .map(|(id, f)| SessionRecord {
                    id: format!("{id:016x}"),
                    finished: f.ranges().collect(),
                })
                .collect(),
            retired: self.retired.iter().map(|id| format!("{id:016x}")).collect(),
            pending: self.pending.clone(),
        }
    }

    /// Parse and check a state file's bytes; `Err` says what is wrong.
    pub fn from_bytes(bytes: &[u8], cfg: &ReassemblerConfig) -> Result<ReplayState, String> {
        let file: StateFile = serde_json::from_slice(bytes).map_err(|e| format!("not a state file: {e}"))?;
        if file.version != STATE_VERSION {
            return Err(format!("state format version {} is not {STATE_VERSION}", file.version));
        }
        let mut state = ReplayState::new(cfg);
        let parse_id = |s: &str| {
            (s.len() == 16)
                .then(|| u64::from_str_radix(s, 16).ok())
                .flatten()
                .ok_or_else(|| format!("session id `{s}` is not 16 hex digits"))
        };
        if file.sessions.len() > state.max_sessions {
            return Err(format!(
                "{} sessions, the cap is {}",
                file.sessions.len(),
                state.max_sessions
            ));
        }
        if file.retired.len() > state.max_retired {
            return Err(format!(
                "{} retired sessions, the cap is {}",
                file.retired.len(),
                state.max_retired
            ));
        }
        for r in &file.retired {
            state.retired.push_back(parse_id(r)?);
        }
        for s in &file.sessions {
            let id = parse_id(&s.id)?;
            if s.finished.len() > MAX_RANGES {
                return Err(format!("session {} has more than {MAX_RANGES} ranges", s.id));
            }
            let mut f = Finished::default();
            let mut prev: Option<u64> = None;
            for &(first, last) in &s.finished {
                if first == 0 || last < first || prev.is_some_and(|p| first <= p.saturating_add(1)) {
                    return Err(format!(
                        "session {}: range {first}..={last} is empty, zero, or not after the previous one",
                        s.id
                    ));
                }
                f.ranges.insert(first, last);
                prev = Some(last);
            }
            if state.sessions.insert(id, f).is_some() || state.retired.contains(&id) {
                return Err(format!("session {} appears twice", s.id));
            }
        }
        if file.pending.len() > 1 << 16 {
            return Err("too many pending renames".into());
        }
        if let Some(p) = file.pending.iter().find(|p| !p.is_valid()) {
            return Err(format!(
                "pending rename `{}` -> `{}` is not a spool name",
                p.tmp, p.name
            ));
        }
        state.pending = file.pending;
        Ok(state)
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec(&self.to_file()).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Read `<dir>/.sekisho-diode-state`: `Ok(None)` if there is none, an error naming the file
    /// if it cannot be read or is not a valid state file.
    pub fn load(dir: &Path, cfg: &ReassemblerConfig) -> Result<Option<ReplayState>, DiodeError> {
        let path = dir.join(STATE_FILE);
        let corrupt = |detail: String| DiodeError::State {
            path: path.clone(),
            detail,
        };
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(corrupt(format!("cannot open it: {e}"))),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_STATE_BYTES + 1), &mut bytes)
            .map_err(|e| corrupt(format!("cannot read it: {e}")))?;
        if bytes.len() as u64 > MAX_STATE_BYTES {
            return Err(corrupt(format!("it is larger than {MAX_STATE_BYTES} bytes")));
        }
        ReplayState::from_bytes(&bytes, cfg).map(Some).map_err(corrupt)
    }

    /// Write the state atomically into `dir`: temporary file, `fsync`, rename, `fsync` of `dir`.
    pub fn store(&self, dir: &Path) -> std::io::Result<()> {
        let tmp = dir.join(STATE_TMP_FILE);
        let mut f = OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(&self.to_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(STATE_FILE))?;
        File::open(dir)?.sync_all()
    }
}

/// The state file's path for a spool directory.
pub fn state_path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

/// A temporary message file's name: `.<sha256 hex>.<pid>.<counter>.tmp`.
pub(crate) fn is_message_tmp(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|t| t.strip_suffix(".tmp")) else {
        return false;
    };
    let mut parts = inner.split('.');
    let digits = |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    parts
        .next()
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        && digits(parts.next())
        && digits(parts.next())
        && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ReassemblerConfig {
        ReassemblerConfig {
            max_sessions: 2,
            max_retired_sessions: 3,
            ..ReassemblerConfig::default()
        }
    }

    #[test]
    fn merges_touching_and_overlapping_ranges() {
        let mut f = Finished::default();
        f.insert(5, 5);
        f.insert(1, 3);
        f.insert(4, 4);
        f.insert(10, 12);
        f.insert(11, 20);
        assert_eq!(f.ranges().collect::<Vec<_>>(), [(1, 5), (10, 20)]);
        assert!(f.contains(3) && f.contains(20) && !f.contains(6) && !f.contains(21) && !f.contains(0));
    }

    #[test]
    fn caps_ranges_by_filling_the_lowest_gap() {
        let mut f = Finished::default();
        for i in 0..(MAX_RANGES as u64 + 5) {
            f.insert(i * 2 + 1, i * 2 + 1);
        }
        assert_eq!(f.ranges().count(), MAX_RANGES);
        // The lowest gaps were filled: refusing more, never accepting more.
        assert!(f.contains(2));
        assert!(f.contains(1) && f.contains(2 * MAX_RANGES as u64 + 9));
    }

    #[test]
    fn retires_the_oldest_session_past_the_cap_and_round_trips() {
        let mut s = ReplayState::new(&cfg());
        for (i, id) in [(1u64 << 32) | 9, (2 << 32) | 1, (3 << 32) | 5].iter().enumerate() {
            s.finish(*id, 1, i as u64 + 1);
        }
        assert_eq!(s.sessions().count(), 2);
        assert_eq!(s.retired().collect::<Vec<_>>(), [(1 << 32) | 9]);
        s.finish((1 << 32) | 9, 7, 7); // retired: nothing to add, it is refused whole
        assert_eq!(s.newest_start(), 3);
        let back = ReplayState::from_bytes(&s.to_bytes(), &cfg()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn refuses_corrupt_state() {
        let mut s = ReplayState::new(&cfg());
        s.finish(7 << 32, 1, 4);
        let good = String::from_utf8(s.to_bytes()).unwrap();
        for bad in [
            String::new(),
            good.get(..good.len() / 2).unwrap().to_string(),
            good.replace("\"version\":1", "\"version\":2"),
            good.replace("[[1,4]]", "[[4,1]]"),
            good.replace("[[1,4]]", "[[0,4]]"),
            good.replace("[[1,4]]", "[[1,4],[5,6]]"),
            good.replace("0000000700000000", "x"),
            good.replace("\"retired\"", "\"extra\":1,\"retired\""),
        ] {
            assert!(ReplayState::from_bytes(bad.as_bytes(), &cfg()).is_err(), "{bad}");
        }
        let pending = good.replace(
            "\"pending\":[]",
            "\"pending\":[{\"tmp\":\"../../etc/x\",\"name\":\"y\",\"session\":\"0000000700000000\",\"seq\":1,\"bytes\":1}]",
        );
        assert!(ReplayState::from_bytes(pending.as_bytes(), &cfg()).is_err());
    }
}
