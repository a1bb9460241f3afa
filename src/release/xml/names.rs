//! Canonical names (red-team F04): the released document is written with namespace prefixes of
//! the guard's choosing, never the input's, so no name the sender chose crosses unread
//! (`<intranet.corp.example:alert xmlns:intranet.corp.example="…">`, `Operation-NIGHTJAR:`).
//!
//! The prefixes, one per namespace:
//!
//! - the STANAG 4778 binding's elements: `mb`, declared on the root;
//! - the STANAG 4774 label's elements: `slab`, declared on the label's element;
//! - the payload: its root's namespace is the default namespace (declared on the payload
//!   element, so its elements are written unprefixed), and every other namespace of an element
//!   or attribute in it `ns1`, `ns2`, … in the order of first use (all declared on the payload
//!   element; `mb` and `slab` keep theirs, `slab` declared there again); `xml` is `xml`.
//!
//! No other declaration is written: a declaration of the input, wherever it was (F14: the
//! label's namespace declared on an element of the payload), does not cross. The verifier
//! refuses a prefix that is not one of these (`crate::verifier`'s XML path).

use std::borrow::Cow;

use crate::format::xml::names::{NS_4774, NS_4778};
use crate::format::xml::{Attribute, Builder, Declaration, Document, Element, Node, XML_NS};

/// The prefix of the 4778 binding namespace.
pub const PREFIX_4778: &str = "mb";
/// The prefix of the 4774 label namespace.
pub const PREFIX_4774: &str = "slab";
/// The prefixes of the payload's other namespaces, in order of first use.
const NUMBERED: [&str; 32] = [
    "ns1", "ns2", "ns3", "ns4", "ns5", "ns6", "ns7", "ns8", "ns9", "ns10", "ns11", "ns12", "ns13", "ns14", "ns15",
    "ns16", "ns17", "ns18", "ns19", "ns20", "ns21", "ns22", "ns23", "ns24", "ns25", "ns26", "ns27", "ns28", "ns29",
    "ns30", "ns31", "ns32",
];

/// The namespaces of the payload and the prefix each is written with.
struct Prefixes<'d, 'a> {
    /// The payload element's namespace, written as the default namespace.
    default: Option<&'d Cow<'a, str>>,
    /// Other namespaces (and the default one, when an attribute is in it), in order of first use.
    numbered: Vec<&'d Cow<'a, str>>,
    /// Whether an element or attribute of the payload is in the 4774 namespace (`slab` is then
    /// declared on the payload element too).
    uses_4774: bool,
}

impl<'d, 'a> Prefixes<'d, 'a> {
    /// The prefixes of `payload`'s subtree; an error when it uses more namespaces than there
    /// are numbered prefixes, or holds an element in no namespace (which the default namespace
    /// would capture).
    fn of(payload: Element<'d, 'a>) -> Result<Self, String> {
        let mut p = Prefixes {
            default: payload.namespace(),
            numbered: Vec::new(),
            uses_4774: false,
        };
        if p.default.is_none() {
            return Err("the payload element is in no namespace".into());
        }
        let mut stack = vec![payload];
        // The namespace last looked at: an element is most often in its neighbour's (stored
        // once, so the same reference), and comparing references is cheaper than strings.
        let mut last: Option<&'d Cow<'a, str>> = p.default;
        while let Some(e) = stack.pop() {
            match e.namespace() {
                None => return Err(format!("`{}` is in no namespace", e.local())),
                Some(n) if last.is_some_and(|l| std::ptr::eq(l, n)) => {}
                Some(n) => {
                    if Some(n) != p.default {
                        p.add(n)?;
                    }
                    last = Some(n);
                }
            }
            for a in e.attributes() {
                if let Some(n) = a.namespace() {
                    p.add(n)?;
                }
            }
            // Children in reverse, so that the first child is looked at first.
            let start = stack.len();
            stack.extend(e.elements());
            if let Some(kids) = stack.get_mut(start..) {
                kids.reverse();
            }
        }
        Ok(p)
    }

    #[expect(
        clippy::ptr_arg,
        reason = "the namespace is kept as stored, to be declared again without copying a borrowed string"
    )]
    fn add(&mut self, n: &'d Cow<'a, str>) -> Result<(), String> {
        self.uses_4774 |= n.as_ref() == NS_4774;
        if matches!(n.as_ref(), NS_4778 | NS_4774 | XML_NS) || self.numbered.contains(&n) {
            return Ok(());
        }
        if self.numbered.len() >= NUMBERED.len() {
            return Err(format!("the payload uses more than {} namespaces", NUMBERED.len()));
        }
        self.numbered.push(n);
        Ok(())
    }

    /// The prefix namespace `n` is written with in the payload (`None`: the default namespace,
    /// for an element).
    fn prefix(&self, n: &str, element: bool) -> Option<&'static str> {
        match n {
            NS_4778 => Some(PREFIX_4778),
            NS_4774 => Some(PREFIX_4774),
            XML_NS => Some("xml"),
            _ if element && self.default.is_some_and(|d| d.as_ref() == n) => None,
            _ => self
                .numbered
                .iter()
                .position(|u| u.as_ref() == n)
                .and_then(|i| NUMBERED.get(i).copied()),
        }
    }

    /// The declarations of the payload element: the default namespace, `slab` if used, and
    /// the numbered ones.
    fn declarations<'x>(&self) -> Vec<Declaration<'x>>
    where
        'a: 'x,
    {
        let mut out = Vec::with_capacity(self.numbered.len().saturating_add(2));
        if let Some(d) = self.default {
            out.push(Declaration {
                prefix: None,
                uri: d.clone(),
            });
        }
        if self.uses_4774 {
            out.push(Declaration {
                prefix: Some(PREFIX_4774),
                uri: Cow::Borrowed(NS_4774),
            });
        }
        for (n, p) in self.numbered.iter().zip(NUMBERED) {
            out.push(Declaration {
                prefix: Some(p),
                uri: (*n).clone(),
            });
        }
        out
    }
}

/// `doc` (a released document: the binding, the label, the payload element `payload_id`) with
/// the canonical prefixes and declarations; why not, when an element or attribute outside the
/// payload is in a namespace other than the binding's and the label's.
pub fn canonical<'a>(doc: &Document<'a>, payload_id: usize) -> Result<Document<'a>, String> {
    let payload = doc
        .element(payload_id)
        .ok_or_else(|| "the payload element is missing".to_string())?;
    let prefixes = Prefixes::of(payload)?;
    let mut out = Builder::with_capacity(doc.node_count(), doc.attribute_count());
    let mut w = Writer {
        payload_id,
        prefixes: &prefixes,
        out: &mut out,
        last: None,
    };
    w.wrapper(doc.root(), None)?;
    out.finish()
        .ok_or_else(|| "the canonical document could not be built".to_string())
}

struct Writer<'w, 'd, 'a> {
    payload_id: usize,
    prefixes: &'w Prefixes<'d, 'a>,
    out: &'w mut Builder<'a>,
    /// The namespace of the last payload element written (its address: a namespace is stored
    /// once, so its neighbours' is most often the same) and its prefix.
    last: Option<(*const Cow<'a, str>, Option<&'static str>)>,
}

impl<'a> Writer<'_, '_, 'a> {
    /// An element outside the payload (the binding and the label), in the 4778 or 4774
    /// namespace; its parent's namespace is `parent`.
    fn wrapper(&mut self, e: Element<'_, 'a>, parent: Option<&str>) -> Result<(), String> {
        let ns = e.namespace().map(|n| n.as_ref());
        let (prefix, uri) = match ns {
            Some(NS_4778) => (PREFIX_4778, NS_4778),
            Some(NS_4774) => (PREFIX_4774, NS_4774),
            other => {
                return Err(format!(
                    "`{}` outside the payload is in namespace `{}`, not the binding's or the label's",
                    e.local(),
                    other.unwrap_or("(none)")
                ));
            }
        };
        // Declared where its namespace starts: the root, the label's element.
        let declarations = (parent != Some(uri)).then_some(Declaration {
            prefix: Some(prefix),
            uri: Cow::Borrowed(uri),
        });
        let mut attributes = Vec::with_capacity(e.attributes().len());
        for a in e.attributes() {
            let prefix = match a.namespace().map(|n| n.as_ref()) {
                None => None,
                Some(XML_NS) => Some("xml"),
                Some(other) => {
                    return Err(format!(
                        "attribute `{}` of `{}` is in namespace `{other}`",
                        a.local(),
                        e.local()
                    ));
                }
            };
            attributes.push(Attribute {
                prefix,
                ..a.to_attribute()
            });
        }
        self.out.open(
            Some(prefix),
            e.local(),
            e.namespace().cloned(),
            declarations,
            attributes,
        );
        for child in e.children() {
            match child {
                Node::Text(t) => {
                    self.out.text(t.clone());
                }
                Node::Element(c) if c.id() == self.payload_id => self.payload(c, true)?,
                Node::Element(c) => self.wrapper(c, Some(uri))?,
            }
        }
        self.out.close();
        Ok(())
    }

    /// An element of the payload (`root`: the payload element itself).
    fn payload(&mut self, e: Element<'_, 'a>, root: bool) -> Result<(), String> {
        let p = self.prefixes;
        let ns = e
            .namespace()
            .ok_or_else(|| format!("`{}` is in no namespace", e.local()))?;
        let prefix = match self.last {
            Some((at, prefix)) if std::ptr::eq(at, ns) => prefix,
            _ => {
                let prefix = p.prefix(ns, true);
                self.last = Some((ns, prefix));
                prefix
            }
        };
        let declarations = if root { p.declarations() } else { Vec::new() };
        let attributes: Vec<Attribute<'a>> = e
            .attributes()
            .map(|a| Attribute {
                prefix: a.namespace().and_then(|n| p.prefix(n, false)),
                ..a.to_attribute()
            })
            .collect();
        self.out
            .open(prefix, e.local(), Some(ns.clone()), declarations, attributes);
        for child in e.children() {
            match child {
                Node::Text(t) => {
                    self.out.text(t.clone());
                }
                Node::Element(c) => self.payload(c, false)?,
            }
        }
        self.out.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::xml::{self, Options};
    use crate::limits::Limits;

    fn parse(s: &str) -> Document<'_> {
        xml::parse(s.as_bytes(), &Limits::default(), &Options::default()).unwrap()
    }

    //--- case: the input's prefixes and declarations are replaced by the guard's own
    #[test]
    fn writes_its_own_prefixes_and_declarations() {
        let input = format!(
            "<b:B xmlns:b=\"{NS_4778}\" xmlns:unused=\"urn:z\"><b:M><x.corp.example:L xmlns:x.corp.example=\"{NS_4774}\"/></b:M><b:D><p:a xmlns:p=\"urn:x\" xmlns:q=\"urn:y\"><q:b p:k=\"1\" q:k=\"2\" xml:lang=\"en\"/><p:c xmlns:s=\"{NS_4774}\">t</p:c></p:a></b:D></b:B>"
        );
        let doc = parse(&input);
        let payload = (0..doc.node_count())
            .find(|&id| doc.element(id).is_some_and(|e| e.local() == "a"))
            .unwrap();
        let out = canonical(&doc, payload).unwrap();
        let text = String::from_utf8(xml::render(&out)).unwrap();
        assert_eq!(
            text,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mb:B xmlns:mb=\"{NS_4778}\"><mb:M><slab:L xmlns:slab=\"{NS_4774}\"/></mb:M><mb:D><a xmlns=\"urn:x\" xmlns:ns1=\"urn:y\" xmlns:ns2=\"urn:x\"><ns1:b ns2:k=\"1\" ns1:k=\"2\" xml:lang=\"en\"/><c>t</c></a></mb:D></mb:B>\n"
            )
        );
        // The same tree (names resolved alike), and a fixpoint.
        let again = parse(&text);
        assert_eq!(xml::render(&canonical(&again, payload).unwrap()), text.as_bytes());
    }

    #[test]
    fn refuses_a_binding_element_in_another_namespace() {
        let input =
            format!("<b:B xmlns:b=\"{NS_4778}\"><o:M xmlns:o=\"urn:other\"/><b:D><a xmlns=\"urn:x\"/></b:D></b:B>");
        let doc = parse(&input);
        let e = canonical(&doc, 3).unwrap_err();
        assert!(e.contains("urn:other"), "{e}");
    }

    #[test]
    fn refuses_a_payload_element_in_no_namespace() {
        let input = format!("<b:B xmlns:b=\"{NS_4778}\"><b:D><a xmlns=\"urn:x\"><c xmlns=\"\"/></a></b:D></b:B>");
        let doc = parse(&input);
        let e = canonical(&doc, 2).unwrap_err();
        assert!(e.contains("no namespace"), "{e}");
    }
}
