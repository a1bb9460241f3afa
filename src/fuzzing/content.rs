//! Content canaries (issue 15): for each kind of content a policy keeps behind — a dirty word,
//! an internal address, an internal domain, an e-mail address, a telephone number — every
//! encoding we know of, and every string-valued place of every type the shipped policy allows to
//! put one in (nested ones included). Used by `tests/adversarial_content.rs` and by the
//! `guard_canaries` fuzz target ([`content_canaries`]).

use serde_json::{Value, json};

/// `n` words of four digits starting `14` to `19` (the phone readers' budget of checks: each
/// few of them is a digit string to check, and none makes a US number).
pub fn number_words(n: u32) -> String {
    (0..n)
        .map(|k| {
            let x = k.wrapping_mul(2_654_435_761);
            format!("{:02}{:02}", 14 + x % 6, (x >> 8) % 100)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A kind of content that must not cross.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DirtyWord,
    Address,
    Domain,
    Email,
    Phone,
}

pub const KINDS: [Kind; 5] = [Kind::DirtyWord, Kind::Address, Kind::Domain, Kind::Email, Kind::Phone];

/// Every encoding of the canary of `kind`.
pub fn encodings(kind: Kind) -> Vec<String> {
    let v: Vec<&str> = match kind {
        Kind::DirtyWord => vec![
            // Base64 and hex of the phrase, as a reader pastes into a decoder (s42).
            "T3BlcmF0aW9uIE5JR0hUSkFS",
            "4f7065726174696f6e204e494748544a4152",
            "TwBwAGUAcgBhAHQAaQBvAG4AIABOAEkARwBIAFQASgBBAFIA",
            // Mail encodings and hex bytes of rule languages (s38).
            "Operation|20|NIGHTJAR",
            "Operation NIGHT|4a|AR",
            "Operation=20NIGHTJAR",
            "Operation =4EIGHTJAR",
            "=?UTF-8?B?T3BlcmF0aW9uIE5JR0hUSkFS?=",
            "=?utf-8?Q?Operation_NIGH=54JAR?=",
            "Operation +AE4-IGHTJAR",
            "{ 4F 70 65 72 61 74 69 6F 6E 20 4E 49 47 48 54 4A 41 52 }",
            "Operation NIGHTJAR",
            "operation nightjar",
            "Ｏｐｅｒａｔｉｏｎ ＮＩＧＨＴＪＡＲ",
            "Operation\u{3164}NIGHTJAR",
            "Operation\u{FFA0}NIGHTJAR",
            "Operation\u{2800}NIGHTJAR",
            "Operation\u{200D}NIGHTJAR",
            "Operation NIGHT\u{00AD}JAR",
            "Operation NIGHT\u{200B}JAR",
            "Operation\u{3000}NIGHTJAR",
            "Operation\u{00A0}\u{00A0}NIGHTJAR",
            "\u{41E}p\u{435}r\u{430}tion NIGHTJ\u{410}R",
            "Task Force 1-7",
            "Task Force 1\u{2212}7",
            "Task Force 1\u{2013}7",
            "Task Force 1\u{2011}7",
            "Task\u{3164}Force\u{FFA0}1\u{2010}7",
            "Project\u{2800}BLUEBIRD",
            "SOURCE CASTEL\u{00AD}LAN",
            // Separators inside the phrase, small capitals, accents (issue 15, second round).
            "Operation NIGHT-JAR",
            "Operation NIGHT_JAR",
            "Operation N.I.G.H.T.J.A.R",
            "Operation NIGHT JAR",
            "OperationNIGHTJAR",
            "Operation NIGHT/JAR",
            "Operation NIGHTJA\u{280}",
            "\u{1D0F}\u{1D18}\u{1D07}\u{280}\u{1D00}\u{1D1B}\u{26A}\u{1D0F}\u{274} NIGHTJAR",
            "Op\u{E9}ration NIGHTJAR",
            "Operation NIGHTJA\u{301}R",
            "Operation NIGH\u{301}TJAR",
            "Operation N\u{336}I\u{336}G\u{336}H\u{336}T\u{336}J\u{336}A\u{336}R\u{336}",
            "Task Force 17",
            "Project Blue-Bird",
            "\u{202E}RAJTHGIN noitarepO\u{202C}",
            "Operation\u{0}NIGHTJAR",
            "0peration NIGHTJAR",
            "Operation NlGHTJAR",
            "Operation N1GHTJAR",
            "Pr0ject BLUEB1RD",
            // Escaped as a program down the line decodes it (fifth round).
            "Operation&#32;NIGHTJAR",
            "Operation&nbsp;NIGHTJAR",
            "Operation NIGHT&#74;AR",
            "&#x4F;peration NIGHTJAR",
            "Operation%20NIGHTJAR",
            "Operation NIGHT%4aAR",
            "Operation\\x20NIGHTJAR",
            "Operation\\nNIGHTJAR",
            "Operation NIGHT\\u004aAR",
            "Operation&amp;#32;NIGHTJAR",
            // Digits and signs written for letters (sixth round).
            "Operation N1GHTJ4R",
            "0p3r4t10n N16H7J4R",
            "Operation NIGHTJ@R",
            "$OURCE CA$TELLAN",
            "SOURCE CA5TELLAN",
            "Proj3ct BLU3B!RD",
            "HALCYON R|DG3",
            "HALCY0N RID9E",
            "Project 8LUE8IRD",
            // Glued to words of a script written without spaces (Japanese, the partner's).
            "Operation NIGHTJARについて",
            "作戦Operation NIGHTJARの",
            "ＯｐｅｒａｔｉｏｎＮＩＧＨＴＪＡＲの",
            "HALCYON RIDGEで",
            "Task Force 1-7が",
            "SOURCE CASTELLANから",
            // Numbered or marked (red team F10): the name all the same.
            "Operation NIGHTJAR\u{2122}",
            "Operation NIGHTJAR\u{B2}",
            "Operation NIGHTJAR\u{2161}",
            "Operation NIGHTJAR2",
            "Project BLUEBIRD\u{2120}",
            // Dashes an input method types between digits (red team R03, eighth round).
            "Task Force 1\u{30FC}7",
            "Task Force 1\u{FF70}7",
            "Task Force 1\u{4E00}7",
            "Task Force 1\u{3161}7",
            "Task Force 1\u{2E5D}7",
            "Task Force 1\u{2500}7",
            "Task Force 1\u{FFE3}7",
            "Task Force 1~7",
            "Task Force 1\u{FF5E}7",
        ],
        Kind::Address => vec![
            // Base64 and hex of the address (s42).
            "MTAuMjAuMzAuNDA=",
            "31302e32302e33302e3430",
            "MQAwAC4AMgAwAC4AMwAwAC4ANAAwAA==",
            // Four bytes of a snort hex group, quoted-printable (s38).
            "|0a 14 1e 28|",
            "10=2E20=2E30=2E40",
            "10.20.30.40",
            "::ffff:10.20.30.40",
            "::ffff:a14:1e28",
            "::10.20.30.40",
            "http://[::ffff:10.20.30.40]/",
            "http://169090600/",
            "0x0a141e28",
            "0xa141e28",
            "010.020.030.040",
            "10.20.30.1-10.20.30.254",
            "10[.]20[.]30[.]40",
            "\\\\10.20.30.40\\admin$",
            "IP:10.20.30.40",
            "user@[10.20.30.40]",
            // IPv6 networks that hold every IPv4 address (s38).
            "::ffff:0:0/96",
            "::ffff:0.0.0.0/96",
            "64:ff9b::/96",
            "::/96",
            "10.20.30.0/24",
            "１０．２０．３０．４０",
            "10\u{3002}20\u{3002}30\u{3002}40",
            "http://10.1/",
            "hxxp://10(.)20(.)30(.)40:8080/x",
            "http://%31%30.20.30.40/",
            "[::ffff:192.168.1.1]:443",
            "192.168.1.1",
            "http://[::ffff:172.16.5.5]/",
            // Other scripts' digits, spaced dots, percent-encoded dots (second round).
            "\u{661}\u{660}.\u{662}\u{660}.\u{663}\u{660}.\u{664}\u{660}",
            "\u{967}\u{966}.\u{968}\u{966}.\u{969}\u{966}.\u{96A}\u{966}",
            "\u{E51}\u{E50}.\u{E52}\u{E50}.\u{E53}\u{E50}.\u{E54}\u{E50}",
            "10 . 20 . 30 . 40",
            "10\u{2024} 20\u{2024} 30\u{2024} 40",
            "10 [.] 20 [.] 30 [.] 40",
            "http://10%2e20%2e30%2e40/",
            // Shown right to left (an override), behind a control character, middle dots,
            // keycaps and circled numbers (third round).
            "\u{202E}04.03.02.01\u{202C}",
            "\u{202E}04.03.02.01",
            "\u{202E}04.03\u{202A}\u{202C}.02.01\u{202C}",
            "\u{202E}04.03\u{2066}\u{2069}.02.01",
            "10.20.30.40\u{0}",
            "\u{7}10.20.30.40",
            "10\u{B7}20\u{B7}30\u{B7}40",
            "10\u{30FB}20\u{30FB}30\u{30FB}40",
            "1\u{FE0F}\u{20E3}0\u{FE0F}\u{20E3}.20.30.40",
            "1\u{20DD}0\u{20DD}.20.30.40",
            "\u{2469}.\u{2473}.30.40",
            // ASCII look-alikes of digits: letter O for zero, l and I for one (fourth round).
            "1O.2O.3O.4O",
            "l0.20.30.40",
            "10.2o.3o.4o",
            "1O[.]2O[.]3O[.]4O",
            "http://1O.2O.3O.4O/",
            "IP:1O.2O.3O.4O",
            // A `%` after it, glued to letters or inside a longer run, dashed as host names
            // write it, escaped (fifth round).
            "10.20.30.40%",
            "10.20.30.40%eth0",
            "fe80::1%10.20.30.40",
            "ip10.20.30.40",
            "10.20.30.40a",
            "1.10.20.30.40",
            "10.20.30.40.nip.io",
            "ip-10-20-30-40",
            "ip-10-20-30-40.ec2.internal",
            "10-20-30-40.sslip.io",
            // The hexadecimal form wildcard-DNS services read (`<8 hex digits>.nip.io`, after a
            // name and `-`), any case (s38).
            "0a141e28.nip.io",
            "app-0a141e28.nip.io",
            "0A141E28.sslip.io",
            "http://x-0a141e28.nip.io/",
            "10&#46;20&#46;30&#46;40",
            "&#49;&#48;.20.30.40",
            "10\\x2e20\\x2e30\\x2e40",
            "10%252e20%252e30%252e40",
            "%u0031%u0030.20.30.40",
            // Parts with any number of leading zeros, IPv6 addresses that carry it (translated,
            // ISATAP, Teredo, NAT64 at every RFC 6052 length, a 6to4 network), other scripts'
            // full stops (seventh round).
            "0000000000012.024.036.050",
            "http://0000000000012.024.036.050/",
            "0x0000000000000a141e28",
            "http://0x0000000000000a141e28/",
            "00000000000010.20.30.40",
            "0x000000000000a.0x0000000014.036.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000050",
            "::ffff:0:a14:1e28",
            "::ffff:0:10.20.30.40",
            "http://[::ffff:0:a14:1e28]/",
            "fe80::5efe:a14:1e28",
            "fe80::200:5efe:a14:1e28",
            "2001:db8::5efe:10.20.30.40",
            "2001:0:4136:e378:8000:63bf:f5eb:e1d7",
            "2001:0:a14:1e28::1",
            "64:ff9b:1::a14:1e28",
            "64:ff9b:1:a14:1e:2800::",
            "64:ff9b:1:a:14:1e28::",
            "64:ff9b:1:0:a:141e:2800:0",
            "64:ff9b:a14:1e28::",
            "64:ff9b:a:141e:28::",
            "2002:a14:1e28::",
            "2002:a14:1e28::/48",
            "10\u{589}20\u{589}30\u{589}40",
            "10\u{66B}20\u{66B}30\u{66B}40",
            "10\u{6D4}20\u{6D4}30\u{6D4}40",
            "10\u{1362}20\u{1362}30\u{1362}40",
            "10\u{2E3C}20\u{2E3C}30\u{2E3C}40",
            // Reverse-DNS names, abbreviated CIDR and wildcard networks, every script's full
            // stop (red team R01, R11, R05, eighth round).
            "40.30.20.10.in-addr.arpa",
            "40.30.20.10.IN-ADDR.ARPA.",
            "10.in-addr.arpa",
            "30.20.10.in-addr.arpa",
            "http://40.30.20.10.in-addr.arpa/",
            "8.2.e.1.4.1.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
            "a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
            "10/8",
            "172.16/12",
            "192.168/16",
            "192.168.1/24",
            "10.20/16",
            "10.20.30.*",
            "192.168.x.x",
            "192.168.X.X",
            "10.*.*.*",
            "10.20.30.[40-50]",
            "10\u{2CFE}20\u{2CFE}30\u{2CFE}40",
            "10\u{2CF9}20\u{2CF9}30\u{2CF9}40",
            "10\u{11049}20\u{11049}30\u{11049}40",
            "10\u{10AF4}20\u{10AF4}30\u{10AF4}40",
            "10\u{2D9}20\u{2D9}30\u{2D9}40",
            "10\u{888}20\u{888}30\u{888}40",
            "10\u{16AF5}20\u{16AF5}30\u{16AF5}40",
            "10\u{16E98}20\u{16E98}30\u{16E98}40",
            "10\u{1BC9F}20\u{1BC9F}30\u{1BC9F}40",
            "10\u{1DA88}20\u{1DA88}30\u{1DA88}40",
            "10\u{964}20\u{964}30\u{964}40",
        ],
        Kind::Domain => vec![
            // Base64 and hex of the name (s42).
            "aW50cmFuZXQuY29ycC5leGFtcGxl",
            "696e7472616e65742e636f72702e6578616d706c65",
            "aQBuAHQAcgBhAG4AZQB0AC4AYwBvAHIAcAAuAGUAeABhAG0AcABsAGUA",
            // DNS wire labels in snort hex, quoted-printable, an RFC 2047 word (s38).
            "|08|intranet|04|corp|07|example|00|",
            "|04|corp|07|example|00|",
            "intranet=2Ecorp=2Eexample",
            "=?utf-8?b?aW50cmFuZXQuY29ycC5leGFtcGxl?=",
            // DNS wire labels in C escapes: the length bytes read as dots (s39).
            "\\x08intranet\\x04corp\\x07example\\x00",
            "\\010intranet\\004corp\\007example",
            "intranet.corp.example",
            "INTRANET.CORP.EXAMPLE",
            "intranet.corp.example.",
            "ｉｎｔｒａｎｅｔ．ｃｏｒｐ．ｅｘａｍｐｌｅ",
            "intranet\u{3002}corp\u{3002}example",
            "intranet\u{FF0E}corp\u{FF0E}example",
            "intranet\u{200B}.corp\u{200B}.example",
            "hxxps://intranet[.]corp[.]example",
            "https://intranet.corp.example/login",
            "intranet.c\u{43E}rp.example",
            "\\\\intranet.corp.example\\share",
            "corp.example",
            // Percent-encoded dots, spelt-out dots, accents (second round).
            "https://intranet%2Ecorp%2Eexample/",
            "intranet dot corp dot example",
            "intranet (dot) corp (dot) example",
            "intranet [.] corp [.] example",
            "intranet.corp.exa\u{301}mple",
            "intranet.\u{E7}orp.example",
            "\u{202E}elpmaxe.proc.tenartni\u{202C}",
            "intranet\u{B7}corp\u{B7}example",
            "intranet\u{30FB}corp\u{30FB}example",
            "intranet.c0rp.example",
            "intranet .corp .example",
            "intranet. corp. example",
            "intranet.corp.examp1e",
            "C0RP.EXAMPLE",
            "intranet&#46;corp&#46;example",
            "intranet&period;corp&period;example",
            "intranet\\\\.corp\\\\.example",
            "intranet\\x2ecorp\\x2eexample",
            "intranet\\u002ecorp\\u002eexample",
            "intranet\\056corp\\056example",
            "intranet%252Ecorp%252Eexample",
            "1ntr4n3t.c0rp.3x4mpl3",
            "intranet.corp.exampleへ",
            "社内intranet.corp.exampleのサーバ",
            "intranet.corp.ex@mple",
            "intr@net.corp.ex@mple",
            // Other scripts' full stops (seventh round).
            "intranet\u{589}corp\u{589}example",
            "intranet\u{6D4}corp\u{6D4}example",
            "intranet\u{66B}corp\u{66B}example",
            "intranet\u{1362}corp\u{1362}example",
            "intranet\u{2E3C}corp\u{2E3C}example",
            "intranet\u{A4FF}corp\u{A4FF}example",
            // An LDAP distinguished name, every script's full stop (red team R02, R05, eighth
            // round).
            "DC=corp,DC=example",
            "dc=corp, dc=example",
            "DC = corp , DC = example",
            "CN=vpn,DC=corp,DC=example",
            "DC=intranet;DC=corp;DC=example",
            "ldap://dc1/DC=corp,DC=example",
            "intranet\u{2CFE}corp\u{2CFE}example",
            // Punycode that IDNA refuses but a reader decodes (s38).
            "xn--corp-.example",
            "intranet.xn--corp-.example",
            "XN--CORP-.EXAMPLE",
            "https://xn--intranet-.xn--corp-.example/",
            "intranet\u{11049}corp\u{11049}example",
            "intranet\u{2D9}corp\u{2D9}example",
            "intranet\u{1DA88}corp\u{1DA88}example",
        ],
        Kind::Email => vec![
            // Base64 and hex of the address (s42).
            "YWxpY2Uuc21pdGhAYWdlbmN5LmV4YW1wbGUuZ292",
            "616c6963652e736d697468406167656e63792e6578616d706c652e676f76",
            "YQBsAGkAYwBlAC4AcwBtAGkAdABoAEAAYQBnAGUAbgBjAHkALgBlAHgAYQBtAHAAbABlAC4AZwBvAHYA",
            // Quoted-printable, an RFC 2047 word (s38).
            "alice.smith=40agency.example.gov",
            "=?UTF-8?B?YWxpY2Uuc21pdGhAYWdlbmN5LmV4YW1wbGUuZ292?=",
            "alice.smith@agency.example.gov",
            "josé@bücher.example",
            "ops@agency\u{3002}example\u{3002}gov",
            "mailto:alice@agency.example.gov",
            "ＡＬＩＣＥ＠ＡＧＥＮＣＹ．ＥＸＡＭＰＬＥ．ＧＯＶ",
            "bob[at]agency[.]example[.]gov",
            "user@[203.0.113.5]",
            // A domain literal holding a name (RFC 5322 allows it; s41).
            "alice.smith@[agency.example.gov]",
            // Blanks inside it, defanged dots or a defanged `@` before it (s42).
            "alice.smith@[ agency.example.gov ]",
            "alice.smith@[agency[.]example[.]gov]",
            "alice.smith [at] [agency.example.gov]",
            // Spelt-out and spaced `at` and `dot`, percent-encoded `@`, a quoted local part.
            "alice.smith (at) agency (dot) example (dot) gov",
            "alice.smith [at] agency [dot] example [dot] gov",
            "alice.smith AT agency DOT example DOT gov",
            "alice.smith%40agency.example.gov",
            "mailto:alice.smith%40agency.example.gov",
            "\"alice smith\"@agency.example.gov",
            "\u{202E}vog.elpmaxe.ycnega@htims.ecila\u{202C}",
            "alice.smith&#64;agency.example.gov",
            "alice.smith&commat;agency.example.gov",
            "alice.smith\\x40agency.example.gov",
            "alice.smith\\@agency.example.gov",
            // Spaces around the `@`, a doubled `@`, a dotted quad without brackets (red team R04,
            // eighth round).
            "alice.smith @ agency.example.gov",
            "alice.smith@ agency.example.gov",
            "alice.smith @agency.example.gov",
            "alice.smith@@agency.example.gov",
            "bob@198.51.100.7",
            // RFC 5322 comments around the local part and the domain; an `IPv6:` literal (s38).
            "alice(ops)@agency.example.gov",
            "alice@(ops)agency.example.gov",
            "alice.smith(x)@(y)agency.example.gov",
            "alice@[IPv6:2001:db8::1]",
        ],
        Kind::Phone => vec![
            // Base64 and hex of the number (s42).
            "KDIwMikgNTU1LTAxNDM=",
            "2832303229203535352d30313433",
            "KAAyADAAMgApACAANQA1ADUALQAwADEANAAzAA==",
            // Glued to words of a script written without spaces (red team, session 30).
            "電話03-1234-0150まで",
            "携帯090-1234-5678",
            "電話番号は+81-3-1234-0150です",
            "(202)555-0143",
            "(202) 555-0143",
            "202\u{2013}555\u{2013}0144",
            "202\u{2011}555\u{2011}0145",
            "+81 3 1234 0146",
            "+81-3-1234-0147",
            "+12025550148",
            "+1 202-555-0173",
            "202.555.0149",
            "03-1234-0150",
            "２０２－５５５－０１５１",
            // URIs and labels glued to the number, other scripts' digits (second round).
            "tel:+1-202-555-0143",
            "tel:202-555-0152",
            "phone:2025550153",
            "2O2-555-0143",
            "tel:2O2-555-0143",
            "(202) 555-O143",
            "+l 202 555 0143",
            "\u{662}\u{660}\u{662}-\u{665}\u{665}\u{665}-\u{660}\u{661}\u{665}\u{664}",
            "202&#45;555&#45;0143",
            "202%2D555%2D0143",
            "(202)%20555-0143",
            "2&#48;2-555-0143",
            // Spaced dashes, dial codes and outside lines before, second endings, pauses and
            // extensions after, a label glued with a dash (seventh round).
            "202 - 555 - 0173",
            "+1 - 202 - 555 - 0173",
            "+1 202 - 555 - 0173",
            "03 - 1234 - 0150",
            "*67 202 555 0173",
            "#31#2025550173",
            "*82 2025550173",
            "9 1 202 555 0173",
            "9 202 555 0173",
            "202-555-0173/4",
            "202 555 0173/0174",
            "2025550173p123",
            "2025550173w123",
            "202-555-0173x12",
            "202-555-0173ext9",
            "tel-202-555-0173",
            "phone_2025550173",
            // Dashes an input method types, the telephone sign, tildes (red team R03), and a
            // number after `/`, `@` or `+` (R08; eighth round).
            "03\u{30FC}5555\u{30FC}0100",
            "03\u{FF70}5555\u{FF70}0100",
            "+1 202\u{30FC}555\u{30FC}0173",
            "\u{2121}03-5555-0100",
            "+81~3~5555~0100",
            "+81\u{FF5E}3\u{FF5E}5555\u{FF5E}0100",
            "03\u{2E5D}5555\u{2E5D}0100",
            "03\u{2500}5555\u{2500}0100",
            "03\u{FFE3}5555\u{FFE3}0100",
            "03\u{4E00}5555\u{4E00}0100",
            "03\u{3161}5555\u{3161}0100",
            "０３ー５５５５ー０１００",
            "https://example.net/call/+1-202-555-0173",
            "https://example.net/call/03-5555-0100",
            "TEL/03-5555-0100",
            "see /03-5555-0100",
            "\u{96FB}\u{8A71}/03-5555-0100",
            "call@+1-202-555-0173",
            "x+12025550173",
            // The local part of an address; dots with a country code (s38).
            "2025550143@vtext.com",
            "+12025550143@tmomail.net",
            "090-1234-5678@docomo.ne.jp",
            "+1.202.555.0143",
            "+81.3.5555.0100",
            "1.202.555.0143",
            "\u{96FB}\u{8A71} \u{3007}\u{4E09}-\u{4E94}\u{4E94}\u{4E94}\u{4E94}-\u{3007}\u{4E00}\u{3007}\u{3007}",
            "\u{4E8C}\u{3007}\u{4E8C}\u{4E94}\u{4E94}\u{4E94}\u{3007}\u{4E00}\u{4E03}\u{4E09}",
        ],
    };
    v.into_iter().map(String::from).collect()
}

/// Strings that look like canaries but are not: they must cross unchanged.
pub const BENIGN: &[&str] = &[
    "logo@2x.png",
    "icon@3x.webp",
    "CVSS 10.0",
    "version 10.1.2",
    "203.0.113.9",
    "2001:db8::1",
    "mail.corp.example.net",
    "corp.example-cdn.net",
    "notcorp.example",
    "1,000,000",
    "port 8443",
    "2024-01-15",
    "T1059.001",
    "CVE-2024-12345",
    "198.51.100.0/24",
    "12345",
    "Operation NIGHTJARSONG",
    "task forces",
    "look at agency.example.gov's notice",
    "the red dot on the map",
    "nightjar",
    "Steps 1. 2. 3.",
    "10:30 2024-01-15",
    "i18n and l10n",
    "See the report. Example follows.",
    "log4j 2.17.1",
    "Office 365",
    "10 lol",
    // IPv6 addresses that carry an outside IPv4 address, and numbers near the new phone
    // writings (seventh round).
    "2002:cb00:7101::",
    "64:ff9b:1::cb00:7101",
    "fe80::5efe:cb00:7101",
    "2001:0:4136:e378:8000:63bf:34ff:8efe",
    "2024 - 01 - 15",
    "1998 - 2004 - 2010",
    "10.20.30 - 10.20.31",
    "ticket #12345678",
    "build 1234567p2",
    "ISBN 978-0-306-40615-7",
    // Near the reverse-DNS, abbreviated CIDR, wildcard, LDAP, e-mail and digit-dash readings
    // (eighth round).
    "1.2.3.4.in-addr.arpa",
    "113.0.203.in-addr.arpa",
    "8.b.d.0.1.0.0.2.ip6.arpa",
    // Hashes, long words and base64 of benign text near the base64 and hex readings (s42).
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7855b852",
    "md5 d41d8cd98f00b204e9800998ecf8427e",
    "internationalization/characterization",
    "powershell -enc ZQBjAGgAbwAgAGgAaQA=",
    "aGVsbG8gd29ybGQ=",
    "48656c6c6f20776f726c64",
    // Eight hexadecimal digits that are no host name's label, or name an outside address (s38).
    "cb007109.nip.io",
    "sample 0a141e28.exe",
    "xn--bcher-kva.example",
    "xn--corp-x.example",
    "crc32 0a141e28",
    "Windows 10/11",
    "24/7",
    "50/50",
    "203.0/16",
    "version 10.2.*",
    "10.2.x",
    "203.0.113.*",
    "~/.bashrc",
    "about ~5 minutes",
    "\u{30B3}\u{30FC}\u{30D2}\u{30FC}",
    "\u{7B2C}\u{4E00}\u{7AE0}",
    "DC=example,DC=com",
    "CN=Alice,DC=example,DC=org",
    "alice @ home",
    "\u{4E8C}\u{3007}\u{4E8C}\u{4E94}\u{5E74}",
    // Versions near the dotted numbers, public IPv6 networks, a comment in prose (s38).
    "build 10.0.19041",
    "Windows 10.0.19041.1288",
    "6.1.7601.17514",
    "2001:db8::/32",
    "::ffff:203.0.113.0/120",
    "call f(x) at noon",
    // Near the snort, YARA, quoted-printable, RFC 2047 and UTF-7 readings (s38).
    "a=b, x == 2",
    "https://example.net/search?q=4E&page=20",
    "aGVsbG8gd29ybGQ=",
    "| 10 | 20 | 30 | 40 |",
    "content:|0d 0a 0d 0a|",
    "|cb 00 71 09|",
    "{ 4D 5A 90 00 }",
    "C++ and a+b",
    "=?utf-8?Q?plain_words?=",
    "\\x08intranet\\x04evil\\x07example\\x00",
    "printf(\"a\\x09b\\x0ac\\x01\")",
];

const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const T: &str = "2026-01-01T00:00:00.000Z";

fn id(t: &str, n: usize) -> String {
    format!("{t}--00000000-0000-4000-8000-{n:012x}")
}

fn base(t: &str, n: usize) -> Value {
    json!({"type": t, "spec_version": "2.1", "id": id(t, n), "created": T, "modified": T,
           "object_marking_refs": [TLP_GREEN]})
}

fn sco(t: &str, n: usize) -> Value {
    json!({"type": t, "spec_version": "2.1", "id": id(t, n), "object_marking_refs": [TLP_GREEN]})
}

fn indicator(n: usize) -> Value {
    let mut o = base("indicator", n);
    o["pattern"] = json!("[ipv4-addr:value = '203.0.113.1']");
    o["pattern_type"] = json!("stix");
    o["valid_from"] = json!("2026-01-01T00:00:00Z");
    o
}

/// The places a string can stand, by name.
pub const PLACES: &[&str] = &[
    "indicator.description",
    "indicator.name",
    "indicator.labels",
    "indicator.external_references.description",
    "indicator.external_references.url",
    "indicator.external_references.source_name",
    "indicator.external_references.external_id",
    "indicator.external_references.x_note",
    "indicator.kill_chain_phases.phase_name",
    "indicator.kill_chain_phases.kill_chain_name",
    "indicator.kill_chain_phases.x_note",
    "indicator.pattern_version",
    "indicator.pattern_type",
    "indicator.pattern.snort",
    "indicator.pattern.STIX",
    "indicator.pattern.literal",
    "indicator.pattern.matches",
    "indicator.pattern.like",
    "indicator.pattern.binary",
    "indicator.pattern.hex",
    "indicator.pattern.utf16",
    "indicator.granular_markings.x_note",
    "indicator.extensions.unnamed",
    "indicator.x_custom.nested",
    "file.hashes.key",
    "observed-data.objects.key",
    "note.content",
    "note.abstract",
    "note.authors",
    "location.street_address",
    "location.name",
    "identity.contact_information",
    "identity.name",
    "malware.aliases",
    "malware.description",
    "vulnerability.description",
    "campaign.objective",
    "threat-actor.goals",
    "tool.tool_version",
    "infrastructure.description",
    "course-of-action.name",
    "attack-pattern.external_references.url",
    "grouping.context",
    "report.name",
    "relationship.description",
    "observed-data.objects.x-type",
    "observed-data.objects.value",
    "ipv4-addr.value",
    "ipv6-addr.value",
    "domain-name.value",
    "url.value",
    "email-addr.value",
    "file.name",
    "autonomous-system.name",
];

/// The objects that put `s` at place `p` (an index into [`PLACES`]); `n` numbers the ids.
pub fn place(p: usize, s: &str, n: usize) -> Vec<Value> {
    let name = PLACES.get(p % PLACES.len()).copied().unwrap_or("indicator.description");
    let mut out = Vec::new();
    let quoted = s.replace('\\', "\\\\").replace('\'', "\\'");
    let mut o = indicator(n);
    match name {
        "indicator.description" => o["description"] = json!(s),
        "indicator.name" => o["name"] = json!(s),
        "indicator.labels" => o["labels"] = json!(["benign", s]),
        "indicator.external_references.description" => {
            o["external_references"] = json!([{"source_name": "x", "description": s}])
        }
        "indicator.external_references.url" => o["external_references"] = json!([{"source_name": "x", "url": s}]),
        "indicator.external_references.source_name" => {
            o["external_references"] = json!([{"source_name": s, "description": "d"}])
        }
        "indicator.external_references.external_id" => {
            o["external_references"] = json!([{"source_name": "x", "external_id": s}])
        }
        "indicator.external_references.x_note" => {
            o["external_references"] = json!([{"source_name": "x", "description": "d", "x_note": s}])
        }
        "indicator.kill_chain_phases.phase_name" => {
            o["kill_chain_phases"] = json!([{"kill_chain_name": "k", "phase_name": s}])
        }
        "indicator.kill_chain_phases.kill_chain_name" => {
            o["kill_chain_phases"] = json!([{"kill_chain_name": s, "phase_name": "p"}])
        }
        "indicator.kill_chain_phases.x_note" => {
            o["kill_chain_phases"] = json!([{"kill_chain_name": "k", "phase_name": "p", "x_note": s}])
        }
        "indicator.pattern_version" => o["pattern_version"] = json!(s),
        "indicator.pattern_type" => {
            o["pattern_type"] = json!(s);
            o["pattern"] = json!("alert any");
        }
        "indicator.pattern.snort" => {
            o["pattern_type"] = json!("snort");
            o["pattern"] = json!(format!("alert tcp any any -> {s} any (msg:\"x\";)"));
        }
        "indicator.pattern.STIX" => {
            o["pattern_type"] = json!("STIX");
            o["pattern"] = json!(format!("[url:value = '{quoted}']"));
        }
        "indicator.pattern.literal" => o["pattern"] = json!(format!("[url:value = '{quoted}']")),
        "indicator.pattern.matches" => {
            let re: String = s
                .chars()
                .flat_map(|c| {
                    let meta = "\\.+*?()|[]{}^$".contains(c);
                    meta.then_some('\\').into_iter().chain(std::iter::once(c))
                })
                .collect();
            let re = re.replace('\\', "\\\\").replace('\'', "\\'");
            o["pattern"] = json!(format!("[url:value MATCHES '^.*{re}']"));
        }
        "indicator.pattern.like" => o["pattern"] = json!(format!("[url:value LIKE '%{quoted}%']")),
        "indicator.pattern.binary" => {
            o["pattern"] = json!(format!("[artifact:payload_bin = b'{}']", base64(s.as_bytes())))
        }
        "indicator.pattern.hex" => o["pattern"] = json!(format!("[file:magic_number_hex = h'{}']", hex::encode(s))),
        "indicator.pattern.utf16" => {
            let utf16: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
            o["pattern"] = json!(format!("[artifact:payload_bin = b'{}']", base64(&utf16)))
        }
        "indicator.granular_markings.x_note" => {
            o["granular_markings"] = json!([{"selectors": ["pattern"], "marking_ref": TLP_GREEN, "x_note": s}])
        }
        "indicator.extensions.unnamed" => {
            o["extensions"] = json!({"extension-definition--00000000-0000-4000-8000-0000000000e1":
                                       {"extension_type": "property-extension", "note": s}})
        }
        "indicator.x_custom.nested" => o["x_custom"] = json!({"inner": s}),
        "note.content" | "note.abstract" | "note.authors" => {
            o = base("note", n);
            o["object_refs"] = json!([id("indicator", n + 1)]);
            o["content"] = json!("c");
            match name {
                "note.content" => o["content"] = json!(s),
                "note.abstract" => o["abstract"] = json!(s),
                _ => o["authors"] = json!([s]),
            }
            out.push(indicator(n + 1));
        }
        "location.street_address" | "location.name" => {
            o = base("location", n);
            o["country"] = json!("us");
            o[if name.ends_with("name") {
                "name"
            } else {
                "street_address"
            }] = json!(s);
        }
        "identity.contact_information" | "identity.name" => {
            o = base("identity", n);
            o["name"] = json!("n");
            o[if name.ends_with(".name") {
                "name"
            } else {
                "contact_information"
            }] = json!(s);
        }
        "malware.aliases" | "malware.description" => {
            o = base("malware", n);
            o["name"] = json!("m");
            o["is_family"] = json!(true);
            if name.ends_with("aliases") {
                o["aliases"] = json!([s]);
            } else {
                o["description"] = json!(s);
            }
        }
        "vulnerability.description" => {
            o = base("vulnerability", n);
            o["name"] = json!("v");
            o["description"] = json!(s);
        }
        "campaign.objective" => {
            o = base("campaign", n);
            o["name"] = json!("c");
            o["objective"] = json!(s);
        }
        "threat-actor.goals" => {
            o = base("threat-actor", n);
            o["name"] = json!("t");
            o["goals"] = json!([s]);
        }
        "tool.tool_version" => {
            o = base("tool", n);
            o["name"] = json!("t");
            o["tool_version"] = json!(s);
        }
        "infrastructure.description" => {
            o = base("infrastructure", n);
            o["name"] = json!("i");
            o["description"] = json!(s);
        }
        "course-of-action.name" => {
            o = base("course-of-action", n);
            o["name"] = json!(s);
        }
        "attack-pattern.external_references.url" => {
            o = base("attack-pattern", n);
            o["name"] = json!("a");
            o["external_references"] = json!([{"source_name": "x", "url": s}]);
        }
        "grouping.context" => {
            o = base("grouping", n);
            o["context"] = json!(s);
            o["object_refs"] = json!([id("indicator", n + 1)]);
            out.push(indicator(n + 1));
        }
        "report.name" => {
            o = base("report", n);
            o["name"] = json!(s);
            o["published"] = json!("2026-01-02T00:00:00Z");
            o["object_refs"] = json!([id("indicator", n + 1)]);
            out.push(indicator(n + 1));
        }
        "relationship.description" => {
            o = base("relationship", n);
            o["relationship_type"] = json!("related-to");
            o["source_ref"] = json!(id("indicator", n + 1));
            o["target_ref"] = json!(id("indicator", n + 2));
            o["description"] = json!(s);
            out.push(indicator(n + 1));
            out.push(indicator(n + 2));
        }
        "observed-data.objects.x-type" | "observed-data.objects.value" => {
            o = base("observed-data", n);
            o["first_observed"] = json!("2026-01-01T00:00:00Z");
            o["last_observed"] = json!("2026-01-01T00:00:00Z");
            o["number_observed"] = json!(1);
            o["objects"] = if name.ends_with("x-type") {
                json!({"0": {"type": "domain-name", "value": "example.org"}, "1": {"type": "x-secret", "value": s}})
            } else {
                json!({"0": {"type": "domain-name", "value": s}})
            };
        }
        "ipv4-addr.value" | "ipv6-addr.value" | "domain-name.value" | "url.value" | "email-addr.value" => {
            o = sco(name.split('.').next().unwrap_or("url"), n);
            o["value"] = json!(s);
        }
        "file.hashes.key" => {
            o = sco("file", n);
            o["name"] = json!("f");
            o["hashes"] = json!({"SHA-256": "0".repeat(64), s: "00"});
        }
        "observed-data.objects.key" => {
            o = base("observed-data", n);
            o["first_observed"] = json!("2026-01-01T00:00:00Z");
            o["last_observed"] = json!("2026-01-01T00:00:00Z");
            o["number_observed"] = json!(1);
            o["objects"] = json!({ s: {"type": "domain-name", "value": "example.org"}});
        }
        "file.name" => {
            o = sco("file", n);
            o["name"] = json!(s);
        }
        "autonomous-system.name" => {
            o = sco("autonomous-system", n);
            o["number"] = json!(64500);
            o["name"] = json!(s);
        }
        _ => o["description"] = json!(s),
    }
    out.insert(0, o);
    out
}

fn base64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Whether the shipped policy lets canaries of `kind` cross at `place` on purpose: e-mail
/// addresses in indicator patterns and `email-addr` values (phishing senders are intelligence
/// to share; `except` in `policies/us-to-jpn.toml`).
pub fn crosses_by_policy(kind: Kind, place: usize) -> bool {
    let name = PLACES.get(place).copied().unwrap_or_default();
    kind == Kind::Email && (name.starts_with("indicator.pattern.") || name == "email-addr.value")
}

/// A bundle of `objects`.
pub fn bundle(objects: Vec<Value>) -> String {
    json!({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-00000000c001", "objects": objects}).to_string()
}

/// Whether `output` still shows the canary `encoded` (of `kind`): verbatim, or, read in the
/// guard's normal form, the phrase / address / name / number it encodes.
pub fn leaked(output: &str, encoded: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(output) else {
        return output.contains(encoded);
    };
    let mut strings = Vec::new();
    collect(&v, &mut strings);
    let plain = crate::text::normalize(encoded).text;
    let shown = |s: &str| s.contains(encoded) || crate::text::normalize(s).text.contains(&plain);
    strings
        .iter()
        .any(|s| shown(s) || constants(s).iter().any(|t| shown(t)))
}

/// The text of each binary (`b'…'`) or hex (`h'…'`) constant in `s`, as UTF-8 and UTF-16LE.
fn constants(s: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    for (i, _) in s.match_indices(['b', 'h']) {
        let Some(rest) = s.get(i + 1..).and_then(|r| r.strip_prefix('\'')) else {
            continue;
        };
        let Some(body) = rest.split('\'').next() else { continue };
        let bytes = if s.get(i..i + 1) == Some("b") {
            base64::engine::general_purpose::STANDARD.decode(body).ok()
        } else {
            hex::decode(body).ok()
        };
        if let Some(b) = bytes {
            out.push(String::from_utf8_lossy(&b).into_owned());
            let units: Vec<u16> = b
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p.first().copied().unwrap_or(0), p.get(1).copied().unwrap_or(0)]))
                .collect();
            out.push(String::from_utf16_lossy(&units));
        }
    }
    out
}

fn collect<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            collect(x, out)
        }),
        _ => {}
    }
}

/// One fuzz case: `data` picks a kind, encodings and places, several canaries in one bundle
/// beside a benign string; none may cross, through the guard or the second verifier, and the
/// benign string crosses unchanged when its object is released.
pub fn content_canaries(data: &[u8]) {
    let policy = super::shipped_policy();
    let mut objects = Vec::new();
    let mut canaries = Vec::new();
    for (n, c) in data.chunks(3).take(12).enumerate() {
        let (k, e, p) = match c {
            [k, e, p] => (*k, *e, *p),
            _ => continue,
        };
        let kind = KINDS
            .get(usize::from(k) % KINDS.len())
            .copied()
            .unwrap_or(Kind::Address);
        if crosses_by_policy(kind, usize::from(p) % PLACES.len()) {
            continue;
        }
        let all = encodings(kind);
        let Some(enc) = all.get(usize::from(e) % all.len().max(1)).cloned() else {
            continue;
        };
        // Two encodings glued together now and then: combinations.
        let enc = if e & 0x80 != 0 {
            let other = all
                .get(usize::from(e / 3) % all.len().max(1))
                .cloned()
                .unwrap_or_default();
            format!("{enc} and {other}")
        } else {
            enc
        };
        objects.extend(place(usize::from(p), &enc, n * 4));
        canaries.push(enc);
    }
    if objects.is_empty() {
        return;
    }
    let input = bundle(objects);
    if crate::verifier::verify(input.as_bytes(), policy).is_ok() {
        panic!("the verifier passed canaries: {input}");
    }
    let Ok(released) = crate::guard::filter(input.as_bytes(), policy) else {
        return;
    };
    let out = String::from_utf8_lossy(released.output.as_bytes()).into_owned();
    for c in &canaries {
        for part in c.split(" and ") {
            assert!(!leaked(&out, part), "{part:?} crossed: {out}");
        }
    }
    if let Err(f) = crate::verifier::verify(released.output.as_bytes(), policy) {
        panic!("the verifier refused the guard's output: {f:?}");
    }
}
