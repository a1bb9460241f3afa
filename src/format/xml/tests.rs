use super::render::{escape_attr, escape_text};
use super::*;
use proptest::prelude::*;

fn strict(input: &str) -> Result<Document<'_>, ParseError> {
    parse(input.as_bytes(), &Limits::default(), &Options::default())
}

fn rejects(input: &str, rule: &str) -> ParseError {
    match strict(input) {
        Ok(d) => panic!("accepted {input:?}: {d:?}"),
        Err(e) => {
            assert_eq!(e.rule, rule, "{input:?}: {e}");
            e
        }
    }
}

fn round_trip(input: &str, options: &Options) {
    let doc = parse(input.as_bytes(), &Limits::default(), options).unwrap();
    let out = render(&doc);
    let again = parse(&out, &Limits::default(), &Options::default()).unwrap();
    assert_eq!(again, doc);
    assert_eq!(render(&again), out);
}

//--- accepted documents
#[test]
fn builder_copies_subtrees_with_their_attributes_and_declarations() {
    let text = "<r><a xmlns:p='urn:p' p:k='1'><b k='2'>t<c xmlns='urn:c'/></b></a><d k='3'/></r>";
    let d = strict(text).unwrap();
    let mut b = Builder::new();
    let r = d.root();
    b.open(r.prefix(), r.local(), None, [], []);
    for e in r.elements().collect::<Vec<_>>().into_iter().rev() {
        b.copy(e);
    }
    b.close();
    let copied = b.finish().unwrap();
    assert_eq!(
        render(&copied),
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r><d k=\"3\"/><a xmlns:p=\"urn:p\" p:k=\"1\"><b k=\"2\">t<c xmlns=\"urn:c\"/></b></a></r>\n"
    );
    let out = render(&copied);
    let again = parse(&out, &Limits::default(), &Options::default()).unwrap();
    assert_eq!(again, copied);
}

/// What a million-element document costs per element (issue 16): indexes in 32 bits and no
/// `Option` padding. A regression here shows in the adversarial shapes' peak memory.
#[test]
#[cfg(target_pointer_width = "64")]
fn an_element_as_stored_is_56_bytes() {
    assert_eq!(std::mem::size_of::<ElementData<'_>>(), 56);
    assert_eq!(std::mem::size_of::<Slot<'_>>(), 56);
}

#[test]
fn elements_in_no_namespace_and_in_one_read_back_through_the_compact_index() {
    let doc = strict(r#"<a><b xmlns="urn:x"><c/></b><d/></a>"#).unwrap();
    let root = doc.root();
    assert_eq!(root.namespace(), None);
    let kids: Vec<_> = root.elements().collect();
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[0].namespace().map(|n| n.as_ref()), Some("urn:x"));
    assert_eq!(
        kids[0]
            .elements()
            .next()
            .and_then(|c| c.namespace())
            .map(|n| n.as_ref()),
        Some("urn:x")
    );
    assert_eq!(kids[1].namespace(), None);
    assert_eq!((root.count(), kids[0].count(), kids[1].count()), (4, 2, 1));
}

#[test]
fn builder_merges_text_and_finishes_only_a_whole_document() {
    let mut b = Builder::new();
    b.open(None, "a", None, [], []);
    b.text(Cow::Borrowed("x"));
    b.text(Cow::Borrowed(""));
    b.text(Cow::Borrowed("y"));
    b.close();
    let d = b.finish().unwrap();
    assert_eq!(d, strict("<a>xy</a>").unwrap());
    let mut open = Builder::new();
    open.open(None, "a", None, [], []);
    assert!(open.finish().is_none());
    assert!(Builder::new().finish().is_none());
}

#[test]
fn accepts_a_namespaced_document_and_resolves_prefixes() {
    let d = strict(r#"<?xml version="1.0" encoding="utf-8" standalone="yes"?><p:a xmlns:p="urn:p" xmlns="urn:d" p:k="1" k="2"><b/></p:a>"#).unwrap();
    let root = d.root();
    assert_eq!(root.namespace().map(|n| n.as_ref()), Some("urn:p"));
    assert_eq!(root.attributes().len(), 2);
    let attrs: Vec<_> = root.attributes().collect();
    assert_eq!(attrs[0].namespace().map(|n| n.as_ref()), Some("urn:p"));
    assert_eq!(attrs[1].namespace(), None);
    assert_eq!(
        root.elements().next().unwrap().namespace().map(|n| n.as_ref()),
        Some("urn:d")
    );
}

#[test]
fn unescapes_predefined_entities_and_char_refs() {
    let d = strict("<a k='&lt;&#x41;&#66;'>&amp;&apos;&quot;&gt;&#x3042;</a>").unwrap();
    assert_eq!(d.root().attribute("k"), Some("<AB"));
    assert_eq!(d.root().text(), "&'\">あ");
}

#[test]
fn normalises_line_ends_and_attribute_white_space() {
    let d = strict("<a k='x\ty\r\nz&#xA;'>1\r\n2\r3</a>").unwrap();
    assert_eq!(d.root().attribute("k"), Some("x y z\n"));
    assert_eq!(d.root().text(), "1\n2\n3");
}

#[test]
fn borrows_text_without_escapes() {
    let d = strict("<a k='v'>plain</a>").unwrap();
    assert!(matches!(d.root().children().next(), Some(Node::Text(Cow::Borrowed(_)))));
    assert!(matches!(
        d.root().attributes().next().map(|a| a.value()),
        Some(Cow::Borrowed(_))
    ));
}

#[test]
fn keeps_comments_and_cdata_out_of_the_tree_when_allowed() {
    let o = Options {
        allow_comments: true,
        allow_cdata: true,
    };
    let d = parse(
        b"<!-- c --><a>x<!-- y -->z<![CDATA[<&>]]></a><!-- t -->",
        &Limits::default(),
        &o,
    )
    .unwrap();
    let kids: Vec<_> = d.root().children().collect();
    assert!(
        matches!(kids.as_slice(), [Node::Text(Cow::Owned(t))] if t == "xz<&>"),
        "{kids:?}"
    );
    assert_eq!(
        render(&d),
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>xz&lt;&amp;&gt;</a>\n"
    );
}

//--- the rejection classes
#[test]
fn rejects_doctype() {
    rejects("<!DOCTYPE a><a/>", "doctypedecl");
}

#[test]
fn rejects_xxe_external_entity() {
    rejects(
        "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
        "doctypedecl",
    );
}

#[test]
fn rejects_billion_laughs() {
    rejects(
        "<!DOCTYPE l [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>",
        "doctypedecl",
    );
}

#[test]
fn rejects_processing_instructions() {
    let e = rejects("<?xml-stylesheet href='x.xsl'?><a/>", "PI");
    assert!(e.detail.contains("xml-stylesheet"), "{e}");
    rejects("<a><?php echo 1 ?></a>", "PI");
}

#[test]
fn rejects_xml_declaration_not_at_start() {
    rejects(" <?xml version=\"1.0\"?><a/>", "XMLDecl");
}

#[test]
fn rejects_unknown_entity_references() {
    let e = rejects("<a>&nbsp;</a>", "Reference");
    assert!(e.detail.contains("`&nbsp;`"), "{e}");
    rejects("<a k='&x;'/>", "Reference");
}

#[test]
fn rejects_char_refs_outside_char() {
    for bad in [
        "&#0;",
        "&#x1;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#99999999999;",
        "&#x;",
        "&#12a;",
    ] {
        rejects(&format!("<a>{bad}</a>"), "Reference");
    }
}

#[test]
fn rejects_characters_outside_char() {
    rejects("<a>\u{1}</a>", "Char");
    rejects("<a>\u{FFFE}</a>", "Char");
    let e = parse(b"<a>\xff</a>", &Limits::default(), &Options::default()).unwrap_err();
    assert_eq!((e.rule, e.offset), ("UTF-8", 3));
}

#[test]
fn rejects_invalid_names() {
    rejects("<1a/>", "QName");
    rejects("<a:b:c xmlns:a='u'/>", "QName");
    rejects("<a -k='1'/>", "QName");
    rejects("<a><b.c/><:d/></a>", "QName");
}

#[test]
fn rejects_duplicate_attributes() {
    let e = rejects("<a k='1' k='2'/>", "Attribute");
    assert!(e.detail.contains("twice"), "{e}");
}

#[test]
fn rejects_duplicate_attributes_after_namespace_resolution() {
    let e = rejects("<a xmlns:p='urn:x' xmlns:q='urn:x' p:k='1' q:k='2'/>", "Attribute");
    assert!(e.detail.contains("after resolving prefixes"), "{e}");
}

/// Issue 16: attributes store their namespace as an index, and one namespace declared far
/// from another declaration of it is stored twice; duplicates are still found by name.
#[test]
fn rejects_duplicate_attributes_in_one_namespace_stored_twice() {
    let e = rejects(
        "<a xmlns:p='urn:x'><b xmlns:c1='u1' xmlns:c2='u2' xmlns:c3='u3' xmlns:c4='u4' xmlns:c5='u5'>\
         <c xmlns:q='urn:x' p:k='1' q:k='2'/></b></a>",
        "Attribute",
    );
    assert!(e.detail.contains("`k` in namespace `urn:x`"), "{e}");
}

/// Issue 16: an attribute as stored is 48 bytes (64 attributes on each of a million elements).
#[test]
fn stores_an_attribute_in_48_bytes() {
    assert!(std::mem::size_of::<super::AttributeData<'_>>() <= 48);
}

#[test]
fn rejects_mismatched_tags() {
    let e = rejects("<a><b></a></b>", "ETag");
    assert!(e.detail.contains("does not close `<b>`"), "{e}");
    assert_eq!(e.pointer.as_deref(), Some("/a/b"));
}

#[test]
fn rejects_unclosed_tags() {
    let e = rejects("<a><b></b>", "element");
    assert!(e.detail.contains("`<a>` is not closed"), "{e}");
}

#[test]
fn rejects_content_after_the_root() {
    rejects("<a/>x", "document");
    rejects("x<a/>", "document");
}

#[test]
fn rejects_two_roots() {
    let e = rejects("<a/><b/>", "document");
    assert!(e.detail.contains("second root"), "{e}");
}

#[test]
fn rejects_an_empty_document() {
    rejects("  ", "document");
}

#[test]
fn rejects_encodings_other_than_utf8() {
    let e = rejects("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>", "EncodingDecl");
    assert!(e.detail.contains("ISO-8859-1"), "{e}");
    rejects("<?xml version=\"1.1\"?><a/>", "VersionInfo");
    rejects("<?xml version=\"1.0\" foo=\"bar\"?><a/>", "XMLDecl");
    rejects("<?xml version=\"1&#x2E;0\"?><a/>", "XMLDecl");
    let e = parse(b"\xEF\xBB\xBF<a/>", &Limits::default(), &Options::default()).unwrap_err();
    assert_eq!(e.rule, "document");
}

#[test]
fn rejects_comments_when_forbidden() {
    rejects("<a><!-- c --></a>", "Comment");
}

#[test]
fn rejects_cdata_when_forbidden() {
    rejects("<a><![CDATA[x]]></a>", "CDSect");
}

#[test]
fn rejects_undeclared_prefixes() {
    let e = rejects("<p:a/>", "QName");
    assert!(e.detail.contains("prefix `p` is not declared"), "{e}");
    rejects("<a p:k='1'/>", "QName");
    // A prefix's scope ends with its element.
    rejects("<a><b xmlns:p='urn:p'/><p:c/></a>", "QName");
}

#[test]
fn rejects_reserved_namespace_misuse() {
    rejects("<a xmlns:xmlns='urn:x'/>", "NSAttName");
    rejects("<a xmlns:xml='urn:x'/>", "NSAttName");
    rejects("<a xmlns:p=''/>", "NSAttName");
}

#[test]
fn rejects_malformed_attribute_values() {
    rejects("<a k='<'/>", "AttValue");
    rejects("<a k='1'j='2'/>", "Attribute");
    rejects("<a>]]></a>", "CharData");
}

//--- limits
#[test]
fn rejects_input_over_max_input_bytes() {
    let l = Limits {
        max_input_bytes: 8,
        ..Limits::default()
    };
    let e = parse(b"<a>123456</a>", &l, &Options::default()).unwrap_err();
    assert_eq!(e.rule, "max_input_bytes");
}

#[test]
fn rejects_nesting_over_max_depth() {
    let e = parse(
        b"<a><a><a><a><a/></a></a></a></a>",
        &Limits::tiny(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.rule, "max_depth");
    assert!(parse(b"<a><a><a><a/></a></a></a>", &Limits::tiny(), &Options::default()).is_ok());
}

#[test]
fn rejects_elements_over_max_attributes() {
    let e = parse(
        b"<a a='1' b='1' c='1' d='1' e='1'/>",
        &Limits::tiny(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.rule, "max_attributes");
}

#[test]
fn rejects_text_over_max_string_bytes() {
    let long = format!("<a>{}</a>", "x".repeat(65));
    assert_eq!(
        parse(long.as_bytes(), &Limits::tiny(), &Options::default())
            .unwrap_err()
            .rule,
        "max_string_bytes"
    );
    // Text split by references is counted whole.
    let split = format!("<a>{}&amp;{}</a>", "x".repeat(40), "x".repeat(40));
    assert_eq!(
        parse(split.as_bytes(), &Limits::tiny(), &Options::default())
            .unwrap_err()
            .rule,
        "max_string_bytes"
    );
    let attr = format!("<a k='{}'/>", "x".repeat(65));
    assert_eq!(
        parse(attr.as_bytes(), &Limits::tiny(), &Options::default())
            .unwrap_err()
            .rule,
        "max_string_bytes"
    );
}

#[test]
fn rejects_documents_over_max_elements() {
    let many = format!("<a>{}</a>", "<b/>".repeat(32));
    let e = parse(many.as_bytes(), &Limits::tiny(), &Options::default()).unwrap_err();
    assert_eq!(e.rule, "max_elements");
}

//--- rendering
#[test]
fn renders_canonically() {
    let d = strict("<p:a xmlns:p='urn:p' k=\"'&quot;&#9;\"><b>  &lt;x&gt; &#xD;</b><c></c></p:a>").unwrap();
    assert_eq!(
        String::from_utf8(render(&d)).unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:a xmlns:p=\"urn:p\" k=\"'&quot;&#x9;\"><b>  &lt;x&gt; &#xD;</b><c/></p:a>\n"
    );
}

#[test]
fn can_round_trip_the_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xml");
    for sub in ["cap", "iodef", "label"] {
        for f in std::fs::read_dir(dir.join(sub)).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            round_trip(&text, &Options::default());
        }
    }
}

/// Arbitrary documents: names, namespaces, attributes and text with every kind of character
/// that needs escaping.
fn arb_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z &<>\"'\t\n\r\u{e9}\u{3042}\u{1F600}\\]]{0,12}").unwrap()
}

fn arb_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("a"), Just("p:b"), Just("q:c"), Just("d")]
}

fn arb_attrs() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    proptest::collection::vec((prop_oneof![Just("k"), Just("p:k"), Just("q:m")], arb_text()), 0..3)
}

fn arb_element(depth: u32) -> BoxedStrategy<String> {
    if depth == 0 {
        return (arb_name(), arb_attrs(), arb_text())
            .prop_map(|(n, a, t)| element(n, &a, &[escape(&t)]))
            .boxed();
    }
    let kids = proptest::collection::vec(
        prop_oneof![arb_text().prop_map(|t| escape(&t)), arb_element(depth - 1)],
        0..4,
    );
    (arb_name(), arb_attrs(), kids)
        .prop_map(|(n, a, k)| element(n, &a, &k))
        .boxed()
}

fn escape(t: &str) -> String {
    let mut s = String::new();
    escape_text(t, &mut s);
    s
}

fn element(name: &str, attrs: &[(&str, String)], content: &[String]) -> String {
    let mut s = format!("<{name}");
    let mut seen = Vec::new();
    for (k, v) in attrs {
        if seen.contains(k) {
            continue;
        }
        seen.push(k);
        let mut e = String::new();
        escape_attr(v, &mut e);
        s.push_str(&format!(" {k}='{}'", e.replace('\'', "&apos;")));
    }
    s.push('>');
    content.iter().for_each(|c| s.push_str(c));
    s.push_str(&format!("</{name}>"));
    s
}

proptest! {
    #[test]
    fn can_round_trip_arbitrary_documents(body in arb_element(3)) {
        let doc = format!("<r xmlns:p='urn:p' xmlns:q='urn:q&amp;x'>{body}</r>");
        let parsed = parse(doc.as_bytes(), &Limits::default(), &Options::default());
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{e} in {doc:?}"))),
        };
        let out = render(&parsed);
        let again = parse(&out, &Limits::default(), &Options::default()).unwrap();
        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(render(&again), out);
    }

    #[test]
    fn fuzz_xml_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        fuzz_xml(&data);
        label4774::fuzz_label4774(&data);
    }
}

//--- STANAG 4774 labels
mod labels {
    use super::super::label4774::{CategoryType, ConfidentialityLabel, IdType, RootName, UriAttribute, binding};
    use super::*;

    fn fixture(path: &str) -> String {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/xml")
            .join(path);
        std::fs::read_to_string(p).unwrap()
    }

    fn read(text: &str) -> Result<ConfidentialityLabel, super::super::label4774::LabelError> {
        let doc = strict(text).unwrap();
        ConfidentialityLabel::read(doc.root(), "/")
    }

    #[test]
    fn accepts_the_schema_variant() {
        let l = read(&fixture("label/nato-schema-variant.xml")).unwrap();
        assert_eq!(l.root, RootName::Lower);
        assert_eq!(l.policy_uri.as_ref().map(|(a, _)| *a), Some(UriAttribute::Uri));
        assert_eq!(
            (l.policy_identifier.as_str(), l.classification.as_str()),
            ("NATO", "UNCLASSIFIED")
        );
        assert_eq!(l.categories.len(), 1);
        assert_eq!(l.categories[0].kind, CategoryType::Permissive);
        assert_eq!(l.categories[0].values, ["NATO", "JPN"]);
        assert_eq!(l.creation.as_deref(), Some("2024-05-01T09:00:00Z"));
    }

    #[test]
    fn accepts_the_published_variant() {
        let l = read(&fixture("label/nato-published-variant.xml")).unwrap();
        assert_eq!(l.root, RootName::Upper);
        assert_eq!(l.policy_uri.as_ref().map(|(a, _)| *a), Some(UriAttribute::Url));
        assert_eq!(l.classification, "RESTRICTED");
    }

    #[test]
    fn rejects_looser_variants() {
        for f in [
            "label/loose-uppercase-root.xml",
            "label/loose-uri-attribute.xml",
            "label/loose-namespace.xml",
        ] {
            let e = read(&fixture(f)).unwrap_err();
            assert_eq!(e.rule, "label-syntax", "{f}: {e}");
        }
    }

    #[test]
    fn rejects_unknown_label_content() {
        let base = fixture("label/nato-schema-variant.xml");
        let extra = base.replace(
            "<slab:CreationDateTime>",
            "<slab:PrivacyMark>x</slab:PrivacyMark><slab:CreationDateTime>",
        );
        assert_eq!(read(&extra).unwrap_err().rule, "label-syntax");
        let bad_type = base.replace("Type=\"PERMISSIVE\"", "Type=\"permissive\"");
        assert_eq!(read(&bad_type).unwrap_err().rule, "label-syntax");
        let bad_date = base.replace("2024-05-01T09:00:00Z", "yesterday");
        assert_eq!(read(&bad_date).unwrap_err().rule, "label-syntax");
        let both = base.replace(
            "URI=\"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0:policy:NATO\"",
            "URI=\"a\" URL=\"b\"",
        );
        assert_eq!(read(&both).unwrap_err().rule, "label-syntax");
    }

    #[test]
    fn finds_no_label_on_an_unbound_message() {
        let text = fixture("cap/unlabelled.xml");
        let d = strict(&text).unwrap();
        assert_eq!(binding(&d).unwrap_err().rule, "label-missing");
        let empty = "<mb:BindingInformation xmlns:mb='urn:nato:stanag:4778:bindinginformation:1:0'><mb:Metadata/><mb:Data><a/></mb:Data></mb:BindingInformation>";
        assert_eq!(binding(&strict(empty).unwrap()).unwrap_err().rule, "label-missing");
    }

    #[test]
    fn accepts_review_date_privacy_mark_and_originator_from_the_schema() {
        let l = read(&fixture("label/nato-schema-full.xml")).unwrap();
        assert_eq!(l.review.as_deref(), Some("2029-05-01T00:00:00Z"));
        assert_eq!(l.privacy_mark.as_deref(), Some("EXERCISE ONLY"));
        let o = l.originator.as_ref().unwrap();
        assert_eq!(
            (o.id_type, o.value.as_str()),
            (IdType::Rfc822Name, "duty.officer@cyber.example.mil")
        );
        assert_eq!(l.categories.len(), 2);
        assert_eq!(l.categories[0].uri.as_deref(), Some("urn:oid:1.3.26.1.4.2"));
        assert_eq!(l.categories[1].kind, CategoryType::Informative);
        assert_eq!(l.creation.as_deref(), Some("2024-05-01T09:00:00Z"));
    }

    #[test]
    fn accepts_each_new_part_alone() {
        let base = fixture("label/nato-schema-variant.xml");
        let review = base.replace(
            "<slab:originatorConfidentialityLabel ",
            "<slab:originatorConfidentialityLabel ReviewDateTime=\"2029-05-01T00:00:00.5+14:00\" ",
        );
        assert_eq!(
            read(&review).unwrap().review.as_deref(),
            Some("2029-05-01T00:00:00.5+14:00")
        );
        let mark = base.replace(
            "</slab:Classification>",
            "</slab:Classification><slab:PrivacyMark>IN CONFIDENCE</slab:PrivacyMark>",
        );
        assert_eq!(read(&mark).unwrap().privacy_mark.as_deref(), Some("IN CONFIDENCE"));
        for t in [
            "dNSName",
            "directoryName",
            "uniformResourceIdentifier",
            "iPAddress",
            "x400Address",
            "userPrincipalName",
            "jID",
        ] {
            let o = base.replace(
                "<slab:CreationDateTime>",
                &format!("<slab:OriginatorID IDType=\"{t}\">x</slab:OriginatorID><slab:CreationDateTime>"),
            );
            assert_eq!(read(&o).unwrap().originator.unwrap().id_type.as_str(), t);
        }
        // Without `CreationDateTime` (as in the spiffing NATO test labels), after an `OriginatorID`.
        let no_creation = base
            .replace(
                "<slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime>",
                "",
            )
            .replace(
                "</slab:ConfidentialityInformation>",
                "</slab:ConfidentialityInformation><slab:OriginatorID IDType=\"jID\">a@b</slab:OriginatorID>",
            );
        let l = read(&no_creation).unwrap();
        assert!(l.creation.is_none() && l.originator.is_some());
    }

    /// Near misses of the new parts: each stays an error, with the path of what is wrong.
    #[test]
    fn rejects_near_misses_of_the_published_shapes() {
        let full = fixture("label/nato-schema-full.xml");
        let originator = "<slab:OriginatorID IDType=\"rfc822Name\">duty.officer@cyber.example.mil</slab:OriginatorID>";
        let mark = "<slab:PrivacyMark>EXERCISE ONLY</slab:PrivacyMark>";
        let creation = "<slab:CreationDateTime>2024-05-01T09:00:00Z</slab:CreationDateTime>";
        let cases: Vec<(&str, String, &str)> = vec![
            // wrong case of names
            (
                "reviewDateTime",
                full.replace("ReviewDateTime=", "reviewDateTime="),
                "reviewDateTime",
            ),
            (
                "privacyMark",
                full.replace("PrivacyMark>", "privacyMark>"),
                "privacyMark",
            ),
            (
                "OriginatorId",
                full.replace("OriginatorID", "OriginatorId"),
                "OriginatorId",
            ),
            ("IDtype", full.replace("IDType=", "IDtype="), "IDtype"),
            (
                "RFC822Name",
                full.replace("\"rfc822Name\"", "\"RFC822Name\""),
                "RFC822Name",
            ),
            // wrong namespace
            (
                "slab:ReviewDateTime",
                full.replace(" ReviewDateTime=", " slab:ReviewDateTime="),
                "ReviewDateTime",
            ),
            (
                "PrivacyMark elsewhere",
                full.replace(
                    mark,
                    "<x:PrivacyMark xmlns:x=\"urn:example\">EXERCISE ONLY</x:PrivacyMark>",
                ),
                "urn:example",
            ),
            (
                "OriginatorID elsewhere",
                full.replace(originator, "<OriginatorID IDType=\"rfc822Name\">a@b</OriginatorID>"),
                "OriginatorID",
            ),
            // duplicated
            (
                "two PrivacyMark",
                full.replace(mark, &format!("{mark}{mark}")),
                "PrivacyMark",
            ),
            (
                "two OriginatorID",
                full.replace(originator, &format!("{originator}{originator}")),
                "OriginatorID",
            ),
            (
                "two CreationDateTime",
                full.replace(creation, &format!("{creation}{creation}")),
                "CreationDateTime",
            ),
            // wrong order
            (
                "PrivacyMark after a Category",
                full.replace(mark, "").replace(
                    "</slab:ConfidentialityInformation>",
                    &format!("{mark}</slab:ConfidentialityInformation>"),
                ),
                "PrivacyMark",
            ),
            (
                "PrivacyMark before Classification",
                full.replace(mark, "")
                    .replace("<slab:Classification>", &format!("{mark}<slab:Classification>")),
                "PrivacyMark",
            ),
            (
                "OriginatorID after CreationDateTime",
                full.replace(originator, "")
                    .replace(creation, &format!("{creation}{originator}")),
                "OriginatorID",
            ),
            (
                "OriginatorID inside ConfidentialityInformation",
                full.replace(originator, "")
                    .replace(mark, &format!("{mark}{originator}")),
                "OriginatorID",
            ),
            // bad values and attributes
            (
                "review date only",
                full.replace("2029-05-01T00:00:00Z", "2029-05-01"),
                "ReviewDateTime",
            ),
            (
                "review month 13",
                full.replace("2029-05-01T00:00:00Z", "2029-13-01T00:00:00Z"),
                "ReviewDateTime",
            ),
            (
                "review hour 24",
                full.replace("2029-05-01T00:00:00Z", "2029-05-01T24:00:00Z"),
                "ReviewDateTime",
            ),
            (
                "review offset",
                full.replace("2029-05-01T00:00:00Z", "2029-05-01T00:00:00+14:30"),
                "ReviewDateTime",
            ),
            (
                "review no seconds",
                full.replace("2029-05-01T00:00:00Z", "2029-05-01T00:00Z"),
                "ReviewDateTime",
            ),
            (
                "creation day 32",
                full.replace("2024-05-01T09:00:00Z", "2024-05-32T09:00:00Z"),
                "CreationDateTime",
            ),
            ("unknown IDType", full.replace("\"rfc822Name\"", "\"email\""), "email"),
            ("no IDType", full.replace(" IDType=\"rfc822Name\"", ""), "IDType"),
            (
                "empty PrivacyMark",
                full.replace(mark, "<slab:PrivacyMark></slab:PrivacyMark>"),
                "empty",
            ),
            (
                "PrivacyMark attribute",
                full.replace(mark, "<slab:PrivacyMark lang=\"en\">X</slab:PrivacyMark>"),
                "lang",
            ),
            (
                "root Id",
                full.replace(" ReviewDateTime=", " Id=\"l1\" ReviewDateTime="),
                "Id",
            ),
            (
                "xml:id",
                full.replace(" ReviewDateTime=", " xml:id=\"l1\" ReviewDateTime="),
                "id",
            ),
            (
                "Classification URI",
                full.replace("<slab:Classification>", "<slab:Classification URI=\"urn:oid:1\">"),
                "URI",
            ),
            // schema parts not accepted
            (
                "SuccessionHandling",
                full.replace(
                    "</slab:originatorConfidentialityLabel>",
                    "<slab:SuccessionHandling/></slab:originatorConfidentialityLabel>",
                ),
                "SuccessionHandling",
            ),
            (
                "IntegerValue",
                full.replace(
                    "<slab:GenericValue>STAFF</slab:GenericValue>",
                    "<slab:IntegerValue>1</slab:IntegerValue>",
                ),
                "IntegerValue",
            ),
            (
                "alternativeConfidentialityLabel",
                full.replace("originatorConfidentialityLabel", "alternativeConfidentialityLabel"),
                "alternativeConfidentialityLabel",
            ),
        ];
        for (what, text, says) in cases {
            let e = read(&text).map(|l| format!("{l:?}")).unwrap_err();
            assert_eq!(e.rule, "label-syntax", "{what}: {e}");
            assert!(e.to_string().contains(says), "{what}: {e}");
            assert!(e.at.starts_with("/"), "{what}: {e}");
        }
    }

    #[test]
    fn reads_the_schema_nesting_of_the_binding() {
        let text = fixture("cap/schema-binding-rel-jpn.xml");
        let d = strict(&text).unwrap();
        let b = binding(&d).unwrap();
        let (c, m) = b.nesting.unwrap();
        assert_eq!(d.element(c).unwrap().local(), "MetadataBindingContainer");
        assert_eq!(d.element(m).unwrap().local(), "MetadataBinding");
        assert_eq!(d.element(b.payload).unwrap().local(), "alert");
        let l = ConfidentialityLabel::read(d.element(b.label).unwrap(), "/").unwrap();
        assert!(l.originator.is_some());
        // The short form has no nesting.
        let short = fixture("cap/nato-unclassified-rel-jpn.xml");
        assert_eq!(binding(&strict(&short).unwrap()).unwrap().nesting, None);
    }

    #[test]
    fn rejects_near_misses_of_the_schema_nesting() {
        let text = fixture("cap/schema-binding-rel-jpn.xml");
        let data_open = "<mb:Data>";
        let cases: Vec<(&str, String, &str)> = vec![
            (
                "a DataReference",
                {
                    let start = text.find(data_open).unwrap();
                    let end = text.find("</mb:Data>").unwrap() + "</mb:Data>".len();
                    format!("{}<mb:DataReference URI=\"\"/>{}", &text[..start], &text[end..])
                },
                "DataReference",
            ),
            (
                "two bindings",
                text.replace("</mb:MetadataBinding>", "</mb:MetadataBinding><mb:MetadataBinding/>"),
                "exactly one `MetadataBinding`",
            ),
            (
                "two containers",
                text.replace(
                    "</mb:MetadataBindingContainer>",
                    "</mb:MetadataBindingContainer><mb:MetadataBindingContainer/>",
                ),
                "exactly one `MetadataBindingContainer`",
            ),
            (
                "an Id on the binding",
                text.replace("<mb:MetadataBinding>", "<mb:MetadataBinding Id=\"mb-1\">"),
                "Id",
            ),
            (
                "an Id on the container",
                text.replace(
                    "<mb:MetadataBindingContainer>",
                    "<mb:MetadataBindingContainer Id=\"c-1\">",
                ),
                "Id",
            ),
            (
                "wrong case",
                text.replace("MetadataBinding>", "metadataBinding>"),
                "metadataBinding",
            ),
            (
                "a misnamed Metadata",
                text.replace("<mb:Metadata>", "<mb:Metadata2>")
                    .replace("</mb:Metadata>", "</mb:Metadata2>"),
                "`Metadata` then `Data`",
            ),
            (
                "the container in another namespace",
                text.replace(
                    "<mb:MetadataBindingContainer>",
                    "<x:MetadataBindingContainer xmlns:x=\"urn:example\">",
                )
                .replace("</mb:MetadataBindingContainer>", "</x:MetadataBindingContainer>"),
                "`Metadata` then `Data`",
            ),
            (
                "Metadata and Data straight in the container",
                text.replace("<mb:MetadataBinding>", "")
                    .replace("</mb:MetadataBinding>", ""),
                "MetadataBinding",
            ),
        ];
        for (what, t, says) in cases {
            let Ok(d) = strict(&t) else {
                panic!("{what}: not well-formed")
            };
            let e = binding(&d).unwrap_err();
            assert_eq!(e.rule, "binding", "{what}: {e}");
            assert!(e.to_string().contains(says), "{what}: {e}");
        }
    }

    #[test]
    fn rebuilt_labels_read_back_the_same() {
        for f in [
            "label/nato-schema-variant.xml",
            "label/nato-published-variant.xml",
            "label/nato-schema-full.xml",
        ] {
            let text = fixture(f);
            let doc = strict(&text).unwrap();
            let l = ConfidentialityLabel::read(doc.root(), "/").unwrap();
            let mut b = Builder::new();
            l.write(doc.root(), &mut b);
            let rebuilt = b.finish().unwrap();
            assert_eq!(ConfidentialityLabel::read(rebuilt.root(), "/").unwrap(), l);
        }
    }
}
