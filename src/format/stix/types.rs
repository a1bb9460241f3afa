//! The STIX 2.1 object types, as tables that read like the specification: each type's class and
//! its properties with their types, and which are required. Rules that a table cannot say (one of
//! two properties must be present, ...) are in `rules.rs`.

/// What kind of object a type is (STIX 2.1 §2.4–2.7, §7, §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectClass {
    /// STIX Domain Object (§4).
    Sdo,
    /// STIX Relationship Object (§5).
    Sro,
    /// STIX Cyber-observable Object (§6).
    Sco,
    /// language-content, marking-definition, extension-definition (§7).
    Meta,
    /// A custom object, type starting with `x-` (§11.2).
    Custom,
    /// A new object type defined by an extension-definition (§7.3, `new-sdo`, `new-sco`, `new-sro`).
    Extension,
    /// A type this guard does not know; the policy decides what happens to it.
    Unknown,
}

/// The type of a property's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    String,
    Boolean,
    /// An integer in an inclusive range.
    Integer(i64, i64),
    /// A number in an inclusive range.
    Float(f64, f64),
    Timestamp,
    /// A timestamp with at least millisecond precision (`created`, `modified`).
    TimestampMillis,
    /// An identifier of one of these types (any type when empty).
    Id(&'static [&'static str]),
    IdList(&'static [&'static str]),
    StringList,
    /// One of a closed vocabulary (an `-enum`).
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    Hashes,
    Dictionary,
    KillChainPhases,
    ExternalReferences,
    GranularMarkings,
    Extensions,
    /// A language tag (RFC 5646).
    Lang,
    /// Base64 binary (§2.2).
    Binary,
    /// Hexadecimal (§2.5).
    Hex,
    /// A list of objects (structure checked by the type's own rules, if any).
    ObjectList,
    /// An object (structure checked by the type's own rules, if any).
    Object,
}

/// A property of a type: name, value type, required.
#[derive(Debug, Clone, Copy)]
pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn req(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: true,
    }
}
const fn opt(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: false,
    }
}

/// A type: its name, class, and specific properties (the common ones come from its class).
#[derive(Debug)]
pub struct TypeDef {
    pub name: &'static str,
    pub class: ObjectClass,
    pub props: &'static [Prop],
}

use ObjectClass::*;
use Ty::*;

const ANY: &[&str] = &[];
const IDENTITY: &[&str] = &["identity"];
const MARKING: &[&str] = &["marking-definition"];

/// §3.2 (Common Properties) for SDOs, SROs and the meta objects that share them.
pub const SDO_COMMON: &[Prop] = &[
    req("type", String),
    req("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("created_by_ref", Id(IDENTITY)),
    req("created", TimestampMillis),
    req("modified", TimestampMillis),
    opt("revoked", Boolean),
    opt("labels", StringList),
    opt("confidence", Integer(0, 100)),
    opt("lang", Lang),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("extensions", Extensions),
];

/// §6.1 common properties of SCOs.
pub const SCO_COMMON: &[Prop] = &[
    req("type", String),
    opt("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("defanged", Boolean),
    opt("extensions", Extensions),
];

/// §7.2.1 marking-definition has its own, smaller set of common properties (no `modified`).
pub const MARKING_COMMON: &[Prop] = &[
    req("type", String),
    req("spec_version", Enum(&["2.1"])),
    req("id", Id(ANY)),
    opt("created_by_ref", Id(IDENTITY)),
    // The marking-definition schema types `created` as a plain timestamp (ACS 3.0's examples
    // are to the second): the millisecond MUST of §3.2 is for the SDO/SRO common properties.
    req("created", Timestamp),
    opt("external_references", ExternalReferences),
    opt("object_marking_refs", IdList(MARKING)),
    opt("granular_markings", GranularMarkings),
    opt("extensions", Extensions),
];

const NAME: Prop = req("name", String);
const DESCRIPTION: Prop = opt("description", String);
const ALIASES: Prop = opt("aliases", StringList);
const KILL_CHAIN: Prop = opt("kill_chain_phases", KillChainPhases);
const FIRST_SEEN: Prop = opt("first_seen", Timestamp);
const LAST_SEEN: Prop = opt("last_seen", Timestamp);
const OBJECT_REFS: Prop = req("object_refs", IdList(ANY));
const COUNT: Ty = Integer(0, 999_999_999);
const PORT: Ty = Integer(0, 65_535);
const UNSIGNED: Ty = Integer(0, i64::MAX);
const SOFTWARE: &[&str] = &["software"];
const ADDRESSES: &[&str] = &["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"];

/// Every type STIX 2.1 defines, in the specification's order.
pub const TYPES: &[TypeDef] = &[
    // §4 STIX Domain Objects
    TypeDef {
        name: "attack-pattern",
        class: Sdo,
        props: &[NAME, DESCRIPTION, ALIASES, KILL_CHAIN],
    },
    TypeDef {
        name: "campaign",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("objective", String),
        ],
    },
    TypeDef {
        name: "course-of-action",
        class: Sdo,
        props: &[NAME, DESCRIPTION],
    },
    TypeDef {
        name: "grouping",
        class: Sdo,
        props: &[opt("name", String), DESCRIPTION, req("context", String), OBJECT_REFS],
    },
    TypeDef {
        name: "identity",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("roles", StringList),
            opt("identity_class", String),
            opt("sectors", StringList),
            opt("contact_information", String),
        ],
    },
    TypeDef {
        name: "incident",
        class: Sdo,
        props: &[NAME, DESCRIPTION, KILL_CHAIN],
    },
    TypeDef {
        name: "indicator",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("indicator_types", StringList),
            req("pattern", String),
            req("pattern_type", String),
            opt("pattern_version", String),
            req("valid_from", Timestamp),
            opt("valid_until", Timestamp),
            KILL_CHAIN,
        ],
    },
    TypeDef {
        name: "infrastructure",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("infrastructure_types", StringList),
            ALIASES,
            KILL_CHAIN,
            FIRST_SEEN,
            LAST_SEEN,
        ],
    },
    TypeDef {
        name: "intrusion-set",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("goals", StringList),
            opt("resource_level", String),
            opt("primary_motivation", String),
            opt("secondary_motivations", StringList),
        ],
    },
    TypeDef {
        name: "location",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("latitude", Float(-90.0, 90.0)),
            opt("longitude", Float(-180.0, 180.0)),
            opt("precision", Float(0.0, f64::MAX)),
            opt("region", String),
            opt("country", String),
            opt("administrative_area", String),
            opt("city", String),
            opt("street_address", String),
            opt("postal_code", String),
        ],
    },
    TypeDef {
        name: "malware",
        class: Sdo,
        props: &[
            opt("name", String),
            DESCRIPTION,
            opt("malware_types", StringList),
            req("is_family", Boolean),
            ALIASES,
            KILL_CHAIN,
            FIRST_SEEN,
            LAST_SEEN,
            opt("operating_system_refs", IdList(SOFTWARE)),
            opt("architecture_execution_envs", StringList),
            opt("implementation_languages", StringList),
            opt("capabilities", StringList),
            opt("sample_refs", IdList(&["file", "artifact"])),
        ],
    },
    TypeDef {
        name: "malware-analysis",
        class: Sdo,
        props: &[
            req("product", String),
            opt("version", String),
            opt("host_vm_ref", Id(SOFTWARE)),
            opt("operating_system_ref", Id(SOFTWARE)),
            opt("installed_software_refs", IdList(SOFTWARE)),
            opt("configuration_version", String),
            opt("modules", StringList),
            opt("analysis_engine_version", String),
            opt("analysis_definition_version", String),
            opt("submitted", Timestamp),
            opt("analysis_started", Timestamp),
            opt("analysis_ended", Timestamp),
            opt("result_name", String),
            opt("result", String),
            opt("analysis_sco_refs", IdList(ANY)),
            opt("sample_ref", Id(ANY)),
        ],
    },
    TypeDef {
        name: "note",
        class: Sdo,
        props: &[
            opt("abstract", String),
            req("content", String),
            opt("authors", StringList),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "observed-data",
        class: Sdo,
        props: &[
            req("first_observed", Timestamp),
            req("last_observed", Timestamp),
            req("number_observed", Integer(1, 999_999_999)),
            opt("objects", Dictionary),
            opt("object_refs", IdList(ANY)),
        ],
    },
    TypeDef {
        name: "opinion",
        class: Sdo,
        props: &[
            opt("explanation", String),
            opt("authors", StringList),
            req(
                "opinion",
                Enum(&["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"]),
            ),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "report",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("report_types", StringList),
            req("published", Timestamp),
            OBJECT_REFS,
        ],
    },
    TypeDef {
        name: "threat-actor",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("threat_actor_types", StringList),
            ALIASES,
            FIRST_SEEN,
            LAST_SEEN,
            opt("roles", StringList),
            opt("goals", StringList),
            opt("sophistication", String),
            opt("resource_level", String),
            opt("primary_motivation", String),
            opt("secondary_motivations", StringList),
            opt("personal_motivations", StringList),
        ],
    },
    TypeDef {
        name: "tool",
        class: Sdo,
        props: &[
            NAME,
            DESCRIPTION,
            opt("tool_types", StringList),
            ALIASES,
            KILL_CHAIN,
            opt("tool_version", String),
        ],
    },
    TypeDef {
        name: "vulnerability",
        class: Sdo,
        props: &[NAME, DESCRIPTION],
    },
    // §5 STIX Relationship Objects
    TypeDef {
        name: "relationship",
        class: Sro,
        props: &[
            req("relationship_type", String),
            DESCRIPTION,
            req("source_ref", Id(ANY)),
            req("target_ref", Id(ANY)),
            opt("start_time", Timestamp),
            opt("stop_time", Timestamp),
        ],
    },
    TypeDef {
        name: "sighting",
        class: Sro,
        props: &[
            DESCRIPTION,
            FIRST_SEEN,
            LAST_SEEN,
            opt("count", COUNT),
            req("sighting_of_ref", Id(ANY)),
            opt("observed_data_refs", IdList(&["observed-data"])),
            opt("where_sighted_refs", IdList(&["identity", "location"])),
            opt("summary", Boolean),
        ],
    },
    // §6 STIX Cyber-observable Objects
    TypeDef {
        name: "artifact",
        class: Sco,
        props: &[
            opt("mime_type", String),
            opt("payload_bin", Binary),
            opt("url", String),
            opt("hashes", Hashes),
            opt(
                "encryption_algorithm",
                Enum(&["AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"]),
            ),
            opt("decryption_key", String),
        ],
    },
    TypeDef {
        name: "autonomous-system",
        class: Sco,
        props: &[req("number", UNSIGNED), opt("name", String), opt("rir", String)],
    },
    TypeDef {
        name: "directory",
        class: Sco,
        props: &[
            req("path", String),
            opt("path_enc", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("contains_refs", IdList(&["file", "directory"])),
        ],
    },
    TypeDef {
        name: "domain-name",
        class: Sco,
        props: &[req("value", String), opt("resolves_to_refs", IdList(ADDRESSES))],
    },
    TypeDef {
        name: "email-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("display_name", String),
            opt("belongs_to_ref", Id(&["user-account"])),
        ],
    },
    TypeDef {
        name: "email-message",
        class: Sco,
        props: &[
            req("is_multipart", Boolean),
            opt("date", Timestamp),
            opt("content_type", String),
            opt("from_ref", Id(&["email-addr"])),
            opt("sender_ref", Id(&["email-addr"])),
            opt("to_refs", IdList(&["email-addr"])),
            opt("cc_refs", IdList(&["email-addr"])),
            opt("bcc_refs", IdList(&["email-addr"])),
            opt("message_id", String),
            opt("subject", String),
            opt("received_lines", StringList),
            opt("additional_header_fields", Dictionary),
            opt("body", String),
            opt("body_multipart", ObjectList),
            opt("raw_email_ref", Id(&["artifact"])),
        ],
    },
    TypeDef {
        name: "file",
        class: Sco,
        props: &[
            opt("hashes", Hashes),
            opt("size", UNSIGNED),
            opt("name", String),
            opt("name_enc", String),
            opt("magic_number_hex", Hex),
            opt("mime_type", String),
            opt("ctime", Timestamp),
            opt("mtime", Timestamp),
            opt("atime", Timestamp),
            opt("parent_directory_ref", Id(&["directory"])),
            opt("contains_refs", IdList(ANY)),
            opt("content_ref", Id(&["artifact"])),
        ],
    },
    TypeDef {
        name: "ipv4-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("resolves_to_refs", IdList(&["mac-addr"])),
            opt("belongs_to_refs", IdList(&["autonomous-system"])),
        ],
    },
    TypeDef {
        name: "ipv6-addr",
        class: Sco,
        props: &[
            req("value", String),
            opt("resolves_to_refs", IdList(&["mac-addr"])),
            opt("belongs_to_refs", IdList(&["autonomous-system"])),
        ],
    },
    TypeDef {
        name: "mac-addr",
        class: Sco,
        props: &[req("value", String)],
    },
    TypeDef {
        name: "mutex",
        class: Sco,
        props: &[req("name", String)],
    },
    TypeDef {
        name: "network-traffic",
        class: Sco,
        props: &[
            opt("start", Timestamp),
            opt("end", Timestamp),
            opt("is_active", Boolean),
            opt("src_ref", Id(ADDRESSES)),
            opt("dst_ref", Id(ADDRESSES)),
            opt("src_port", PORT),
            opt("dst_port", PORT),
            req("protocols", StringList),
            opt("src_byte_count", UNSIGNED),
            opt("dst_byte_count", UNSIGNED),
            opt("src_packets", UNSIGNED),
            opt("dst_packets", UNSIGNED),
            opt("ipfix", Dictionary),
            opt("src_payload_ref", Id(&["artifact"])),
            opt("dst_payload_ref", Id(&["artifact"])),
            opt("encapsulates_refs", IdList(&["network-traffic"])),
            opt("encapsulated_by_ref", Id(&["network-traffic"])),
        ],
    },
    TypeDef {
        name: "process",
        class: Sco,
        props: &[
            opt("is_hidden", Boolean),
            opt("pid", Integer(i64::MIN, i64::MAX)),
            opt("created_time", Timestamp),
            opt("cwd", String),
            opt("command_line", String),
            opt("environment_variables", Dictionary),
            opt("opened_connection_refs", IdList(&["network-traffic"])),
            opt("creator_user_ref", Id(&["user-account"])),
            opt("image_ref", Id(&["file"])),
            opt("parent_ref", Id(&["process"])),
            opt("child_refs", IdList(&["process"])),
        ],
    },
    TypeDef {
        name: "software",
        class: Sco,
        props: &[
            req("name", String),
            opt("cpe", String),
            opt("swid", String),
            opt("languages", StringList),
            opt("vendor", String),
            opt("version", String),
        ],
    },
    TypeDef {
        name: "url",
        class: Sco,
        props: &[req("value", String)],
    },
    TypeDef {
        name: "user-account",
        class: Sco,
        props: &[
            opt("user_id", String),
            opt("credential", String),
            opt("account_login", String),
            opt("account_type", String),
            opt("display_name", String),
            opt("is_service_account", Boolean),
            opt("is_privileged", Boolean),
            opt("can_escalate_privs", Boolean),
            opt("is_disabled", Boolean),
            opt("account_created", Timestamp),
            opt("account_expires", Timestamp),
            opt("credential_last_changed", Timestamp),
            opt("account_first_login", Timestamp),
            opt("account_last_login", Timestamp),
        ],
    },
    TypeDef {
        name: "windows-registry-key",
        class: Sco,
        props: &[
            opt("key", String),
            opt("values", ObjectList),
            opt("modified_time", Timestamp),
            opt("creator_user_ref", Id(&["user-account"])),
            opt("number_of_subkeys", UNSIGNED),
        ],
    },
    TypeDef {
        name: "x509-certificate",
        class: Sco,
        props: &[
            opt("is_self_signed", Boolean),
            opt("hashes", Hashes),
            opt("version", String),
            opt("serial_number", String),
            opt("signature_algorithm", String),
            opt("issuer", String),
            opt("validity_not_before", Timestamp),
            opt("validity_not_after", Timestamp),
            opt("subject", String),
            opt("subject_public_key_algorithm", String),
            opt("subject_public_key_modulus", String),
            opt("subject_public_key_exponent", UNSIGNED),
            opt("x509_v3_extensions", Object),
        ],
    },
    // §7 Meta objects
    TypeDef {
        name: "language-content",
        class: Meta,
        props: &[
            req("object_ref", Id(ANY)),
            opt("object_modified", Timestamp),
            req("contents", Dictionary),
        ],
    },
    TypeDef {
        name: "marking-definition",
        class: Meta,
        props: &[
            opt("name", String),
            opt("definition_type", String),
            opt("definition", Object),
        ],
    },
    TypeDef {
        name: "extension-definition",
        class: Meta,
        props: &[
            NAME,
            DESCRIPTION,
            req("schema", String),
            req("version", String),
            req(
                "extension_types",
                EnumList(&[
                    "new-sdo",
                    "new-sco",
                    "new-sro",
                    "property-extension",
                    "toplevel-property-extension",
                ]),
            ),
            opt("extension_properties", StringList),
        ],
    },
];

/// The definition of a type STIX 2.1 defines.
pub fn lookup(name: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.name == name)
}

/// The common properties of a class of objects.
pub fn common(def: &TypeDef) -> &'static [Prop] {
    match (def.class, def.name) {
        (_, "marking-definition") => MARKING_COMMON,
        (Sco, _) => SCO_COMMON,
        _ => SDO_COMMON,
    }
}

/// The predefined SCO extensions (§6, each object's "Extensions" section).
pub const PREDEFINED_EXTENSIONS: &[&str] = &[
    "archive-ext",
    "ntfs-ext",
    "pdf-ext",
    "raster-image-ext",
    "windows-pebinary-ext",
    "http-request-ext",
    "icmp-ext",
    "socket-ext",
    "tcp-ext",
    "unix-account-ext",
    "windows-process-ext",
    "windows-service-ext",
];

/// Hash algorithms whose values have a fixed hexadecimal length (§10.7, hashing-algorithm-ov).
pub const HASH_LENGTHS: &[(&str, usize)] = &[
    ("MD5", 32),
    ("SHA-1", 40),
    ("SHA-256", 64),
    ("SHA-512", 128),
    ("SHA3-256", 64),
    ("SHA3-512", 128),
];
