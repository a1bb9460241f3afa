//! Releasing an XML message under a policy: the 4778 binding and its 4774 label decide the
//! document (one labelled unit); the payload is cut to the policy's per-namespace allowlists and
//! sanitised by the same redaction and dirty-word rules as STIX; the label is rebuilt from its
//! model; namespace declarations of namespaces nothing kept uses are removed.
//!
//! Unit names are element paths as written: `/mb:BindingInformation/mb:Data/alert/info[1]`, an
//! attribute as `…/@name`.

use std::borrow::Cow;

use crate::format::xml::label4774::{self, ConfidentialityLabel};
use crate::format::xml::{Attribute, Builder, Document, Element, Node, XML_NS};
use crate::release::decision::{UnitDecision, UnitVerdict, shown_unit};

pub mod handling;
pub mod label;
pub mod names;
use crate::policy::sanitise::{Applied, DirtyAction, INTERNAL_REPLACEMENT, PatternAction, TextRule};
use crate::policy::{Policy, UnknownAction, XmlPolicy};

/// The result of releasing a document: [`crate::release::Release`] over the document.
pub type Release<'a> = crate::release::outcome::Release<Document<'a>>;

fn decision(
    unit: &str,
    rule: impl Into<Cow<'static, str>>,
    verdict: UnitVerdict,
    detail: impl Into<String>,
) -> UnitDecision {
    UnitDecision {
        unit: shown_unit(&[unit]),
        label: None,
        rule: rule.into(),
        verdict,
        detail: detail.into(),
    }
}

/// Release `doc` under `policy`.
pub fn release<'a>(doc: Document<'a>, policy: &Policy) -> Release<'a> {
    let mut r = Release::empty();
    let root = doc.root();
    let root_at = format!("/{}", root.qname());
    let Some(xml) = &policy.xml else {
        r.decisions.push(decision(
            &root_at,
            "format",
            UnitVerdict::Reject,
            "this policy has no `[xml]` rules",
        ));
        return r;
    };

    // 1. The binding and the label.
    let b = match label4774::binding(&doc) {
        Ok(b) => b,
        Err(e) => {
            r.decisions.push(decision(&e.at, e.rule, UnitVerdict::Reject, e.detail));
            return r;
        }
    };
    let (Some(metadata), Some(label_el), Some(data), Some(payload)) = (
        doc.element(b.metadata),
        doc.element(b.label),
        doc.element(b.data),
        doc.element(b.payload),
    ) else {
        return r;
    };
    // The path of the element holding `Metadata` and `Data`: the root, or its `MetadataBinding`.
    let holder_at = match b.nesting.and_then(|(c, m)| Some((doc.element(c)?, doc.element(m)?))) {
        Some((c, m)) => format!("{root_at}/{}/{}", c.qname(), m.qname()),
        None => root_at.clone(),
    };
    let label_at = format!("{holder_at}/{}/{}", metadata.qname(), label_el.qname());
    let mut model = match ConfidentialityLabel::read(label_el, &label_at) {
        Ok(l) => l,
        Err(e) => {
            r.decisions.push(decision(&e.at, e.rule, UnitVerdict::Reject, e.detail));
            return r;
        }
    };
    let label = match label::to_label(&model, policy, &label_at) {
        Ok(l) => l,
        Err(e) => {
            r.decisions.push(decision(&e.at, e.rule, UnitVerdict::Reject, e.detail));
            return r;
        }
    };
    if let Err(e) = label::unread_markings(&model, policy, &label_at) {
        r.decisions.push(decision(&e.at, e.rule, UnitVerdict::Reject, e.detail));
        return r;
    }

    // 2. The decision on the document, from its label.
    let data_at = format!("{holder_at}/{}", data.qname());
    let payload_at = format!("{data_at}/{}", payload.qname());
    r.units_in = payload.count();
    if let Some(c) = label::uncleared(&model, policy) {
        let kind = match c.kind {
            label4774::CategoryType::Restrictive => "restrictive",
            _ => "permissive",
        };
        r.decisions.push(UnitDecision {
            label: Some(label),
            ..decision(
                &label_at,
                "category-not-cleared",
                UnitVerdict::Drop,
                format!("{kind} category `{}` is not one the partner is cleared for", c.tag_name),
            )
        });
        return r;
    }
    let d = policy.decide_with(&label, xml.tlp_required);
    let released = d.released();
    let doc_label = released.then(|| label.clone());
    r.decisions.push(UnitDecision {
        label: Some(label),
        ..decision(
            &payload_at,
            d.rule,
            if released { UnitVerdict::Keep } else { UnitVerdict::Drop },
            d.detail,
        )
    });
    if !released {
        return r;
    }

    // The label's own parts: the privacy mark is free text under the text rules; the
    // originator stays on our side (see `label4774`).
    let prefix = label_el.prefix().map(|p| format!("{p}:")).unwrap_or_default();
    if let Some(mark) = &model.privacy_mark {
        let unit = format!("{label_at}/{prefix}ConfidentialityInformation/{prefix}PrivacyMark");
        if let Some(d) = label_text(policy, mark, "PrivacyMark", &unit) {
            r.decisions.push(d);
            return r;
        }
    }
    // Every other free text of the label passes the same rules (the verifier reads them all).
    for (local, text) in label::texts(&model).into_iter().filter(|(l, _)| *l != "PrivacyMark") {
        if let Some(d) = label_text(policy, text, local, &format!("{label_at}/{local}")) {
            r.decisions.push(d);
            return r;
        }
    }
    // The payload's own handling markings (IODEF `restriction`, CAP `scope` and `restriction`)
    // only tighten what the label allows.
    if let Some(label) = &doc_label
        && let Err(stop) = handling::check(payload, &payload_at, label, policy, xml.tlp_required)
    {
        let verdict = if stop.rule == "payload-restriction" {
            UnitVerdict::Drop
        } else {
            UnitVerdict::Reject
        };
        r.decisions.push(decision(&stop.at, stop.rule, verdict, stop.detail));
        return r;
    }
    if model.originator.take().is_some() {
        r.removed += 1;
        r.decisions.push(decision(
            &format!("{label_at}/{prefix}OriginatorID"),
            "label-originator",
            UnitVerdict::Remove,
            "the label's `OriginatorID` names who labelled it on our side; the released label goes without it",
        ));
    }

    // 3. The payload: allowlists and text rules.
    let Some(ns) = payload.namespace() else {
        r.decisions.push(decision(
            &payload_at,
            "element-allowlist",
            UnitVerdict::Reject,
            "the payload element is in no namespace",
        ));
        return r;
    };
    if !xml
        .namespaces
        .get(ns.as_ref())
        .is_some_and(|n| n.elements.contains(payload.local()))
    {
        r.decisions.push(decision(
            &payload_at,
            "element-allowlist",
            UnitVerdict::Reject,
            format!(
                "payload `{}` in `{ns}` is not in the policy's allowlists",
                payload.local()
            ),
        ));
        return r;
    }
    // 3. The rebuilt document: the binding as it was (with its `MetadataBindingContainer` and
    // `MetadataBinding` when nested so), the label rebuilt from its model, the payload walked
    // (the binding holds nothing else but white space).
    let mut out = Builder::with_capacity(doc.node_count(), doc.attribute_count());
    let mut rebuild = Rebuild {
        binding: b,
        model: &model,
        walk: Walk {
            policy,
            label: doc_label,
            xml,
            r: &mut r,
            stop: &mut false,
            path: payload_at,
        },
        payload_id: None,
    };
    rebuild.wrapper(root, &mut out);
    if *rebuild.walk.stop {
        return r;
    }
    let payload_id = rebuild.payload_id;
    let Some(mut doc) = out.finish() else {
        r.decisions.push(decision(
            &root_at,
            "internal",
            UnitVerdict::Reject,
            "the released document could not be rebuilt",
        ));
        return r;
    };

    // 4. Declarations nothing kept uses removed (an allowed namespace included); in the
    // payload, declarations of namespaces nothing in the payload uses (F14: the label's,
    // declared on a payload element).
    let payload_el = payload_id.and_then(|id| doc.element(id));
    let mut payload_used: Vec<String> = Vec::new();
    if let Some(p) = payload_el {
        namespaces_used(p, None, &mut payload_used);
    }
    // The whole document's: the payload's, and the binding's and label's around it.
    let mut used = payload_used.clone();
    namespaces_used(doc.root(), payload_id, &mut used);
    let payload_ids = payload_el.map(|p| p.id()..=last_id(p));
    let known = |id: usize, uri: &str| {
        let in_use = if payload_ids.as_ref().is_some_and(|ids| ids.contains(&id)) {
            &payload_used
        } else {
            &used
        };
        in_use.iter().any(|u| u == uri)
    };
    let gone = (0..doc.node_count())
        .filter_map(|id| doc.element(id))
        .any(|e| e.declarations().iter().any(|d| !known(e.id(), &d.uri)));
    if gone {
        strip_declarations(doc.root(), &mut root_at.clone(), &known, &mut r);
        doc.retain_declarations(|id, d| known(id, &d.uri));
    }
    // 5. Written with the guard's own prefixes and declarations, never the input's (F04).
    if let Some(id) = payload_id {
        match names::canonical(&doc, id) {
            Ok(canonical) => doc = canonical,
            Err(why) => {
                r.decisions
                    .push(decision(&root_at, "xml-names", UnitVerdict::Reject, why));
                return r;
            }
        }
    }
    r.units_out = payload_id.and_then(|id| doc.element(id)).map_or(0, |p| p.count());
    // `mode` changes nothing here: the document is one unit, decided above, and cutting it to
    // the allowlists and redacting are sanitisation, which all-or-nothing allows (as for STIX).
    r.output = Some(doc);
    r
}

/// Rebuilding the binding around the label and the payload.
struct Rebuild<'m, 'p, 'r, 'd> {
    binding: label4774::Binding,
    model: &'m ConfidentialityLabel,
    walk: Walk<'p, 'r, 'd>,
    /// The payload's id in the output.
    payload_id: Option<usize>,
}

impl<'d> Rebuild<'_, '_, '_, 'd> {
    /// Write a binding element `e` (the root, the container, the binding, `Metadata`, `Data`)
    /// like it was, the label in it from the model and the payload in it walked. Stops early
    /// when the walk stops.
    fn wrapper(&mut self, e: Element<'_, 'd>, out: &mut Builder<'d>) {
        open_like(out, e, e.attributes().map(|a| a.to_attribute()));
        let b = self.binding;
        for child in e.children() {
            match child {
                Node::Text(t) => {
                    out.text(t.clone());
                }
                Node::Element(l) if l.id() == b.label => self.model.write(l, out),
                Node::Element(p) if p.id() == b.payload => {
                    self.payload_id = Some(self.walk.element(p, out));
                    if *self.walk.stop {
                        return;
                    }
                }
                Node::Element(w)
                    if w.id() == b.metadata
                        || w.id() == b.data
                        || b.nesting.is_some_and(|(c, m)| w.id() == c || w.id() == m) =>
                {
                    self.wrapper(w, out);
                    if *self.walk.stop {
                        return;
                    }
                }
                Node::Element(x) => out.copy(x),
            }
        }
        out.close();
    }
}

/// The text and internal-address rules on a text of the label itself (element `local`): any
/// match keeps the message behind, because a label is never rewritten. The decision, if any.
fn label_text(policy: &Policy, s: &str, local: &str, unit: &str) -> Option<UnitDecision> {
    let rules = &policy.text_rules;
    match rules.apply(s, |rule| selects(rule, unit, None)) {
        Applied::Clean => {}
        Applied::Stop { rule, action } => {
            let id = rules.rules.get(rule).map_or(String::new(), |x| x.id.clone());
            let verdict = if action == DirtyAction::Reject {
                UnitVerdict::Reject
            } else {
                UnitVerdict::Drop
            };
            let detail = format!("the label's `{local}` matched `{id}`: the message stays behind");
            return Some(decision(unit, id, verdict, detail));
        }
        Applied::Redacted { counts, .. } => {
            let id = counts
                .first()
                .and_then(|(rule, _)| rules.rules.get(*rule))
                .map_or(String::new(), |x| x.id.clone());
            let detail = format!(
                "the label's `{local}` matched redaction rule `{id}`; a label is not rewritten, so the message stays behind"
            );
            return Some(decision(unit, id, UnitVerdict::Drop, detail));
        }
    }
    policy.address_rules.iter().find_map(|rule| {
        rule.hit_in_text(s).map(|hit| {
            decision(
                unit,
                rule.id.clone(),
                UnitVerdict::Drop,
                format!(
                    "the label's `{local}` holds `{hit}`, inside an internal range or domain: the message stays behind"
                ),
            )
        })
    })
}

/// Walking the payload. `path` is the current element's path; units are named from it only
/// when a decision needs one.
struct Walk<'p, 'r, 'd> {
    policy: &'p Policy,
    /// The document's label, which a marking written in its text is met with.
    label: Option<crate::label::Label>,
    xml: &'p XmlPolicy,
    r: &'r mut Release<'d>,
    stop: &'r mut bool,
    path: String,
}

/// The 1-based positions of an element's children among their siblings of the same name, in
/// document order: [`Positions::next`] is called once per element child, in order. A parent of
/// few children compares names; one of many ranks them once by a sort of their node ids (n log n,
/// 8 bytes a child while sorting, 4 after), so a parent of a million distinctly named children
/// stays fast and small.
enum Positions<'x> {
    Few(Vec<(Option<&'x str>, &'x str, usize)>),
    Ranked { positions: Vec<u32>, next: usize },
}

/// Up to this many element children, positions are counted by comparing names.
const FEW_CHILDREN: usize = 16;

impl<'x> Positions<'x> {
    fn of(e: Element<'_, 'x>) -> Self {
        if e.elements().nth(FEW_CHILDREN).is_none() {
            return Positions::Few(Vec::new());
        }
        // The children's node ids, in document order, and their ordinals sorted by name (then
        // order): 12 bytes a child while ranking, not a view of each.
        let doc = e.document();
        let ids: Vec<u32> = e
            .elements()
            .map(|k| u32::try_from(k.id()).unwrap_or(u32::MAX))
            .collect();
        let name = |o: u32| {
            usize::try_from(o)
                .ok()
                .and_then(|o| ids.get(o))
                .and_then(|id| usize::try_from(*id).ok())
                .and_then(|id| doc.element(id))
                .map(|k| (k.prefix(), k.local()))
        };
        let mut order: Vec<u32> = (0..u32::try_from(ids.len()).unwrap_or(u32::MAX)).collect();
        order.sort_unstable_by(|a, b| name(*a).cmp(&name(*b)).then(a.cmp(b)));
        let mut positions = vec![0u32; ids.len()];
        let mut run = None;
        let mut n = 0u32;
        for o in order {
            let this = name(o);
            if run == Some(this) {
                n = n.saturating_add(1);
            } else {
                run = Some(this);
                n = 1;
            }
            if let Some(slot) = usize::try_from(o).ok().and_then(|o| positions.get_mut(o)) {
                *slot = n;
            }
        }
        Positions::Ranked { positions, next: 0 }
    }

    fn next(&mut self, e: Element<'_, 'x>) -> usize {
        match self {
            Positions::Few(counts) => match counts.iter_mut().find(|(p, l, _)| *p == e.prefix() && *l == e.local()) {
                Some((_, _, n)) => {
                    *n = n.saturating_add(1);
                    *n
                }
                None => {
                    counts.push((e.prefix(), e.local(), 1));
                    1
                }
            },
            Positions::Ranked { positions, next } => {
                let n = positions.get(*next).copied().unwrap_or(0);
                *next = next.saturating_add(1);
                usize::try_from(n).unwrap_or(0)
            }
        }
    }
}

/// Open an element like `e` (name, namespace, declarations) with `attributes`.
fn open_like<'a>(
    out: &mut Builder<'a>,
    e: Element<'_, 'a>,
    attributes: impl IntoIterator<Item = Attribute<'a>>,
) -> usize {
    out.open(
        e.prefix(),
        e.local(),
        e.namespace().cloned(),
        e.declarations().iter().cloned(),
        attributes,
    )
}

fn push_segment(path: &mut String, e: Element<'_, '_>, n: usize) {
    use std::fmt::Write;
    path.push('/');
    if let Some(p) = e.prefix() {
        path.push_str(p);
        path.push(':');
    }
    path.push_str(e.local());
    let _ = write!(path, "[{n}]");
}

fn is_blank(t: &str) -> bool {
    t.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

impl<'d> Walk<'_, '_, 'd> {
    /// Write `e` (which is itself allowed) to `out` under the allowlists and text rules, and
    /// below; `e`'s path is `self.path`. Its id in `out`.
    fn element(&mut self, e: Element<'_, 'd>, out: &mut Builder<'d>) -> usize {
        // Attributes.
        let xml = self.xml;
        let ens = e.namespace().map(|n| n.as_ref());
        let mut removed = Vec::new();
        let mut attributes = Vec::with_capacity(e.attributes().len());
        for a in e.attributes() {
            let ans = a.namespace();
            let ns = match ans {
                None => ens,
                Some(n) if n == XML_NS => ens,
                Some(n) => Some(n.as_ref()),
            };
            // Of the `xml:` attributes only `xml:lang` and `xml:space` exist to be allowed.
            let real_xml = ans.map(|n| n.as_ref()) != Some(XML_NS) || matches!(a.local(), "lang" | "space");
            let keep = real_xml
                && ns
                    .and_then(|n| xml.namespaces.get(n))
                    .is_some_and(|n| n.attributes.contains(a.local()))
                && ans
                    .map(|n| n.as_ref())
                    .is_none_or(|n| n == XML_NS || xml.namespaces.contains_key(n));
            if keep {
                attributes.push(a.to_attribute());
            } else {
                removed.push((a.prefix(), a.local()));
            }
        }
        for (prefix, local) in removed {
            self.r.removed += 1;
            const RULE: &str = "attribute-allowlist";
            if !self.r.decisions.wants(RULE, UnitVerdict::Remove) {
                self.r.decisions.count_only(RULE, UnitVerdict::Remove);
                continue;
            }
            let name = match prefix {
                Some(p) => format!("/@{p}:{local}"),
                None => format!("/@{local}"),
            };
            self.r.decisions.push(decision(
                &shown_unit(&[&self.path, &name]),
                RULE,
                UnitVerdict::Remove,
                "attribute not in the namespace's allowlist",
            ));
        }
        for a in &mut attributes {
            let local = a.local;
            if !self.text(&mut a.value, local, true, &|| format!("/@{local}")) {
                return 0;
            }
        }
        let id = open_like(out, e, attributes);
        // Children. Text is held back one step: the white space that indented a dropped element
        // goes with it.
        let mut counts = Positions::of(e);
        let mut held: Option<Cow<'d, str>> = None;
        let local = e.local();
        for child in e.children() {
            if *self.stop {
                return id;
            }
            match child {
                Node::Text(t) => {
                    let mut t = t.clone();
                    if !self.text(&mut t, local, false, &|| "/text()".to_string()) {
                        return id;
                    }
                    if let Some(h) = held.replace(t) {
                        out.text(h);
                    }
                }
                Node::Element(c) => {
                    let n = counts.next(c);
                    let len = self.path.len();
                    push_segment(&mut self.path, c, n);
                    let allowed = c
                        .namespace()
                        .and_then(|ns| xml.namespaces.get(ns.as_ref()))
                        .is_some_and(|ns| ns.elements.contains(c.local()));
                    if !allowed && xml.unknown_elements != UnknownAction::Reject {
                        if held.as_deref().is_some_and(is_blank) {
                            held = None;
                        }
                        self.r.dropped += c.count();
                        if !self.r.decisions.wants("element-allowlist", UnitVerdict::Drop) {
                            self.r.decisions.count_only("element-allowlist", UnitVerdict::Drop);
                            self.path.truncate(len);
                            continue;
                        }
                    }
                    if !allowed {
                        let what = match c.namespace() {
                            Some(ns) => format!("`{}` in `{ns}` is not in the policy's allowlists", c.local()),
                            None => format!("`{}` is in no namespace", c.local()),
                        };
                        if xml.unknown_elements == UnknownAction::Reject {
                            self.r
                                .decisions
                                .push(decision(&self.path, "element-allowlist", UnitVerdict::Reject, what));
                            *self.stop = true;
                            return id;
                        }
                        self.r
                            .decisions
                            .push(decision(&self.path, "element-allowlist", UnitVerdict::Drop, what));
                        self.path.truncate(len);
                        continue;
                    }
                    if let Some(h) = held.take() {
                        out.text(h);
                    }
                    self.element(c, out);
                    self.path.truncate(len);
                }
            }
        }
        if let Some(h) = held.take() {
            out.text(h);
        }
        out.close();
        id
    }

    /// Apply the text rules, then the internal address rules, to one string of element or
    /// attribute `local`; false when the message may not go.
    fn text(&mut self, s: &mut Cow<'_, str>, local: &str, attribute: bool, suffix: &dyn Fn() -> String) -> bool {
        let rules = &self.policy.text_rules;
        let addresses = &self.policy.address_rules;
        // Indentation between elements carries nothing to find (dirty words are never blank).
        if is_blank(s) {
            return true;
        }
        // A marking written in the text (`TOP SECRET//NOFORN` in an alert's instruction) is the
        // document's marking too: one that cannot be read or may not go keeps the message back.
        let prepared = crate::text::Prepared::new(s);
        let unit = || shown_unit(&[&self.path, &suffix()]);
        // Text a screen shows that no rule reads (a `data:` URI of compressed bytes, CSS
        // generated content) keeps the message back, however clean the rest reads.
        if let Some(why) = prepared.unread() {
            self.r
                .decisions
                .push(decision(&unit(), "text-unreadable", UnitVerdict::Drop, why));
            *self.stop = true;
            return false;
        }
        if let Some(why) =
            crate::release::marking_text::marking_in_text(&prepared, self.label.as_ref(), self.policy, &unit())
        {
            self.r
                .decisions
                .push(decision(&unit(), "marking-in-text", UnitVerdict::Drop, why));
            *self.stop = true;
            return false;
        }
        if rules.is_empty() && addresses.is_empty() {
            return true;
        }
        let mut changed = false;
        let at = &self.path;
        let applied = rules.apply_prepared(&prepared, |rule| selects(rule, at, attribute.then_some(local)));
        drop(prepared);
        match applied {
            Applied::Clean => {}
            Applied::Stop { rule, action } => {
                let unit = &shown_unit(&[&self.path, &suffix()]);
                let id = rules.rules.get(rule).map_or(String::new(), |x| x.id.clone());
                let verdict = if action == DirtyAction::Reject {
                    UnitVerdict::Reject
                } else {
                    UnitVerdict::Drop
                };
                self.r.decisions.push(decision(
                    unit,
                    id.clone(),
                    verdict,
                    format!("text matched by `{id}`: the message stays behind"),
                ));
                *self.stop = true;
                return false;
            }
            Applied::Redacted { text, counts } => {
                let unit = &shown_unit(&[&self.path, &suffix()]);
                *s = Cow::Owned(text);
                changed = true;
                for (rule, c) in counts {
                    let id = rules.rules.get(rule).map_or(String::new(), |x| x.id.clone());
                    self.r
                        .decisions
                        .push(decision(unit, id, UnitVerdict::Redact, format!("{c} replacement(s)")));
                }
            }
        }
        // Internal ranges and domains, as for indicator patterns: `drop` keeps the message (the
        // one unit) behind, `redact` replaces each address, network, host, URL or e-mail address
        // that points inside them.
        for rule in addresses {
            match rule.action {
                PatternAction::Drop => {
                    // An IODEF `Address` is one whole value: the short IPv4 forms count there.
                    if let Some(hit) = rule.internal.first(s, local == "Address") {
                        let unit = &shown_unit(&[&self.path, &suffix()]);
                        self.r.decisions.push(decision(
                            unit,
                            rule.id.clone(),
                            UnitVerdict::Drop,
                            format!("`{hit}` is inside an internal range or domain: the message stays behind"),
                        ));
                        *self.stop = true;
                        return false;
                    }
                }
                PatternAction::Redact => {
                    if let Some((text, n)) = rule.internal.redact(s, local == "Address", INTERNAL_REPLACEMENT) {
                        let unit = &shown_unit(&[&self.path, &suffix()]);
                        *s = Cow::Owned(text);
                        changed = true;
                        self.r.decisions.push(decision(
                            unit,
                            rule.id.clone(),
                            UnitVerdict::Redact,
                            format!("{n} internal address(es) or domain(s) replaced"),
                        ));
                    }
                }
            }
        }
        if changed {
            self.r.redactions += 1;
        }
        true
    }
}

/// Whether `rule` looks at a string of the element at `at` (a unit path, `/p:a[1]/b[2]`), or
/// of its attribute `attribute`: rules without paths look at all text; a path `xml.a.b` (or
/// `*.a.b`) selects by the local names at the end of the element chain and the attribute
/// ([`TextPath::selects_xml`]).
fn selects(rule: &TextRule, at: &str, attribute: Option<&str>) -> bool {
    if rule.paths.is_none() && rule.except.is_empty() {
        return true; // reads everything: no chain to build
    }
    let chain: Vec<&str> = at
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let name = s.split('[').next().unwrap_or(s);
            name.rsplit(':').next().unwrap_or(name)
        })
        .chain(attribute)
        .collect();
    if rule.except.iter().any(|p| p.selects_xml(&chain)) {
        return false;
    }
    match &rule.paths {
        None => true,
        Some(paths) => paths.iter().any(|p| p.selects_xml(&chain)),
    }
}

/// The id of the last element of `e`'s subtree (its elements' ids are `e.id()..=` it).
fn last_id(e: Element<'_, '_>) -> usize {
    let mut e = e;
    while let Some(last) = e.elements().last() {
        e = last;
    }
    e.id()
}

/// The namespaces of `e` and its descendants and of their attributes, but the subtree of the
/// element `skip`.
fn namespaces_used(e: Element<'_, '_>, skip: Option<usize>, out: &mut Vec<String>) {
    if skip == Some(e.id()) {
        return;
    }
    let mut add = |n: &str| {
        if !out.iter().any(|u| u == n) {
            out.push(n.to_string());
        }
    };
    if let Some(n) = e.namespace() {
        add(n.as_ref());
    }
    for a in e.attributes() {
        if let Some(n) = a.namespace() {
            add(n.as_ref());
        }
    }
    for c in e.elements() {
        namespaces_used(c, skip, out);
    }
}

/// The decisions to remove namespace declarations of namespaces no kept element or attribute
/// can be in, in `e` and below; `path` is `e`'s path.
fn strip_declarations(e: Element<'_, '_>, path: &mut String, known: &dyn Fn(usize, &str) -> bool, r: &mut Release<'_>) {
    let gone = e
        .declarations()
        .iter()
        .filter(|d| !known(e.id(), &d.uri))
        .map(|d| match d.prefix {
            Some(p) => format!("xmlns:{p}"),
            None => "xmlns".to_string(),
        });
    for g in gone {
        r.removed += 1;
        r.decisions.push(decision(
            &shown_unit(&[path, "/@", &g]),
            "namespace-declaration",
            UnitVerdict::Remove,
            "declares a namespace nothing released is in",
        ));
    }
    let mut counts = Positions::of(e);
    for c in e.elements() {
        let n = counts.next(c);
        let len = path.len();
        push_segment(path, c, n);
        strip_declarations(c, path, known, r);
        path.truncate(len);
    }
}
