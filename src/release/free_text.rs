//! Free text the policy lets go: a STIX statement, a CAP restriction or a 4774 label's free text
//! that states no marking goes only when one of the policy's patterns (`stix.free_statements`,
//! `xml.free_restrictions`, `xml.free_label_texts`) matches it whole, trimmed. Default deny: no pattern, or patterns that do not compile, let
//! nothing go. The patterns are compiled once per policy and thread.

use std::cell::RefCell;
use std::rc::Rc;

use regex::RegexSet;

use crate::policy::Policy;

/// Which of the policy's lists of free text.
#[derive(Clone, Copy)]
pub(crate) enum FreeText {
    /// `stix.free_statements`.
    Statement,
    /// `xml.free_restrictions`.
    Restriction,
    /// `xml.free_label_texts`.
    Label,
}

/// The compiled lists of one policy, by its digest.
struct Compiled {
    sha256: String,
    statements: Option<RegexSet>,
    restrictions: Option<RegexSet>,
    labels: Option<RegexSet>,
}

fn whole(patterns: &[String]) -> Option<RegexSet> {
    RegexSet::new(patterns.iter().map(|p| format!("^(?:{p})$"))).ok()
}

/// Whether `text` is free text of `kind` that `policy` lets go.
pub(crate) fn is_free(text: &str, kind: FreeText, policy: &Policy) -> bool {
    thread_local! {
        static CACHE: RefCell<Option<Rc<Compiled>>> = const { RefCell::new(None) };
    }
    let cached = CACHE.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|c| !c.sha256.is_empty() && c.sha256 == policy.sha256)
            .map(Rc::clone)
    });
    let compiled = cached.unwrap_or_else(|| {
        let compiled = Rc::new(Compiled {
            sha256: policy.sha256.clone(),
            statements: whole(&policy.free_statements),
            restrictions: policy.xml.as_ref().and_then(|x| whole(&x.free_restrictions)),
            labels: policy.xml.as_ref().and_then(|x| whole(&x.free_label_texts)),
        });
        CACHE.with(|c| *c.borrow_mut() = Some(Rc::clone(&compiled)));
        compiled
    });
    let set = match kind {
        FreeText::Statement => &compiled.statements,
        FreeText::Restriction => &compiled.restrictions,
        FreeText::Label => &compiled.labels,
    };
    set.as_ref().is_some_and(|s| s.is_match(text.trim()))
}
