//! Progress of long work (`policy diff` over a corpus, `send` of big files, `audit verify` of a
//! long log), told to whoever shows it. The library only counts; the `sekisho` binary draws a
//! bar (`indicatif`) when its stderr is a terminal and shows nothing otherwise.

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Files,
    Bytes,
}

/// Told how far the work is. Every method defaults to doing nothing.
pub trait Progress {
    /// The work is `total` units of `unit`.
    fn start(&self, _what: &str, _total: u64, _unit: Unit) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The work is over (done or failed).
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// A reader that tells `progress` how many bytes went through it.
pub struct Counting<'p, R> {
    pub inner: R,
    pub progress: &'p dyn Progress,
}

impl<R: std::io::Read> std::io::Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}
