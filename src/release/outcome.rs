//! What releasing a message gave, whatever its format (the formats' release steps build it; the
//! guard renders, verifies and audits it).

use crate::release::decision::Decisions;

/// What releasing a message under a policy gave: the model to render when it may go (`None`
/// when it may not), what was decided about each unit, and the counts the audit log keeps.
#[derive(Debug)]
pub struct Release<M> {
    /// The rebuilt model to render, when the message may go.
    pub output: Option<M>,
    /// Counted, and kept up to a cap per rule ([`Decisions`]).
    pub decisions: Decisions,
    /// Units in the message as received (STIX objects, XML payload elements), and as released.
    pub units_in: usize,
    pub units_out: usize,
    /// Units dropped (for STIX, not counting definitions that nothing released referred to).
    pub dropped: usize,
    /// Parts of kept units removed (properties, list elements, attributes, declarations).
    pub removed: usize,
    /// Texts changed by redaction rules and dirty words.
    pub redactions: usize,
}

impl<M> Release<M> {
    /// Nothing decided yet, nothing to render.
    pub fn empty() -> Release<M> {
        Release {
            output: None,
            decisions: Decisions::new(),
            units_in: 0,
            units_out: 0,
            dropped: 0,
            removed: 0,
            redactions: 0,
        }
    }
}
